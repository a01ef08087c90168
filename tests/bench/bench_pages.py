"""Dashboard and list pages at city and province scale (a city office inside the province,
and the province office): median server time through the test
client and the SQL query count, beside the plain way (per-unit counting) for the dashboard.
"""

from __future__ import annotations

import itertools
from contextlib import contextmanager

import pytest
from conftest import median_ms, record  # type: ignore[import-not-found]
from django.core.cache import cache
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db


def _queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def plain_dashboard(root, campaign, today) -> int:
    """The dashboard as first written: a few counts per unit of the next level down."""
    from accounts.models import OrgUnit
    from campaign.models import Activity, Assignment, AssignmentState
    from rectification.models import OPEN_STATES, Problem, ProblemState

    total = 0
    for unit in OrgUnit.objects.filter(path__startswith=root.path, depth=root.depth + 1):
        within = Q(unit__path__startswith=unit.path)
        assignments = Assignment.objects.filter(within, task__campaign=campaign)
        total += assignments.count()
        total += assignments.filter(state=AssignmentState.ACCEPTED).count()
        total += (
            assignments.filter(due_date__lt=today).exclude(state=AssignmentState.ACCEPTED).count()
        )
        problems = Problem.objects.filter(within, campaign=campaign)
        total += problems.count()
        total += problems.filter(state=ProblemState.CLOSED).count()
        total += problems.filter(state__in=OPEN_STATES, deadline__lt=today).count()
        total += Activity.objects.filter(within, campaign=campaign).count()
    return total


def _branches(root, n: int):
    from accounts.models import OrgUnit

    return list(
        OrgUnit.objects.filter(path__startswith=root.path, numchild=0, depth__gt=root.depth)
        .order_by("?")
        .values_list("pk", flat=True)[:n]
    )


def _log_activity(campaign, unit_id: int, today, i: int) -> None:
    """A secretary logs an activity in one branch (the service a form calls)."""
    from decimal import Decimal

    from accounts.models import OrgUnit, RoleAssignment
    from campaign.services import activity_create

    secretary = RoleAssignment.objects.filter(unit_id=unit_id, role="secretary").first()
    activity_create(
        actor=secretary.user if secretary else None,
        campaign=campaign,
        unit=OrgUnit.objects.get(pk=unit_id),
        kind="party_day",
        held_on=today,
        summary=f"支部开展主题党日活动第{i}次，学习讨论并形成记录，参会党员逐一发言",
        participants=10,
        hours=Decimal(2),
    )


def _update_problem(campaign, unit_id: int, today, i: int) -> None:
    """A problem of one branch updated (a raw write, as the admin makes)."""
    from rectification.models import Problem

    pk = Problem.objects.filter(campaign=campaign, unit_id=unit_id).values_list("pk", flat=True)[:1]
    Problem.objects.filter(pk__in=list(pk)).update(description=f"问题描述第{i}次修改")


CHANGES = {"an activity logged": _log_activity, "a problem updated": _update_problem}


def _after_change(client, url, campaign, root, today, change, repeat: int = 5):
    """Median time and queries of the request right after a change in one branch."""
    import statistics
    import time

    samples, queries = [], []
    for i, branch in enumerate(_branches(root, repeat)):
        change(campaign, branch, today, i)
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            assert client.get(url).status_code == 200
            samples.append((time.perf_counter() - started) * 1000)
        queries.append(len(ctx.captured_queries))
    return statistics.median(samples), max(queries)


def _dashboard(client, scale, username, label, *, within, plain: bool) -> None:
    """The office dashboard of ``username``: cached, right after a change in one branch of
    ``within`` (anywhere in the data set, or in the reader's own subtree), and afresh."""
    from accounts.models import User

    client.force_login(User.objects.get(username=username))
    url = reverse("dashboard:office")
    today = timezone.localdate()

    def cold():
        cache.clear()
        assert client.get(url).status_code == 200

    def warm():
        assert client.get(url).status_code == 200

    cold_queries = _queries(cold)
    cold_ms = median_ms(cold, repeat=3)
    warm()
    warm_ms = median_ms(warm, repeat=9)
    warm_queries = _queries(warm)
    after = {
        name: _after_change(client, url, scale.campaign, within, today, change)
        for name, change in CHANGES.items()
    }
    worst = max(ms for ms, _q in after.values())
    changed = "; ".join(
        f"{ms:.0f} ms ({q} queries) after {name}" for name, (ms, q) in after.items()
    )
    plain_text, ratio = "", None
    if plain:
        root, campaign = scale.city, scale.campaign
        plain_ms = median_ms(lambda: plain_dashboard(root, campaign, today), repeat=3, warmup=0)
        plain_queries = _queries(lambda: plain_dashboard(root, campaign, today))
        plain_text = f"{plain_ms:.0f} ms, {plain_queries} queries (counts per unit, figures only)"
        ratio = plain_ms / worst if worst else None
    record(
        f"{label}, cached",
        scale=scale.name,
        budget="median ≤ 30 ms, fixed query count",
        measured=f"{warm_ms:.0f} ms ({warm_queries} queries)",
        passed=warm_ms <= 30,
        value=warm_ms,
        limit=30,
        unit="ms",
    )
    record(
        f"{label}, right after a change",
        scale=scale.name,
        budget="median ≤ 150 ms",
        measured=f"{changed}; {cold_ms:.0f} ms ({cold_queries} queries) with an empty cache",
        passed=worst <= 150,
        plain=plain_text,
        ratio=ratio,
        value=worst,
        limit=150,
        unit="ms",
    )


def _unit_of(username: str):
    from accounts.models import RoleAssignment

    return RoleAssignment.objects.filter(user__username=username).select_related("unit")[0].unit


def test_city_dashboard(client, scale):
    _dashboard(
        client,
        scale,
        scale.city_office,
        "city dashboard",
        # a change in its own city (at province scale, one in another city leaves its
        # dashboard cached: the worst case is its own)
        within=scale.city,
        plain=scale.name == "city",
    )


def test_county_dashboard(client, scale):
    _dashboard(
        client,
        scale,
        scale.county_office,
        "county dashboard",
        within=_unit_of(scale.county_office),
        plain=False,
    )


def test_province_dashboard(client, scale):
    if scale.province_office is None:
        pytest.skip("the city data set has no province")
    _dashboard(
        client,
        scale,
        scale.province_office,
        "province dashboard (province office)",
        within=scale.root,
        plain=False,
    )


def test_leader_home(client, scale):
    from accounts.models import User

    username = f"{scale.users or 'sz'}_leader0"
    client.force_login(User.objects.get(username=username))
    url = reverse("dashboard:leader")

    def get():
        assert client.get(url).status_code == 200

    queries = _queries(get)
    ms = median_ms(get, repeat=7)
    after_ms, after_queries = _after_change(
        client, url, scale.campaign, scale.city, timezone.localdate(), _log_activity
    )
    worst = max(ms, after_ms)
    record(
        "leader's home (city leader)",
        scale=scale.name,
        budget="median ≤ 150 ms",
        measured=f"{ms:.0f} ms ({queries} queries); {after_ms:.0f} ms ({after_queries} queries) "
        "after an activity logged in one branch",
        passed=worst <= 150,
        value=worst,
        limit=150,
        unit="ms",
    )


# label, who (an attribute of the Scale), URL name, query
LIST_PAGES = [
    ("problem list (city office)", "city_office", "rectification:problem-list", {}),
    (
        "problem list, overdue filter",
        "city_office",
        "rectification:problem-list",
        {"overdue": "1"},
    ),
    ("activity list (city office)", "city_office", "campaign:activity-list", {}),
    ("task list with completion", "city_office", "campaign:task-list", {}),
    ("review queue", "city_office", "campaign:review-queue", {}),
    ("research projects", "city_office", "research:project-list", {}),
    ("research compliance matrix", "city_office", "research:compliance", {}),
    ("verification queue", "city_office", "rectification:verify-queue", {}),
    ("secretary's to-do", "secretary", "campaign:todo", {}),
    ("secretary's activity list", "secretary", "campaign:activity-list", {}),
    ("county problem list", "county_office", "rectification:problem-list", {}),
]
# The province office's own lists (province scale only).
PROVINCE_PAGES = [
    (f"{label.replace(' (city office)', '')} (province office)", "province_office", name, params)
    for label, who, name, params in LIST_PAGES
    if who == "city_office"
]


# The pages whose content is kept per person (core/page_cache.py).
KEPT_PAGES = {"campaign:todo", "campaign:activity-list", "rectification:problem-list"}


@contextmanager
def _rendered_afresh():
    """Every request renders its content afresh, as the first one after a write in the
    reader's scope does: the version the kept content is keyed on is read (its query
    runs) and made new each time."""
    from core import page_cache

    real = page_cache.scope_version
    n = itertools.count()
    page_cache.scope_version = lambda *args: f"{real(*args)}-{next(n)}"
    try:
        yield
    finally:
        page_cache.scope_version = real


def _list_page(client, scale, label, who, name, params):
    from accounts.models import User

    username = getattr(scale, who)
    if username is None:
        pytest.skip("the city data set has no province")
    client.force_login(User.objects.get(username=username))
    url = reverse(name)

    def get():
        response = client.get(url, params)
        assert response.status_code == 200, response.status_code

    with _rendered_afresh():
        queries = _queries(get)
        ms = median_ms(get, repeat=7)
    measured = f"{ms:.0f} ms, {queries} queries"
    if name in KEPT_PAGES:
        get()  # kept from here on
        kept_queries = _queries(get)
        kept_ms = median_ms(get, repeat=7)
        measured += f" rendered afresh; {kept_ms:.0f} ms, {kept_queries} queries kept"
    record(
        label,
        scale=scale.name,
        budget="median ≤ 100 ms, paginated",
        measured=measured,
        passed=ms <= 100,
        value=ms,
        limit=100,
        unit="ms",
    )


@pytest.mark.parametrize(
    ("label", "who", "name", "params"), LIST_PAGES, ids=[p[0] for p in LIST_PAGES]
)
def test_list_page(client, scale, label, who, name, params):
    _list_page(client, scale, label, who, name, params)


@pytest.mark.parametrize(
    ("label", "who", "name", "params"), PROVINCE_PAGES, ids=[p[0] for p in PROVINCE_PAGES]
)
def test_province_list_page(client, scale, label, who, name, params):
    _list_page(client, scale, label, who, name, params)
