"""Starting, advancing and finishing background jobs (services for ``BackgroundJob``).

A job row is created in the request's transaction and its Celery task is sent on commit;
the task re-fetches the job by id, re-checks the requester's scope, reports progress with
cheap conditional updates, and stores the file.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.files.base import ContentFile, File
from django.db import transaction
from django.utils import timezone

from accounts.models import OrgUnit

from .models import BackgroundJob, JobState


@transaction.atomic
def job_create(
    *,
    kind: str,
    unit: OrgUnit,
    requested_by: Any,
    params: dict[str, Any],
    enqueue: Callable[[int], None],
) -> BackgroundJob:
    """Create a job and send its task once the transaction commits."""
    job = BackgroundJob.objects.create(
        kind=kind, unit=unit, requested_by=requested_by, params=params
    )
    transaction.on_commit(lambda: enqueue(job.pk))
    return job


def job_claim(*, job_id: int) -> BackgroundJob | None:
    """Mark a queued job running; None if another worker already took it or it ended."""
    claimed = BackgroundJob.objects.filter(pk=job_id, state=JobState.QUEUED).update(
        state=JobState.RUNNING, progress=0
    )
    if not claimed:
        return None
    return BackgroundJob.objects.select_related("unit", "requested_by").get(pk=job_id)


def job_progress(*, job_id: int, done: int, total: int) -> None:
    percent = min(99, int(done * 100 / total)) if total else 0
    BackgroundJob.objects.filter(pk=job_id, progress__lt=percent).update(progress=percent)


def job_finish(*, job: BackgroundJob, content: bytes | File[Any], file_name: str) -> None:
    payload = content if isinstance(content, File) else ContentFile(content)
    job.file.save(file_name, payload, save=False)
    job.file_name = file_name
    job.state = JobState.DONE
    job.progress = 100
    job.finished_at = timezone.now()
    job.save(update_fields=["file", "file_name", "state", "progress", "finished_at"])


def job_fail(*, job_id: int, error: str) -> None:
    BackgroundJob.objects.filter(pk=job_id).update(
        state=JobState.FAILED, error=error[:2000], finished_at=timezone.now()
    )


def job_requeue(*, job_id: int) -> None:
    """Put a running job back in the queue (before a retry of its task)."""
    BackgroundJob.objects.filter(pk=job_id, state=JobState.RUNNING).update(state=JobState.QUEUED)
