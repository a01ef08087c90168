"""The daily reminder run over every open item of the city, beside the item-by-item way."""

from __future__ import annotations

import time

import pytest
from conftest import record  # type: ignore[import-not-found]
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

pytestmark = pytest.mark.django_db
SAMPLE = 1000


def test_reminder_run(city):
    from notifications import services, sources
    from notifications.models import Notification, ReminderLog

    day = timezone.localdate()
    # The plain way: one item at a time, a claim and a notification per recipient.
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
    per_item = (time.perf_counter() - started) / max(1, len(items))

    with CaptureQueriesContext(connection) as ctx:
        started = time.perf_counter()
        run = services.send_reminders(day=day)
        # The foreign keys are checked at commit, which the test's transaction never
        # reaches: check them now, inside the time.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        seconds = time.perf_counter() - started
    claimed = run.claimed
    plain_seconds = per_item * run.planned
    record(
        "reminder run over all open items",
        budget="≤ 10 s, batched queries",
        measured=f"{seconds:.1f} s with the commit-time checks, "
        f"{len(ctx.captured_queries) - 1} queries and 3 COPY, {run.planned} planned, "
        f"{claimed} reminders, {len(run.emails)} emails",
        passed=seconds <= 10,
        plain=f"≈ {plain_seconds:.0f} s item by item (measured on {len(items)} items)",
        ratio=plain_seconds / seconds if seconds else None,
    )
