"""The report job through a real Celery worker on the machine's Redis (db 8), not eager mode.

The worker runs in a thread of the test process and reads the same test database, so the
test needs ``django_db(transaction=True)``. Redis must be up: the fixture fails, not skips.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core import mail

import reports.tasks  # registers the tasks
from core.models import JobState
from reports import services
from reports.models import WeeklyReport
from tests.queue_worker import redis_worker
from tests.reports.conftest import WEEK, build_data_set

BROKER_URL = "redis://127.0.0.1:6379/8"

pytestmark = [pytest.mark.queue, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker(worker_id: str) -> Iterator[Any]:
    with redis_worker(BROKER_URL, "reports", worker_id) as started:
        yield started


def wait_for(condition: Callable[[], Any], timeout: float = 60.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.2)
    raise AssertionError("timed out waiting for the worker")


def test_the_worker_builds_the_requested_report(tree, people, frozen_ticking, worker):
    data = build_data_set(tree, people)
    report = services.report_request(
        campaign=data.campaign, unit=tree.county_a, week=WEEK, requested_by=people.county_office
    )
    assert report.state == JobState.QUEUED
    wait_for(lambda: WeeklyReport.objects.filter(pk=report.pk, state=JobState.DONE).exists())
    report.refresh_from_db()
    assert report.page_count >= 2 and report.progress == 100
    with report.file.open("rb") as pdf:
        assert pdf.read(5) == b"%PDF-"


def test_the_scheduled_job_builds_and_mails_through_the_worker(
    tree, people, frozen_ticking, worker
):
    build_data_set(tree, people)
    reports.tasks.schedule_weekly_reports.delay("2026-W48")
    reports.tasks.schedule_weekly_reports.delay("2026-W48")  # a duplicate beat tick
    wait_for(
        lambda: (
            WeeklyReport.objects.filter(state=JobState.DONE, mailed_at__isnull=False).count() == 3
        ),
        timeout=120,
    )
    assert WeeklyReport.objects.count() == 3
    # each unit's office is mailed once: the county A office and the city office
    assert sorted(tuple(m.to) for m in mail.outbox) == [
        ("city_office@example.invalid",),
        ("county_office@example.invalid",),
    ]
