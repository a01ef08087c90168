"""Dashboard and list pages on the city data set: median server time through the test
client and the SQL query count, beside the plain way (per-unit counting) for the dashboard.
"""

from __future__ import annotations

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


DASHBOARDS = [
    # (label, user, unit whose subtree the change is made in)
    ("city dashboard", "sz_office0", "SZ"),
    ("city dashboard, a city leader", "sz_leader0", "SZ"),
    ("county dashboard", "c01_office0", "SZ-C01"),
]


@pytest.mark.parametrize(("label", "username", "code"), DASHBOARDS, ids=[d[0] for d in DASHBOARDS])
def test_dashboard(client, city, label, username, code):
    from accounts.models import OrgUnit, User

    root, campaign = city
    unit = OrgUnit.objects.get(code=code)
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
        name: _after_change(client, url, campaign, unit, today, change)
        for name, change in CHANGES.items()
    }
    worst = max(ms for ms, _q in after.values())
    changed = "; ".join(
        f"{ms:.0f} ms ({q} queries) after {name}" for name, (ms, q) in after.items()
    )
    extra = {}
    if code == "SZ" and username == "sz_office0":
        plain_ms = median_ms(lambda: plain_dashboard(root, campaign, today), repeat=3, warmup=0)
        plain_queries = _queries(lambda: plain_dashboard(root, campaign, today))
        extra = {
            "plain": f"{plain_ms:.0f} ms, {plain_queries} queries (counts per unit, figures only)",
            "ratio": plain_ms / worst if worst else None,
        }
    record(
        label,
        budget="median ≤ 30 ms cached, ≤ 150 ms right after a change in one branch",
        measured=f"{warm_ms:.0f} ms ({warm_queries} queries) cached; {changed}; "
        f"{cold_ms:.0f} ms ({cold_queries} queries) with an empty cache",
        passed=warm_ms <= 30 and worst <= 150,
        **extra,
    )


def test_leader_home(client, city):
    from accounts.models import User

    root, campaign = city
    client.force_login(User.objects.get(username="sz_leader0"))
    url = reverse("dashboard:leader")

    def get():
        assert client.get(url).status_code == 200

    queries = _queries(get)
    ms = median_ms(get, repeat=7)
    after_ms, after_queries = _after_change(
        client, url, campaign, root, timezone.localdate(), _log_activity
    )
    record(
        "leader's home (city leader)",
        budget="median ≤ 150 ms",
        measured=f"{ms:.0f} ms ({queries} queries); {after_ms:.0f} ms ({after_queries} queries) "
        "after an activity logged in one branch",
        passed=max(ms, after_ms) <= 150,
    )


LIST_PAGES = [
    ("problem list (city office)", "sz_office0", "rectification:problem-list", {}),
    ("problem list, overdue filter", "sz_office0", "rectification:problem-list", {"overdue": "1"}),
    ("activity list (city office)", "sz_office0", "campaign:activity-list", {}),
    ("task list with completion", "sz_office0", "campaign:task-list", {}),
    ("review queue", "sz_office0", "campaign:review-queue", {}),
    ("research projects", "sz_office0", "research:project-list", {}),
    ("research compliance matrix", "sz_office0", "research:compliance", {}),
    ("verification queue", "sz_office0", "rectification:verify-queue", {}),
    ("secretary's to-do", "b00000", "campaign:todo", {}),
    ("secretary's activity list", "b00000", "campaign:activity-list", {}),
    ("county problem list", "c01_office0", "rectification:problem-list", {}),
]


@pytest.mark.parametrize(
    ("label", "username", "name", "params"), LIST_PAGES, ids=[p[0] for p in LIST_PAGES]
)
def test_list_page(client, city, label, username, name, params):
    from accounts.models import User

    client.force_login(User.objects.get(username=username))
    url = reverse(name)

    def get():
        response = client.get(url, params)
        assert response.status_code == 200, response.status_code

    queries = _queries(get)
    ms = median_ms(get, repeat=7)
    record(
        label,
        budget="median ≤ 100 ms, paginated",
        measured=f"{ms:.0f} ms, {queries} queries",
        passed=ms <= 100,
    )
