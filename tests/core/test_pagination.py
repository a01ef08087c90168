"""The list pages' paginator: its total is counted again only after tracked data changed,
in one query whether it is counted or not."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import OrgUnit
from core.pagination import CachedCountPaginator
from tests.factories import make_unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def own_cache(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "test-list-count",
        }
    }


def _count(qs):
    with CaptureQueriesContext(connection) as ctx:
        n = CachedCountPaginator(qs, 2).count
    return n, len(ctx.captured_queries), ctx.captured_queries[-1]["sql"]


def test_total_is_cached_until_a_tracked_write(tree, own_cache):
    under_a = OrgUnit.objects.filter(path__startswith=tree.county_a.path).order_by("path")
    expected = under_a.count()
    n, queries, _ = _count(under_a)
    assert (n, queries) == (expected, 1)
    n, queries, _ = _count(under_a)
    assert (n, queries) == (expected, 1)
    make_unit(tree.committee_a)  # moves the data version
    n, queries, _ = _count(under_a)
    assert (n, queries) == (expected + 1, 1)


def test_each_query_has_its_own_total(tree, own_cache):
    a = OrgUnit.objects.filter(path__startswith=tree.county_a.path)
    b = OrgUnit.objects.filter(path__startswith=tree.county_b.path)
    assert _count(a)[0] == a.count()
    assert _count(b)[0] == b.count()
    assert _count(a)[0] == a.count()


def test_stale_total_is_never_used_after_an_update(tree, own_cache):
    active = OrgUnit.objects.filter(is_active=True)
    before = _count(active)[0]
    OrgUnit.objects.filter(pk=tree.branch_b1.pk).update(is_active=False)  # bulk, no signals
    assert _count(active)[0] == before - 1


def test_empty_and_evaluated_lists():
    assert CachedCountPaginator(OrgUnit.objects.none(), 5).count == 0
    assert CachedCountPaginator([1, 2, 3], 2).count == 3


def test_the_page_rule_caches_tracked_lists_only(tree, own_cache, rf):
    from core.models import AuditEvent
    from core.pages import paginate

    request = rf.get("/", {"page": "1"})
    units = paginate(request, OrgUnit.objects.order_by("path"), per_page=2)
    assert isinstance(units.paginator, CachedCountPaginator)
    assert units.paginator.count == OrgUnit.objects.count()
    events = paginate(request, AuditEvent.objects.order_by("pk"), per_page=2)
    assert not isinstance(events.paginator, CachedCountPaginator)
    assert events.paginator.count == 0
