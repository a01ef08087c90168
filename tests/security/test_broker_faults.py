"""Redis blocked while reminders and a report are queued: nothing is lost once it is back.

A real Celery worker (a thread of this process) on the machine's Redis, db 10, under its
own key prefix. Redis is paused for three seconds (``CLIENT PAUSE``) while the report is
requested and the reminder run is sent twice; once it answers again, the report is built
and every reminder is delivered exactly once. Redis must be up: the fixture fails, not
skips.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import redis
import time_machine

import notifications.tasks
import reports.tasks  # noqa: F401  (registers the tasks)
from core.models import JobState
from notifications.models import Delivery, DeliveryState, Notification, ReminderLog
from reports import services as report_services
from reports.models import WeeklyReport
from tests.notifications.factories import (
    make_campaign,
    make_problem,
    without_the_yearly_report_reminder,
)
from tests.queue_worker import redis_worker

BROKER_URL = "redis://127.0.0.1:6379/10"
PAUSE_MS = 3000

pytestmark = [pytest.mark.queue, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker(worker_id: str) -> Iterator[Any]:
    with redis_worker(BROKER_URL, "trust", worker_id) as started:
        yield started


def _pause_redis() -> None:
    redis.Redis.from_url(BROKER_URL).execute_command("CLIENT", "PAUSE", PAUSE_MS, "ALL")


def wait_for(condition: Callable[[], Any], timeout: float = 90.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.2)
    raise AssertionError("timed out waiting for the worker")


def test_reminders_and_a_report_survive_a_blocked_broker(
    tree, people, worker, settings, monkeypatch
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # (1 December: the yearly report reminder of the county leader would be one more;
    # this test counts the problem's reminder only)
    without_the_yearly_report_reminder(monkeypatch)
    shanghai = ZoneInfo("Asia/Shanghai")
    with time_machine.travel(datetime(2026, 12, 1, 8, 30, tzinfo=shanghai), tick=True):
        campaign = make_campaign(tree.city)
        make_problem(
            campaign, tree.branch_a1, deadline=date(2026, 12, 2), person=people.secretary_a
        )
        started = time.monotonic()
        _pause_redis()
        # Sent while Redis does not answer: the publish waits, nothing is dropped.
        notifications.tasks.send_daily_reminders.delay()
        notifications.tasks.send_daily_reminders.delay()  # a duplicate beat tick
        report = report_services.report_request(
            campaign=campaign, unit=tree.branch_a1, week="2026-W49", requested_by=people.city_office
        )
        assert time.monotonic() - started >= PAUSE_MS / 1000 * 0.5  # it really was blocked
        wait_for(lambda: WeeklyReport.objects.filter(pk=report.pk, state=JobState.DONE).exists())
        wait_for(
            lambda: (
                Delivery.objects.exists()
                and not Delivery.objects.exclude(state=DeliveryState.SENT).exists()
            )
        )
        assert ReminderLog.objects.count() == 1
        assert Notification.objects.count() == 1
        from django.core import mail

        assert [m.to for m in mail.outbox].count([people.secretary_a.email]) == 1
