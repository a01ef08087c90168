"""The ledger in Excel: export the problem list's rows, import a unit's ledger.

Small exports download at once; larger ones run as a background job whose page shows the
progress and the download link. An import runs as background jobs (``ledger_jobs``): the
upload is stored, checked and previewed (what would be written, every bad row) by a job,
and written, all or nothing, by another once confirmed.
"""

from __future__ import annotations

import tempfile
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import permissions
from accounts.models import OrgUnit
from accounts.roles import Action
from core.audit import audit_log
from core.jobs import job_create
from core.models import AuditEvent, BackgroundJob
from core.pages import UnitChoiceField, current_campaign

from . import ledger_jobs
from .ledger_export import LedgerExporter, export_file_name, export_filters, export_title
from .ledger_import import LedgerFileError, check_xlsx, upload_source
from .ledger_province import export_unit, province_file_name, splits_ledger, write_split_ledger
from .selectors import export_problems
from .tasks import EXPORT_JOB_KIND

SMALL_EXPORT = 2000


def _require_some_role(user: Any) -> None:
    """Someone with no role anywhere sees nothing: the page does not exist for him."""
    if not permissions.has_any_role(user):
        raise Http404


@login_required
def ledger_export(request: HttpRequest) -> HttpResponseBase:
    user: Any = request.user
    _require_some_role(user)
    campaign = current_campaign(request)
    if campaign is None:
        return render(request, "rectification/no_campaign.html")
    home = permissions.top_unit(user, Action.EXPORT)
    if home is None:
        raise PermissionDenied
    filters = export_filters(request.GET)
    problems = export_problems(user=user, campaign=campaign, filters=filters)
    title = export_title(user=user, campaign=campaign, filters=filters, fallback=home)
    # a province's ledger: one workbook per city, in a zip
    split: OrgUnit | None = export_unit(user=user, filters=filters, fallback=home)
    if not splits_ledger(split):
        split = None
    count = problems.count()
    audit_log(
        kind=AuditEvent.Kind.EXPORT,
        request=request,
        unit=home,
        what="rectification_ledger",
        title=title,
        rows=count,
    )
    if count > SMALL_EXPORT:
        job = job_create(
            kind=EXPORT_JOB_KIND,
            unit=home,
            requested_by=user,
            params={
                "campaign": campaign.pk,
                "filters": filters,
                "title": title,
                "split_unit": split.pk if split else None,
            },
            reuse_running=True,
        )
        job.refresh_from_db()
        if job.waiting_for_queue:
            messages.warning(
                request,
                _(
                    "%(count)d problems: the ledger will be prepared in the background, which "
                    "will start shortly; it will be ready here."
                )
                % {"count": count},
            )
        else:
            messages.info(
                request,
                _("%(count)d problems: the ledger is being prepared; it will be ready here.")
                % {"count": count},
            )
        return redirect("core:job-detail", pk=job.pk)
    target = tempfile.TemporaryFile()
    if split is not None:
        write_split_ledger(problems=problems, campaign=campaign, unit=split, target=target)
        file_name = province_file_name(campaign=campaign)
    else:
        LedgerExporter(problems=problems, title=title).write(target)
        file_name = export_file_name(campaign=campaign)
    target.seek(0)
    response = FileResponse(target, as_attachment=True, filename=file_name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- import ------------------------------------------------------------------------------


class LedgerUploadForm(forms.Form):
    unit = UnitChoiceField(
        label=gettext_lazy("Unit the problems belong to"),
        queryset=OrgUnit.objects.none(),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    file = forms.FileField(
        label=gettext_lazy("Ledger file (.xlsx)"),
        help_text=gettext_lazy(
            "A title or notes above the header are fine; columns may be in any order."
        ),
        widget=forms.ClearableFileInput(
            attrs={
                "class": "form-control",
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            }
        ),
    )

    def __init__(self, *args: Any, units: QuerySet[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = units
        if units.count() == 1:
            self.initial.setdefault("unit", units.first())

    def clean_file(self) -> Any:
        """The checks that need no parsing (type, size, what it unpacks to); the rows are
        read by the background job."""
        upload = self.cleaned_data["file"]
        if not (upload.name or "").lower().endswith(".xlsx"):
            raise forms.ValidationError(
                _("This is not an Excel workbook (.xlsx). Save the ledger as .xlsx and try again.")
            )
        try:
            check_xlsx(upload_source(upload))
        except LedgerFileError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return upload


@login_required
def ledger_import_view(request: HttpRequest) -> HttpResponse:
    """Upload a ledger: the file is stored and a job checks it (the page follows it)."""
    user: Any = request.user
    _require_some_role(user)
    campaign = current_campaign(request)
    if campaign is None:
        return render(request, "rectification/no_campaign.html")
    units = ledger_jobs.import_units(user, campaign)
    if not units.exists():
        raise PermissionDenied
    form = LedgerUploadForm(request.POST or None, request.FILES or None, units=units)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        job = ledger_jobs.start_import(
            campaign=campaign,
            unit=form.cleaned_data["unit"],
            user=user,
            upload=upload,
            file_name=upload.name or "ledger.xlsx",
        )
        return redirect("rectification:ledger-import-job", pk=job.pk)
    return render(
        request,
        "rectification/ledger_import.html",
        {"form": form, "max_mb": settings.IMPORT_MAX_BYTES // (1024 * 1024)},
    )


def _import_job_for(request: HttpRequest, pk: int) -> BackgroundJob:
    """An import job of the person asking (nobody else sees what he uploaded), else 404;
    403 first for a role that imports nowhere."""
    _require_some_role(request.user)
    campaign = current_campaign(request)
    if campaign is None or not ledger_jobs.import_units(request.user, campaign).exists():
        raise PermissionDenied
    job = (
        BackgroundJob.objects.visible_to(request.user)
        .select_related("unit")
        .filter(pk=pk, kind=ledger_jobs.IMPORT_JOB_KIND, requested_by=request.user.pk)
        .first()
    )
    if job is None:
        raise Http404
    return job


@login_required
def ledger_import_job(request: HttpRequest, pk: int) -> HttpResponse:
    """An import's page: its progress, then every bad row or what would be written (with
    the button that writes it), then what was written."""
    job = _import_job_for(request, pk)
    if request.method == "POST":
        campaign = current_campaign(request)
        if campaign is None or campaign.pk != job.params.get("campaign"):
            raise Http404
        if not ledger_jobs.import_units(request.user, campaign).filter(pk=job.unit_id).exists():
            raise PermissionDenied
        try:
            writing = ledger_jobs.confirm_import(
                preview_job=job, campaign=campaign, user=request.user
            )
        except LedgerFileError as exc:
            messages.error(request, str(exc))
            return redirect("rectification:ledger-import")
        return redirect("rectification:ledger-import-job", pk=writing.pk)
    result = job.result or {}
    if result.get("written"):
        messages.success(
            request,
            _("Imported %(problems)d problems with %(measures)d measures into %(unit)s.")
            % {
                "problems": result["problem_count"],
                "measures": result["measure_count"],
                "unit": job.unit.name,
            },
        )
        return redirect(f"{reverse('rectification:problem-list')}?unit={job.unit_id}")
    shown = result.get("problems", [])
    return render(
        request,
        "rectification/ledger_import_preview.html",
        {
            "job": job,
            "preview": result,
            "unit": job.unit,
            "file_name": job.params.get("file_name", ""),
            "may_confirm": bool(result.get("ok")) and bool(job.params.get("upload")),
            "shown": shown,
            "more": max(0, result.get("problem_count", 0) - len(shown)),
        },
    )
