"""Background work of the accounts app: the organisation import from a page."""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.db import InterfaceError, OperationalError
from django.utils.translation import gettext as _

from core.jobs import job_claim, job_fail, job_requeue, keep_alive

logger = logging.getLogger(__name__)

IMPORT_SOFT_LIMIT = 540
IMPORT_HARD_LIMIT = 600


def send_org_import(job_id: int) -> None:
    """Hand an organisation import job to the broker (its job type, see apps.py)."""
    import_org_job.delay(job_id)


@shared_task(
    bind=True,
    name="accounts.import_org_job",
    acks_late=True,
    soft_time_limit=IMPORT_SOFT_LIMIT,
    time_limit=IMPORT_HARD_LIMIT,
    max_retries=3,
)
def import_org_job(self: Any, job_id: int) -> None:
    """Check (and unless it is a check only, write) a stored organisation workbook.

    Idempotent: a job not queued is left alone; the writing is one transaction.
    """
    from .org_import_jobs import run_org_import

    job = job_claim(job_id=job_id)
    if job is None:
        return
    try:
        with keep_alive(job):
            run_org_import(job)
    except SoftTimeLimitExceeded:
        job_fail(job=job, error=_("The import took too long and was stopped."))
    except (OperationalError, InterfaceError) as exc:
        job_requeue(job=job)
        if self.request.retries >= self.max_retries:
            job_fail(job=job, error=_("The database could not be reached; try again later."))
            raise
        raise self.retry(exc=exc, countdown=10 * (self.request.retries + 1)) from exc
    except Exception:
        logger.exception("organisation import job %s failed", job_id)
        job_fail(job=job, error=_("The import failed unexpectedly; try again later."))
        raise
