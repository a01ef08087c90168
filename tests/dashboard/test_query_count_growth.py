"""The office dashboard and a list page answer in the same number of queries for a small
tree and for one ten times larger: for a city office and for the province office."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import OrgUnit, UnitKind
from accounts.roles import Role
from campaign.models import AssignmentState, Campaign, Workstream
from rectification.models import Measure, ProblemState
from tests.factories import UserFactory, grant, make_unit
from tests.research.factories import make_project

from .conftest import make_activity, make_assignment, make_problem, make_task

pytestmark = pytest.mark.django_db

PAGES = [
    ("dashboard:office", {}),
    ("rectification:problem-list", {}),
    ("campaign:activity-list", {}),
    ("research:project-list", {}),
    ("research:compliance", {}),
]


def count_queries(client, url: str, params: dict) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def add_county(city: OrgUnit, campaign: Campaign, task, branches: int = 3) -> None:
    """A county with its branches, each with an assignment, an activity and problems."""
    today = timezone.localdate()
    county = make_unit(city, kind=UnitKind.COUNTY_COMMITTEE)
    add_leader(county, campaign)
    for i in range(branches):
        branch = make_unit(county)
        make_assignment(
            task, branch, AssignmentState.ACCEPTED if i % 2 else AssignmentState.PENDING
        )
        make_activity(campaign, branch, today - timedelta(days=i), f"{branch.code}支部学习研讨")
        make_problem(campaign, branch, deadline=today - timedelta(days=3))
        problem = make_problem(
            campaign, branch, state=ProblemState.SUBMITTED, deadline=today + timedelta(days=9)
        )
        Measure.objects.create(problem=problem, description="整改措施", state="done")


def add_leader(unit: OrgUnit, campaign: Campaign) -> None:
    """A leader of the committee, with a research project of this quarter."""
    leader = UserFactory()
    grant(leader, unit, Role.LEADER)
    make_project(campaign=campaign, lead=leader, unit=unit, start=timezone.localdate())


def add_city(province: OrgUnit, campaign: Campaign, counties: int = 2) -> OrgUnit:
    city = make_unit(province, kind=UnitKind.CITY_COMMITTEE)
    add_leader(city, campaign)
    task = make_task(
        campaign, city, Workstream.STUDY, timezone.localdate() + timedelta(days=5), "学习任务"
    )
    for _ in range(counties):
        add_county(city, campaign, task)
    return city


def test_query_counts_do_not_grow_with_the_tree(client):
    today = timezone.localdate()
    province = make_unit(None, kind=UnitKind.PROVINCE_COMMITTEE, name="测试省委")
    campaign = Campaign.objects.create(
        name="全省主题教育",
        root_unit=province,
        start_date=today - timedelta(days=60),
        end_date=today + timedelta(days=60),
        problem_categories=["工作作风"],
    )
    city = add_city(province, campaign)
    province_office, city_office = UserFactory(), UserFactory()
    grant(province_office, province, Role.OFFICE)
    grant(city_office, city, Role.OFFICE)

    def counts() -> dict[tuple[str, str], int]:
        found = {}
        for who, user in (("province", province_office), ("city", city_office)):
            client.force_login(user)
            for name, params in PAGES:
                found[(who, name)] = count_queries(client, reverse(name), params)
        return found

    small = counts()
    # ten times the tree: nine more cities in the province, eighteen more counties in the
    # city (each with its branches, assignments, activities, problems and measures)
    city_task = make_task(campaign, city, Workstream.RECTIFICATION, today, "整改任务")
    for _ in range(18):
        add_county(city, campaign, city_task)
    for _ in range(9):
        add_city(province, campaign)
    assert OrgUnit.objects.filter(path__startswith=province.path).count() >= 10 * 10
    large = counts()
    assert large == small
