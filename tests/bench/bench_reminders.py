"""The daily reminder run over every open item of the city (at province scale: of the whole
province), beside the item-by-item way (measured at city scale)."""

from __future__ import annotations

import time

import pytest
from conftest import record  # type: ignore[import-not-found]
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

pytestmark = pytest.mark.django_db
SAMPLE = 1000
# The run is over all open items, so it grows with the data set: a city ≤ 10 s, the
# province ≤ 30 s.
BUDGET_S = {"city": 10.0, "province": 30.0}


def test_reminder_run(scale):
    from notifications import services

    day = timezone.localdate()
    per_item = _plain_per_item(day) if scale.name == "city" else None
    with CaptureQueriesContext(connection) as ctx:
        started = time.perf_counter()
        run = services.send_reminders(day=day)
        # The foreign keys are checked at commit, which the test's transaction never
        # reaches: check them now, inside the time.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        seconds = time.perf_counter() - started
    limit = BUDGET_S[scale.name]
    plain, ratio = "", None
    if per_item is not None:
        plain_seconds = per_item[0] * run.planned
        plain = f"≈ {plain_seconds:.0f} s item by item (measured on {per_item[1]} items)"
        ratio = plain_seconds / seconds if seconds else None
    record(
        "reminder run over all open items",
        scale=scale.name,
        budget="≤ 10 s for a city, ≤ 30 s for the province; batched queries",
        measured=f"{seconds:.1f} s with the commit-time checks, "
        f"{len(ctx.captured_queries) - 1} queries and 3 COPY, {run.planned} planned, "
        f"{run.claimed} reminders, {len(run.emails)} emails",
        passed=seconds <= limit,
        plain=plain,
        ratio=ratio,
        value=seconds,
        limit=limit,
        unit="s",
    )


def _plain_per_item(day) -> tuple[float, int]:
    """The plain way: one item at a time, a claim and a notification per recipient."""
    from notifications import sources
    from notifications.models import Notification, ReminderLog

    items = []
    for item in sources.all_items(day):
        items.append(item)
        if len(items) >= SAMPLE:
            break
    started = time.perf_counter()
    with transaction.atomic():
        sid = transaction.savepoint()
        for item in items:
            kind = item.reminder_kind or ("overdue" if item.due_date < day else "due_1")
            for user_id in item.recipients:
                _log, created = ReminderLog.objects.get_or_create(
                    item_kind=item.item_kind,
                    item_id=item.item_id,
                    recipient_id=user_id,
                    kind=kind,
                    day=day,
                    defaults={
                        "unit_id": item.unit_id,
                        "due_date": item.due_date,
                        "title": item.title[:255],
                        "link": item.link,
                    },
                )
                if created:
                    Notification.objects.create(
                        recipient_id=user_id, title=item.title[:255], link=item.link, kind=kind
                    )
        transaction.savepoint_rollback(sid)
    return (time.perf_counter() - started) / max(1, len(items)), len(items)
