"""The organisation import from the office's page, run as a background job (core/jobs.py).

The request stores the workbook; the job checks it (the limits every import shares,
``core.workbooks``), reads it row by row and, when every row is good and it is not a
check only, writes it in one transaction (``services.org_import``). The initial passwords
of new users go into a workbook kept as the job's file: only the office that imported may
download it, once, and it is deleted as it is downloaded (or with the job).
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_log
from core.jobs import job_create, job_fail, job_finish
from core.models import AuditEvent, BackgroundJob
from core.workbooks import WorkbookRefused, forget_upload, store_upload

from . import services
from .permissions import top_unit
from .roles import Action
from .selectors import manageable_units

ORG_IMPORT_JOB_KIND = "org_import"
KEPT_ERRORS = 2000


def start_org_import(*, upload: Any, user: Any, dry_run: bool) -> BackgroundJob:
    """Store the workbook and queue the job that reads it (under the office's top unit)."""
    unit = top_unit(user, Action.MANAGE)
    assert unit is not None  # the view lets only offices in
    name = (upload.name or "org.xlsx")[:200]
    return job_create(
        kind=ORG_IMPORT_JOB_KIND,
        unit=unit,
        requested_by=user,
        params={
            "upload": store_upload(upload),
            "file_name": name,
            "dry_run": dry_run,
            "title": _("Import of units and users from %(file)s") % {"file": name},
            # the file of this job holds passwords: its requester only, downloaded once
            "private": True,
            "download_once": True,
        },
    )


def run_org_import(job: BackgroundJob) -> None:
    """The job's work, once claimed; what the office may do is checked again now."""
    user = job.requested_by
    path = str(job.params.get("upload") or "")
    if user is None or not user.is_active or not manageable_units(user).exists():
        forget_upload(path)
        job_fail(job=job, error=_("You may no longer import units and users."))
        return
    name = str(job.params.get("file_name") or "org.xlsx")
    dry_run = bool(job.params.get("dry_run"))
    try:
        with default_storage.open(path, "rb") as handle:
            result = services.org_import(
                fileobj=handle.file, name=name, size=handle.size, actor=user, dry_run=dry_run
            )
    except FileNotFoundError:
        job_fail(job=job, error=_("The uploaded file is no longer kept; upload it again."))
        return
    except WorkbookRefused as exc:
        forget_upload(path)
        job_fail(job=job, error=str(exc))
        return
    forget_upload(path)
    summary = {
        "ok": result.ok,
        "dry_run": result.dry_run,
        "units_created": result.units_created,
        "units_updated": result.units_updated,
        "users_created": result.users_created,
        "users_updated": result.users_updated,
        "members_added": result.members_added,
        "error_count": len(result.errors),
        "errors": [str(error) for error in result.errors[:KEPT_ERRORS]],
    }
    if result.ok and not result.dry_run:
        audit_log(
            kind=AuditEvent.Kind.IMPORT,
            actor=user,
            unit=job.unit,
            what="import_org",
            file=name,
            units_created=result.units_created,
            users_created=result.users_created,
        )
    if result.ok and not result.dry_run and result.new_users:
        sheet = BytesIO()
        services.write_password_sheet(new_users=result.new_users, target=sheet)
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        job_finish(
            job=job,
            content=sheet.getvalue(),
            file_name=f"org-passwords-{stamp}.xlsx",
            result=summary,
        )
    else:
        job_finish(job=job, content=None, result=summary)
