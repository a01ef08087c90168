"""Reads of the notification app: the notification centre, deliveries, the reminder plan."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, NamedTuple
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import OrgUnit, User
from accounts.roles import Action
from accounts.scoping import get_object_for_user
from campaign.models import Assignment
from core import platforms
from rectification.models import OPEN_STATES as PROBLEM_OPEN
from rectification.models import Problem

from . import sources
from .models import (
    PERSONAL_CHANNELS,
    WEEKLY_KINDS,
    Channel,
    Delivery,
    Notification,
    NotifyPreference,
    ReminderKind,
    ReminderLog,
    Urge,
    UrgeItem,
)


def unread_count(user: Any) -> int | None:
    """The number shown in the header; None for anonymous visitors (no link shown)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Notification.objects.for_user(user).unread().count()


def notifications_for(user: Any, *, unread_only: bool = False) -> Any:
    qs = (
        Notification.objects.for_user(user)
        .select_related("unit")
        .only("pk", "title", "body", "link", "kind", "created", "read_at", "unit__name")
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


def delivery_reminders(delivery: Delivery) -> Any:
    """The reminders a delivery carries, with their person and unit.

    A robot message (a slice of its unit's items) is linked to its reminders. A person's
    delivery (email, personal message) holds every reminder of his that its run claimed:
    his, of its day, written at its moment (the run writes its reminders and deliveries
    at one moment, so a second run the same day finds only its own); those written before
    the run worked this way are linked.
    """
    linked = Q(
        pk__in=Delivery.reminders.through.objects.filter(delivery=delivery).values("reminderlog")
    )
    if delivery.recipient_id is not None:
        linked |= Q(
            recipient_id=delivery.recipient_id, day=delivery.day, created_at=delivery.created_at
        )
    return ReminderLog.objects.filter(linked).select_related("recipient", "unit").order_by("pk")


# The plan ---------------------------------------------------------------------------


class PlannedReminder(NamedTuple):
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
    # The people no longer active are few whatever the size of the plan: ask for them
    # rather than for every recipient (a province's run has some 60,000, whose list alone
    # cost seconds to send and to parse).
    inactive = set(User.objects.filter(is_active=False).values_list("pk", flat=True))
    return [p for p in plan if p.recipient_id not in inactive]


# 催办 -----------------------------------------------------------------------------


@dataclass(frozen=True)
class UrgeTarget:
    """What a 催办 is about: the unit told, the words and link of the message, whether it
    may be urged now (a lagging unit always; a problem or assignment when overdue)."""

    unit: OrgUnit
    item_kind: str
    item_id: int
    title: str
    link: str
    urgeable: bool
    also: tuple[int | None, ...] = ()


def urge_target(user: Any, item_kind: str, pk: Any) -> UrgeTarget:
    """The record of a 催办 looked up through the user's scope (404 outside it)."""
    today = timezone.localdate()
    if item_kind == UrgeItem.UNIT:
        unit = get_object_for_user(OrgUnit.objects.all(), user, pk, unit_of=lambda u: u)
        with translation.override(settings.LANGUAGE_CODE):
            title = _("the campaign's work of %(unit)s") % {"unit": unit.name}
        link = reverse("dashboard:office") + "?" + urlencode({"unit": unit.code})
        return UrgeTarget(unit, item_kind, unit.pk, title, link, urgeable=True)
    if item_kind == UrgeItem.PROBLEM:
        problem = get_object_for_user(Problem.objects.select_related("unit"), user, pk)
        return UrgeTarget(
            problem.unit,
            item_kind,
            problem.pk,
            " ".join(problem.description.split())[:60],
            reverse("rectification:problem-detail", args=[problem.pk]),
            urgeable=urgeable(item_kind, problem, today),
            also=(problem.responsible_leader_id, problem.responsible_person_id),
        )
    if item_kind == UrgeItem.ASSIGNMENT:
        assignment = get_object_for_user(
            Assignment.objects.select_related("unit", "task"), user, pk
        )
        return UrgeTarget(
            assignment.unit,
            item_kind,
            assignment.pk,
            assignment.task.title,
            reverse("campaign:assignment-detail", args=[assignment.pk]),
            urgeable=urgeable(item_kind, assignment, today),
        )
    raise Http404


def urgeable(item_kind: str, record: Any, today: date) -> bool:
    """A lagging unit may be urged any day; a problem or an assignment once overdue."""
    if item_kind == UrgeItem.PROBLEM:
        return bool(record.deadline and record.deadline < today and record.state in PROBLEM_OPEN)
    if item_kind == UrgeItem.ASSIGNMENT:
        return bool(record.is_overdue_on(today))
    return item_kind == UrgeItem.UNIT


def urges_of(item_kind: str, item_id: int) -> list[Urge]:
    """The 催办 log of one item, newest first, with who pressed it."""
    return list(
        Urge.objects.filter(item_kind=item_kind, item_id=item_id)
        .select_related("actor")
        .order_by("-created_at", "-pk")[:20]
    )


# A person's channels ----------------------------------------------------------------


def among(ids: Iterable[int]) -> RawSQL:
    """Ids for an ``__in`` filter as one array parameter: the people of a province's
    reminder run, some 60,000, sent as as many parameters took seconds to send and plan."""
    return RawSQL("SELECT unnest(%s::bigint[])", (list(ids),))


def preferences(user_ids: Iterable[int]) -> dict[int, NotifyPreference]:
    return {p.user_id: p for p in NotifyPreference.objects.filter(user_id__in=among(user_ids))}


def person_channels(user_ids: Iterable[int]) -> dict[int, list[tuple[str, str]]]:
    """Each active person's own outside channels, as (channel, address): email, and the
    personal message of each configured platform he is linked on, as he chose (all of
    them by default)."""
    ids = set(user_ids)
    prefs = preferences(ids)
    platforms_on = {
        channel: field
        for channel, (platform, field) in PERSONAL_CHANNELS.items()
        if platforms.client(platform).configured
    }
    found: dict[int, list[tuple[str, str]]] = {}
    rows = User.objects.filter(pk__in=among(ids), is_active=True).values(
        "pk", "email", "wecom_userid", "dingtalk_userid"
    )
    for row in rows:
        pref = prefs.get(row["pk"])
        chosen: list[tuple[str, str]] = []
        if row["email"] and (pref is None or pref.email):
            chosen.append((Channel.EMAIL, row["email"]))
        if pref is None or pref.personal:
            chosen += [
                (channel, row[field]) for channel, field in platforms_on.items() if row[field]
            ]
        if chosen:
            found[row["pk"]] = chosen
    return found


def quiet_now(user_ids: Iterable[int], moment: time) -> set[int]:
    """The people whose quiet hours hold ``moment`` (local time)."""
    return {
        p.user_id
        for p in NotifyPreference.objects.filter(
            user_id__in=among(user_ids), quiet_from__isnull=False, quiet_to__isnull=False
        )
        if p.quiet_at(moment)
    }


def seconds_until_quiet_ends(pref: NotifyPreference, now: datetime) -> int:
    """How long until ``pref``'s quiet hours end, from ``now`` (aware, local)."""
    assert pref.quiet_to is not None
    end = now.replace(hour=pref.quiet_to.hour, minute=pref.quiet_to.minute, second=0, microsecond=0)
    if end <= now:
        end += timedelta(days=1)
    return int((end - now).total_seconds())
