"""The ledger import from a page, run as background jobs (core/jobs.py).

The request only stores the uploaded file (``core.workbooks.store_upload``). A first job
checks it and reads it (``ledger_import.ledger_preview``, streamed), and keeps what the
page shows: every bad row, or what would be written. When the person confirms, a second
job reads the same file again and writes it, all or nothing (``ledger_import``). The file
is deleted once it is written or found bad, and with its job otherwise.

Only the way the import is started and its result kept live here: the rules of the rows
are ``ledger_import``'s.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import OrgUnit
from accounts.roles import Action
from campaign.models import Campaign
from core.audit import audit_log
from core.jobs import job_create, job_fail, job_finish, job_progress
from core.models import AuditEvent, BackgroundJob
from core.workbooks import forget_upload, store_upload

from .ledger_import import LedgerFileError, LedgerPreview, ledger_import

IMPORT_JOB_KIND = "ledger_import"
PREVIEW_PROBLEMS = 100  # problems shown on the page
KEPT_ERRORS = 2000  # bad rows kept for the page (all are counted)


def import_units(user: Any, campaign: Campaign) -> Any:
    """The units the user may import a ledger into, in the campaign."""
    return (
        OrgUnit.objects.visible_to(user, Action.EDIT_PROBLEMS)
        .filter(path__startswith=campaign.root_unit.path, is_active=True)
        .order_by("path")
    )


def start_import(
    *,
    campaign: Campaign,
    unit: OrgUnit,
    user: Any,
    file_name: str,
    upload: Any = None,
    stored: str = "",
    write: bool = False,
) -> BackgroundJob:
    """Store the upload (or reuse the stored file) and queue the job that reads it."""
    return job_create(
        kind=IMPORT_JOB_KIND,
        unit=unit,
        requested_by=user,
        params={
            "upload": stored or store_upload(upload),
            "file_name": file_name[:200],
            "campaign": campaign.pk,
            "write": write,
            "title": _("Import of the ledger %(file)s") % {"file": file_name[:200]},
        },
    )


@transaction.atomic
def confirm_import(*, preview_job: BackgroundJob, campaign: Campaign, user: Any) -> BackgroundJob:
    """Queue the writing of a checked ledger; the stored file passes to the new job, so a
    confirmation cannot be replayed."""
    locked = BackgroundJob.objects.select_for_update().get(pk=preview_job.pk)
    stored = str(locked.params.get("upload") or "")
    if not stored or not locked.result.get("ok") or locked.params.get("write"):
        raise LedgerFileError(_("This import has expired; upload the file again."))
    locked.params = {**locked.params, "upload": ""}
    locked.save(update_fields=["params"])
    return start_import(
        campaign=campaign,
        unit=locked.unit,
        user=user,
        file_name=str(locked.params.get("file_name") or ""),
        stored=stored,
        write=True,
    )


def summary(preview: LedgerPreview) -> dict[str, Any]:
    """What the page shows of a preview, as JSON."""

    def day(value: date | None) -> str:
        return f"{value:%Y-%m-%d}" if value else ""

    return {
        "ok": preview.ok,
        "written": preview.written,
        "error_count": len(preview.errors),
        "errors": [
            {"row": e.row, "column": e.column, "reason": e.reason}
            for e in preview.errors[:KEPT_ERRORS]
        ],
        "notes": [{"row": n.row, "column": n.column, "reason": n.reason} for n in preview.notes],
        "problem_count": len(preview.problems),
        "measure_count": preview.measure_count,
        "linked_count": preview.linked_count,
        "new_count": sum(p.outcome == "new" for p in preview.problems),
        "updated_count": sum(p.outcome == "updated" for p in preview.problems),
        "unchanged_count": sum(p.outcome == "unchanged" for p in preview.problems),
        "problems": [
            {
                "row": p.row,
                "code": p.code,
                "outcome": p.outcome,
                "outcome_label": str(p.outcome_label),
                "changes": [str(c) for c in p.changes],
                "category": p.category,
                "source_label": p.source_label,
                "description": p.description[:200],
                "leader_name": p.leader_name,
                "leader_linked": p.leader_id is not None,
                "unit_name": p.unit_name,
                "unit_linked": p.unit_id is not None,
                "person_name": p.person_name,
                "person_linked": p.person_id is not None,
                "type_label": p.type_label,
                "deadline": day(p.deadline),
                "state_label": p.state_label,
                "measures": [
                    {
                        "description": m.description[:120],
                        "deadline": day(m.deadline),
                        "notes": len(m.notes),
                    }
                    for m in p.measures
                ],
            }
            for p in preview.problems[:PREVIEW_PROBLEMS]
        ],
    }


def run_import(job: BackgroundJob) -> None:
    """The job's work, once claimed: read (and, if confirmed, write) the stored ledger.

    What the requester may do is checked again here: now, not when he uploaded.
    """
    params = job.params
    user = job.requested_by
    campaign = (
        Campaign.objects.visible_to(user).filter(pk=params.get("campaign")).first()
        if user is not None and user.is_active
        else None
    )
    path = str(params.get("upload") or "")
    if campaign is None or not import_units(user, campaign).filter(pk=job.unit_id).exists():
        forget_upload(path)
        job_fail(job=job, error=_("You may no longer import problems into this unit."))
        return
    write = bool(params.get("write"))
    try:
        with default_storage.open(path, "rb") as handle:
            preview = ledger_import(
                upload=handle.file,
                campaign=campaign,
                unit=job.unit,
                user=user,
                dry_run=not write,
                file_name=str(params.get("file_name") or ""),
                progress=lambda done, total: job_progress(job=job, done=done, total=total),
            )
    except FileNotFoundError:
        job_fail(job=job, error=_("The uploaded file is no longer kept; upload it again."))
        return
    except LedgerFileError as exc:
        forget_upload(path)
        job_fail(job=job, error=str(exc))
        return
    if preview.written:
        audit_log(
            kind=AuditEvent.Kind.IMPORT,
            actor=user,
            unit=job.unit,
            what="rectification_ledger",
            file_name=params.get("file_name", ""),
            problems=len(preview.problems),
            measures=preview.measure_count,
        )
    if preview.written or not preview.ok:
        forget_upload(path)  # nothing left to confirm
    job_finish(job=job, content=None, result=summary(preview))
