"""The dashboard answers in a fixed number of queries whatever the size of the data."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campaign.models import AssignmentState, Workstream
from rectification.models import ProblemState
from tests.factories import make_unit

from .conftest import make_activity, make_assignment, make_problem, make_task

pytestmark = pytest.mark.django_db


def count_queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries)


def grow(tree, dataset, n: int) -> None:
    """Add n branches under each county, each with assignments, activities and problems."""
    campaign = dataset.campaign
    task = make_task(campaign, tree.city, Workstream.STUDY, date(2026, 11, 12), "追加任务")
    for county in (tree.county_a, tree.county_b):
        for i in range(n):
            branch = make_unit(county)
            make_assignment(
                task, branch, AssignmentState.PENDING if i % 2 else AssignmentState.ACCEPTED
            )
            make_activity(
                campaign,
                branch,
                date(2026, 11, 17),
                f"支部第{i}次学习，内容各不相同：{branch.code}",
            )
            make_problem(campaign, branch, deadline=date(2026, 11, 2 + i % 20))
            make_problem(campaign, branch, state=ProblemState.SUBMITTED, deadline=date(2026, 12, 1))
    _grow_suggestions(tree, dataset, n)


def _grow_suggestions(tree, dataset, n: int) -> None:
    """Research of each county with n suggestions, every other one adopted (成果转化)."""
    from research.models import (
        Adoption,
        Decision,
        Finding,
        FindingKind,
        ResearchFocus,
        ResearchMethod,
        ResearchProject,
    )
    from tests.factories import UserFactory

    campaign = dataset.campaign
    for county in (tree.county_a, tree.county_b):
        project = ResearchProject.objects.create(
            campaign=campaign,
            unit=county,
            lead=UserFactory(),
            topic="追加调研",
            focus=ResearchFocus.HOT_HARD,
            method=ResearchMethod.ONSITE,
            start_date=date(2026, 11, 2),
            end_date=date(2026, 11, 3),
        )
        decision = Decision.objects.create(
            campaign=campaign, unit=county, title="追加决定", decided_on=date(2026, 11, 4), body="-"
        )
        for i in range(n):
            finding = Finding.objects.create(
                project=project, unit=county, kind=FindingKind.SUGGESTION, description=f"建议{i}"
            )
            if i % 2:
                Adoption.objects.create(
                    finding=finding, decision=decision, adopted_on=date(2026, 11, 5)
                )


@pytest.mark.parametrize("who", ["city_office", "county_office", "viewer"])
def test_office_dashboard_query_count_is_fixed(client, tree, people, dataset, who):
    client.force_login(getattr(people, who))
    url = reverse("dashboard:office")
    small = count_queries(client, url)
    small_drill = count_queries(client, url, {"unit": tree.committee_a.code})
    grow(tree, dataset, 12)
    assert count_queries(client, url) == small
    assert count_queries(client, url, {"unit": tree.committee_a.code}) == small_drill
    # Counted afresh (an empty cache; dashboard/rollup.py): the versions of the levels below
    # (one query a level), one pass of grouped queries for the committees, one for the units
    # above them (eleven each), the copied summaries, the leaders, 成果转化 (suggestions
    # adopted), the signals' records.
    assert small <= 54


def test_leader_home_query_count_is_fixed(client, tree, people, dataset):
    from rectification.models import Problem

    Problem.objects.filter(pk=dataset.problems["P1"].pk).update(responsible_leader=people.leader)
    client.force_login(people.leader)
    url = reverse("dashboard:leader")
    small = count_queries(client, url)
    grow(tree, dataset, 10)
    Problem.objects.filter(unit__path__startswith=tree.county_a.path).update(
        responsible_leader=people.leader
    )
    assert count_queries(client, url) == small


def test_cached_page_follows_writes_and_language(client, tree, people, dataset):
    """The rendered figure block is cached, but never outlives a write or crosses languages."""
    client.force_login(people.city_office)
    url = reverse("dashboard:office")
    first = client.get(url).content.decode()
    assert count_queries(client, url) <= 8  # warm: session, user, scope, campaign, version…
    total_before = client.get(url).context["board"].rectification["total"]
    make_problem(dataset.campaign, tree.branch_a1, deadline=date(2026, 12, 1))
    after = client.get(url)
    assert after.context["board"].rectification["total"] == total_before + 1
    assert after.content.decode() != first
    client.cookies["django_language"] = "en"
    english = client.get(url).content.decode()
    assert "Workstreams: assignments" in english
    client.cookies["django_language"] = "zh-hans"
    assert "Workstreams: assignments" not in client.get(url).content.decode()
