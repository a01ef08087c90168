"""The 催办 panel of an item's page: the button for an office, the log for everyone."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from accounts import permissions
from accounts.roles import Action

from ..selectors import urgeable, urges_of

register = template.Library()


@register.inclusion_tag("notifications/_urge.html", takes_context=True)
def urge_panel(context: dict[str, Any], kind: str, record: Any) -> dict[str, Any]:
    """The log of 催办 on ``record`` and, for an office above its unit, the button (a
    problem or an assignment: when it is overdue)."""
    request = context["request"]
    unit = record if kind == "unit" else record.unit
    today = timezone.localdate()
    urges = urges_of(kind, record.pk)
    may = urgeable(kind, record, today) and permissions.can(request.user, Action.URGE, unit)
    return {
        "kind": kind,
        "record": record,
        "urges": urges,
        "urged_today": any(u.day == today for u in urges),
        "may_urge": may,
        "request": request,
        "csrf_token": context.get("csrf_token"),
    }
