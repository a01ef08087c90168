"""Derived flags (overdue, stale 长期坚持, special plan needed), the list filters and the
dashboard figures."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.http import QueryDict

from dashboard.figures.rectification import problem_figures
from dashboard.periods import Period
from rectification import selectors, services
from rectification.models import (
    ProblemSource,
    ProblemState,
    ProblemType,
)
from tests.rectification.conftest import TODAY
from tests.rectification.factories import make_campaign, make_problem
from tests.rectification.test_workflow import finish_measures

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(tree):
    return make_campaign(tree.city)


def flags(user, campaign, problem):
    return selectors.problem_queryset(user=user, campaign=campaign, params={}).get(pk=problem.pk)


def test_overdue_is_derived_and_ends_when_closed(campaign, tree, people):
    late = make_problem(
        campaign=campaign,
        unit=tree.branch_a1,
        actor=people.secretary_a,
        discovered_on=date(2026, 10, 1),
        deadline=date(2026, 11, 19),
    )
    due_today = make_problem(
        campaign=campaign, unit=tree.branch_a1, actor=people.secretary_a, deadline=TODAY
    )
    assert flags(people.secretary_a, campaign, late).is_overdue
    assert not flags(people.secretary_a, campaign, due_today).is_overdue
    services.problem_start(problem=late, actor=people.secretary_a)
    finish_measures(late, people.secretary_a)
    services.problem_submit_for_closing(problem=late, actor=people.secretary_a)
    assert flags(people.secretary_a, campaign, late).is_overdue
    services.problem_close(problem=late, actor=people.county_office)
    assert not flags(people.secretary_a, campaign, late).is_overdue


def test_ongoing_problem_goes_stale_without_a_note_for_30_days(campaign, tree, people):
    problem = make_problem(
        campaign=campaign,
        unit=tree.branch_a1,
        actor=people.secretary_a,
        type=ProblemType.ONGOING,
        discovered_on=TODAY - timedelta(days=60),
    )
    services.problem_start(problem=problem, actor=people.secretary_a)
    assert flags(people.secretary_a, campaign, problem).is_stale
    measure = problem.measures.get()
    services.progress_note_add(
        measure=measure,
        actor=people.secretary_a,
        text="持续推进",
        noted_on=TODAY - timedelta(days=31),
    )
    assert flags(people.secretary_a, campaign, problem).is_stale
    services.progress_note_add(
        measure=measure,
        actor=people.secretary_a,
        text="持续推进",
        noted_on=TODAY - timedelta(days=30),
    )
    assert not flags(people.secretary_a, campaign, problem).is_stale
    # a deadline problem is never "stale"
    other = make_problem(
        campaign=campaign,
        unit=tree.branch_a1,
        actor=people.secretary_a,
        discovered_on=TODAY - timedelta(days=60),
    )
    services.problem_start(problem=other, actor=people.secretary_a)
    assert not flags(people.secretary_a, campaign, other).is_stale


def test_needs_plan_until_a_special_plan_is_linked(campaign, tree, people):
    problem = make_problem(
        campaign=campaign,
        unit=tree.branch_a1,
        actor=people.secretary_a,
        mass_concern=True,
        long_unresolved=True,
    )
    only_mass = make_problem(
        campaign=campaign, unit=tree.branch_a1, actor=people.secretary_a, mass_concern=True
    )
    assert flags(people.secretary_a, campaign, problem).needs_plan_flag
    assert not flags(people.secretary_a, campaign, only_mass).needs_plan_flag
    listed = selectors.problem_queryset(
        user=people.county_office, campaign=campaign, params={"flag": "needs_plan"}
    )
    assert list(listed) == [problem]
    stats = problem_figures(campaign=campaign, unit=tree.city, period=Period.on(TODAY))
    assert stats["needs_plan"] == 1
    services.special_plan_create(
        campaign=campaign,
        unit=tree.branch_a1,
        actor=people.secretary_a,
        title="专项整治方案",
        goal="三个月内解决",
        body="一、……",
        problems=[problem],
    )
    assert not flags(people.secretary_a, campaign, problem).needs_plan_flag


def test_special_plan_needs_body_or_document_and_linked_problems_in_scope(campaign, tree, people):
    other = make_problem(campaign=campaign, unit=tree.branch_b1, actor=people.secretary_b)
    with pytest.raises(services.ValidationError) as exc:
        services.special_plan_create(
            campaign=campaign,
            unit=tree.branch_a1,
            actor=people.secretary_a,
            title="方案",
            goal="目标",
        )
    assert "body" in exc.value.message_dict
    with pytest.raises(services.ValidationError) as exc:
        services.special_plan_create(
            campaign=campaign,
            unit=tree.branch_a1,
            actor=people.secretary_a,
            title="方案",
            goal="目标",
            body="内容",
            problems=[other],
        )
    assert "problems" in exc.value.message_dict
    with pytest.raises(services.PermissionDenied):
        services.special_plan_create(
            campaign=campaign,
            unit=tree.branch_a1,
            actor=people.viewer,
            title="方案",
            goal="目标",
            body="x",
        )
    plan = services.special_plan_create(
        campaign=campaign,
        unit=tree.branch_a1,
        actor=people.secretary_a,
        title="方案",
        goal="目标",
        body="内容",
        milestones=[
            services.MilestoneInput("制定方案", date(2026, 12, 1)),
            services.MilestoneInput("验收"),
        ],
    )
    assert [m.title for m in plan.milestones.all()] == ["制定方案", "验收"]
    milestone = plan.milestones.first()
    services.milestone_mark_done(milestone=milestone, actor=people.secretary_a)
    milestone.refresh_from_db()
    assert milestone.done_on == TODAY


def test_mechanism_rules(campaign, tree, people):
    problem = make_problem(campaign=campaign, unit=tree.branch_a1, actor=people.secretary_a)
    with pytest.raises(services.ValidationError) as exc:
        services.mechanism_create(
            campaign=campaign,
            unit=tree.branch_a1,
            actor=people.secretary_a,
            title="",
            kind="nonsense",
            issued_on=date(2026, 12, 1),
        )
    assert set(exc.value.message_dict) == {"title", "kind", "issued_on"}
    mechanism = services.mechanism_create(
        campaign=campaign,
        unit=tree.branch_a1,
        actor=people.secretary_a,
        title="联系群众制度",
        kind="rule",
        issued_on=date(2026, 11, 10),
        problems=[problem],
    )
    assert list(mechanism.problems.all()) == [problem]


@pytest.fixture
def varied(campaign, tree, people):
    a = make_problem(
        campaign=campaign,
        unit=tree.branch_a1,
        actor=people.secretary_a,
        source=ProblemSource.OPINIONS,
        category="工作作风",
        description="文山会海",
    )
    b = make_problem(
        campaign=campaign,
        unit=tree.branch_a2,
        actor=people.county_office,
        type=ProblemType.ONGOING,
        description="联系群众不紧密",
    )
    c = make_problem(
        campaign=campaign,
        unit=tree.branch_b1,
        actor=people.secretary_b,
        deadline=date(2026, 11, 10),
        discovered_on=date(2026, 10, 1),
    )
    services.problem_start(problem=b, actor=people.county_office)
    return a, b, c


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, "abc"),
        ({"source": "opinions"}, "a"),
        ({"source": "bogus"}, ""),
        ({"category": "工作作风"}, "a"),
        ({"type": "ongoing"}, "b"),
        ({"state": "in_rectification"}, "b"),
        ({"state": "open"}, "abc"),
        ({"state": "closed"}, ""),
        ({"overdue": "1"}, "c"),
        ({"flag": "stale"}, ""),
        ({"q": "群众"}, "b"),
    ],
)
def test_list_filters(campaign, people, varied, params, expected):
    names = dict(zip("abc", varied, strict=True))
    got = selectors.problem_queryset(user=people.city_office, campaign=campaign, params=params)
    assert {p.pk for p in got} == {names[k].pk for k in expected}


def test_unit_filter_takes_the_subtree_and_scope_still_applies(campaign, tree, people, varied):
    a, b, _c = varied
    params = QueryDict(f"unit={tree.county_a.pk}")
    got = selectors.problem_queryset(user=people.city_office, campaign=campaign, params=params)
    assert set(got) == {a, b}
    params = QueryDict(f"unit={tree.county_b.pk}")
    got = selectors.problem_queryset(user=people.county_office, campaign=campaign, params=params)
    assert list(got) == []
    mine = selectors.problem_queryset(user=people.secretary_a, campaign=campaign, params={})
    assert list(mine) == [a]


def test_sorting(campaign, people, varied):
    a, b, c = varied
    got = selectors.problem_queryset(
        user=people.city_office, campaign=campaign, params={"sort": "deadline"}
    )
    assert list(got) == [c, a, b]


def test_stats(campaign, tree, people, varied):
    a, _b, c = varied
    services.problem_start(problem=a, actor=people.secretary_a)
    finish_measures(a, people.secretary_a)
    services.problem_submit_for_closing(problem=a, actor=people.secretary_a)
    services.problem_close(
        problem=a,
        actor=people.county_office,
        satisfaction=services.Satisfaction(method="visit", result="satisfied", note="群众满意"),
    )
    services.problem_withdraw(problem=c, actor=people.secretary_b, reason="重复")
    stats = problem_figures(campaign=campaign, unit=tree.county_a, period=Period.on(TODAY))
    assert stats["total"] == 2
    assert stats["closed"] == 1
    assert stats["closure_rate"] == 50.0
    assert stats["closed_this_week"] == 1
    assert dict((k, v) for _l, k, v in stats["by_type"])["ongoing"] == 1


def test_verify_queue_lists_what_the_user_may_close(campaign, tree, people):
    problem = make_problem(campaign=campaign, unit=tree.county_a, actor=people.county_office)
    services.problem_start(problem=problem, actor=people.county_office)
    finish_measures(problem, people.county_office)
    services.problem_submit_for_closing(problem=problem, actor=people.county_office)
    assert list(selectors.verify_queue(user=people.county_office, campaign=campaign)) == []
    assert list(selectors.verify_queue(user=people.city_office, campaign=campaign)) == [problem]
    assert problem.state == ProblemState.SUBMITTED
