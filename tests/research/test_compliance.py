"""The quarterly and yearly research rules, at period boundaries in Asia/Shanghai."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from research.models import ProjectState, ReportState, ResearchMethod
from research.selectors import (
    CELL_DUE,
    CELL_FUTURE,
    CELL_MISSING,
    CELL_OK,
    CELL_OUTSIDE,
    compliance_matrix,
    leader_research_summary,
)
from tests.factories import UserFactory, grant, make_unit
from tests.research.factories import make_project, make_report

pytestmark = pytest.mark.django_db


def _line(matrix, user):
    return next(line for line in matrix.lines if line.leader == user)


def _statuses(line):
    return [cell.status for cell in line.quarters]


def test_quarter_boundary_in_shanghai(campaign, tree, people, login):
    leader_b = UserFactory(username="leader_b")
    grant(leader_b, tree.county_b, Role.LEADER)
    make_project(campaign=campaign, lead=people.leader, unit=tree.county_a, start=date(2026, 3, 31))
    make_project(campaign=campaign, lead=leader_b, unit=tree.county_b, start=date(2026, 4, 1))
    # 00:30 on 1 April in Shanghai is still 31 March in UTC: the first quarter is over.
    with time_machine.travel("2026-04-01 00:30 +0800", tick=False):
        today = timezone.localdate()
        assert today == date(2026, 4, 1)
        matrix = compliance_matrix(
            user=people.city_office, campaign=campaign, year=2026, today=today
        )
        assert _statuses(_line(matrix, people.leader)) == [
            CELL_OK,
            CELL_DUE,
            CELL_FUTURE,
            CELL_FUTURE,
        ]
        assert _statuses(_line(matrix, leader_b)) == [
            CELL_MISSING,
            CELL_OK,
            CELL_FUTURE,
            CELL_FUTURE,
        ]
        assert [line.leader for line in matrix.behind] == [leader_b]
        assert _line(matrix, leader_b).missing_quarters == [1]
        # the page computes "today" in Shanghai too
        page = login(people.city_office).get(reverse("research:compliance"))
        html = page.content.decode()
        assert 'data-leader="leader_b"' in html
        assert f"lead={leader_b.pk}&amp;year=2026&amp;quarter=1" in html
    with time_machine.travel("2026-03-31 23:30 +0800", tick=False):
        matrix = compliance_matrix(
            user=people.city_office, campaign=campaign, year=2026, today=timezone.localdate()
        )
        assert _statuses(_line(matrix, leader_b))[0] == CELL_DUE


def test_year_boundary_for_reports(campaign, tree, people):
    with time_machine.travel("2025-12-31 23:00 +0800", tick=False):
        project = make_project(
            campaign=campaign, lead=people.leader, unit=tree.county_a, start=date(2025, 12, 30)
        )
        make_report(project=project, written_on=date(2025, 12, 31))
    with time_machine.travel("2027-01-01 00:10 +0800", tick=False):
        today = timezone.localdate()
        m2025 = compliance_matrix(
            user=people.city_office, campaign=campaign, year=2025, today=today
        )
        line = _line(m2025, people.leader)
        assert line.year.status == CELL_OK
        # the campaign started on 1 September 2025: the first two quarters are outside it
        assert _statuses(line) == [CELL_OUTSIDE, CELL_OUTSIDE, CELL_MISSING, CELL_OK]
        m2026 = compliance_matrix(
            user=people.city_office, campaign=campaign, year=2026, today=today
        )
        line = _line(m2026, people.leader)
        assert line.year.status == CELL_MISSING
        assert line.behind


def test_report_in_the_running_year_is_due_not_missing(campaign, tree, people):
    matrix = compliance_matrix(
        user=people.city_office, campaign=campaign, year=2026, today=date(2026, 11, 20)
    )
    assert _line(matrix, people.leader).year.status == CELL_DUE


def test_only_onsite_or_online_research_under_way_or_done_counts(campaign, tree, people):
    make_project(campaign=campaign, lead=people.leader, unit=tree.county_a,
                 method=ResearchMethod.FORUM, start=date(2026, 10, 2))  # fmt: skip
    make_project(campaign=campaign, lead=people.leader, unit=tree.county_a,
                 state=ProjectState.PLANNED, start=date(2026, 10, 3))  # fmt: skip
    project = make_project(campaign=campaign, lead=people.leader, unit=tree.county_a,
                           method=ResearchMethod.ONLINE, start=date(2026, 7, 3))  # fmt: skip
    make_report(project=project, state=ReportState.DRAFT)
    matrix = compliance_matrix(
        user=people.city_office, campaign=campaign, year=2026, today=date(2026, 11, 20)
    )
    line = _line(matrix, people.leader)
    assert _statuses(line)[2:] == [CELL_OK, CELL_DUE]
    assert line.year.status == CELL_DUE


def test_scope_office_sees_its_leaders_and_a_leader_his_own_line(campaign, tree, people):
    leader_b = UserFactory(username="leader_b")
    grant(leader_b, tree.county_b, Role.LEADER)
    city_leader = UserFactory(username="city_leader")
    grant(city_leader, tree.city, Role.LEADER)
    branch_leader = UserFactory(username="branch_leader")
    grant(branch_leader, tree.committee_a, Role.LEADER)  # not a city or county leader
    today = date(2026, 11, 20)

    def leaders(user):
        matrix = compliance_matrix(user=user, campaign=campaign, year=2026, today=today)
        return {line.leader.username for line in matrix.lines}

    assert leaders(people.city_office) == {"leader_a", "leader_b", "city_leader"}
    assert leaders(people.viewer) == {"leader_a", "leader_b", "city_leader"}
    assert leaders(people.county_office) == {"leader_a"}
    assert leaders(people.leader) == {"leader_a"}
    assert leaders(people.secretary_a) == set()
    assert leaders(people.outsider) == set()


def test_leader_summary(campaign, tree, people):
    make_project(campaign=campaign, lead=people.leader, unit=tree.county_a, start=date(2026, 10, 1))
    make_project(campaign=campaign, lead=people.leader, unit=tree.county_a, start=date(2026, 9, 30))
    make_report(project=make_project(campaign=campaign, lead=people.leader, unit=tree.county_a))
    summary = leader_research_summary(
        leader=people.leader, campaign=campaign, today=date(2026, 11, 20)
    )
    assert (summary.quarter, summary.projects_this_quarter, summary.reports_this_year) == (4, 2, 1)
    assert summary.quarter_ok and summary.year_ok


def _matrix_queries(user, campaign):
    with CaptureQueriesContext(connection) as ctx:
        compliance_matrix(user=user, campaign=campaign, year=2026, today=date(2026, 11, 20))
    return len(ctx.captured_queries)


def test_matrix_answers_in_a_fixed_number_of_queries(campaign, tree, people):
    office = people.city_office
    few = _matrix_queries(office, campaign)
    for n in range(15):
        county = make_unit(tree.city, kind="county", name=f"县{n}", code=f"T-X{n:02d}")
        leader = UserFactory(username=f"lx{n}")
        grant(leader, county, Role.LEADER)
        project = make_project(
            campaign=campaign, lead=leader, unit=county, start=date(2026, 7, 1 + n)
        )
        make_report(project=project)
    office = type(office).objects.get(pk=office.pk)
    many = _matrix_queries(office, campaign)
    # the viewer's roles, the leaders, those behind, their projects and their reports
    assert few == many <= 5
