"""Pages of the weekly reports: the list with the request form, a report's progress, the file."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from accounts.models import OrgUnit, User
from accounts.permissions import can
from accounts.roles import Action
from accounts.scoping import get_object_for_user
from core.audit import audit_log
from core.models import AuditEvent, JobState
from core.pages import paginate

from . import services
from .forms import ReportRequestForm
from .models import WeeklyReport
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
