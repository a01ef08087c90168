"""List pages run a fixed number of queries whatever the number of rows."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from campaign.models import AssignmentState
from tests.campaign.factories import (
    ActivityFactory,
    AssignmentFactory,
    DevelopmentItemFactory,
    MilestoneFactory,
    TaskFactory,
)
from tests.factories import make_unit

pytestmark = pytest.mark.django_db

PAGES = [
    ("campaign:todo", "secretary_a"),
    ("campaign:task-list", "city_office"),
    ("campaign:assignment-list", "city_office"),
    ("campaign:review-queue", "city_office"),
    ("campaign:activity-list", "city_office"),
    ("campaign:development-list", "city_office"),
    ("campaign:campaign-list", "city_office"),
]


def _rows(campaign, tree, n):
    units = [tree.branch_a1] + [make_unit(tree.committee_a) for _ in range(n - 1)]
    states = list(AssignmentState.values)
    for i in range(n):
        task = TaskFactory(campaign=campaign, issuer=tree.city)
        for j, unit in enumerate(units[: max(2, n // 3)]):
            AssignmentFactory(
                task=task,
                unit=unit,
                state=states[(i + j) % len(states)],
                due_date=date(2026, 11, 1 + (i + j) % 28),
            )
        ActivityFactory(campaign=campaign, unit=units[i % len(units)])
        item = DevelopmentItemFactory(campaign=campaign, unit=units[i % len(units)])
        MilestoneFactory(item=item)
        MilestoneFactory(item=item, done_on=date(2026, 11, 1))


@pytest.mark.parametrize(("name", "who"), PAGES)
def test_fixed_query_count(
    name, who, campaign, tree, people, use_campaign, django_assert_max_num_queries
):
    client = use_campaign(getattr(people, who))
    url = reverse(name)
    client.get(url)  # warm caches (session, content types)
    # rows written after it: both counts are of a page rendered afresh, not of content
    # kept from the request before (core/page_cache.py)
    _rows(campaign, tree, 3)
    with django_assert_max_num_queries(14) as small:
        assert client.get(url).status_code == 200
    _rows(campaign, tree, 24)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200
