"""The weekly report and the dashboard show the same figures.

For the city, a county and a branch, on days of several weeks and before and after
changes (a submission accepted, a problem closed, an activity logged), the figures the
report's template renders equal those of the dashboard page opened on the same unit the
same day; the report of a past week equals the dashboard as it stood on that week's
Sunday, whatever happened since.

The data set is the weekly report's (tests/reports/conftest.py) with, in addition: an
assignment of county A accepted before its due date (12-20), a submitted assignment of
branch B1 waiting for review, a problem of branch A1 submitted for closing, a development
activity, two decisions and development items (a 为民办实事 of branch A1 completed on
11-18, an item of branch B1 still under way and overdue from 11-25), and two suggestions of
the county A leader's research (成果转化), one adopted by county A's decision on 11-20.
"""

from __future__ import annotations

import re
from dataclasses import fields
from datetime import date, datetime
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from campaign import services as campaign_services
from campaign.models import Assignment, AssignmentState, Task, Workstream
from rectification import services as rectification_services
from rectification.models import Measure, MeasureState, Problem, ProblemSource, ProblemState
from reports.pdf import render_html
from reports.periods import Week
from reports.selectors import WeeklyFigures, weekly_figures
from research import services as research_services
from research.models import Decision, Finding, FindingKind, ResearchProject, ResearchReport
from tests.reports.conftest import SHANGHAI, build_data_set

pytestmark = pytest.mark.django_db

DAYS = [
    date(2026, 11, 12),  # Thursday of W46
    date(2026, 11, 18),  # Wednesday of W47
    date(2026, 11, 26),  # Thursday of W48
    date(2026, 11, 29),  # Sunday of W48
    date(2026, 12, 2),  # Wednesday of W49
]


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=SHANGHAI)


@pytest.fixture
def world(tree, people):
    with time_machine.travel(at(date(2026, 11, 10), 9), tick=False):
        data = build_data_set(tree, people)
        campaign = data.campaign
        lecture = Task.objects.create(
            campaign=campaign,
            issuer=tree.city,
            workstream=Workstream.STUDY,
            title="专题党课",
            due_date=date(2026, 12, 20),
        )
        Assignment.objects.create(
            task=lecture,
            unit=tree.branch_a1,
            due_date=lecture.due_date,
            state=AssignmentState.ACCEPTED,
            reviewed_at=at(date(2026, 11, 19)),
        )
        waiting = Assignment.objects.get(task__title="专题调研", unit=tree.branch_b1)
        Assignment.objects.filter(pk=waiting.pk).update(
            state=AssignmentState.SUBMITTED, submitted_at=at(date(2026, 11, 20)), note="已完成"
        )
        submitted = Problem.objects.create(
            campaign=campaign,
            unit=tree.branch_a1,
            number=3,
            category="工作作风",
            source=ProblemSource.OPINIONS,
            description="群众办事排队时间长",
            deadline=date(2026, 11, 27),
            discovered_on=date(2026, 11, 3),
            state=ProblemState.SUBMITTED,
            submitted_at=at(date(2026, 11, 20)),
        )
        Measure.objects.create(problem=submitted, description="增设窗口", state=MeasureState.DONE)
        campaign_services.activity_create(
            actor=people.secretary_a,
            campaign=campaign,
            unit=tree.branch_a1,
            kind="serve_people",
            held_on=date(2026, 11, 10),
            summary="为群众修缮村道排水沟",
            participants=9,
        )
        people_matter = campaign_services.development_create(
            actor=people.secretary_a,
            campaign=campaign,
            unit=tree.branch_a1,
            category="livelihood",
            title="村口路灯安装",
            target="安装路灯20盏",
            due_date=date(2026, 12, 10),
            for_the_people=True,
        )
        lamps = campaign_services.milestone_add(
            actor=people.secretary_a,
            item=people_matter,
            title="安装完毕",
            due_on=date(2026, 11, 20),
        )
        industry = campaign_services.development_create(
            actor=people.city_office,
            campaign=campaign,
            unit=tree.branch_b1,
            category="industry",
            title="茶叶合作社扩产",
            target="新增茶园200亩",
            due_date=date(2026, 11, 25),
        )
        campaign_services.milestone_add(
            actor=people.city_office, item=industry, title="流转土地", due_on=date(2026, 11, 20)
        )
        support = Decision.objects.create(
            campaign=campaign,
            unit=tree.county_a,
            title="产业扶持决定",
            decided_on=date(2026, 11, 5),
            body="内容",
        )
        Decision.objects.create(
            campaign=campaign,
            unit=tree.branch_b1,
            title="村务决定",
            decided_on=date(2026, 11, 20),
            body="内容",
        )
        project = ResearchProject.objects.get(topic="乡村振兴调研")
        for text in ("建议设立产业扶持资金", "建议建立驻村指导员制度"):
            Finding.objects.create(
                project=project,
                report=ResearchReport.objects.get(title="调研报告"),
                unit=tree.county_a,
                kind=FindingKind.SUGGESTION,
                description=text,
            )
    with time_machine.travel(at(date(2026, 11, 20), 9), tick=False):
        research_services.adoption_create(
            finding=Finding.objects.get(description="建议设立产业扶持资金"),
            actor=None,
            adopted_on=date(2026, 11, 20),
            decision=support,
        )
    with time_machine.travel(at(date(2026, 11, 18), 9), tick=False):
        campaign_services.milestone_set_done(
            actor=people.secretary_a,
            milestone=lamps,
            done_on=date(2026, 11, 18),
            today=date(2026, 11, 18),
        )
    return data


# ---------------------------------------------------------------- the two outputs


def dashboard_page(client, unit) -> tuple[Any, str]:
    response = client.get(reverse("dashboard:office"), {"unit": unit.code})
    assert response.status_code == 200
    return response.context["board"], response.content.decode()


def report_of(campaign, unit, day: date, week: Week | None = None) -> tuple[WeeklyFigures, str]:
    figures = weekly_figures(campaign, unit, week or Week.of(day), today=day)
    with translation.override(settings.LANGUAGE_CODE):
        html = render_html(figures)
    return figures, html


def problem_counts(problems) -> dict[str, int]:
    return {
        f.name: getattr(problems, f.name)
        for f in fields(problems)
        if f.name not in ("by_source", "by_type")
    }


def board_view(board) -> dict[str, Any]:
    """The dashboard's figures under the names the report gives them."""
    return {
        "assignments": board.assignments,
        "activities_this_week": board.activities_this_week.total,
        "trend": [(p.week, p.total) for p in board.trend],
        "research": (
            board.research.leaders,
            board.research.on_track_quarter,
            board.research.with_report_year,
            board.research.reports_this_year,
            board.research.adoption,
        ),
        "problems": problem_counts(board.rectification),
        "overdue_assignments": board.assignments.overdue,
        "overdue_problems": board.rectification.overdue,
        "development": board.development,
        "development_units": [(r.unit.pk, r.figures) for r in board.development_units],
    }


def report_view(f: WeeklyFigures) -> dict[str, Any]:
    return {
        "assignments": f.assignments,
        "activities_this_week": f.activities.this_week,
        "trend": [(week.monday, held) for week, held, _closed in f.trend],
        "research": (
            f.research.leader_count,
            f.research.on_track_quarter,
            f.research.with_report_this_year,
            f.research.reports_this_year,
            f.research.adoption,
        ),
        "problems": problem_counts(f.problems),
        "overdue_assignments": f.overdue_assignment_total,
        "overdue_problems": f.overdue_problem_total,
        "development": f.development,
        "development_units": [(r.unit.pk, r.figures) for r in f.development_units],
    }


def rendered_rates(dashboard_html: str, report_html: str) -> tuple[list[str], list[str]]:
    """完成率 and 销号率 as each page prints them."""
    completion = re.search(
        r'data-workstream="all".*?data-figure="completion">([\d.]+%)', dashboard_html, re.S
    )
    closure = re.search(r'data-figure="closure">([\d.]+%)', dashboard_html)
    assert completion and closure
    in_report = [
        re.search(rf"{label}</td><td class=\"num\">([\d.]+%)</td>", report_html)
        for label in ("完成率", "销号率")
    ]
    assert all(in_report)
    # 推动发展: the completion rate and the 为民办实事 list
    development = re.search(r'data-figure="dev-completion">([\d.]+%)', dashboard_html)
    people = re.search(r'data-figure="people">.*?(\d+ / \d+)</a> \(([\d.]+%)\)', dashboard_html)
    assert development and people
    in_report_dev = re.search(r'<tr id="dev-completed">.*?([\d.]+%)</td>', report_html)
    in_report_people = re.search(
        r'<tr id="dev-people">.*?(\d+ / \d+)</td>.*?([\d.]+%)</td>', report_html
    )
    assert in_report_dev and in_report_people
    # 成果转化: adopted / suggestions and the share
    adoption = re.search(
        r'data-figure="adoption">([\d.]+%) <span class="small">\((\d+)/(\d+)\)', dashboard_html
    )
    in_report_adoption = re.search(
        r'<tr id="research-adoption">.*?(\d+) / (\d+)（([\d.]+%)）', report_html
    )
    assert adoption and in_report_adoption
    return (
        [
            completion.group(1),
            closure.group(1),
            development.group(1),
            *people.groups(),
            adoption.group(1),
            f"{adoption.group(2)}/{adoption.group(3)}",
        ],
        [
            *(m.group(1) for m in in_report if m),
            in_report_dev.group(1),
            *in_report_people.groups(),
            in_report_adoption.group(3),
            f"{in_report_adoption.group(1)}/{in_report_adoption.group(2)}",
        ],
    )


def assert_agree(client, campaign, unit, day: date) -> WeeklyFigures:
    board, dashboard_html = dashboard_page(client, unit)
    report, report_html = report_of(campaign, unit, day)
    assert board_view(board) == report_view(report), (unit.code, day)
    dashboard_rates, report_rates = rendered_rates(dashboard_html, report_html)
    assert dashboard_rates == report_rates, (unit.code, day)
    # each row of the report's unit table is the dashboard opened on that unit, and its
    # line among the lagging units
    lagging = {line.unit.pk: line for line in board.lagging}
    assert set(lagging) == {row.unit.pk for row in report.units}
    for row in report.units:
        child, _html = dashboard_page(client, row.unit)
        assert child.assignments == row.assignments, (row.unit.code, day)
        assert problem_counts(child.rectification) == problem_counts(row.problems)
        assert child.activities_this_week.total == row.activities.this_week
        line = lagging[row.unit.pk]
        assert (
            line.assignments,
            line.assignments_done,
            line.assignments_overdue,
            line.problems,
            line.problems_overdue,
            line.stale,
        ) == (
            row.assignments.total,
            row.assignments.accepted,
            row.assignments.overdue,
            row.problems.total,
            row.problems.overdue,
            row.problems.stale,
        )
    return report


# ---------------------------------------------------------------- the tests


@pytest.mark.parametrize("day", DAYS, ids=str)
def test_report_and_dashboard_agree_on_every_unit_and_week(client, tree, people, world, day):
    with time_machine.travel(at(day), tick=False):
        client.force_login(people.city_office)
        for unit in (tree.city, tree.county_a, tree.branch_a1):
            assert_agree(client, world.campaign, unit, day)


def test_the_disputed_completion_rate(client, tree, people, world):
    """County A on 26 November: four assignments, two accepted (one before its due date),
    two due so far of which one accepted and one overdue: 完成率 50.0 % (1/2) on both,
    进度 50 % (2/4) on the dashboard."""
    with time_machine.travel(at(date(2026, 11, 26)), tick=False):
        client.force_login(people.county_office)
        report = assert_agree(client, world.campaign, tree.county_a, date(2026, 11, 26))
        board, html = dashboard_page(client, tree.county_a)
    a = report.assignments
    assert (a.total, a.accepted, a.due, a.done, a.overdue) == (4, 2, 2, 1, 1)
    assert a.completion_rate == 50.0 and a.progress == 50.0
    assert board.assignments_total.percent_done == 50
    assert re.search(r'data-workstream="all".*?data-figure="completion">50\.0% ', html, re.S)


def test_they_agree_before_and_after_changes(client, tree, people, world):
    """A submission accepted, a problem closed and an activity logged move both outputs
    alike."""
    campaign = world.campaign
    day = date(2026, 11, 26)
    with time_machine.travel(at(day, 9), tick=False):
        client.force_login(people.city_office)
        before = {
            u.code: assert_agree(client, campaign, u, day) for u in (tree.city, tree.county_a)
        }
    with time_machine.travel(at(day, 11), tick=False):
        research_services.adoption_create(
            finding=Finding.objects.get(description="建议建立驻村指导员制度"),
            actor=None,
            adopted_on=day,
            decision=Decision.objects.get(title="产业扶持决定"),
        )
        campaign_services.assignment_accept(
            actor=people.city_office,
            assignment=Assignment.objects.get(task__title="专题调研", unit=tree.branch_b1),
        )
        rectification_services.problem_close(
            problem=Problem.objects.get(description="群众办事排队时间长"),
            actor=people.county_office,
            satisfaction=rectification_services.Satisfaction(
                method="visit", result="satisfied", note="群众满意"
            ),
        )
        campaign_services.activity_create(
            actor=people.county_office,
            campaign=campaign,
            unit=tree.branch_a2,
            kind="party_day",
            held_on=day,
            summary="支部书记讲专题党课，结合群众反映的问题谈整改思路",
            participants=11,
        )
    with time_machine.travel(at(day, 12), tick=False):
        after = {u.code: assert_agree(client, campaign, u, day) for u in (tree.city, tree.county_a)}
        for unit in (tree.branch_a1, tree.branch_b1):
            assert_agree(client, campaign, unit, day)
    city_before, city_after = before["T"], after["T"]
    assert city_after.assignments.done_this_week == city_before.assignments.done_this_week + 1
    assert city_after.assignments.accepted == city_before.assignments.accepted + 1
    assert city_after.problems.closed == city_before.problems.closed + 1
    assert city_after.problems.closed_this_week == city_before.problems.closed_this_week + 1
    assert city_after.activities.this_week == city_before.activities.this_week + 1
    assert city_before.research.adoption.adopted == 1
    assert city_after.research.adoption.adopted == 2
    assert city_after.research.adoption.suggestions == 2
    county_before, county_after = before["T-A"], after["T-A"]
    assert county_after.assignments == county_before.assignments  # B1 is in county B
    assert county_after.problems.closed == county_before.problems.closed + 1
    assert county_after.activities.this_week == county_before.activities.this_week + 1


def test_a_past_week_is_reported_as_the_dashboard_showed_it_on_its_sunday(
    client, tree, people, world
):
    campaign = world.campaign
    sunday = date(2026, 11, 29)
    units = (tree.city, tree.county_a, tree.branch_a1)
    with time_machine.travel(at(sunday, 20), tick=False):
        client.force_login(people.city_office)
        shown = {unit.code: board_view(dashboard_page(client, unit)[0]) for unit in units}
    later = date(2026, 12, 2)
    with time_machine.travel(at(later), tick=False):
        client.force_login(people.city_office)
        # the overdue problem of A2 is closed and the overdue assignment of A2 accepted
        overdue = Problem.objects.get(description="会议记录不完整")
        Problem.objects.filter(pk=overdue.pk).update(state=ProblemState.SUBMITTED)
        rectification_services.problem_close(
            problem=overdue,
            actor=people.county_office,
            satisfaction=rectification_services.Satisfaction(
                method="visit", result="satisfied", note="群众满意"
            ),
        )
        pending = Assignment.objects.get(task__title="学习党章", unit=tree.branch_a2)
        Assignment.objects.filter(pk=pending.pk).update(state=AssignmentState.SUBMITTED)
        campaign_services.assignment_accept(actor=people.city_office, assignment=pending)
        campaign_services.activity_create(
            actor=people.secretary_a,
            campaign=campaign,
            unit=tree.branch_a1,
            kind="party_day",
            held_on=later,
            participants=8,
            summary="开展主题党日活动，重温入党誓词并交流学习体会",
        )
        for unit in units:
            report, _html = report_of(campaign, unit, later, week=Week(2026, 48))
            reported = report_view(report)
            then = shown[unit.code]
            # what history keeps is reported as it stood on Sunday (stale and needs-plan
            # are judged from the records as they stand now, and are not shown)
            for key in ("stale", "needs_plan", "submitted", "ongoing"):
                reported["problems"].pop(key)
                then["problems"].pop(key)
            assert reported == then, unit.code
        assert shown["T"]["development"].completed == 1
        # and this week's dashboard has moved on
        board, _html = dashboard_page(client, tree.city)
        assert board.rectification.closed == shown["T"]["problems"]["closed"] + 1
        assert board.assignments.overdue == shown["T"]["assignments"].overdue - 1
