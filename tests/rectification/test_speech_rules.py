"""Each rule of docs/rules.md decided under the issue "Rules that hold": held (refused with
a Chinese message saying what is missing and how to fix it) or flagged, as written there."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from rectification import rules, selectors, services
from rectification.models import (
    ExtensionState,
    Problem,
    ProblemSource,
    ProblemState,
    ProblemType,
    SatisfactionCheck,
)
from tests.rectification.conftest import TODAY
from tests.rectification.factories import make_campaign, make_problem
from tests.rectification.test_workflow import finish_measures, png, steps

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(tree):
    return make_campaign(tree.city)


def _message(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _refused_in_chinese(call, *words: str) -> str:
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        call()
    text = _message(caught.value)
    for word in words:
        assert word in text, text
    return text


def _overdue(problem: Problem, today: date = TODAY) -> bool:
    return Problem.objects.filter(pk=problem.pk).filter(rules.overdue_q(today)).exists()


def _plan(campaign, unit, actor, problem):
    return services.special_plan_create(
        campaign=campaign,
        unit=unit,
        actor=actor,
        title="专项整改方案",
        goal="彻底解决",
        body="分三步",
        problems=[problem],
        milestones=[services.MilestoneInput("第一阶段")],
    )


def _mechanism(campaign, unit, actor, problem):
    return services.mechanism_create(
        campaign=campaign,
        unit=unit,
        actor=actor,
        title="学习制度",
        kind="rule",
        issued_on=date(2026, 11, 10),
        problems=[problem],
    )


# --- a special plan for problems raised strongly by the masses and long unresolved -------


def test_a_problem_needing_a_special_plan_does_not_start_or_close_without_one(
    campaign, tree, people
):
    actor = people.secretary_a
    problem = make_problem(
        campaign=campaign,
        unit=tree.branch_a1,
        actor=actor,
        mass_concern=True,
        long_unresolved=True,
    )
    _refused_in_chinese(
        lambda: services.problem_start(problem=problem, actor=actor), "专项整改方案", "关联"
    )
    assert Problem.objects.get(pk=problem.pk).state == ProblemState.DRAFT
    _plan(campaign, tree.branch_a1, actor, problem)
    services.problem_start(problem=problem, actor=actor)
    finish_measures(problem, actor)
    services.problem_submit_for_closing(problem=problem, actor=actor)
    assert Problem.objects.get(pk=problem.pk).state == ProblemState.SUBMITTED


def test_the_plan_rule_is_one_function():
    assert rules.special_plan_refusal(mass_concern=True, long_unresolved=True, has_plan=False)
    assert not rules.special_plan_refusal(mass_concern=True, long_unresolved=False, has_plan=False)
    assert not rules.special_plan_refusal(mass_concern=True, long_unresolved=True, has_plan=True)


# --- a 长期坚持 problem closes only with a long-term mechanism ---------------------------


def test_an_ongoing_problem_is_not_submitted_for_closing_without_a_mechanism(
    campaign, tree, people
):
    actor = people.secretary_a
    problem = make_problem(
        campaign=campaign, unit=tree.branch_a1, actor=actor, type=ProblemType.ONGOING
    )
    services.problem_start(problem=problem, actor=actor)
    finish_measures(problem, actor)
    _refused_in_chinese(
        lambda: services.problem_submit_for_closing(problem=problem, actor=actor), "长效机制"
    )
    _mechanism(campaign, tree.branch_a1, actor, problem)
    services.problem_submit_for_closing(problem=problem, actor=actor)
    assert Problem.objects.get(pk=problem.pk).state == ProblemState.SUBMITTED


# --- 立行立改 has a time limit --------------------------------------------------------------


def test_an_immediate_problem_without_a_deadline_is_overdue_after_the_limit(campaign, tree, people):
    problem = make_problem(
        campaign=campaign,
        unit=tree.branch_a1,
        actor=people.secretary_a,
        type=ProblemType.IMMEDIATE,
        deadline=None,
        discovered_on=date(2026, 11, 1),
    )
    limit = date(2026, 11, 1).toordinal() + rules.IMMEDIATE_LIMIT_DAYS
    assert not _overdue(problem, date.fromordinal(limit))
    assert _overdue(problem, date.fromordinal(limit + 1))
    flagged = selectors.problem_queryset(user=people.secretary_a, campaign=campaign, params={}).get(
        pk=problem.pk
    )
    assert flagged.is_overdue  # 2026-11-20 is 19 days after it was found


# --- the deadline counts: extension requests -------------------------------------------


def _started(campaign, tree, people, **kwargs) -> Problem:
    problem = make_problem(
        campaign=campaign, unit=tree.branch_a1, actor=people.secretary_a, **kwargs
    )
    services.problem_start(problem=problem, actor=people.secretary_a)
    return problem


def test_a_unit_cannot_move_its_deadline_or_retype_once_started(campaign, tree, people):
    problem = _started(campaign, tree, people)
    for change in (
        {"deadline": date(2027, 3, 31)},
        {"type": ProblemType.ONGOING, "deadline": None},
    ):
        _refused_in_chinese(
            lambda change=change: services.problem_update(
                problem=problem, actor=people.secretary_a, **change
            ),
            "延期申请",
            "批准",
        )
    assert Problem.objects.get(pk=problem.pk).deadline == date(2026, 12, 31)


def test_a_unit_cannot_make_an_overdue_problem_not_overdue_without_approval(campaign, tree, people):
    draft = make_problem(
        campaign=campaign,
        unit=tree.branch_a1,
        actor=people.secretary_a,
        deadline=date(2026, 11, 10),
    )
    assert _overdue(draft)
    _refused_in_chinese(
        lambda: services.problem_update(
            problem=draft, actor=people.secretary_a, deadline=date(2027, 1, 31)
        ),
        "延期申请",
    )
    request = services.extension_request(
        problem=draft,
        actor=people.secretary_a,
        new_type=ProblemType.DEADLINE,
        new_deadline=date(2027, 1, 31),
        reason="涉及资金审批，需延后",
    )
    assert _overdue(draft)  # the old deadline counts until approved
    with pytest.raises(PermissionDenied):  # not by the unit itself
        services.extension_decide(request=request, actor=people.secretary_a, approve=True)
    services.extension_decide(
        request=request, actor=people.county_office, approve=True, comment="同意"
    )
    assert not _overdue(draft)
    assert Problem.objects.get(pk=draft.pk).deadline == date(2027, 1, 31)


def test_an_extension_request_is_refused_with_a_comment_and_kept(campaign, tree, people):
    problem = _started(campaign, tree, people)
    _refused_in_chinese(
        lambda: services.extension_request(
            problem=problem,
            actor=people.secretary_a,
            new_type=ProblemType.DEADLINE,
            new_deadline=date(2027, 2, 28),
            reason="",
        ),
        "说明",
    )
    request = services.extension_request(
        problem=problem,
        actor=people.secretary_a,
        new_type=ProblemType.DEADLINE,
        new_deadline=date(2027, 2, 28),
        reason="工程量大",
    )
    _refused_in_chinese(  # one request at a time
        lambda: services.extension_request(
            problem=problem,
            actor=people.secretary_a,
            new_type=ProblemType.ONGOING,
            new_deadline=None,
            reason="再申请",
        ),
        "等待",
    )
    _refused_in_chinese(
        lambda: services.extension_decide(
            request=request, actor=people.county_office, approve=False
        ),
        "理由",
    )
    services.extension_decide(
        request=request, actor=people.county_office, approve=False, comment="按期完成"
    )
    request.refresh_from_db()
    assert request.state == ExtensionState.REFUSED and request.comment == "按期完成"
    assert Problem.objects.get(pk=problem.pk).deadline == date(2026, 12, 31)
    assert request.events.count() == 2  # kept in the history: asked, answered


def test_a_type_change_is_approved_like_a_deadline(campaign, tree, people):
    problem = _started(campaign, tree, people)
    request = services.extension_request(
        problem=problem,
        actor=people.secretary_a,
        new_type=ProblemType.ONGOING,
        new_deadline=None,
        reason="需长期坚持",
    )
    services.extension_decide(request=request, actor=people.city_office, approve=True)
    problem.refresh_from_db()
    assert problem.type == ProblemType.ONGOING and problem.deadline is None


# --- 回头看: reopening a closed problem -------------------------------------------------


def _closed(campaign, tree, people, **kwargs) -> Problem:
    problem = _started(campaign, tree, people, **kwargs)
    finish_measures(problem, people.secretary_a)
    services.problem_submit_for_closing(problem=problem, actor=people.secretary_a)
    return problem


def test_the_office_above_reopens_a_closed_problem_as_a_recurrence(campaign, tree, people):
    problem = _closed(campaign, tree, people)
    services.problem_close(problem=problem, actor=people.county_office, note="核查属实")
    with pytest.raises(PermissionDenied):
        services.problem_reopen(problem=problem, actor=people.secretary_a, reason="又出现")
    _refused_in_chinese(
        lambda: services.problem_reopen(problem=problem, actor=people.county_office, reason=""),
        "重新打开",
    )
    services.problem_reopen(problem=problem, actor=people.county_office, reason="回头看发现反弹")
    problem.refresh_from_db()
    assert problem.state == ProblemState.IN_RECTIFICATION
    assert problem.reopened_count == 1 and problem.reopened_at is not None
    assert steps(problem)[-2:] == [
        (ProblemState.SUBMITTED, ProblemState.CLOSED),
        (ProblemState.CLOSED, ProblemState.IN_RECTIFICATION),
    ]
    assert problem.measures.count() == 1  # measures and evidence stay


# --- the people's satisfaction before 销号 ----------------------------------------------


@pytest.mark.parametrize("source", [ProblemSource.PETITION, ProblemSource.OPINIONS])
def test_a_mass_concern_problem_closes_only_with_the_peoples_answer(campaign, tree, people, source):
    problem = _closed(campaign, tree, people, source=source)
    _refused_in_chinese(
        lambda: services.problem_close(problem=problem, actor=people.county_office),
        "群众",
    )
    services.problem_close(
        problem=problem,
        actor=people.county_office,
        satisfaction=services.Satisfaction(
            method="survey", result="fairly", survey=png("问卷.png")
        ),
    )
    problem.refresh_from_db()
    assert problem.state == ProblemState.CLOSED
    check = SatisfactionCheck.objects.get(problem=problem)
    assert check.result == "fairly" and check.document_name == "问卷.png"


def test_not_satisfied_keeps_the_problem_open(campaign, tree, people):
    problem = _closed(campaign, tree, people, mass_concern=True)
    services.problem_close(
        problem=problem,
        actor=people.county_office,
        satisfaction=services.Satisfaction(method="visit", result="dissatisfied", note="仍有噪音"),
    )
    problem.refresh_from_db()
    assert problem.state == ProblemState.IN_RECTIFICATION
    assert problem.satisfaction_checks.get().result == "dissatisfied"
    assert "仍有噪音" in problem.transitions.last().reason


def test_a_problem_found_by_self_review_needs_no_survey(campaign, tree, people):
    problem = _closed(campaign, tree, people)
    services.problem_close(problem=problem, actor=people.county_office)
    assert Problem.objects.get(pk=problem.pk).state == ProblemState.CLOSED


def test_the_figures_count_the_new_states(campaign, tree, people):
    from dashboard.figures.rectification import problem_figures
    from dashboard.periods import Period

    reopened = _closed(campaign, tree, people)
    services.problem_close(problem=reopened, actor=people.county_office)
    services.problem_reopen(problem=reopened, actor=people.county_office, reason="复发")
    unhappy = _closed(campaign, tree, people, mass_concern=True)
    services.problem_close(
        problem=unhappy,
        actor=people.county_office,
        satisfaction=services.Satisfaction(method="phone", result="dissatisfied", note="不满意"),
    )
    happy = _closed(campaign, tree, people, source=ProblemSource.OPINIONS)
    services.problem_close(
        problem=happy,
        actor=people.county_office,
        satisfaction=services.Satisfaction(method="phone", result="satisfied", note="满意"),
    )
    waiting = _started(campaign, tree, people)
    services.extension_request(
        problem=waiting,
        actor=people.secretary_a,
        new_type=ProblemType.DEADLINE,
        new_deadline=date(2027, 1, 31),
        reason="工程量大",
    )
    figures = problem_figures(campaign=campaign, unit=tree.county_a, period=Period.on(TODAY))
    assert (figures.reopened, figures.pending_extensions) == (1, 1)
    assert (figures.satisfied, figures.dissatisfied) == (1, 1)
