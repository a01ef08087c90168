"""Pages of the weekly reports: the list with the request form, a report's progress, the file."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts import permissions
from accounts.models import OrgUnit, User
from accounts.permissions import can
from accounts.roles import Action
from accounts.scoping import get_object_for_user
from core.audit import audit_log
from core.history import history_for
from core.models import AuditEvent, JobState
from core.pages import apply_errors, current_campaign, paginate

from . import services
from .forms import BulletinFinalForm, BulletinForm, ReportRequestForm
from .models import Bulletin, WeeklyReport
from .periods import Week
from .selectors import reports_for, units_for_request


def _report_for(request: HttpRequest, pk: int) -> WeeklyReport:
    """A report the user may download (office, leader, secretary, viewer in scope), else 404."""
    qs = WeeklyReport.objects.visible_to(request.user, Action.EXPORT).select_related(
        "campaign", "unit", "generated_by", "requested_by"
    )
    return get_object_for_user(qs, request.user, pk)


def _list_context(request: HttpRequest, form: ReportRequestForm | None) -> dict[str, object]:
    campaign = request.campaign  # type: ignore[attr-defined]
    page = paginate(request, reports_for(request.user, campaign))
    units = units_for_request(request.user)
    if form is None and campaign is not None:
        form = ReportRequestForm(units=units, today_week=Week.current())
    return {"page_obj": page, "reports": page.object_list, "form": form, "campaign": campaign}


@login_required
@require_GET
def report_list(request: HttpRequest) -> HttpResponse:
    return render(request, "reports/list.html", _list_context(request, None))


@login_required
@require_POST
def report_request(request: HttpRequest) -> HttpResponse:
    campaign = request.campaign  # type: ignore[attr-defined]
    if campaign is None:
        raise Http404
    user = request.user
    assert isinstance(user, User)  # login_required
    units = units_for_request(request.user)
    posted = request.POST.get("unit", "")
    if posted.isdigit() and not units.filter(pk=posted).exists():
        # A unit outside the scope looks like one that does not exist; one in sight that
        # the role may not export is a read-only write.
        unit = OrgUnit.objects.get_queryset().visible_to(user).filter(pk=posted).first()
        if unit is None:
            raise Http404
        raise PermissionDenied
    form = ReportRequestForm(request.POST, units=units, today_week=Week.current())
    if not form.is_valid():
        return render(request, "reports/list.html", _list_context(request, form), status=400)
    unit = form.cleaned_data["unit"]
    if not can(request.user, Action.EXPORT, unit):
        raise PermissionDenied
    report = services.report_request(
        campaign=campaign, unit=unit, week=form.chosen_week, requested_by=user
    )
    return redirect("reports:detail", pk=report.pk)


@login_required
@require_GET
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report_for(request, pk)
    return render(request, "reports/detail.html", {"report": report})


@login_required
@require_GET
def report_status(request: HttpRequest, pk: int) -> JsonResponse:
    report = _report_for(request, pk)
    return JsonResponse(
        {
            "state": report.state,
            "progress": report.progress,
            "done": report.is_finished,
            "waiting_for_queue": report.waiting_for_queue,
            "error": report.error if report.state == JobState.FAILED else "",
        }
    )


@login_required
@require_GET
def report_download(request: HttpRequest, pk: int) -> FileResponse:
    report = _report_for(request, pk)
    if not report.is_ready:
        raise Http404
    audit_log(
        kind=AuditEvent.Kind.DOWNLOAD,
        request=request,
        unit=report.unit,
        what="weekly_report",
        week=report.week,
    )
    response = FileResponse(
        report.file.open("rb"),
        as_attachment=True,
        filename=report.file_name,
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# ---------------------------------------------------------------- work bulletins


def _bulletin_units(request: HttpRequest) -> QuerySet[OrgUnit]:
    return permissions.units_for(request.user, Action.DEPLOY).order_by("path")


@login_required
def bulletin_list(request: HttpRequest) -> HttpResponse:
    """The office's numbered bulletins, newest first, and the form to draft the next."""
    campaign = current_campaign(request)
    units = _bulletin_units(request)
    if not units.exists() and not permissions.acts_anywhere(request.user, Action.OVERSEE):
        raise PermissionDenied
    today = timezone.localdate()
    form = BulletinForm(
        request.POST or None,
        units=units,
        initial={
            "unit": units.first(),
            "period_start": today - timedelta(days=today.weekday()),
            "period_end": today,
        },
    )
    if request.method == "POST":
        if not units.exists():
            raise PermissionDenied
        if campaign is None:
            raise Http404
        if form.is_valid():
            data = form.cleaned_data
            try:
                bulletin = services.bulletin_draft(
                    actor=request.user,
                    campaign=campaign,
                    unit=data["unit"],
                    period_start=data["period_start"],
                    period_end=data["period_end"],
                    next_steps=data["next_steps"],
                    today=today,
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Bulletin No. %(number)s was drafted: download, edit, upload the final.")
                    % {"number": bulletin.number},
                )
                return redirect("reports:bulletin-detail", pk=bulletin.pk)
    bulletins = (
        Bulletin.objects.visible_to(request.user).filter(campaign=campaign).select_related("unit")
        if campaign is not None
        else Bulletin.objects.none()
    )
    return render(
        request,
        "reports/bulletin_list.html",
        {
            "form": form if units.exists() else None,
            "page_obj": paginate(request, bulletins.order_by("unit__path", "-number")),
        },
        status=400 if request.method == "POST" else 200,
    )


def _bulletin(request: HttpRequest, pk: int, action: Action = Action.VIEW) -> Bulletin:
    return get_object_for_user(  # type: ignore[no-any-return]
        Bulletin.objects.select_related("unit", "created_by", "final_uploaded_by"),
        request.user,
        pk,
        action=action,
    )


@login_required
def bulletin_detail(request: HttpRequest, pk: int) -> HttpResponse:
    bulletin = _bulletin(request, pk)
    form = BulletinFinalForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        bulletin = _bulletin(request, pk, Action.DEPLOY)
        if form.is_valid():
            try:
                services.bulletin_upload_final(
                    actor=request.user, bulletin=bulletin, upload=form.cleaned_data["final"]
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("The final version was kept with its number."))
                return redirect("reports:bulletin-detail", pk=bulletin.pk)
    return render(
        request,
        "reports/bulletin_detail.html",
        {
            "bulletin": bulletin,
            "form": form,
            "may_edit": can(request.user, Action.DEPLOY, bulletin.unit),
            "history": history_for(bulletin),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_GET
def bulletin_download(request: HttpRequest, pk: int, which: str) -> FileResponse:
    bulletin = _bulletin(request, pk)
    stored = bulletin.final if which == "final" else bulletin.draft
    if not stored:
        raise Http404
    audit_log(
        kind=AuditEvent.Kind.DOWNLOAD,
        request=request,
        unit=bulletin.unit,
        what=f"bulletin_{which}",
    )
    suffix = (bulletin.final_name.rsplit(".", 1)[-1] if which == "final" else "docx").lower()
    label = "定稿" if which == "final" else "初稿"
    response = FileResponse(
        stored.open("rb"), as_attachment=True, filename=f"{bulletin}（{label}）.{suffix}"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
