"""The permission matrix: every named URL of the project, from one table.

For each URL the table says which record of the world (``tests/security/world.py``) its
``pk`` points at, whether it writes, and which person may use it. From the table:

- an anonymous visitor is sent to the login page;
- the secretary of branch B1 asking for a record of branch A1 gets 404 and none of its data
  (the IDOR probe: the id of another unit's record);
- a read-only role (the city viewer, a branch member) posting to a write URL gets 403;
- the person allowed reads (GET) without 403/404, and the same URL with the B1 record's id
  is 404 for the secretary of A1.

A URL without an entry in the table fails ``test_every_url_is_in_the_table``: a new view
cannot land without saying who may use it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
import time_machine
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import OrgUnit, Sector, UnitDomain
from accounts.roles import PERMISSIONS, Action, Role
from tests.factories import UserFactory, grant
from tests.security.world import World, build_world

pytestmark = pytest.mark.django_db

# Namespaces and names that are not views of the product: Django's admin (staff only,
# guarded by the admin site), language switching, the login/logout pages themselves,
# the health check for the load balancer, static files.
EXEMPT_NAMESPACES = {"admin"}
EXEMPT_NAMES = {
    "set_language",
    "healthz",
    "accounts:login",
    "accounts:logout",
    # Signing in through WeCom / DingTalk: pages of the login itself (tests/notifications/
    # test_platforms.py), 404 when the platform is not set up.
    "accounts:sso-start",
    "accounts:sso-callback",
    "javascript-catalog",
}


@dataclass(frozen=True)
class Entry:
    """One row of the table.

    ``record``: key of the world record the ``pk`` points at (None: no pk).
    ``write``: the URL changes data on POST (a read-only role gets 403).
    ``who``: the person of ``tests/conftest.py:people`` allowed to use it.
    ``scoped``: the record belongs to a unit (out-of-scope is 404); False for records
    shared by the whole campaign.
    ``extra``: further URL kwargs.
    """

    record: str | None = None
    write: bool = False
    who: str = "city_office"
    scoped: bool = True
    extra: tuple[tuple[str, str], ...] = ()
    # GET is not the way to use it (POST-only endpoints): only the write checks apply.
    post_only: bool = False
    # Only one role may use the URL at all: other roles get 403 before any record is
    # looked up (nothing about the record is revealed); the scope is probed by the
    # IDOR test with a person of that role.
    role_first: bool = False
    # The action of the permission table the URL needs (DEPLOY for writes unless named).
    action: Action = Action.DEPLOY


R = Entry  # a read of a record
W = Entry

TABLE: dict[str, Entry] = {
    "home": R(),
    "choose-campaign": R(),
    # core
    "core:job-detail": R("job", who="secretary_a"),
    "core:job-status": R("job", who="secretary_a"),
    "core:job-download": R("job", who="secretary_a"),
    "core:audit-list": R(),
    # accounts
    "accounts:password-change": R(who="secretary_a"),
    "accounts:password_change_done": R(who="secretary_a"),
    "accounts:unit-list": R(),
    "accounts:unit-detail": R("unit"),
    "accounts:unit-create": W("unit", write=True),
    "accounts:unit-edit": W("unit", write=True),
    "accounts:user-list": R(),
    "accounts:user-create": W(write=True),
    "accounts:user-detail": R("user"),
    "accounts:user-edit": W("user", write=True),
    "accounts:user-reset-password": W("user", write=True, post_only=True),
    "accounts:role-add": W("user", write=True),
    "accounts:role-remove": W("role", write=True, post_only=True),
    "accounts:org-import": W(write=True),
    "accounts:org-import-job": R("org_job", who="county_office", role_first=True),
    "accounts:linked-accounts": R(who="secretary_a"),
    # campaign
    "campaign:todo": R(who="secretary_a"),
    "campaign:campaign-list": R(),
    "campaign:campaign-create": W(write=True),
    "campaign:campaign-edit": W("campaign", write=True, scoped=False),
    "campaign:task-list": R(),
    "campaign:task-create": W(write=True),
    "campaign:task-detail": R("task"),
    "campaign:task-edit": W("task", write=True),
    "campaign:task-deploy": W("task", write=True, post_only=True),
    "campaign:task-notice-add": W("task", write=True, post_only=True),
    "campaign:task-notice-file": R("task_notice"),
    "campaign:review-accept-selected": W(write=True, post_only=True),
    # the roll of members and 补学 (a branch's own: its secretary)
    "campaign:member-roll": R(who="secretary_a"),
    "campaign:member-retire": W("party_member", write=True, post_only=True, who="secretary_a"),
    "campaign:makeup-list": R(who="secretary_a"),
    "campaign:makeup-record": W("attendance", write=True, post_only=True, who="secretary_a"),
    "campaign:study-hours": R(),
    "campaign:study-ledger": R(),
    "campaign:assignment-list": R(),
    "campaign:assignment-detail": R("assignment"),
    "campaign:assignment-start": W("assignment", write=True, post_only=True),
    "campaign:assignment-submit": W("assignment", write=True, post_only=True),
    "campaign:assignment-accept": W("assignment", write=True, post_only=True),
    "campaign:assignment-return": W("assignment", write=True, post_only=True),
    "campaign:assignment-extension-request": W(
        "assignment", write=True, post_only=True, who="secretary_a", action=Action.LOG
    ),
    "campaign:assignment-extension-decide": W(
        "assignment_extension",
        write=True,
        post_only=True,
        extra=(("answer", "approve"),),
        action=Action.CLOSE,
    ),
    "campaign:review-queue": R(),
    "campaign:activity-list": R(),
    "campaign:activity-create": W(write=True),
    "campaign:activity-detail": R("activity"),
    "campaign:activity-edit": W("activity", write=True),
    "campaign:activity-attachment": R("activity_attachment"),
    "campaign:development-list": R(),
    "campaign:development-create": W(write=True),
    "campaign:development-detail": R("development"),
    "campaign:development-edit": W("development", write=True),
    "campaign:development-milestone-add": W("development", write=True, post_only=True),
    "campaign:development-upload": W("development", write=True, post_only=True),
    "campaign:development-attachment": R("development_attachment"),
    "campaign:development-start": W("development", write=True, post_only=True),
    "campaign:development-close": W("development", write=True, post_only=True),
    "campaign:development-verdict": W("development", write=True, post_only=True),
    "campaign:meeting-list": R(),
    "campaign:meeting-create": W(write=True),
    "campaign:meeting-detail": R("meeting"),
    "campaign:meeting-problem-add": W("meeting", write=True, post_only=True),
    "campaign:meeting-upload": W("meeting", write=True, post_only=True),
    "campaign:meeting-attachment": R("meeting_attachment"),
    "campaign:milestone-done": W("development_milestone", write=True, post_only=True),
    # research
    "research:project-list": R(),
    "research:project-create": W(write=True),
    "research:project-detail": R("project"),
    "research:project-edit": W("project", write=True),
    "research:project-attach": W("project", write=True, post_only=True),
    "research:finding-create": W("project", write=True),
    "research:attachment-download": R("project_attachment"),
    "research:report-list": R(),
    "research:report-create": W(write=True),
    "research:report-detail": R("research_report"),
    "research:report-edit": W("research_report", write=True),
    # the office's review: an office above the report's unit (RULES[REVIEW], below_only)
    "research:report-review": W(
        "research_report", write=True, post_only=True, action=Action.REVIEW
    ),
    "research:review-queue": R(action=Action.REVIEW),
    "research:document-download": R("report_document"),
    "research:solved-list": R(),
    "research:finding-detail": R("finding"),
    "research:finding-problem": W("finding", write=True, post_only=True),
    "research:finding-solve": W("finding", write=True, post_only=True),
    "research:finding-adopt": W("suggestion", write=True),
    "research:decision-list": R(),
    "research:decision-create": W(write=True),
    "research:decision-detail": R("decision"),
    "research:decision-edit": W("decision", write=True),
    "research:compliance": R(),
    "research:ledger-export": R(),
    # rectification
    "rectification:problem-list": R(),
    "rectification:problem-create": W(write=True),
    "rectification:problem-detail": R("problem"),
    "rectification:problem-edit": W("problem", write=True),
    "rectification:problem-transition": W(
        "problem", write=True, post_only=True, extra=(("action", "submit"),)
    ),
    "rectification:measure-create": W("problem", write=True, post_only=True),
    "rectification:extension-create": W("problem", write=True, post_only=True),
    "rectification:extension-decide": W(
        "extension", write=True, post_only=True, extra=(("answer", "approve"),)
    ),
    "rectification:satisfaction-survey": R("satisfaction"),
    "rectification:measure-edit": W("measure", write=True),
    "rectification:measure-state": W("measure", write=True, post_only=True),
    "rectification:note-create": W("measure", write=True, post_only=True),
    "rectification:evidence-create": W("measure", write=True, post_only=True),
    "rectification:evidence-download": R("evidence"),
    "rectification:verify-queue": R(),
    "rectification:plan-list": R(),
    "rectification:plan-create": W(write=True),
    "rectification:plan-detail": R("plan"),
    "rectification:plan-edit": W("plan", write=True),
    "rectification:milestone-create": W("plan", write=True, post_only=True),
    "rectification:plan-document": R("plan"),
    "rectification:milestone-done": W("plan_milestone", write=True, post_only=True),
    "rectification:mechanism-list": R(),
    "rectification:mechanism-create": W(write=True),
    "rectification:mechanism-detail": R("mechanism"),
    "rectification:mechanism-document": R("mechanism"),
    "rectification:ledger-export": R(),
    "rectification:ledger-import": W(write=True),
    "rectification:ledger-import-job": W(
        "import_job", write=True, who="secretary_a", role_first=True
    ),
    # dashboards
    "dashboard:office": R(),
    "dashboard:leader": R(who="leader"),
    # 分管 and 行业系统 (the people of the ``beside`` fixture below)
    "dashboard:scope": R(who="in_charge"),
    "dashboard:leading-group": R(),
    # notifications
    "notifications:list": R(who="secretary_a"),
    # Marking one's own notifications read is open to every role (personal, not a record).
    "notifications:read": R("notification", who="secretary_a", post_only=True),
    "notifications:read-all": R(who="secretary_a", post_only=True),
    "notifications:deliveries": R(),
    "notifications:settings": R(who="secretary_a"),
    # 催办 of a lagging unit (an office above it, 分管, 行业系统: Action.URGE)
    "notifications:urge": W(
        "unit", write=True, post_only=True, extra=(("kind", "unit"),), action=Action.URGE
    ),
    "notifications:delivery-retry": W("delivery", write=True, post_only=True, role_first=True),
    # reports
    "reports:list": R(),
    # Asking for a weekly report is an export: the viewer may (Action.EXPORT).
    "reports:request": R(post_only=True),
    "reports:detail": R("weekly_report"),
    "reports:status": R("weekly_report"),
    "reports:download": R("weekly_report"),
    "reports:bulletin-list": W(write=True),
    # the bulletin's page (its final version is uploaded by a POST the view checks itself)
    "reports:bulletin-detail": R("bulletin"),
    "reports:bulletin-draft": R("bulletin"),
    "reports:bulletin-final": R("bulletin"),
    # supervision
    "supervision:guidance-list": R(),
    "supervision:guidance-detail": R("guidance"),
    "supervision:guidance-document": R("guidance"),
    "supervision:guidance-answer": W("guidance", write=True, post_only=True),
    "supervision:guidance-problems": W("guidance", write=True, post_only=True),
    "supervision:visit-list": R(),
    "supervision:visit-create": W(write=True, action=Action.SUPERVISE),
    "supervision:visit-detail": R("visit"),
    "supervision:visit-edit": W("visit", write=True, action=Action.SUPERVISE),
    "supervision:finding-add": W("visit", write=True, post_only=True, action=Action.SUPERVISE),
    "supervision:follow-up-done": W("visit", write=True, post_only=True, action=Action.SUPERVISE),
    "supervision:case-list": R(),
    "supervision:case-create": W(write=True),
    "supervision:case-detail": R("case"),
    "supervision:case-edit": W("case", write=True),
    "supervision:case-select": W("case", write=True, post_only=True),
    "supervision:case-return": W("case", write=True, post_only=True),
    "supervision:case-photo": R("case_photo"),
}


def _walk(resolver: URLResolver, namespace: str = "") -> list[str]:
    names: list[str] = []
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            names.extend(_walk(pattern, inner))
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.append(f"{namespace}:{pattern.name}" if namespace else pattern.name)
    return names


def project_url_names() -> list[str]:
    names = []
    for name in _walk(get_resolver()):
        if name.split(":")[0] in EXEMPT_NAMESPACES or name in EXEMPT_NAMES:
            continue
        if name.rsplit(":", 1)[-1] in EXEMPT_NAMES:
            continue
        names.append(name)
    return sorted(set(names))


def test_every_url_is_in_the_table() -> None:
    missing = [name for name in project_url_names() if name not in TABLE]
    assert not missing, f"URLs without an entry in the permission table: {missing}"
    stale = [name for name in TABLE if name not in project_url_names()]
    assert not stale, f"entries for URLs that no longer exist: {stale}"


def url_for(name: str, entry: Entry, world: World, side: str = "a") -> str:
    kwargs: dict[str, Any] = dict(entry.extra)
    if entry.record is not None:
        record = (
            world.campaign if entry.record == "campaign" else getattr(world, side)[entry.record]
        )
        kwargs["pk"] = record.pk
    return reverse(name, kwargs=kwargs)


NAMES = sorted(TABLE)
RECORD_NAMES = sorted(n for n, e in TABLE.items() if e.record and e.scoped)
WRITE_NAMES = sorted(n for n, e in TABLE.items() if e.write)
GET_NAMES = sorted(n for n, e in TABLE.items() if not e.post_only)


@pytest.fixture
def world(tree, people, settings, tmp_path) -> World:
    settings.MEDIA_ROOT = str(tmp_path)
    return build_world(tree, people)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel("2026-11-27 10:00 +0800", tick=False):
        yield


def _is_login_redirect(response) -> bool:
    return response.status_code == 302 and reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize("name", NAMES)
def test_anonymous_is_sent_to_login(name, world, client) -> None:
    entry = TABLE[name]
    url = url_for(name, entry, world)
    method = client.post if entry.post_only else client.get
    response = method(url)
    assert _is_login_redirect(response), (name, response.status_code)


def _body(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


@pytest.mark.parametrize("name", RECORD_NAMES)
def test_out_of_scope_record_is_404(name, world, people, client) -> None:
    """The secretary of B1 asks for A1's record by id (GET and POST): 404, no data."""
    entry = TABLE[name]
    client.force_login(people.secretary_b)
    url = url_for(name, entry, world, side="a")
    methods = ["post"] if entry.post_only else ["get"] + (["post"] if entry.write else [])
    expected = (403, 404) if entry.role_first else (404,)
    for method in methods:
        response = getattr(client, method)(url)
        assert response.status_code in expected, (name, method, response.status_code)
        assert world.a.unit.name.encode() not in _body(response)


@pytest.mark.parametrize("name", RECORD_NAMES)
def test_other_units_id_is_404_for_the_allowed_person(name, world, people, tree, client) -> None:
    """IDOR: the person allowed on A1 cannot reach B1's record by changing the id."""
    entry = TABLE[name]
    user = getattr(people, entry.who)
    if entry.who in ("city_office", "viewer"):
        # The city sees both branches: probe with the county office of A instead.
        user = people.county_office
    client.force_login(user)
    url = url_for(name, entry, world, side="b")
    response = client.post(url) if entry.post_only else client.get(url)
    assert response.status_code == 404, (name, response.status_code)


@pytest.mark.parametrize("name", WRITE_NAMES)
@pytest.mark.parametrize("reader", ["viewer", "member_a"])
def test_read_only_role_cannot_write(name, reader, world, people, client) -> None:
    entry = TABLE[name]
    before = _fingerprint()
    client.force_login(getattr(people, reader))
    response = client.post(url_for(name, entry, world), data={})
    # A member sees only his own branch; records elsewhere are simply not there (404).
    assert (
        response.status_code in (403, 404) if reader == "member_a" else response.status_code == 403
    ), (
        name,
        reader,
        response.status_code,
    )
    assert _fingerprint() == before


@pytest.mark.parametrize("name", GET_NAMES)
def test_allowed_person_reads(name, world, people, client, request) -> None:
    entry = TABLE[name]
    user = (
        request.getfixturevalue("beside")[entry.who]
        if entry.who in BESIDE
        else getattr(people, entry.who)
    )
    client.force_login(user)
    response = client.get(url_for(name, entry, world))
    assert response.status_code not in (403, 404, 500), (name, entry.who, response.status_code)


def _fingerprint() -> dict[str, int]:
    """Row counts of every table of the workstreams, to show a refused write wrote nothing."""
    from django.apps import apps

    counts = {}
    for label in ("accounts", "campaign", "research", "rectification", "supervision", "reports"):
        for model in apps.get_app_config(label).get_models():
            if model.__name__.endswith("Event"):
                continue
            counts[model._meta.label] = model._default_manager.count()
    return counts


# ---------------------------------------------------------------- beside the tree
#
# The lines of responsibility beside the tree (分管, 行业系统) over every URL of the table,
# with what each may do generated from the permission table (``accounts/roles.py:RULES``):
# - ``in_charge``: a leader whose portfolio is branch A1 (IN_CHARGE on it), nothing else;
# - ``sector``: the office of a department supervising sector 教育 (SECTOR on county B),
#   where branch A1 is a school; branch B1 belongs to another sector (卫生).
# Side A is in their scope, side B is not.

READ_ACTIONS = {Action.VIEW, Action.EXPORT, Action.OVERSEE, Action.FOLLOW_RESEARCH}
BESIDE = {"in_charge": Role.IN_CHARGE, "sector": Role.SECTOR}


def actions_of(role: str) -> set[Action]:
    """What the table lets a role do."""
    return {action for action, roles in PERMISSIONS.items() if role in roles}


@pytest.fixture
def beside(tree, people) -> dict[str, Any]:
    edu = Sector.objects.create(code="edu", name="教育系统", supervisor=tree.county_b)
    health = Sector.objects.create(code="health", name="卫生系统", supervisor=tree.city)
    OrgUnit.objects.filter(pk=tree.branch_a1.pk).update(sector=edu, domain=UnitDomain.SCHOOL)
    OrgUnit.objects.filter(pk=tree.branch_b1.pk).update(sector=health)
    in_charge = UserFactory(username="in_charge")
    grant(in_charge, tree.branch_a1, Role.IN_CHARGE)
    sector = UserFactory(username="sector_office")
    grant(sector, tree.county_b, Role.SECTOR)
    return {"in_charge": in_charge, "sector": sector}


def test_beside_tree_roles_only_read_supervise_and_urge() -> None:
    """分管 reads and urges; 行业系统 also supervises; neither writes records, deploys,
    closes (销号) or manages."""
    assert actions_of(Role.IN_CHARGE) == READ_ACTIONS | {Action.URGE}
    assert actions_of(Role.SECTOR) == READ_ACTIONS | {Action.URGE, Action.SUPERVISE}


def _may(scope: str, entry: Entry) -> bool:
    return entry.action in actions_of(BESIDE[scope])


@pytest.mark.parametrize("scope", sorted(BESIDE))
@pytest.mark.parametrize("name", RECORD_NAMES)
def test_beside_tree_other_units_record_is_404(name, scope, world, beside, client) -> None:
    """IDOR: a 分管 leader or a sector office asking for a record outside the portfolio
    or the sector (another sector's school: B1) by id gets 404 and none of its data."""
    entry = TABLE[name]
    client.force_login(beside[scope])
    url = url_for(name, entry, world, side="b")
    methods = ["post"] if entry.post_only else ["get"] + (["post"] if entry.write else [])
    expected = (403, 404) if entry.role_first else (404,)
    for method in methods:
        response = getattr(client, method)(url)
        assert response.status_code in expected, (name, scope, method, response.status_code)
        assert world.b.unit.name.encode() not in _body(response)


@pytest.mark.parametrize("scope", sorted(BESIDE))
@pytest.mark.parametrize("name", WRITE_NAMES)
def test_beside_tree_cannot_write(name, scope, world, beside, client) -> None:
    """On a record of their own scope, they write only what the table lets them (a sector
    office: supervision visits); every other write is 403 and writes nothing."""
    entry = TABLE[name]
    before = _fingerprint()
    client.force_login(beside[scope])
    response = client.post(url_for(name, entry, world), data={})
    if _may(scope, entry):
        assert response.status_code not in (403, 404, 500), (name, scope, response.status_code)
    else:
        assert response.status_code == 403, (name, scope, response.status_code)
    assert _fingerprint() == before


@pytest.mark.parametrize("scope", sorted(BESIDE))
@pytest.mark.parametrize("name", sorted(n for n in RECORD_NAMES if not TABLE[n].post_only))
def test_beside_tree_reads_its_scope(name, scope, world, beside, client) -> None:
    """The records of the portfolio or the sector open (a page for another role answers
    403, never 404 or an error): he sees the branch A1 across the tree."""
    entry = TABLE[name]
    client.force_login(beside[scope])
    response = client.get(url_for(name, entry, world))
    if entry.role_first or entry.who not in ("city_office", "county_office", "viewer"):
        assert response.status_code in (200, 302, 403, 404), (name, scope, response.status_code)
    elif entry.write and not _may(scope, entry):
        assert response.status_code == 403, (name, scope, response.status_code)
    else:
        assert response.status_code not in (403, 404, 500), (name, scope, response.status_code)
