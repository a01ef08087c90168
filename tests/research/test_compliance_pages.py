"""The compliance matrix a page at a time: the pages together show the same leaders in the
same order, with the same cells, as the whole matrix counted the straightforward way (every
leader of the scope, his projects and reports counted one by one), and every page lists the
same leaders behind, those of the whole scope."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import UnitKind
from accounts.roles import Role
from core.pages import PAGE_SIZE
from research.models import (
    COUNTING_METHODS,
    COUNTING_REPORT_STATES,
    COUNTING_STATES,
    ProjectState,
    ReportState,
    ResearchMethod,
    ResearchProject,
    ResearchReport,
)
from research.selectors import (
    CELL_DUE,
    CELL_FUTURE,
    CELL_MISSING,
    CELL_OK,
    CELL_OUTSIDE,
    compliance_matrix,
    leader_assignments,
    leader_lines,
)
from tests.factories import UserFactory, grant, make_unit
from tests.research.conftest import TODAY
from tests.research.factories import make_project, make_report

pytestmark = pytest.mark.django_db


def plain_matrix(user, campaign, year, today):
    """(username, unit name, quarter statuses and counts, year status and count) of every
    leader in the scope, in tree order, a leader of two committees once under the first;
    and the usernames of those with a red cell. Counted leader by leader."""

    def status(start, end, count):
        if end <= campaign.start_date or start > campaign.end_date:
            return CELL_OUTSIDE
        if count:
            return CELL_OK
        if start > today:
            return CELL_FUTURE
        if end > today:
            return CELL_DUE
        return CELL_MISSING

    seen, lines = set(), []
    for assignment in leader_assignments(user=user, campaign=campaign):
        if assignment.user_id in seen:
            continue
        seen.add(assignment.user_id)
        cells = []
        for quarter in (1, 2, 3, 4):
            start = date(year, 3 * quarter - 2, 1)
            end = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
            count = ResearchProject.objects.filter(
                campaign=campaign,
                lead_id=assignment.user_id,
                method__in=COUNTING_METHODS,
                state__in=COUNTING_STATES,
                start_date__gte=start,
                start_date__lt=end,
            ).count()
            cells.append((status(start, end, count), count))
        count = ResearchReport.objects.filter(
            campaign=campaign,
            author_id=assignment.user_id,
            state__in=COUNTING_REPORT_STATES,
            written_on__gte=date(year, 1, 1),
            written_on__lt=date(year + 1, 1, 1),
        ).count()
        cells.append((status(date(year, 1, 1), date(year + 1, 1, 1), count), count))
        lines.append((assignment.user.username, assignment.unit.name, tuple(cells)))
    behind = [name for name, _, cells in lines if any(s == CELL_MISSING for s, _ in cells)]
    return lines, behind


def _shape(line):
    cells = [(c.status, c.count) for c in line.quarters] + [(line.year.status, line.year.count)]
    return (line.leader.username, line.unit.name, tuple(cells))


@pytest.fixture
def many_leaders(campaign, tree, people):
    """Forty-odd leaders on the city and on counties, in every state of the rule, with
    the cases that order and deduplicate the lines."""
    counties = [tree.county_a, tree.county_b]
    for n in range(12):
        counties.append(make_unit(tree.city, kind=UnitKind.COUNTY_COMMITTEE, code=f"T-K{n:02d}"))
    # several leaders on one committee (ordered by user name), names out of id order
    for n, county in enumerate(counties):
        for m in range(3):
            leader = UserFactory(username=f"l{(7 * n + 5 * m) % 50:02d}_{n}_{m}")
            grant(leader, county, Role.LEADER)
            kind = (n + m) % 6
            if kind == 0:  # research in the third quarter, a report this year
                project = make_project(
                    campaign=campaign, lead=leader, unit=county, start=date(2026, 8, 3)
                )
                make_report(project=project, written_on=date(2026, 9, 1))
            elif kind == 1:  # every quarter of the campaign, no report
                for start in (date(2025, 10, 9), date(2026, 2, 2), date(2026, 5, 5)):
                    make_project(campaign=campaign, lead=leader, unit=county, start=start)
                make_project(
                    campaign=campaign,
                    lead=leader,
                    unit=county,
                    start=date(2026, 8, 8),
                    method=ResearchMethod.ONLINE,
                )
            elif kind == 2:  # research that does not count: a forum, a plan, a draft
                make_project(
                    campaign=campaign,
                    lead=leader,
                    unit=county,
                    start=date(2026, 7, 7),
                    method=ResearchMethod.FORUM,
                )
                planned = make_project(
                    campaign=campaign,
                    lead=leader,
                    unit=county,
                    start=date(2026, 4, 4),
                    state=ProjectState.PLANNED,
                )
                make_report(project=planned, state=ReportState.DRAFT)
            elif kind == 3:  # last year's research and report only
                project = make_project(
                    campaign=campaign, lead=leader, unit=county, start=date(2025, 12, 30)
                )
                make_report(project=project, written_on=date(2025, 12, 31))
            elif kind == 4:  # two projects in each of the first three quarters
                for start in (date(2026, 1, 1), date(2026, 3, 31), date(2026, 4, 1)):
                    make_project(campaign=campaign, lead=leader, unit=county, start=start)
                    make_project(campaign=campaign, lead=leader, unit=county, start=start)
                make_project(campaign=campaign, lead=leader, unit=county, start=date(2026, 9, 30))
                report = make_report(
                    project=make_project(campaign=campaign, lead=leader, unit=county)
                )
                ResearchReport.objects.filter(pk=report.pk).update(state=ReportState.ACCEPTED)
            # kind 5: nothing at all
    # a leader of the city and of a county: one line, under the city (first in tree order)
    both = UserFactory(username="zz_both")
    grant(both, tree.city, Role.LEADER)
    grant(both, counties[3], Role.LEADER)
    # the county office's own leader, already a leader of county A
    grant(people.leader, counties[5], Role.LEADER)
    # not listed: an inactive leader, a leader of an inactive committee, a branch leader
    gone = UserFactory(username="a_gone", is_active=False)
    grant(gone, counties[2], Role.LEADER)
    closed = make_unit(tree.city, kind=UnitKind.COUNTY_COMMITTEE, code="T-Z")
    closed.is_active = False
    closed.save()
    grant(UserFactory(username="a_closed"), closed, Role.LEADER)
    grant(UserFactory(username="a_branch"), tree.branch_a1, Role.LEADER)
    return counties


@pytest.mark.parametrize("year", [2025, 2026])
@pytest.mark.parametrize("who", ["city_office", "county_office", "leader", "viewer"])
def test_matrix_agrees_with_the_plain_count(campaign, people, many_leaders, who, year):
    user = getattr(people, who)
    lines, behind = plain_matrix(user, campaign, year, TODAY)
    matrix = compliance_matrix(user=user, campaign=campaign, year=year, today=TODAY)
    assert [_shape(line) for line in matrix.lines] == lines
    assert [line.leader.username for line in matrix.behind] == behind
    # one page at a time: that page's lines, and the whole scope's leaders behind
    everyone = list(leader_lines(user=user, campaign=campaign))
    shown = []
    for first in range(0, len(everyone), 7):
        page = compliance_matrix(
            user=user,
            campaign=campaign,
            year=year,
            today=TODAY,
            leaders=everyone[first : first + 7],
        )
        shown += [_shape(line) for line in page.lines]
        assert [line.leader.username for line in page.behind] == behind
    assert shown == lines


def test_the_city_is_large_and_partly_behind(campaign, people, many_leaders):
    lines, behind = plain_matrix(people.city_office, campaign, 2026, TODAY)
    assert len(lines) > PAGE_SIZE
    assert 0 < len(behind) < len(lines)
    assert ("zz_both", "测试市委") in {line[:2] for line in lines}
    assert not {"a_gone", "a_closed", "a_branch"} & {line[0] for line in lines}


def _page(client, params):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("research:compliance"), params)
    assert response.status_code == 200
    return response.content.decode(), len(ctx.captured_queries)


def test_pages_show_the_whole_matrix_in_order(campaign, people, many_leaders, login):
    client = login(people.city_office)
    for year in (2025, 2026):
        lines, behind = plain_matrix(people.city_office, campaign, year, TODAY)
        shown, queries, number = [], set(), 1
        while True:
            html, count = _page(client, {"year": year, "page": number})
            queries.add(count)
            rows = re.findall(r'<tr data-leader="([^"]+)">(.*?)</tr>', html, re.S)
            statuses = [tuple(re.findall(r'data-status="(\w+)"', row)) for _, row in rows]
            shown += [(name, s) for (name, _), s in zip(rows, statuses, strict=True)]
            listed = re.search(r'<ul class="leaders-behind">(.*?)</ul>', html, re.S)
            names = re.findall(r"author=(\d+)|lead=(\d+)", listed.group(1)) if listed else []
            assert bool(listed) == bool(behind)
            assert len({a or b for a, b in names}) == len(behind)
            if f"page={number + 1}" not in html:
                break
            number += 1
        assert number == -(-len(lines) // PAGE_SIZE)
        assert shown == [(name, tuple(s for s, _ in cells)) for name, _, cells in lines]
        assert len(queries) == 1  # every page in the same number of queries


def test_page_queries_do_not_grow_with_the_leaders(campaign, tree, people, login):
    client = login(people.city_office)
    few = _page(client, {})[1]
    for n in range(2 * PAGE_SIZE):
        county = make_unit(tree.city, kind=UnitKind.COUNTY_COMMITTEE, code=f"T-N{n:02d}")
        leader = UserFactory(username=f"ln{n:02d}")
        grant(leader, county, Role.LEADER)
        if n % 2:
            make_project(campaign=campaign, lead=leader, unit=county, start=date(2026, 7, 1))
    assert _page(client, {})[1] == few
    assert _page(client, {"page": 2})[1] == few


def test_project_list_counts_agree_with_each_project(campaign, tree, people, login):
    """The list's findings and reports per project (counted for the shown rows) are each
    project's own, with none, one or several of each and a report about two projects."""
    from research.selectors import projects_for
    from tests.research.factories import make_finding

    projects = [
        make_project(campaign=campaign, lead=people.leader, unit=tree.county_a, start=start)
        for start in (date(2026, 7, 1), date(2026, 8, 1), date(2026, 9, 1), date(2026, 10, 1))
    ]
    for n, project in enumerate(projects):
        for _ in range(n):
            make_finding(project=project)
    make_report(project=projects[1])
    make_report(project=projects[2])
    make_report(project=projects[2])
    both = make_report(project=projects[3])
    both.projects.add(projects[0])
    rows = list(projects_for(people.city_office, campaign))
    assert [(p.pk, p.finding_count, p.report_count) for p in rows] == [
        (p.pk, p.findings.count(), p.reports.count())
        for p in sorted(projects, key=lambda p: (p.start_date, p.pk), reverse=True)
    ]
    assert [p.report_count for p in rows] == [1, 2, 1, 1]
    html = login(people.city_office).get(reverse("research:project-list")).content.decode()
    assert html.count("<tr>") == 1 + len(projects)
