"""The rules module: the workflow table, what a record says may happen next, the verify
queue as the filter form of the closing rule, and the state an imported row may reach."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from accounts import permissions
from accounts.roles import Action
from rectification import rules, selectors, services
from rectification.models import Measure, MeasureState, Problem, ProblemState, ProblemType
from tests.factories import UserFactory
from tests.rectification.factories import make_campaign, make_problem
from tests.rectification.test_workflow import finish_measures

pytestmark = pytest.mark.django_db

PEOPLE = (
    "secretary_a",
    "secretary_b",
    "county_office",
    "city_office",
    "leader",
    "viewer",
    "member_a",
    "outsider",
)


@pytest.fixture
def campaign(tree):
    return make_campaign(tree.city)


def _in_state(campaign, unit, state: str, *, actor, **kwargs) -> Problem:
    """A problem taken through the services to ``state``."""
    problem = make_problem(campaign=campaign, unit=unit, actor=actor, **kwargs)
    if state == ProblemState.DRAFT:
        return problem
    if state == ProblemState.WITHDRAWN:
        return services.problem_withdraw(problem=problem, actor=actor, reason="重复")
    services.problem_start(problem=problem, actor=actor)
    if state == ProblemState.IN_RECTIFICATION:
        return problem
    finish_measures(problem, actor)
    services.problem_submit_for_closing(problem=problem, actor=actor)
    if state == ProblemState.SUBMITTED:
        return problem
    services.problem_close(problem=problem, actor=None, note="核查属实")
    return problem


@pytest.fixture
def problems(campaign, tree, people) -> list[Problem]:
    """A problem in every state on a branch, on a county and on the other county's
    branch; the branch's draft is led by the county's leader."""
    found = []
    for unit, actor in (
        (tree.branch_a1, people.secretary_a),
        (tree.county_a, people.county_office),
        (tree.branch_b1, people.secretary_b),
    ):
        for state in ProblemState.values:
            found.append(_in_state(campaign, unit, state, actor=actor))
    found.append(
        make_problem(
            campaign=campaign,
            unit=tree.branch_a1,
            actor=people.secretary_a,
            responsible_leader=people.leader,
        )
    )
    return [Problem.objects.select_related("unit").get(pk=p.pk) for p in found]


# --- the workflow table ----------------------------------------------------------------


def test_the_workflow_names_every_state_and_open_means_it_may_still_be_withdrawn():
    assert set(rules.PROBLEM_FLOW) == set(ProblemState.values)
    assert set(rules.OPEN_STATES) == set(rules.states_allowing(rules.WITHDRAW))
    assert set(rules.EDITABLE_STATES) < set(rules.OPEN_STATES)
    assert rules.states_allowing(rules.CLOSE) == (ProblemState.SUBMITTED,)
    for name, move in rules.MOVES.items():
        assert move.name == name
        assert rules.states_allowing(name), name  # every move can be made from somewhere


def test_a_problem_says_where_it_may_go(campaign, tree, people):
    problem = make_problem(campaign=campaign, unit=tree.branch_a1, actor=people.secretary_a)
    assert problem.can_move_to(ProblemState.IN_RECTIFICATION)
    assert problem.can_move_to(ProblemState.WITHDRAWN)
    assert not problem.can_move_to(ProblemState.CLOSED)
    assert not problem.can_move_to(ProblemState.SUBMITTED)
    services.problem_start(problem=problem, actor=people.secretary_a)
    assert problem.can_move_to(ProblemState.SUBMITTED)
    assert not problem.can_move_to(ProblemState.DRAFT)


def test_what_each_person_may_do_next(campaign, tree, people):
    draft = _in_state(campaign, tree.branch_a1, ProblemState.DRAFT, actor=people.secretary_a)
    submitted = _in_state(
        campaign, tree.branch_a1, ProblemState.SUBMITTED, actor=people.secretary_a
    )
    closed = _in_state(campaign, tree.branch_a1, ProblemState.CLOSED, actor=people.secretary_a)
    unit_side = {rules.START, rules.WITHDRAW, rules.EDIT}
    assert draft.allowed_actions(people.secretary_a) == unit_side
    assert draft.allowed_actions(people.county_office) == unit_side
    assert draft.allowed_actions(people.leader) == set()  # not the problem he leads
    assert draft.allowed_actions(people.viewer) == set()
    assert draft.allowed_actions(people.secretary_b) == set()
    assert submitted.allowed_actions(people.secretary_a) == {rules.WITHDRAW}
    assert submitted.allowed_actions(people.county_office) == {
        rules.CLOSE,
        rules.RETURN,
        rules.WITHDRAW,
    }
    assert closed.allowed_actions(people.city_office) == {rules.REOPEN}  # 回头看
    led = make_problem(
        campaign=campaign,
        unit=tree.branch_a1,
        actor=people.secretary_a,
        responsible_leader=people.leader,
    )
    assert led.allowed_actions(people.leader) == unit_side


def test_a_measure_follows_its_problem(campaign, tree, people):
    problem = make_problem(campaign=campaign, unit=tree.branch_a1, actor=people.secretary_a)
    measure = Measure.objects.select_related("problem__unit").get(problem=problem)
    # neither in progress nor done before rectification starts
    assert not measure.can_move_to(MeasureState.IN_PROGRESS)
    assert not measure.can_move_to(MeasureState.DONE)
    assert measure.allowed_actions(people.secretary_a) == {rules.EDIT}
    assert measure.allowed_actions(people.viewer) == set()
    services.problem_start(problem=problem, actor=people.secretary_a)
    measure.refresh_from_db()
    assert measure.can_move_to(MeasureState.IN_PROGRESS)
    assert measure.can_move_to(MeasureState.DONE)
    services.problem_withdraw(problem=problem, actor=people.secretary_a, reason="重复")
    measure.refresh_from_db()
    assert not measure.can_move_to(MeasureState.IN_PROGRESS)
    assert measure.allowed_actions(people.secretary_a) == set()


# --- the queue and the check are one rule --------------------------------------------------


def test_the_verify_queue_is_exactly_what_each_person_may_close(campaign, problems, tree, people):
    admin = UserFactory(username="admin", is_superuser=True)
    persons = [getattr(people, name) for name in PEOPLE] + [admin]
    for user in persons:
        queue = set(
            selectors.verify_queue(user=user, campaign=campaign).values_list("pk", flat=True)
        )
        for problem in problems:
            closes = rules.CLOSE in problem.allowed_actions(user)
            assert (problem.pk in queue) == closes, (user.username, problem, problem.state)
            if problem.state == ProblemState.SUBMITTED:
                assert closes == permissions.may(user, Action.CLOSE, problem), user.username
    # and the table's rule holds: an office strictly above the reporting unit
    county_queue = selectors.verify_queue(user=people.county_office, campaign=campaign)
    assert [p.unit for p in county_queue] == [tree.branch_a1]


# --- ready to start and to close ----------------------------------------------------------


def test_start_refusals_name_what_is_missing():
    missing = rules.start_refusals(
        type=ProblemType.DEADLINE,
        deadline=None,
        has_measures=False,
        has_leader=False,
        has_responsible=False,
    )
    assert set(missing) == {"__all__", "deadline", "responsible_leader", "responsible_person"}
    ongoing = rules.start_refusals(
        type=ProblemType.ONGOING,
        deadline=None,
        has_measures=True,
        has_leader=True,
        has_responsible=True,
    )
    assert ongoing == {}
    immediate = rules.start_refusals(
        type=ProblemType.IMMEDIATE,
        deadline=None,
        has_measures=False,
        has_leader=False,
        has_responsible=False,
    )
    assert immediate == {}


def test_close_refusals_come_first_reason_first():
    done, open_ = MeasureState.DONE, MeasureState.IN_PROGRESS
    assert len(rules.close_refusals([])) == 1
    reasons = rules.close_refusals(
        [rules.ClosingMeasure(1, done, True), rules.ClosingMeasure(2, open_, False)]
    )
    assert len(reasons) == 2 and "2" in reasons[0] and "2" in reasons[1]
    assert rules.close_refusals([rules.ClosingMeasure(1, done, True)]) == []


# --- the state a ledger row reaches --------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "start", "closing", "may_close", "state", "lowered"),
    [
        (None, {}, ["x"], False, ProblemState.IN_RECTIFICATION, False),
        (None, {"deadline": ["d"]}, ["x"], False, ProblemState.DRAFT, False),
        (ProblemState.IN_RECTIFICATION, {"deadline": ["d"]}, [], True, ProblemState.DRAFT, True),
        (ProblemState.SUBMITTED, {}, ["no evidence"], True, ProblemState.IN_RECTIFICATION, True),
        (ProblemState.CLOSED, {}, ["no evidence"], True, ProblemState.IN_RECTIFICATION, True),
        (ProblemState.SUBMITTED, {}, [], False, ProblemState.SUBMITTED, False),
        (ProblemState.CLOSED, {}, [], False, ProblemState.SUBMITTED, True),
        (ProblemState.CLOSED, {}, [], True, ProblemState.CLOSED, False),
        (ProblemState.WITHDRAWN, {"deadline": ["d"]}, ["x"], False, ProblemState.WITHDRAWN, False),
    ],
)
def test_reachable_state(written, start, closing, may_close, state, lowered):
    reached = rules.reachable_state(
        written=written, start=start, closing=closing, may_close=may_close
    )
    assert (reached.state, reached.lowered) == (state, lowered)


# --- who may be named responsible leader --------------------------------------------------


def test_leader_candidates_are_leaders_above_at_or_below_the_user(tree, people):
    assert list(rules.leader_candidates(people.secretary_a)) == [people.leader]
    assert list(rules.leader_candidates(people.secretary_b)) == []
    assert list(rules.leader_candidates(None)) == [people.leader]


def test_a_leader_names_himself_and_others_name_anyone(campaign, tree, people):
    his = Problem(unit=tree.branch_a1, responsible_leader=people.leader)
    someone_elses = Problem(unit=tree.branch_a1, responsible_leader_name="张书记")
    assert rules.may_name_leader(people.leader, his)
    assert not rules.may_name_leader(people.leader, someone_elses)
    assert rules.may_name_leader(people.secretary_a, someone_elses)
    assert rules.may_name_leader(None, someone_elses)


def test_a_leader_cannot_hand_his_plan_to_another_lead(campaign, tree, people):
    plan = services.special_plan_create(
        campaign=campaign,
        unit=tree.branch_a1,
        actor=people.leader,
        title="方案",
        goal="目标",
        body="内容",
        lead=people.leader,
    )
    other = UserFactory(username="other_leader")
    with pytest.raises(ValidationError) as refused:
        services.special_plan_update(
            plan=plan, actor=people.leader, title="方案", goal="目标", body="内容", lead=other
        )
    assert "lead" in refused.value.message_dict
    plan.refresh_from_db()
    assert plan.lead == people.leader
    services.special_plan_update(
        plan=plan, actor=people.secretary_a, title="方案", goal="目标", body="内容", lead=other
    )
    plan.refresh_from_db()
    assert plan.lead == other
