"""Dashboard and list pages at city and province scale (a city office inside the province,
and the province office): median server time through the test
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


def _dashboard(client, scale, username, label, *, plain: bool) -> None:
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
    warm_ms = median_ms(warm, repeat=9)
    warm_queries = _queries(warm)
    plain_text, ratio = "", None
    if plain:
        root, campaign = scale.city, scale.campaign
        plain_ms = median_ms(lambda: plain_dashboard(root, campaign, today), repeat=3, warmup=0)
        plain_queries = _queries(lambda: plain_dashboard(root, campaign, today))
        plain_text = f"{plain_ms:.0f} ms, {plain_queries} queries (counts per unit, figures only)"
        ratio = plain_ms / warm_ms if warm_ms else None
    record(
        label,
        scale=scale.name,
        budget="median ≤ 150 ms, fixed query count",
        measured=f"{warm_ms:.0f} ms ({warm_queries} queries) with the figures cached; "
        f"{cold_ms:.0f} ms ({cold_queries} queries) right after a change",
        passed=warm_ms <= 150,
        plain=plain_text,
        ratio=ratio,
        value=warm_ms,
        limit=150,
        unit="ms",
    )


def test_city_dashboard(client, scale):
    _dashboard(client, scale, scale.city_office, "city dashboard", plain=scale.name == "city")


def test_province_dashboard(client, scale):
    if scale.province_office is None:
        pytest.skip("the city data set has no province")
    _dashboard(
        client, scale, scale.province_office, "province dashboard (province office)", plain=False
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

    queries = _queries(get)
    ms = median_ms(get, repeat=7)
    record(
        label,
        scale=scale.name,
        budget="median ≤ 100 ms, paginated",
        measured=f"{ms:.0f} ms, {queries} queries",
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
