"""The ledger in Excel: export the problem list's rows, import a unit's ledger.

Small exports download at once; larger ones run as a background job whose page shows the
progress and the download link. An import is previewed (what would be written, every bad
row) and written, all or nothing, only when confirmed.
"""

from __future__ import annotations

import tempfile
import uuid
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import OrgUnit
from accounts.roles import PERMISSIONS, Action
from accounts.scoping import grants_of, scope_q
from campaign.models import Campaign
from core.audit import audit_log
from core.jobs import job_create
from core.models import AuditEvent

from . import selectors
from .ledger_export import LedgerExporter, ledger_title
from .ledger_import import (
    LedgerFileError,
    LedgerPreview,
    check_xlsx,
    ledger_import,
    ledger_preview,
    read_upload,
)
from .models import Problem
from .tasks import EXPORT_JOB_KIND

SMALL_EXPORT = 2000
PREVIEW_PROBLEMS = 100
SESSION_KEY = "ledger_import"
PENDING_DIR = "ledger-imports"


def _campaign(request: HttpRequest) -> Campaign | None:
    campaign = getattr(request, "campaign", None)
    return campaign if campaign else None


def _require_some_role(user: Any) -> None:
    """Someone with no role anywhere sees nothing: the page does not exist for him."""
    if not user.is_superuser and not grants_of(user):
        raise Http404


def _restrict(qs: QuerySet[Problem], user: Any, action: Action) -> QuerySet[Problem]:
    q = scope_q(user, "unit", action)
    return qs if q is None else qs.filter(q)


def _top_unit(user: Any, action: Action) -> OrgUnit | None:
    """The highest unit the user may act on (the unit a job of his is filed under)."""
    if user.is_superuser:
        return OrgUnit.get_root_nodes().first()
    grants = sorted(
        (g for g in grants_of(user) if g.role in PERMISSIONS[action]), key=lambda g: len(g.path)
    )
    return OrgUnit.objects.filter(pk=grants[0].unit_id).first() if grants else None


def export_filters(params: Any) -> dict[str, list[str]]:
    """The list page's filters as plain JSON (a job re-applies them in the worker)."""
    return {key: params.getlist(key) for key in params if key != "page"}


def export_problems(*, user: Any, campaign: Campaign, filters: Any) -> QuerySet[Problem]:
    """Exactly the problem list's rows, kept to the units the user may export."""
    qs = selectors.problem_queryset(user=user, campaign=campaign, params=filters)
    return _restrict(qs, user, Action.EXPORT)


def export_title(
    *, user: Any, campaign: Campaign, filters: dict[str, list[str]], fallback: OrgUnit
) -> str:
    unit_id = str((filters.get("unit") or [""])[-1])
    unit = (
        OrgUnit.objects.visible_to(user).filter(pk=unit_id).first() if unit_id.isdigit() else None
    )
    return ledger_title(campaign=campaign, unit=unit or fallback)


def export_file_name(*, campaign: Campaign) -> str:
    return f"整改台账-{campaign.pk}-{timezone.localdate():%Y%m%d}.xlsx"


@login_required
def ledger_export(request: HttpRequest) -> HttpResponseBase:
    user: Any = request.user
    _require_some_role(user)
    campaign = _campaign(request)
    if campaign is None:
        return render(request, "rectification/no_campaign.html")
    home = _top_unit(user, Action.EXPORT)
    if home is None:
        raise PermissionDenied
    filters = export_filters(request.GET)
    problems = export_problems(user=user, campaign=campaign, filters=filters)
    title = export_title(user=user, campaign=campaign, filters=filters, fallback=home)
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
            params={"campaign": campaign.pk, "filters": filters, "title": title},
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
    LedgerExporter(problems=problems, title=title).write(target)
    target.seek(0)
    response = FileResponse(
        target, as_attachment=True, filename=export_file_name(campaign=campaign)
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- import ------------------------------------------------------------------------------


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name}（{obj.code}）"


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

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        if not (upload.name or "").lower().endswith(".xlsx"):
            raise forms.ValidationError(
                _("This is not an Excel workbook (.xlsx). Save the ledger as .xlsx and try again.")
            )
        try:
            data = read_upload(upload)
            check_xlsx(data)
        except LedgerFileError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return data


def _import_units(user: Any, campaign: Campaign) -> QuerySet[OrgUnit]:
    return (
        OrgUnit.objects.visible_to(user, Action.EDIT_PROBLEMS)
        .filter(path__startswith=campaign.root_unit.path, is_active=True)
        .order_by("path")
    )


def _forget_pending(request: HttpRequest) -> None:
    pending = request.session.pop(SESSION_KEY, None)
    if pending and pending.get("path", "").startswith(f"{PENDING_DIR}/"):
        default_storage.delete(pending["path"])


def _render_preview(
    request: HttpRequest,
    *,
    preview: LedgerPreview,
    unit: OrgUnit,
    file_name: str,
    token: str | None,
) -> HttpResponse:
    return render(
        request,
        "rectification/ledger_import_preview.html",
        {
            "preview": preview,
            "unit": unit,
            "file_name": file_name,
            "token": token,
            "shown": preview.problems[:PREVIEW_PROBLEMS],
            "more": max(0, len(preview.problems) - PREVIEW_PROBLEMS),
        },
    )


@login_required
def ledger_import_view(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    _require_some_role(user)
    campaign = _campaign(request)
    if campaign is None:
        return render(request, "rectification/no_campaign.html")
    units = _import_units(user, campaign)
    if not units.exists():
        raise PermissionDenied
    if request.method == "POST" and "token" in request.POST:
        return _confirm(request, campaign=campaign, units=units)
    form = LedgerUploadForm(request.POST or None, request.FILES or None, units=units)
    if request.method == "POST" and form.is_valid():
        unit = form.cleaned_data["unit"]
        data: bytes = form.cleaned_data["file"]
        file_name = getattr(request.FILES.get("file"), "name", "") or "ledger.xlsx"
        try:
            preview = ledger_preview(upload=data, campaign=campaign, unit=unit, user=user)
        except LedgerFileError as exc:
            form.add_error("file", str(exc))
        else:
            _forget_pending(request)
            token = None
            if preview.ok:
                token = uuid.uuid4().hex
                path = default_storage.save(f"{PENDING_DIR}/{token}.xlsx", ContentFile(data))
                request.session[SESSION_KEY] = {
                    "token": token,
                    "path": path,
                    "unit": unit.pk,
                    "campaign": campaign.pk,
                    "file_name": file_name[:200],
                }
            return _render_preview(
                request, preview=preview, unit=unit, file_name=file_name, token=token
            )
    return render(
        request,
        "rectification/ledger_import.html",
        {"form": form, "max_mb": settings.IMPORT_MAX_BYTES // (1024 * 1024)},
    )


def _confirm(request: HttpRequest, *, campaign: Campaign, units: QuerySet[OrgUnit]) -> HttpResponse:
    pending = request.session.get(SESSION_KEY) or {}
    if (
        not pending
        or pending.get("token") != request.POST.get("token")
        or pending.get("campaign") != campaign.pk
    ):
        messages.error(request, _("This import has expired; upload the file again."))
        return redirect("rectification:ledger-import")
    unit = units.filter(pk=pending["unit"]).first()
    if unit is None:
        raise PermissionDenied
    try:
        with default_storage.open(pending["path"], "rb") as handle:
            data = handle.read()
    except OSError:
        request.session.pop(SESSION_KEY, None)
        messages.error(request, _("This import has expired; upload the file again."))
        return redirect("rectification:ledger-import")
    try:
        preview = ledger_import(
            upload=data,
            campaign=campaign,
            unit=unit,
            user=request.user,
            file_name=pending["file_name"],
        )
    except LedgerFileError as exc:
        _forget_pending(request)
        messages.error(request, str(exc))
        return redirect("rectification:ledger-import")
    if not preview.written:
        _forget_pending(request)
        return _render_preview(
            request, preview=preview, unit=unit, file_name=pending["file_name"], token=None
        )
    _forget_pending(request)
    audit_log(
        kind=AuditEvent.Kind.IMPORT,
        request=request,
        unit=unit,
        what="rectification_ledger",
        file_name=pending["file_name"],
        problems=len(preview.problems),
        measures=preview.measure_count,
    )
    messages.success(
        request,
        _("Imported %(problems)d problems with %(measures)d measures into %(unit)s.")
        % {"problems": len(preview.problems), "measures": preview.measure_count, "unit": unit.name},
    )
    return redirect(f"{reverse('rectification:problem-list')}?unit={unit.pk}")
