"""One lifecycle for every background job: weekly reports, exports, imports.

A job is a row (a subclass of ``core.models.Job``) created in the request's transaction;
its task is handed to the broker once that commits (``enqueue_on_commit``). Then:

1. **Queued.** ``queued_at`` records that the broker took the message. If the broker was
   down, the request still succeeds: the row stays queued with no ``queued_at`` and the
   page says the job will start shortly; the periodic sweep sends it again as soon as the
   broker answers (and re-sends a message that was lost, after ``RESEND_AFTER``).
2. **Running.** A worker claims the row with a conditional update (so a job runs once
   whatever the number of messages), which counts an attempt. While it works, a thread
   renews ``heartbeat_at`` every ``JOB_HEARTBEAT_SECONDS``: that is the worker's lease.
   Every write of the worker is conditioned on its attempt number, so a worker that lost
   its lease can no longer change the row.
3. **Done or failed**, with the reason a person can read.

A worker that dies (``kill -9``, a container stopped without enough grace, the machine
restarted) stops renewing its lease. After ``JOB_LEASE_SECONDS`` without a sign of life
the sweep (beat, every minute) puts the job back in the queue, or, after ``MAX_ATTEMPTS``
workers died on it, marks it failed and says so. A redelivered message may also take over
such a job directly.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from celery import current_app
from django.conf import settings
from django.core.files.base import ContentFile, File
from django.db import connection, models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import OrgUnit

from . import pending_uploads
from .models import BackgroundJob, Job, JobState

logger = logging.getLogger(__name__)

# Workers that may die on one job before it is given up.
MAX_ATTEMPTS = 3
# A job queued this long ago and still not taken is sent again (its message may be lost;
# a second message is harmless: only one worker can claim the row).
RESEND_AFTER = timedelta(minutes=15)
# Rows looked at per sweep and per kind.
SWEEP_BATCH = 200
# An uploaded file waiting for its import job (``params["upload"]``) is deleted after this
# (an import checked but never confirmed).
UPLOAD_KEPT = timedelta(days=1)

J = TypeVar("J", bound=Job)


def heartbeat_interval() -> float:
    return float(getattr(settings, "JOB_HEARTBEAT_SECONDS", 10))


def lease() -> timedelta:
    return timedelta(seconds=float(getattr(settings, "JOB_LEASE_SECONDS", 60)))


# --- the kinds of jobs ------------------------------------------------------------------


@dataclass(frozen=True)
class JobType:
    """How to send the task of one kind of job (``kind`` for ``BackgroundJob`` rows)."""

    model: type[Job]
    send: Callable[[int], Any]
    kind: str | None = None

    def rows(self) -> models.QuerySet[Any]:
        qs = self.model._default_manager.all()
        return qs.filter(kind=self.kind) if self.kind is not None else qs


_types: dict[tuple[str, str | None], JobType] = {}


def register(model: type[Job], send: Callable[[int], Any], *, kind: str | None = None) -> None:
    """Declare a kind of job and the function that hands its task to the broker (called
    from the app's ``ready``)."""
    _types[(model._meta.label, kind)] = JobType(model=model, send=send, kind=kind)


def job_type(job: Job) -> JobType:
    kind = getattr(job, "kind", None) if isinstance(job, BackgroundJob) else None
    try:
        return _types[(type(job)._meta.label, kind)]
    except KeyError:
        raise LookupError(f"no job type registered for {type(job).__name__} {kind}") from None


def registered() -> list[JobType]:
    return list(_types.values())


# --- sending ----------------------------------------------------------------------------


def send(job: Job, *, sender: Callable[[int], Any] | None = None) -> bool:
    """Hand the job's task to the broker; False (logged, row left waiting) when the
    broker refuses. Never raises: a broker outage must not turn a request into a 500."""
    model = type(job)
    try:
        (sender or job_type(job).send)(job.pk)
    except Exception:
        if current_app.conf.task_always_eager:
            # No broker: the task ran here and failed; it recorded why on its row.
            logger.exception("job %s #%s failed", model.__name__, job.pk)
        else:
            logger.warning("job %s #%s could not be queued; the sweep will send it", model, job.pk)
        return False
    model._default_manager.filter(pk=job.pk, state=JobState.QUEUED).update(queued_at=timezone.now())
    return True


def enqueue_on_commit(job: Job, *, sender: Callable[[int], Any] | None = None) -> None:
    """Send the job's task once the current transaction commits."""
    transaction.on_commit(lambda: send(job, sender=sender))


@transaction.atomic
def job_create(
    *,
    kind: str,
    unit: OrgUnit,
    requested_by: Any,
    params: dict[str, Any],
    enqueue: Callable[[int], Any] | None = None,
    reuse_running: bool = False,
) -> BackgroundJob:
    """Create a job and send its task once the transaction commits (``enqueue`` replaces
    the registered sender, e.g. to run nothing from a command).

    With ``reuse_running``, the same person asking again for the same thing while it is
    still queued or running (a second tap, a reload) gets the job already under way
    instead of a second one; concurrent requests are serialised on the pair (kind,
    person) so two taps a few milliseconds apart also start one job."""
    if reuse_running:
        key = f"job:{kind}:{getattr(requested_by, 'pk', None)}"
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [key])
        now = timezone.now()
        for running in BackgroundJob.objects.filter(
            kind=kind,
            unit=unit,
            requested_by=requested_by,
            params=params,
            state__in=[JobState.QUEUED, JobState.RUNNING],
        ).order_by("-pk")[:5]:
            if is_alive(running, now=now):
                return running
    job = BackgroundJob.objects.create(
        kind=kind, unit=unit, requested_by=requested_by, params=params
    )
    enqueue_on_commit(job, sender=enqueue)
    return job


# --- running ----------------------------------------------------------------------------


def _dead(now: datetime) -> Q:
    return Q(state=JobState.RUNNING) & (
        Q(heartbeat_at__isnull=True) | Q(heartbeat_at__lt=now - lease())
    )


def claim(queryset: models.QuerySet[J], pk: int, *, progress: int = 0) -> J | None:
    """Take a queued job, or one whose worker died, for this worker; None when another
    worker has it or it has ended. The returned row's ``attempts`` is this worker's
    token: the writes below are conditioned on it."""
    now = timezone.now()
    taken = queryset.model._default_manager.filter(
        Q(pk=pk) & (Q(state=JobState.QUEUED) | _dead(now))
    ).update(
        state=JobState.RUNNING,
        attempts=F("attempts") + 1,
        heartbeat_at=now,
        progress=progress,
        error="",
    )
    if not taken:
        return None
    return queryset.get(pk=pk)


def _mine(job: Job) -> models.QuerySet[Any]:
    return type(job)._default_manager.filter(
        pk=job.pk, attempts=job.attempts, state=JobState.RUNNING
    )


def is_alive(job: Job, *, now: datetime | None = None) -> bool:
    """Queued, or running with its worker's lease still valid."""
    if job.state == JobState.QUEUED:
        return True
    if job.state != JobState.RUNNING or job.heartbeat_at is None:
        return False
    return job.heartbeat_at >= (now or timezone.now()) - lease()


def progress(job: Job, percent: int) -> None:
    percent = max(0, min(99, int(percent)))
    _mine(job).filter(progress__lt=percent).update(progress=percent, heartbeat_at=timezone.now())


@contextmanager
def keep_alive(job: Job) -> Iterator[None]:
    """Renew the job's lease from a thread while the body runs (a PDF being laid out
    reports no progress for seconds; the lease must not depend on it)."""
    stop = threading.Event()
    interval = heartbeat_interval()

    def beat() -> None:
        try:
            while not stop.wait(interval):
                _mine(job).update(heartbeat_at=timezone.now())
        except Exception:
            logger.exception("heartbeat of job %s #%s stopped", type(job).__name__, job.pk)
        finally:
            connection.close()  # this thread's own connection

    thread = threading.Thread(target=beat, name=f"job-heartbeat-{job.pk}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def finish(job: Job, **fields: Any) -> bool:
    """Mark the job done (with ``fields``); False when this worker no longer holds it."""
    done = _mine(job).update(
        state=JobState.DONE, progress=100, error="", heartbeat_at=timezone.now(), **fields
    )
    if done:
        job.state, job.progress, job.error = JobState.DONE, 100, ""
        for name, value in fields.items():
            setattr(job, name, value)
    return bool(done)


def fail(
    model: type[Job], pk: int, *, error: str, attempt: int | None = None, **fields: Any
) -> None:
    """Mark a job failed with a reason people can read (only this attempt's, if given)."""
    rows = model._default_manager.filter(pk=pk).exclude(state=JobState.DONE)
    if attempt is not None:
        rows = rows.filter(attempts=attempt)
    rows.update(state=JobState.FAILED, error=error[:2000], **fields)


def requeue(job: Job) -> None:
    """Give a running job back to the queue (before its task is retried)."""
    _mine(job).update(state=JobState.QUEUED, queued_at=timezone.now())


# --- background jobs with a file (exports, imports) -------------------------------------


def job_claim(*, job_id: int) -> BackgroundJob | None:
    return claim(BackgroundJob.objects.select_related("unit", "requested_by"), job_id)


def job_progress(*, job: BackgroundJob, done: int, total: int) -> None:
    progress(job, int(done * 100 / total) if total else 0)


def job_finish(
    *, job: BackgroundJob, content: bytes | File[Any] | None, file_name: str = "", **fields: Any
) -> bool:
    """Store the job's file (if any) and mark it done; a worker that lost the job to
    another leaves nothing behind."""
    if content is not None:
        payload = content if isinstance(content, File) else ContentFile(content)
        job.file.save(file_name, payload, save=False)
        fields.update(file=job.file.name, file_name=file_name)
    done = finish(job, finished_at=timezone.now(), **fields)
    if not done and content is not None:
        job.file.delete(save=False)
    return done


def job_fail(*, job: BackgroundJob, error: str) -> None:
    fail(BackgroundJob, job.pk, error=error, attempt=job.attempts, finished_at=timezone.now())


def job_requeue(*, job: BackgroundJob) -> None:
    requeue(job)


# --- the sweep --------------------------------------------------------------------------


@dataclass
class SweepResult:
    resent: int = 0
    rerun: int = 0
    failed: int = 0
    forgotten: int = 0


def gave_up_message() -> str:
    return _(
        "The worker running this job stopped %(n)d times (restarted or out of memory); "
        "it was given up. Ask for it again; if it fails again, tell the administrator."
    ) % {"n": MAX_ATTEMPTS}


def sweep(*, now: datetime | None = None) -> SweepResult:
    """Re-run the jobs whose worker died, and send the ones the broker never took."""
    now = now or timezone.now()
    result = SweepResult()
    for kind in registered():
        for job in kind.rows().filter(_dead(now)).order_by("pk")[:SWEEP_BATCH]:
            lost = kind.model._default_manager.filter(
                Q(pk=job.pk, attempts=job.attempts) & _dead(now)
            )
            if job.attempts >= MAX_ATTEMPTS:
                extra = {"finished_at": now} if isinstance(job, BackgroundJob) else {}
                if lost.update(state=JobState.FAILED, error=gave_up_message(), **extra):
                    result.failed += 1
                    logger.warning("job %s #%s given up: its worker died", kind.model, job.pk)
            elif lost.update(state=JobState.QUEUED, queued_at=None, progress=0):
                logger.warning("job %s #%s re-run: its worker died", kind.model, job.pk)
                job.state = JobState.QUEUED
                result.rerun += 1
                send(job, sender=kind.send)
        waiting = kind.rows().filter(
            Q(state=JobState.QUEUED)
            & (Q(queued_at__isnull=True) | Q(queued_at__lt=now - RESEND_AFTER))
        )
        for job in waiting.order_by("pk")[:SWEEP_BATCH]:
            if send(job, sender=kind.send):
                result.resent += 1
    result.forgotten = forget_stale_uploads(now=now)
    result.forgotten += pending_uploads.delete_expired(now=now)
    return result


def forget_stale_uploads(*, now: datetime) -> int:
    """Delete the uploads of finished imports left unconfirmed for ``UPLOAD_KEPT``, and the
    files meant to be downloaded once (initial passwords) that never were."""
    from .workbooks import forget_upload

    unclaimed = BackgroundJob.objects.filter(
        created_at__lt=now - UPLOAD_KEPT, params__download_once=True
    ).exclude(file="")
    for job in unclaimed.order_by("pk")[:SWEEP_BATCH]:
        job.file.delete(save=False)
        BackgroundJob.objects.filter(pk=job.pk).update(file="")

    stale = (
        BackgroundJob.objects.filter(
            created_at__lt=now - UPLOAD_KEPT,
            state__in=(JobState.DONE, JobState.FAILED),
            params__upload__startswith="imports/",
        )
        .only("pk", "params")
        .order_by("pk")[:SWEEP_BATCH]
    )
    count = 0
    for job in stale:
        forget_upload(str(job.params["upload"]))
        BackgroundJob.objects.filter(pk=job.pk).update(params={**job.params, "upload": ""})
        count += 1
    return count
