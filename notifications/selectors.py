"""Reads of the notification app: the notification centre, deliveries, the reminder plan."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from accounts.models import User
from accounts.roles import Action

from . import sources
from .models import WEEKLY_KINDS, Delivery, Notification, ReminderKind, ReminderLog


def unread_count(user: Any) -> int | None:
    """The number shown in the header; None for anonymous visitors (no link shown)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Notification.objects.for_user(user).unread().count()


def notifications_for(user: Any, *, unread_only: bool = False) -> Any:
    qs = Notification.objects.for_user(user).only(
        "pk", "title", "body", "link", "kind", "created", "read_at"
    )
    return qs.unread() if unread_only else qs


def notification_for_user(user: Any, pk: Any) -> Notification | None:
    try:
        return Notification.objects.for_user(user).get(pk=pk)
    except (Notification.DoesNotExist, ValueError, TypeError):
        return None


def deliveries_for(user: Any, *, state: str = "") -> Any:
    """Channel deliveries of the units the user runs the office of, newest first."""
    qs = Delivery.objects.visible_to(user, Action.MANAGE).select_related("unit", "recipient")
    if state:
        qs = qs.filter(state=state)
    return qs.defer("unit__webhook_url")


# The plan ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedReminder:
    item: sources.Item
    kind: str
    recipient_id: int


def reminder_kind(item: sources.Item, day: date) -> str | None:
    if item.reminder_kind:
        return item.reminder_kind
    days_left = (item.due_date - day).days
    if days_left == 3:
        return ReminderKind.DUE_IN_3_DAYS
    if days_left == 1:
        return ReminderKind.DUE_IN_1_DAY
    if days_left < 0:
        return ReminderKind.OVERDUE
    return None


def plan_reminders(day: date, items: Iterable[sources.Item] | None = None) -> list[PlannedReminder]:
    """What goes out on ``day``: every (item, recipient, kind) not already sent.

    A reminder already logged that day is not planned again; an overdue item (or a
    research obligation) is repeated seven days after its last reminder, not daily.
    """
    recent = set(
        ReminderLog.objects.filter(day__gte=day - timedelta(days=6), day__lte=day)
        .order_by()
        .values_list("item_kind", "item_id", "recipient_id", "kind", "day")
        .iterator(chunk_size=5000)
    )
    sent_today = {(k, i, r, kind) for k, i, r, kind, d in recent if d == day}
    sent_this_week = {(k, i, r, kind) for k, i, r, kind, _d in recent if kind in WEEKLY_KINDS}
    plan: list[PlannedReminder] = []
    for item in sources.all_items(day) if items is None else items:
        kind = reminder_kind(item, day)
        if kind is None:
            continue
        already = sent_this_week if kind in WEEKLY_KINDS else sent_today
        for recipient_id in item.recipients:
            if (item.item_kind, item.item_id, recipient_id, kind) not in already:
                plan.append(PlannedReminder(item, kind, recipient_id))
    active = set(
        User.objects.filter(pk__in={p.recipient_id for p in plan}, is_active=True).values_list(
            "pk", flat=True
        )
    )
    return [p for p in plan if p.recipient_id in active]
