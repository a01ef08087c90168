"""Shortly after midnight the office dashboards are counted and cached: the morning's first
visitor waits for none of the counting."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.unit_versions import subtree_version
from dashboard import selectors, tasks, warmup

from .conftest import TODAY

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def own_cache(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "test-warmup",
        }
    }
    from django.core.cache import cache

    cache.clear()


def counting(ctx: CaptureQueriesContext) -> list[str]:
    """The queries that count records by part (dashboard/figures/parts.py)."""
    return [q["sql"] for q in ctx.captured_queries if 'AS "part"' in q["sql"]]


def test_the_job_is_in_the_beat_schedule():
    entry = settings.CELERY_BEAT_SCHEDULE["warm-dashboards"]
    assert entry["task"] == "dashboard.warm_dashboards"


def test_the_office_units_are_the_root_and_those_above_the_committees(tree, dataset):
    units = warmup.office_units(dataset.campaign)
    assert units == [tree.city, tree.county_a, tree.county_b]


def test_after_the_warm_up_a_dashboard_counts_nothing(tree, people, dataset, client):
    assert tasks.warm_dashboards.apply().get() == 3
    for unit in (tree.city, tree.county_a, tree.county_b):
        with CaptureQueriesContext(connection) as ctx:
            selectors.office_dashboard_rolled_up(
                user=people.city_office,
                campaign=dataset.campaign,
                unit=unit,
                today=TODAY,
                version=subtree_version(unit.path),
            )
        assert counting(ctx) == [], unit.code
        # the block and the figures read over the scope come from the cache: the versions
        # of the topics, the children, the records the signals show
        assert len(ctx.captured_queries) <= 6, unit.code

    client.force_login(people.county_office)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("dashboard:office")).status_code == 200
    assert counting(ctx) == []


def test_a_dashboard_without_the_warm_up_counts(tree, people, dataset):
    with CaptureQueriesContext(connection) as ctx:
        selectors.office_dashboard_rolled_up(
            user=people.city_office,
            campaign=dataset.campaign,
            unit=tree.city,
            today=TODAY,
            version=subtree_version(tree.city.path),
        )
    assert counting(ctx) != []


def test_the_warmed_dashboards_equal_those_counted_from_scratch(tree, people, dataset):
    from .test_rollup import assert_same

    warmup.warm_dashboards(today=TODAY)
    assert_same(people, dataset.campaign)
