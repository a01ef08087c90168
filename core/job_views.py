from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header

from accounts.permissions import can
from accounts.roles import Action
from accounts.scoping import get_object_for_user

from .audit import audit_log
from .models import AuditEvent, BackgroundJob, JobState

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _job_for(request: HttpRequest, pk: int) -> BackgroundJob:
    job = get_object_for_user(BackgroundJob.objects.select_related("unit"), request.user, pk)
    # A job's file holds the requester's scope: only he, or someone who may export the
    # whole unit, may fetch it; a private job's (an import's passwords) only he.
    mine = job.requested_by_id == request.user.pk
    if not mine and (job.params.get("private") or not can(request.user, Action.EXPORT, job.unit)):
        raise Http404
    return job


@login_required
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job_for(request, pk)
    return render(request, "core/job_detail.html", {"job": job})


@login_required
def job_status(request: HttpRequest, pk: int) -> JsonResponse:
    job = _job_for(request, pk)
    return JsonResponse(
        {
            "state": job.state,
            "progress": job.progress,
            "done": job.is_finished,
            "waiting_for_queue": job.waiting_for_queue,
            "error": job.error if job.state == JobState.FAILED else "",
        }
    )


@login_required
def job_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    job = _job_for(request, pk)
    if job.state != JobState.DONE or not job.file or job.expires_at < timezone.now():
        raise Http404
    audit_log(
        kind=AuditEvent.Kind.DOWNLOAD,
        request=request,
        unit=job.unit,
        job=job.kind,
        file=job.file_name,
    )
    if job.params.get("download_once"):
        return _download_once(job)
    response = FileResponse(job.file.open("rb"), as_attachment=True, filename=job.file_name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _download_once(job: BackgroundJob) -> HttpResponse:
    """Send a small file that must not stay on the server (initial passwords), and delete
    it: a second download finds nothing."""
    with transaction.atomic():
        locked = BackgroundJob.objects.select_for_update().get(pk=job.pk)
        if not locked.file:
            raise Http404
        with locked.file.open("rb") as handle:
            content = handle.read()
        name = str(locked.file.name)
        locked.file.name = ""
        locked.params = {**locked.params, "downloaded": True}
        locked.save(update_fields=["file", "params"])
        transaction.on_commit(lambda: default_storage.delete(name))
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, job.file_name) or ""
    response["X-Content-Type-Options"] = "nosniff"
    return response
