"""Navigation for the base layout, by role.

An entry appears only when its URL exists and the user holds one of its roles, so each
app adds its pages by naming them here once.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role
from accounts.scoping import user_roles

ALL = frozenset(Role.values)
WRITERS = frozenset({Role.SECRETARY, Role.LEADER, Role.OFFICE})
OFFICE = frozenset({Role.OFFICE})
READERS = frozenset({Role.OFFICE, Role.VIEWER, Role.LEADER})

VIEWERS = frozenset({Role.OFFICE, Role.VIEWER})
REPORT_READERS = frozenset({Role.OFFICE, Role.VIEWER, Role.LEADER, Role.SECRETARY})

# (group label or None for a top-level link, [(url name, label, roles)])
NAV: list[tuple[Any, list[tuple[str, Any, frozenset[str]]]]] = [
    (None, [("home", _("Home"), ALL)]),
    (None, [("dashboard:office", _("Dashboard"), VIEWERS)]),
    (
        _("Tasks"),
        [
            ("campaign:task-list", _("Tasks"), VIEWERS),
            ("campaign:review-queue", _("Review"), OFFICE),
        ],
    ),
    (
        _("Study and development"),
        [
            ("campaign:activity-list", _("Activities"), ALL),
            ("campaign:development-list", _("Development"), ALL),
        ],
    ),
    (
        _("Research"),
        [
            ("research:project-list", _("Research"), READERS),
            ("research:compliance", _("Research compliance"), READERS),
            ("research:decision-list", _("Decisions"), ALL),
        ],
    ),
    (
        _("Rectification"),
        [
            ("rectification:problem-list", _("Problems"), ALL),
            ("rectification:verify-queue", _("Verification"), OFFICE),
            ("rectification:ledger-import", _("Import a ledger"), WRITERS),
            ("rectification:plan-list", _("Special plans"), ALL),
            ("rectification:mechanism-list", _("Mechanisms"), ALL),
        ],
    ),
    (
        _("Supervision and cases"),
        [
            ("supervision:visit-list", _("Supervision"), VIEWERS),
            ("supervision:case-list", _("Model cases"), ALL),
        ],
    ),
    (None, [("reports:list", _("Weekly reports"), REPORT_READERS)]),
    (
        _("Administration"),
        [
            ("accounts:unit-list", _("Units and users"), OFFICE),
            ("notifications:deliveries", _("Reminder deliveries"), OFFICE),
            ("core:audit-list", _("Security log"), OFFICE),
        ],
    ),
]


def _url(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    roles = set(Role.values) if user.is_superuser else user_roles(user)
    current = request.path
    items: list[dict[str, Any]] = []
    for group_label, entries in NAV:
        links = []
        for name, label, allowed in entries:
            if not roles & allowed:
                continue
            url = _url(name)
            if url is None:
                continue
            active = current == url if url == "/" else current.startswith(url)
            links.append({"url": url, "label": label, "active": active})
        if not links:
            continue
        if group_label is None or len(links) == 1:
            items.extend(links)
        else:
            items.append(
                {
                    "label": group_label,
                    "children": links,
                    "active": any(link["active"] for link in links),
                }
            )
    context: dict[str, Any] = {"nav_items": items, "user_roles": roles}
    campaign = getattr(request, "campaign", None)
    if campaign is not None:
        from campaign.selectors import campaigns_for

        context["current_campaign"] = campaign or None
        context["campaign_choices"] = campaigns_for(user)
    try:
        from notifications.selectors import unread_count
    except ImportError:
        pass
    else:
        context["unread_notifications"] = unread_count(user)
    return context
