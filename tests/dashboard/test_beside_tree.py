"""分管, 行业系统 and the leading group on the dashboards.

Tree (tests/conftest.py): city ── county A ── committee A ── A1, A2; county B ── B1.
A leader of county B is in charge of committee A (分管); county B's office supervises
sector 教育, to which A2 and B1 belong; A1 belongs to sector 卫生.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from accounts.models import OrgUnit, Sector, UnitDomain
from accounts.roles import Role
from campaign.models import AssignmentState, Workstream
from campaign.services import group_member_set
from rectification.models import Problem
from supervision.models import SupervisionVisit
from tests.dashboard.conftest import make_assignment, make_campaign, make_problem, make_task
from tests.factories import UserFactory, grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(tree, people, frozen):
    campaign = make_campaign(tree.city)
    edu = Sector.objects.create(code="edu", name="教育系统", supervisor=tree.county_b)
    health = Sector.objects.create(code="health", name="卫生系统", supervisor=tree.city)
    OrgUnit.objects.filter(pk__in=[tree.branch_a2.pk, tree.branch_b1.pk]).update(
        sector=edu, domain=UnitDomain.SCHOOL
    )
    OrgUnit.objects.filter(pk=tree.branch_a1.pk).update(sector=health)
    vice = UserFactory(username="vice_mayor")
    grant(vice, tree.county_b, Role.LEADER)
    grant(vice, tree.committee_a, Role.IN_CHARGE)
    edu_office = UserFactory(username="edu_office")
    grant(edu_office, tree.county_b, Role.SECTOR)
    task = make_task(campaign, tree.city, Workstream.STUDY, date(2026, 11, 10), "专题学习")
    make_assignment(task, tree.branch_a1, AssignmentState.PENDING)  # overdue
    make_assignment(task, tree.branch_a2, AssignmentState.ACCEPTED)
    return {"campaign": campaign, "vice": vice, "edu_office": edu_office}


def _codes(response, table: str) -> list[str]:
    html = response.content.decode()
    start = html.index(f'id="{table}"')
    body = html[start : html.index("</table>", start)]
    return [part.split('"', 1)[0] for part in body.split('data-unit="')[1:]]


def test_the_portfolio_page_shows_the_departments_in_his_charge(client, tree, scene):
    client.force_login(scene["vice"])
    response = client.get(reverse("dashboard:scope"))
    assert response.status_code == 200
    assert _codes(response, "overseen-units") == [tree.committee_a.code]
    line = response.context["board"].lines[0]
    assert (line.assignments, line.assignments_done, line.assignments_overdue) == (2, 1, 1)


def test_the_leaders_page_shows_his_portfolios_progress(client, tree, scene):
    client.force_login(scene["vice"])
    response = client.get(reverse("dashboard:leader"))
    assert _codes(response, "portfolio-units") == [tree.committee_a.code]


def test_the_sector_office_sees_its_sector_across_the_tree_and_nothing_else(client, tree, scene):
    client.force_login(scene["edu_office"])
    response = client.get(reverse("dashboard:scope"))
    assert sorted(_codes(response, "overseen-units")) == sorted(
        [tree.branch_a2.code, tree.branch_b1.code]
    )
    # filtered by field
    response = client.get(reverse("dashboard:scope"), {"domain": "rural"})
    assert _codes(response, "overseen-units") == []
    # A1 is in another sector: its dashboard is not his
    url = reverse("dashboard:office") + f"?unit={tree.branch_a1.code}"
    assert client.get(url).status_code == 404
    url = reverse("dashboard:office") + f"?unit={tree.branch_a2.code}"
    assert client.get(url).status_code == 200


def test_without_a_portfolio_or_sector_the_page_is_not_there(client, people, scene):
    client.force_login(people.city_office)
    assert client.get(reverse("dashboard:scope")).status_code == 404


def test_the_leading_group_page_lists_each_member_with_what_it_did(client, tree, people, scene):
    campaign = scene["campaign"]
    publicity = tree.county_b  # stands for a member unit (宣传部)
    group_member_set(
        actor=people.city_office,
        campaign=campaign,
        unit=publicity,
        duty="负责宣传引导和舆论氛围营造",
        workstreams=[Workstream.STUDY],
        contact="张明",
        phone="0571-88880000",
    )
    group_member_set(
        actor=people.city_office, campaign=campaign, unit=tree.county_a, duty="负责督促指导"
    )
    make_task(campaign, publicity, Workstream.STUDY, date(2026, 12, 1), "宣传任务")
    member_office = UserFactory(username="publicity_office")
    grant(member_office, publicity, Role.OFFICE)
    SupervisionVisit.objects.create(
        campaign=campaign,
        unit=tree.branch_b1,
        visited_on=date(2026, 11, 12),
        visitors="张明",
        created_by=member_office,
    )
    problem = make_problem(campaign, tree.branch_b1)
    Problem.objects.filter(pk=problem.pk).update(reported_by=member_office)
    client.force_login(people.city_office)
    response = client.get(reverse("dashboard:leading-group"))
    assert response.status_code == 200
    lines = {line.member.unit_id: line for line in response.context["lines"]}
    assert (
        lines[publicity.pk].tasks,
        lines[publicity.pk].visits,
        lines[publicity.pk].problems,
    ) == (1, 1, 1)
    assert (lines[tree.county_a.pk].tasks, lines[tree.county_a.pk].visits) == (0, 0)
    html = response.content.decode()
    assert "负责宣传引导和舆论氛围营造" in html and "张明" in html


def test_only_the_campaigns_office_names_member_units(tree, people, scene):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        group_member_set(
            actor=people.county_office, campaign=scene["campaign"], unit=tree.county_b, duty="x"
        )


def test_the_office_dashboard_compares_the_fields_of_its_units(client, tree, people, scene):
    client.force_login(people.city_office)
    response = client.get(reverse("dashboard:office"))
    classes = {c.key: c.line for c in response.context["board"].classes}
    # A2 is a school (its assignment accepted), A1 is not classed (its assignment overdue)
    assert classes["school"].assignments_done == 1
    assert classes[""].assignments_overdue == 1
    assert 'id="class-comparison"' in response.content.decode()


def test_the_leader_in_charge_urges_a_lagging_department_of_his_portfolio(client, tree, scene):
    from notifications.models import Urge

    client.force_login(scene["vice"])
    page = client.get(reverse("dashboard:scope")).content.decode()
    urge_url = reverse("notifications:urge", args=["unit", tree.committee_a.pk])
    assert urge_url in page  # the department is red: 催办 is offered
    response = client.post(urge_url, {"next": reverse("dashboard:scope")})
    assert response.status_code == 302
    assert Urge.objects.filter(item_kind="unit", item_id=tree.committee_a.pk).exists()
    # a unit outside his portfolio cannot be urged by him
    response = client.post(reverse("notifications:urge", args=["unit", tree.branch_b1.pk]))
    assert response.status_code in (403, 404)
