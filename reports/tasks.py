"""Celery tasks of the weekly reports: thin, take ids, idempotent.

The Monday beat entry (``reports.schedule_weekly_reports``) is in config/settings.py.
"""

from __future__ import annotations

import logging
import smtplib
from typing import Any

from celery import shared_task
from django.utils import timezone
from django.utils.translation import gettext as _

from . import services
from .periods import Week

logger = logging.getLogger(__name__)

BUILD_SOFT_LIMIT = 120
BUILD_HARD_LIMIT = 150
TRANSIENT_DB = services.TRANSIENT_DB


@shared_task(
    bind=True,
    name="reports.build_weekly_report",
    acks_late=True,
    soft_time_limit=BUILD_SOFT_LIMIT,
    time_limit=BUILD_HARD_LIMIT,
    max_retries=3,
)
def build_weekly_report(self: Any, report_id: int) -> int | None:
    """Build one report; a report not queued (taken, finished) is left alone."""
    try:
        report = services.report_build(report_id=report_id)
    except TRANSIENT_DB as exc:
        if self.request.retries >= self.max_retries:
            services.report_give_up(
                report_id=report_id,
                error=_("The database could not be reached; try again later."),
            )
            raise
        raise self.retry(exc=exc, countdown=10 * 2**self.request.retries) from exc
    return report.page_count if report is not None else None


@shared_task(
    bind=True,
    name="reports.mail_weekly_report",
    acks_late=True,
    autoretry_for=(smtplib.SMTPException, OSError, *TRANSIENT_DB),
    retry_backoff=30,
    retry_backoff_max=1800,
    retry_jitter=True,
    max_retries=8,
    soft_time_limit=60,
    time_limit=90,
)
def mail_weekly_report(self: Any, report_id: int) -> int:
    """Mail a finished report to its unit's office staff, once."""
    return services.report_mail(report_id=report_id)


@shared_task(
    name="reports.schedule_weekly_reports",
    autoretry_for=TRANSIENT_DB,
    retry_backoff=True,
    max_retries=3,
    soft_time_limit=60,
    time_limit=90,
)
def schedule_weekly_reports(week: str | None = None) -> int:
    """The Monday job: last week's reports of the city and each county, then mailed.

    A second tick for the same week builds nothing new: existing reports are kept.
    """
    target = Week.parse(week) if week else Week.of(timezone.localdate()).previous()
    return len(services.schedule_weekly_reports(week=target))
