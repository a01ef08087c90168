"""Background work of the rectification workstream. Tasks are thin, take ids, and call
selectors and services (never views)."""

from __future__ import annotations

import logging
import tempfile
from typing import Any

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.core.files import File
from django.db import InterfaceError, OperationalError
from django.utils.translation import gettext as _

from accounts.models import OrgUnit
from accounts.permissions import can
from accounts.roles import Action
from campaign.models import Campaign
from core.jobs import job_claim, job_fail, job_finish, job_progress, job_requeue, keep_alive
from core.replica import reads_from_replica

from .ledger_export import LedgerExporter, export_file_name
from .ledger_province import province_file_name, write_split_ledger
from .selectors import export_problems

logger = logging.getLogger(__name__)

EXPORT_SOFT_LIMIT = 240
EXPORT_HARD_LIMIT = 300
EXPORT_JOB_KIND = "ledger_export"


def send_export(job_id: int) -> None:
    """Hand an export job to the broker (its job type, registered in apps.py)."""
    export_ledger_job.delay(job_id)


@shared_task(
    bind=True,
    acks_late=True,
    soft_time_limit=EXPORT_SOFT_LIMIT,
    time_limit=EXPORT_HARD_LIMIT,
    max_retries=3,
)
def export_ledger_job(self: Any, job_id: int) -> None:
    """Write a large ledger export for a ``BackgroundJob``.

    Idempotent: a job that is not queued (taken by another worker, finished) is left alone.
    The requester's scope is checked again here: what he may export now, not when he asked.
    """
    job = job_claim(job_id=job_id)
    if job is None:
        return
    try:
        user = job.requested_by
        if user is None or not user.is_active or not can(user, Action.EXPORT, job.unit):
            job_fail(job=job, error=_("You may no longer export this ledger."))
            return
        campaign = Campaign.objects.visible_to(user).filter(pk=job.params.get("campaign")).first()
        if campaign is None:
            job_fail(job=job, error=_("The campaign of this export is no longer visible."))
            return
        problems = export_problems(
            user=user, campaign=campaign, filters=job.params.get("filters") or {}
        )

        def progress(done: int, total: int) -> None:
            job_progress(job=job, done=done, total=total)

        split = None
        if job.params.get("split_unit"):
            split = OrgUnit.objects.visible_to(user).filter(pk=job.params["split_unit"]).first()
        with tempfile.TemporaryFile() as target, keep_alive(job):
            with reads_from_replica():  # the ledger may be read from a replica
                if split is not None:
                    # a province: one workbook per city, in a zip
                    write_split_ledger(
                        problems=problems,
                        campaign=campaign,
                        unit=split,
                        target=target,
                        progress=progress,
                    )
                    file_name = province_file_name(campaign=campaign)
                else:
                    exporter = LedgerExporter(
                        problems=problems,
                        title=job.params.get("title") or campaign.name,
                        progress=progress,
                    )
                    exporter.write(target)
                    file_name = export_file_name(campaign=campaign)
            target.seek(0)
            job_finish(job=job, content=File(target), file_name=file_name)
    except SoftTimeLimitExceeded:
        job_fail(job=job, error=_("The export took too long and was stopped."))
    except (OperationalError, InterfaceError) as exc:
        job_requeue(job=job)
        if self.request.retries >= self.max_retries:
            job_fail(job=job, error=_("The database could not be reached; try again later."))
            raise
        raise self.retry(exc=exc, countdown=10 * (self.request.retries + 1)) from exc
    except Exception:
        logger.exception("ledger export job %s failed", job_id)
        job_fail(job=job, error=_("The export failed unexpectedly; try again later."))
        raise


IMPORT_SOFT_LIMIT = 540
IMPORT_HARD_LIMIT = 600


def send_import(job_id: int) -> None:
    """Hand a ledger import job to the broker (its job type, registered in apps.py)."""
    import_ledger_job.delay(job_id)


@shared_task(
    bind=True,
    name="rectification.import_ledger_job",
    acks_late=True,
    soft_time_limit=IMPORT_SOFT_LIMIT,
    time_limit=IMPORT_HARD_LIMIT,
    max_retries=3,
)
def import_ledger_job(self: Any, job_id: int) -> None:
    """Check (and, once confirmed, write) a stored ledger for a ``BackgroundJob``.

    Idempotent: a job not queued is left alone; the writing is one transaction.
    """
    from .ledger_jobs import run_import

    job = job_claim(job_id=job_id)
    if job is None:
        return
    try:
        with keep_alive(job):
            run_import(job)
    except SoftTimeLimitExceeded:
        job_fail(job=job, error=_("The import took too long and was stopped."))
    except (OperationalError, InterfaceError) as exc:
        job_requeue(job=job)
        if self.request.retries >= self.max_retries:
            job_fail(job=job, error=_("The database could not be reached; try again later."))
            raise
        raise self.retry(exc=exc, countdown=10 * (self.request.retries + 1)) from exc
    except Exception:
        logger.exception("ledger import job %s failed", job_id)
        job_fail(job=job, error=_("The import failed unexpectedly; try again later."))
        raise
