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

NAV: list[tuple[str, Any, frozenset[str]]] = [
    ("home", _("Home"), ALL),
    ("dashboard:office", _("Dashboard"), frozenset({Role.OFFICE, Role.VIEWER})),
    ("campaign:task-list", _("Tasks"), frozenset({Role.OFFICE, Role.VIEWER})),
    ("campaign:review-queue", _("Review"), OFFICE),
    ("campaign:activity-list", _("Activities"), ALL),
    ("campaign:development-list", _("Development"), ALL),
    ("research:project-list", _("Research"), READERS),
    ("research:compliance", _("Research compliance"), READERS),
    ("research:decision-list", _("Decisions"), ALL),
    ("rectification:problem-list", _("Problems"), ALL),
    ("rectification:verify-queue", _("Verification"), OFFICE),
    ("rectification:plan-list", _("Special plans"), ALL),
    ("rectification:mechanism-list", _("Mechanisms"), ALL),
    ("supervision:visit-list", _("Supervision"), frozenset({Role.OFFICE, Role.VIEWER})),
    ("supervision:case-list", _("Model cases"), ALL),
    (
        "reports:list",
        _("Weekly reports"),
        frozenset({Role.OFFICE, Role.VIEWER, Role.LEADER, Role.SECRETARY}),
    ),
    ("accounts:unit-list", _("Units and users"), OFFICE),
    ("core:audit-list", _("Security log"), OFFICE),
    ("notifications:deliveries", _("Reminder deliveries"), OFFICE),
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
    items = []
    current = request.path
    for name, label, allowed in NAV:
        if not roles & allowed:
            continue
        url = _url(name)
        if url is None:
            continue
        active = current == url if url == "/" else current.startswith(url)
        items.append({"url": url, "label": label, "active": active})
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
