"""Writes of the notification app: reminders, the notification centre, deliveries."""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

import pghistory
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import get_connection
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.models import OrgUnit
from accounts.permissions import can
from accounts.roles import Action
from supervision.models import SupervisionVisit

from . import channels, events, selectors
from .models import (
    PERSONAL_CHANNELS,
    Channel,
    Delivery,
    DeliveryState,
    EventKind,
    ItemKind,
    Notification,
    NotifyPreference,
    ReminderKind,
    ReminderLog,
    Urge,
)

logger = logging.getLogger(__name__)

# Deliveries sent by one channel task: one SMTP connection serves the emails of a batch.
DELIVERY_BATCH = 20
# Placeholders of the notification texts, filled in by the database for each reminder.
_TITLE_MARK = "\x00title\x00"
_DATE_MARK = "\x00date\x00"


class ClaimedReminder(NamedTuple):
    pk: int
    item_kind: str
    item_id: int
    recipient_id: int
    kind: str
    unit_id: int


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
    so a second run, a retried task or a duplicate beat tick sends nothing twice. Each
    claimed reminder is one notification in the app; each person gets one email a day
    listing all their items, each unit's robot one message per ten items. The deliveries
    are queued when the transaction commits, a batch per task.
    """
    plan = selectors.plan_reminders(day)
    run = ReminderRun(day=day, planned=len(plan))
    # The run's moment, on its reminders and its deliveries: a person's delivery finds
    # the reminders of its run by it (``selectors.delivery_reminders``).
    now = timezone.now()
    with pghistory.context(command="send_reminders"):
        claimed = _claim(plan, day, now=now)
        run.claimed = run.notifications = len(claimed)
        if claimed:
            run.emails, run.webhooks = _create_deliveries(claimed, day, now=now)
    emails, webhooks = list(run.emails), list(run.webhooks)
    if emails or webhooks:
        transaction.on_commit(lambda: dispatch(emails=emails, webhooks=webhooks))
    return run


def _table(model: Any) -> str:
    return str(connection.ops.quote_name(model._meta.db_table))


@transaction.atomic
def _claim(
    plan: list[selectors.PlannedReminder], day: date, *, now: datetime
) -> list[ClaimedReminder]:
    """Insert the plan into the reminder log; notify in the app for each row inserted.

    The plan is copied into a temporary table; one statement then claims (rows another
    run already inserted are skipped) and writes a notification per claimed row, its text
    put together by the database from the translated patterns of ``notification_text``.
    """
    if not plan:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE reminder_plan (item_kind varchar(16), item_id bigint, "
            "recipient_id bigint, kind varchar(16), unit_id bigint, due_date date, "
            "title varchar(255), link varchar(255)) ON COMMIT DROP"
        )
        copy_sql = (
            "COPY reminder_plan (item_kind, item_id, recipient_id, kind, unit_id, due_date, "
            "title, link) FROM STDIN"
        )
        with cursor.cursor.copy(copy_sql) as copy:
            for p in plan:
                item = p.item
                copy.write_row(
                    (
                        item.item_kind,
                        item.item_id,
                        p.recipient_id,
                        p.kind,
                        item.unit_id,
                        item.due_date,
                        item.title[:255],
                        item.link[:255],
                    )
                )
        patterns = notification_patterns()
        cursor.execute(
            f"""
            WITH claimed AS (
                INSERT INTO {_table(ReminderLog)} (item_kind, item_id, recipient_id, kind, day,
                    unit_id, due_date, title, link, created_at)
                SELECT item_kind, item_id, recipient_id, kind, %s, unit_id, due_date, title,
                    link, %s
                FROM reminder_plan
                ON CONFLICT (day, item_kind, item_id, recipient_id, kind) DO NOTHING
                RETURNING id, item_kind, item_id, recipient_id, kind, unit_id, due_date, title,
                    link
            ), texts AS (
                SELECT * FROM unnest(%s::text[], %s::text[], %s::text[], %s::text[],
                    %s::text[], %s::text[])
                    AS t(kind, item_kind, title_head, title_tail, body_head, body_tail)
            ), notified AS (
                INSERT INTO {_table(Notification)} (recipient_id, title, body, link, kind,
                    created, reminder_id)
                SELECT c.recipient_id, left(t.title_head || c.title || t.title_tail, 255),
                    t.body_head || to_char(c.due_date, 'YYYY-MM-DD') || t.body_tail,
                    c.link, c.kind, %s, c.id
                FROM claimed c
                JOIN texts t ON t.kind = c.kind AND t.item_kind = c.item_kind
            )
            SELECT id, item_kind, item_id, recipient_id, kind, unit_id FROM claimed
            """,  # noqa: S608 (table names from the models, values as parameters)
            [day, now, *[list(column) for column in zip(*patterns, strict=True)], now],
        )
        claimed = list(map(ClaimedReminder._make, cursor.fetchall()))
        cursor.execute("DROP TABLE reminder_plan")
    return claimed


def notification_text(*, kind: str, item_kind: str, title: str, due: str) -> tuple[str, str]:
    """Title and body of the in-app notification (in the site's language)."""
    with translation.override(settings.LANGUAGE_CODE):
        what = str(ItemKind(item_kind).label)
        if kind == ReminderKind.RESEARCH:
            head = _("Research reminder: %(title)s") % {"title": title}
            body = _(
                "You have not led a research project this quarter. The quarter ends on %(date)s."
            ) % {"date": due}
        elif kind == ReminderKind.RESEARCH_REPORT:
            head = _("Research report reminder: %(title)s") % {"title": title}
            body = _(
                "You have not submitted a research report this year. The year ends on %(date)s."
            ) % {"date": due}
        elif kind == ReminderKind.OVERDUE:
            head = _("Overdue %(what)s: %(title)s") % {"what": what, "title": title}
            body = _("It was due on %(date)s. Please complete it as soon as possible.") % {
                "date": due
            }
        elif kind == ReminderKind.DUE_IN_1_DAY:
            head = _("%(what)s due tomorrow: %(title)s") % {"what": what, "title": title}
            body = _("It is due on %(date)s.") % {"date": due}
        else:
            head = _("%(what)s due in 3 days: %(title)s") % {"what": what, "title": title}
            body = _("It is due on %(date)s.") % {"date": due}
    return head, body


def notification_patterns() -> list[tuple[str, str, str, str, str, str]]:
    """For each reminder kind and item kind, the texts around the item's title and date."""
    rows = []
    for kind in ReminderKind.values:
        for item_kind in ItemKind.values:
            title, body = notification_text(
                kind=kind, item_kind=item_kind, title=_TITLE_MARK, due=_DATE_MARK
            )
            title_head, _mark, title_tail = title.partition(_TITLE_MARK)
            body_head, _mark, body_tail = body.partition(_DATE_MARK)
            rows.append((kind, item_kind, title_head, title_tail, body_head, body_tail))
    return rows


def _create_deliveries(
    claimed: list[ClaimedReminder], day: date, *, now: datetime
) -> tuple[list[int], list[int]]:
    """One email per person (all their items of the day), one robot message per unit and
    ten items. Returns the ids of the email and robot deliveries.

    A person's delivery is written at the run's moment and finds its reminders by it; only
    a robot message, a slice of its unit's items, is linked to its reminders.
    """
    targets = selectors.person_channels({r.recipient_id for r in claimed})
    # The units with a robot are few; the units of the claimed items, in a province's run,
    # are most of its 66,000 (the list of their ids alone cost seconds).
    robots = dict(
        OrgUnit.objects.filter(is_active=True)
        .exclude(webhook_url="")
        .values_list("pk", "webhook_url")
    )
    by_person: dict[int, list[ClaimedReminder]] = defaultdict(list)
    by_unit: dict[int, dict[tuple[str, int, str], list[int]]] = defaultdict(dict)
    for r in claimed:
        if targets.get(r.recipient_id):
            by_person[r.recipient_id].append(r)
        if r.unit_id in robots:
            by_unit[r.unit_id].setdefault((r.item_kind, r.item_id, r.kind), []).append(r.pk)
    home = _common_units({p: {r.unit_id for r in rs} for p, rs in by_person.items()})

    # (channel, unit, recipient, target) and the reminders linked to each delivery
    planned: list[tuple[str, int, int | None, str, list[int]]] = [
        (channel, home[person], person, target, [])
        for person in by_person
        for channel, target in targets[person]
    ]
    for unit_id, items in by_unit.items():
        for chunk in channels.split_for_robot(list(items.values())):
            pks = [pk for pks in chunk for pk in pks]
            planned.append((Channel.WEBHOOK, unit_id, None, robots[unit_id], pks))
    if not planned:
        return [], []

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [Delivery._meta.db_table, len(planned)],
        )
        ids = [row[0] for row in cursor.fetchall()]
        columns = "id, channel, unit_id, recipient_id, target, day, state, attempts, last_error"
        copy_sql = f"COPY {_table(Delivery)} ({columns}, created_at) FROM STDIN"
        with cursor.cursor.copy(copy_sql) as copy:
            for pk, (channel, unit_id, recipient_id, target, _pks) in zip(
                ids, planned, strict=True
            ):
                state = DeliveryState.PENDING
                copy.write_row((pk, channel, unit_id, recipient_id, target, day, state, 0, "", now))
        through = _table(Delivery.reminders.through)
        with cursor.cursor.copy(f"COPY {through} (delivery_id, reminderlog_id) FROM STDIN") as copy:
            for pk, (*_rest, pks) in zip(ids, planned, strict=True):
                for reminder_pk in pks:
                    copy.write_row((pk, reminder_pk))
    # The person's own channels (email, personal messages) go in the first list.
    email_ids = [pk for pk, row in zip(ids, planned, strict=True) if row[0] != Channel.WEBHOOK]
    webhook_ids = [pk for pk, row in zip(ids, planned, strict=True) if row[0] == Channel.WEBHOOK]
    return email_ids, webhook_ids


def _common_units(units_of: dict[int, set[int]]) -> dict[int, int]:
    """The unit each person's email is filed under: the one unit of their items, or the
    nearest unit above all of them (so the offices over every item see the delivery)."""
    home = {person: next(iter(units)) for person, units in units_of.items() if len(units) == 1}
    spread = {person: units for person, units in units_of.items() if len(units) > 1}
    if not spread:
        return home
    paths = dict(
        OrgUnit.objects.filter(pk__in=selectors.among(set().union(*spread.values()))).values_list(
            "pk", "path"
        )
    )
    common = {
        person: _common_ancestor([paths[u] for u in units]) for person, units in spread.items()
    }
    by_path = dict(OrgUnit.objects.filter(path__in=set(common.values())).values_list("path", "pk"))
    for person, path in common.items():
        # Units of one tree share the root; the first unit is a fallback for odd data.
        home[person] = by_path.get(path) or min(spread[person])
    return home


def _common_ancestor(paths: list[str]) -> str:
    """The path of the nearest unit at or above every given one (materialised paths)."""
    step = OrgUnit.steplen
    first, *others = paths
    size = min(len(path) for path in paths)
    depth = 0
    while depth + step <= size and all(
        p[depth : depth + step] == first[depth : depth + step] for p in others
    ):
        depth += step
    return first[:depth]


def dispatch(*, emails: list[int], webhooks: list[int]) -> None:
    """Queue the deliveries, a batch per task; a failure to queue one never stops the others."""
    from .tasks import deliver_batch

    if deliver_batch.app.conf.task_always_eager:
        # No broker (demo, plain development): one attempt now; a failure is recorded as
        # final and the office can send it again from its page.
        for delivery_id in [*emails, *webhooks]:
            try:
                attempt_delivery(delivery_id=delivery_id, final=True)
            except Exception:
                logger.exception("delivery %s could not be sent", delivery_id)
        return
    held = _held_for_quiet_hours(emails)
    for delivery_id, countdown in held.items():
        try:
            deliver_batch.apply_async(args=([delivery_id],), countdown=countdown)
        except Exception as exc:
            logger.exception("delivery %s could not be queued", delivery_id)
            _record_not_queued([delivery_id], exc)
    emails = [pk for pk in emails if pk not in held]
    for ids in (emails, webhooks):
        for start in range(0, len(ids), DELIVERY_BATCH):
            batch = ids[start : start + DELIVERY_BATCH]
            try:
                deliver_batch.delay(batch)
            except Exception as exc:
                logger.exception("deliveries %s could not be queued", batch)
                _record_not_queued(batch, exc)


def _held_for_quiet_hours(delivery_ids: list[int]) -> dict[int, int]:
    """The person's own deliveries whose recipient is in his quiet hours: each with the
    seconds to wait (sent when they end)."""
    if not delivery_ids:
        return {}
    recipients = dict(
        Delivery.objects.filter(
            pk__in=selectors.among(delivery_ids), recipient__isnull=False
        ).values_list("pk", "recipient_id")
    )
    now = timezone.localtime()
    quiet = selectors.quiet_now(set(recipients.values()), now.time())
    if not quiet:
        return {}
    prefs = selectors.preferences(quiet)
    return {
        pk: selectors.seconds_until_quiet_ends(prefs[person], now)
        for pk, person in recipients.items()
        if person in quiet
    }


def _record_not_queued(delivery_ids: list[int], exc: Exception) -> None:
    """The broker refused the batch: fail its deliveries where the office sees them (and can
    send them again) rather than leave them waiting for a task that will never come."""
    try:
        Delivery.objects.filter(pk__in=delivery_ids, state=DeliveryState.PENDING).update(
            state=DeliveryState.FAILED,
            last_error=f"not queued: {type(exc).__name__}: {exc}"[:2000],
            last_attempt_at=timezone.now(),
        )
    except Exception:
        logger.exception("deliveries %s could not be marked as failed", delivery_ids)


# Deliveries -------------------------------------------------------------------------


def attempt_delivery(*, delivery_id: int, final: bool, mail_connection: Any = None) -> str:
    """Send one delivery once; record the outcome. Raises TransientDeliveryError to retry.

    Not atomic on purpose: no transaction is held open while talking to a mail server or
    a robot. Each outcome is recorded by its own short transaction.
    """
    delivery = Delivery.objects.select_related("unit", "recipient").filter(pk=delivery_id).first()
    if delivery is None or delivery.state == DeliveryState.SENT:
        return "skipped"
    try:
        if delivery.channel == Channel.EMAIL:
            channels.send_email(delivery, connection=mail_connection)
        elif delivery.channel in PERSONAL_CHANNELS:
            channels.send_personal(delivery)
        else:
            channels.send_webhook(delivery)
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


def attempt_deliveries(*, delivery_ids: list[int], final: bool) -> list[int]:
    """Send a batch of deliveries once each, over one mail connection; the ids to retry.

    Every delivery gets its attempt whatever happens to the others: a fault is recorded on
    its own row (and so shown on the deliveries page), and the transient ones come back
    to be tried again.
    """
    retry: list[int] = []
    mail = get_connection(fail_silently=False)
    try:
        for index, delivery_id in enumerate(delivery_ids):
            try:
                attempt_delivery(delivery_id=delivery_id, final=final, mail_connection=mail)
            except channels.TransientDeliveryError:
                retry.append(delivery_id)
                _close_quietly(mail)  # maybe broken: the next email opens a new one
            except SoftTimeLimitExceeded:
                # The task is out of time: this one and the rest go to the retry.
                retry += delivery_ids[index:]
                break
            except Exception:
                logger.exception("delivery %s failed", delivery_id)
    finally:
        _close_quietly(mail)
    return retry


def _close_quietly(mail: Any) -> None:
    try:
        mail.close()
    except Exception:  # noqa: S110 (a connection already gone)
        pass


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
    if not delivery.can_retry():
        return
    Delivery.objects.filter(pk=delivery.pk).update(state=DeliveryState.PENDING)
    if delivery.channel != Channel.WEBHOOK:
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


# Events to the outside channels ----------------------------------------------------

# Events a unit's group robot hears of (what waits in an office's queue is the office's).
ROBOT_EVENTS = frozenset(EventKind.values) - {EventKind.WAITING}
EVENT_BATCH_LIMIT = 5000


@dataclass
class EventBatch:
    notifications: int = 0
    emails: list[int] = field(default_factory=list)
    webhooks: list[int] = field(default_factory=list)


@transaction.atomic
def send_event_batches(*, now: Any = None) -> EventBatch:
    """Hand the events of the last while to the outside channels, batched: one email per
    person for all their new events, one group-robot message per unit and ten events.

    Run every half hour by beat, so a person gets at most one email per run whatever
    happened. Rows are claimed with ``SKIP LOCKED`` and stamped ``channels_at``: two runs
    never send the same event twice.
    """
    now = now or timezone.now()
    day = timezone.localdate(now)
    claimed: Any = (
        Notification.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(kind__in=EventKind.values, channels_at__isnull=True, created__lte=now)
        .order_by("pk")
        .values("pk", "recipient_id", "unit_id", "kind", "title", "link")[:EVENT_BATCH_LIMIT]
    )
    rows: list[dict[str, Any]] = list(claimed)
    batch = EventBatch(notifications=len(rows))
    if not rows:
        return batch
    # People in their quiet hours: their events wait for a later run.
    quiet = selectors.quiet_now({r["recipient_id"] for r in rows}, timezone.localtime(now).time())
    rows = [r for r in rows if r["recipient_id"] not in quiet]
    batch.notifications = len(rows)
    targets = selectors.person_channels({r["recipient_id"] for r in rows})
    robots = dict(
        OrgUnit.objects.filter(pk__in={r["unit_id"] for r in rows if r["unit_id"]}, is_active=True)
        .exclude(webhook_url="")
        .values_list("pk", "webhook_url")
    )
    by_person: dict[int, list[dict[str, Any]]] = defaultdict(list)
    by_unit: dict[int, dict[tuple[str, str, str], list[int]]] = defaultdict(dict)
    for row in rows:
        if targets.get(row["recipient_id"]) and row["unit_id"]:
            by_person[row["recipient_id"]].append(row)
        if row["unit_id"] in robots and row["kind"] in ROBOT_EVENTS:
            key = (row["kind"], row["title"], row["link"])
            by_unit[row["unit_id"]].setdefault(key, []).append(row["pk"])
    home = _common_units({p: {r["unit_id"] for r in rs} for p, rs in by_person.items()})
    with pghistory.context(command="send_event_batches"):
        for person, person_rows in by_person.items():
            for channel, target in targets[person]:
                delivery = Delivery.objects.create(
                    channel=channel,
                    unit_id=home[person],
                    recipient_id=person,
                    target=target,
                    day=day,
                )
                delivery.notifications.set([r["pk"] for r in person_rows])
                batch.emails.append(delivery.pk)
        for unit_id, events_of_unit in by_unit.items():
            for chunk in channels.split_for_robot(list(events_of_unit.values())):
                delivery = Delivery.objects.create(
                    channel=Channel.WEBHOOK, unit_id=unit_id, target=robots[unit_id], day=day
                )
                delivery.notifications.set([pk for pks in chunk for pk in pks])
                batch.webhooks.append(delivery.pk)
        Notification.objects.filter(pk__in=[r["pk"] for r in rows]).update(channels_at=now)
    emails_ids, webhook_ids = list(batch.emails), list(batch.webhooks)
    if emails_ids or webhook_ids:
        transaction.on_commit(lambda: dispatch(emails=emails_ids, webhooks=webhook_ids))
    return batch


# Supervision follow-ups ------------------------------------------------------------


def notify_follow_ups(*, day: date) -> int:
    """Tell a unit its supervision follow-up is tomorrow or today (once per visit and date)."""
    visits = list(
        SupervisionVisit.objects.filter(
            follow_up_on__in=[day, day + timedelta(days=1)], follow_up_done_on__isnull=True
        ).select_related("unit")
    )
    people = permissions.people_of_units({v.unit_id for v in visits})
    told = 0
    with transaction.atomic():
        for visit in visits:
            told += events.follow_up_due(visit=visit, people=people.get(visit.unit_id, []))
    return told


# 催办 -----------------------------------------------------------------------------


@dataclass(frozen=True)
class UrgeOutcome:
    urge: Urge
    created: bool


@transaction.atomic
def urge(
    *,
    actor: Any,
    unit: OrgUnit,
    item_kind: str,
    item_id: int,
    title: str,
    link: str,
    also: list[int | None] | None = None,
) -> UrgeOutcome:
    """An office presses 催办 on a unit below it or on one of its overdue items: the unit's
    people (and ``also``, e.g. the people responsible for a problem) are told, at most once
    a day per unit and item; each press that tells someone is logged."""
    if not permissions.can(actor, Action.URGE, unit):
        raise PermissionDenied
    day = timezone.localdate()
    existing = Urge.objects.filter(unit=unit, item_kind=item_kind, item_id=item_id, day=day).first()
    if existing is not None:
        return UrgeOutcome(existing, created=False)
    record = Urge.objects.create(
        unit=unit, item_kind=item_kind, item_id=item_id, day=day, title=title[:255], actor=actor
    )
    people = permissions.people_of_units([unit.pk]).get(unit.pk, [])
    with translation.override(settings.LANGUAGE_CODE):
        sender = permissions.home_unit(actor, Action.URGE)
        head = _("Urged: %(title)s") % {"title": title}
        body = _("%(sender)s asks %(unit)s to get it done without delay.") % {
            "sender": sender.name if sender else actor.display_name,
            "unit": unit.name,
        }
    record.recipients = events.notify(
        kind=EventKind.URGED,
        recipients=[*people, *(also or [])],
        title=head,
        body=body,
        link=link,
        unit=unit,
        actor=actor,
        once_key=f"urge:{item_kind}:{item_id}:{day.isoformat()}",
    )
    record.save(update_fields=["recipients"])
    return UrgeOutcome(record, created=True)


# How a person is told ------------------------------------------------------------


@transaction.atomic
def set_preferences(
    *, user: Any, email: bool, personal: bool, quiet_from: Any = None, quiet_to: Any = None
) -> NotifyPreference:
    """The person's own choice of channels and quiet hours."""
    if bool(quiet_from) != bool(quiet_to):
        raise ValidationError(
            {"quiet_to": _("Give both the start and the end of the quiet hours.")}
        )
    pref, _created = NotifyPreference.objects.update_or_create(
        user=user,
        defaults={
            "email": email,
            "personal": personal,
            "quiet_from": quiet_from,
            "quiet_to": quiet_to,
        },
    )
    return pref
