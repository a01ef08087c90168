"""Writes of the notification app: reminders, the notification centre, deliveries."""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pghistory
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import OrgUnit, User
from accounts.roles import Action
from accounts.scoping import can

from . import channels, selectors
from .models import (
    Channel,
    Delivery,
    DeliveryState,
    ItemKind,
    Notification,
    ReminderKind,
    ReminderLog,
)

logger = logging.getLogger(__name__)

CLAIM_CHUNK = 1000


@dataclass
class ClaimedReminder:
    pk: int
    item_kind: str
    item_id: int
    recipient_id: int
    kind: str
    unit_id: int
    due_date: date
    title: str
    link: str


@dataclass
class ReminderRun:
    day: date
    planned: int = 0
    claimed: int = 0
    notifications: int = 0
    emails: list[int] = field(default_factory=list)
    webhooks: list[int] = field(default_factory=list)


# Reminders --------------------------------------------------------------------------


@transaction.atomic
def send_reminders(*, day: date) -> ReminderRun:
    """Claim the reminders of ``day`` and tell the people: in the app, by email, by robot.

    The claim is an ``INSERT ... ON CONFLICT DO NOTHING`` into the unique reminder log in
    this transaction; only the rows this run inserted produce notifications and deliveries,
    so a second run, a retried task or a duplicate beat tick sends nothing twice. The
    deliveries are queued when the transaction commits, one task each.
    """
    plan = selectors.plan_reminders(day)
    run = ReminderRun(day=day, planned=len(plan))
    with pghistory.context(command="send_reminders"):
        claimed = _claim(plan, day)
        run.claimed = len(claimed)
        if claimed:
            run.notifications = _notify_in_app(claimed)
            run.emails, run.webhooks = _create_deliveries(claimed, day)
    emails, webhooks = list(run.emails), list(run.webhooks)
    if emails or webhooks:
        transaction.on_commit(lambda: dispatch(emails=emails, webhooks=webhooks))
    return run


def _claim(plan: list[selectors.PlannedReminder], day: date) -> list[ClaimedReminder]:
    table = connection.ops.quote_name(ReminderLog._meta.db_table)
    columns = (
        "item_kind, item_id, recipient_id, kind, day, unit_id, due_date, title, link, created_at"
    )
    now = timezone.now()
    claimed: list[ClaimedReminder] = []
    with connection.cursor() as cursor:
        for start in range(0, len(plan), CLAIM_CHUNK):
            chunk = plan[start : start + CLAIM_CHUNK]
            values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"] * len(chunk))
            params: list[Any] = []
            for p in chunk:
                params += [
                    p.item.item_kind,
                    p.item.item_id,
                    p.recipient_id,
                    p.kind,
                    day,
                    p.item.unit_id,
                    p.item.due_date,
                    p.item.title[:255],
                    p.item.link[:255],
                    now,
                ]
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {values} "  # noqa: S608 (no user input)
                "ON CONFLICT (item_kind, item_id, recipient_id, kind, day) DO NOTHING "
                "RETURNING id, item_kind, item_id, recipient_id, kind, unit_id, due_date, "
                "title, link",
                params,
            )
            claimed += [ClaimedReminder(*row) for row in cursor.fetchall()]
    return claimed


def notification_text(reminder: ClaimedReminder) -> tuple[str, str]:
    """Title and body of the in-app notification (in the site's language)."""
    with translation.override(settings.LANGUAGE_CODE):
        what = str(ItemKind(reminder.item_kind).label)
        due = reminder.due_date.isoformat()
        if reminder.kind == ReminderKind.RESEARCH:
            title = _("Research reminder: %(title)s") % {"title": reminder.title}
            body = _(
                "You have not led a research project this quarter. The quarter ends on %(date)s."
            ) % {"date": due}
        elif reminder.kind == ReminderKind.OVERDUE:
            title = _("Overdue %(what)s: %(title)s") % {"what": what, "title": reminder.title}
            body = _("It was due on %(date)s. Please complete it as soon as possible.") % {
                "date": due
            }
        elif reminder.kind == ReminderKind.DUE_IN_1_DAY:
            title = _("%(what)s due tomorrow: %(title)s") % {"what": what, "title": reminder.title}
            body = _("It is due on %(date)s.") % {"date": due}
        else:
            title = _("%(what)s due in 3 days: %(title)s") % {
                "what": what,
                "title": reminder.title,
            }
            body = _("It is due on %(date)s.") % {"date": due}
    return title[:255], body


def _notify_in_app(claimed: list[ClaimedReminder]) -> int:
    rows = []
    for r in claimed:
        title, body = notification_text(r)
        rows.append(
            Notification(
                recipient_id=r.recipient_id,
                title=title,
                body=body,
                link=r.link,
                kind=r.kind,
                reminder_id=r.pk,
            )
        )
    Notification.objects.bulk_create(rows, batch_size=CLAIM_CHUNK)
    return len(rows)


def _create_deliveries(claimed: list[ClaimedReminder], day: date) -> tuple[list[int], list[int]]:
    emails = dict(
        User.objects.filter(pk__in={r.recipient_id for r in claimed}, is_active=True)
        .exclude(email="")
        .values_list("pk", "email")
    )
    robots = dict(
        OrgUnit.objects.filter(pk__in={r.unit_id for r in claimed}, is_active=True)
        .exclude(webhook_url="")
        .values_list("pk", "webhook_url")
    )
    # One email per person and unit, one robot message per unit (split when long).
    by_person: dict[tuple[int, int], list[int]] = defaultdict(list)
    by_unit: dict[int, dict[tuple[str, int, str], list[int]]] = defaultdict(dict)
    for r in claimed:
        if r.recipient_id in emails:
            by_person[(r.recipient_id, r.unit_id)].append(r.pk)
        if r.unit_id in robots:
            by_unit[r.unit_id].setdefault((r.item_kind, r.item_id, r.kind), []).append(r.pk)

    planned: list[tuple[Delivery, list[int]]] = []
    for (recipient_id, unit_id), pks in by_person.items():
        delivery = Delivery(
            channel=Channel.EMAIL,
            unit_id=unit_id,
            recipient_id=recipient_id,
            target=emails[recipient_id],
            day=day,
        )
        planned.append((delivery, pks))
    for unit_id, items in by_unit.items():
        for chunk in channels.split_for_robot(list(items.values())):
            delivery = Delivery(
                channel=Channel.WEBHOOK, unit_id=unit_id, target=robots[unit_id], day=day
            )
            planned.append((delivery, [pk for pks in chunk for pk in pks]))

    created = Delivery.objects.bulk_create([d for d, _pks in planned], batch_size=CLAIM_CHUNK)
    through = Delivery.reminders.through
    links = [
        through(delivery_id=d.pk, reminderlog_id=pk)
        for d, (_d, pks) in zip(created, planned, strict=True)
        for pk in pks
    ]
    through.objects.bulk_create(links, batch_size=5000)
    email_ids = [d.pk for d in created if d.channel == Channel.EMAIL]
    webhook_ids = [d.pk for d in created if d.channel == Channel.WEBHOOK]
    return email_ids, webhook_ids


def dispatch(*, emails: list[int], webhooks: list[int]) -> None:
    """Queue one task per delivery; a failure to queue one never stops the others."""
    from .tasks import deliver_email, deliver_webhook

    in_process = bool(deliver_email.app.conf.task_always_eager)
    for task, ids in ((deliver_email, emails), (deliver_webhook, webhooks)):
        for delivery_id in ids:
            try:
                if in_process:
                    # No broker (demo, plain development): one attempt now; a failure is
                    # recorded as final and the office can send it again from its page.
                    attempt_delivery(delivery_id=delivery_id, final=True)
                else:
                    task.delay(delivery_id)
            except Exception:
                logger.exception("delivery %s could not be sent or queued", delivery_id)


# Deliveries -------------------------------------------------------------------------


def attempt_delivery(*, delivery_id: int, final: bool) -> str:
    """Send one delivery once; record the outcome. Raises TransientDeliveryError to retry.

    Not atomic on purpose: no transaction is held open while talking to a mail server or
    a robot. Each outcome is recorded by its own short transaction.
    """
    delivery = Delivery.objects.select_related("unit", "recipient").filter(pk=delivery_id).first()
    if delivery is None or delivery.state == DeliveryState.SENT:
        return "skipped"
    sender = channels.send_email if delivery.channel == Channel.EMAIL else channels.send_webhook
    try:
        sender(delivery)
    except channels.TransientDeliveryError as exc:
        record_failure(delivery_id=delivery_id, error=str(exc), final=final)
        raise
    except channels.PermanentDeliveryError as exc:
        record_failure(delivery_id=delivery_id, error=str(exc), final=True)
        return "failed"
    except Exception as exc:
        record_failure(delivery_id=delivery_id, error=f"{type(exc).__name__}: {exc}", final=True)
        raise
    record_sent(delivery_id=delivery_id)
    return "sent"


@transaction.atomic
def record_sent(*, delivery_id: int) -> None:
    now = timezone.now()
    with pghistory.context(command="deliver"):
        Delivery.objects.filter(pk=delivery_id).update(
            state=DeliveryState.SENT,
            attempts=F("attempts") + 1,
            sent_at=now,
            last_attempt_at=now,
        )


@transaction.atomic
def record_failure(*, delivery_id: int, error: str, final: bool) -> None:
    with pghistory.context(command="deliver"):
        Delivery.objects.filter(pk=delivery_id).exclude(state=DeliveryState.SENT).update(
            state=DeliveryState.FAILED if final else DeliveryState.RETRYING,
            attempts=F("attempts") + 1,
            last_error=error[:2000],
            last_attempt_at=timezone.now(),
        )


@transaction.atomic
def retry_delivery(*, user: Any, delivery: Delivery) -> None:
    """The office sends a failed delivery again (after fixing the address, say)."""
    if not can(user, Action.MANAGE, delivery.unit):
        raise PermissionDenied
    if delivery.state != DeliveryState.FAILED:
        return
    Delivery.objects.filter(pk=delivery.pk).update(state=DeliveryState.PENDING)
    if delivery.channel == Channel.EMAIL:
        ids = {"emails": [delivery.pk], "webhooks": []}
    else:
        ids = {"emails": [], "webhooks": [delivery.pk]}
    transaction.on_commit(lambda: dispatch(**ids))


# The notification centre ------------------------------------------------------------


@transaction.atomic
def mark_read(*, user: Any, notification: Notification) -> None:
    if notification.recipient_id != user.pk:
        raise PermissionDenied
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])


@transaction.atomic
def mark_all_read(*, user: Any) -> int:
    return Notification.objects.for_user(user).unread().update(read_at=timezone.now())
