"""Pages of the field-research workstream. Every record is looked up through the scope
(out of scope = 404); writes go through services.py (read-only roles = 403)."""

from __future__ import annotations

import tempfile
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts import permissions
from accounts.models import OrgUnit
from accounts.permissions import can
from accounts.roles import Action
from accounts.scoping import get_object_for_user
from campaign.models import Campaign
from core.audit import audit_log
from core.history import history_for
from core.models import AuditEvent
from core.pages import apply_errors, current_campaign, paginate, require_campaign
from core.replica import reads_from_replica
from core.uploads import serve_attachment

from . import selectors, services
from .forms import (
    AdoptionForm,
    AttachmentForm,
    DecisionForm,
    FindingForm,
    ProjectForm,
    ReportForm,
    ReviewForm,
    SolveForm,
    ToProblemForm,
    research_units,
)
from .ledger import ledger_title, write_research_ledger
from .models import (
    Decision,
    Finding,
    FindingKind,
    ProjectAttachment,
    ProjectState,
    ReportDocument,
    ReportState,
    ResearchFocus,
    ResearchMethod,
    ResearchProject,
    ResearchReport,
    quarter_of,
)


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _may_record_any(request: HttpRequest) -> bool:
    return permissions.acts_anywhere(request.user, Action.RESEARCH)


def _problem_url(problem_id: int | None) -> str | None:
    if problem_id is None:
        return None
    try:
        return reverse("rectification:problem-detail", args=[problem_id])
    except NoReverseMatch:
        return None


# --- projects ----------------------------------------------------------------------------


@login_required
def project_list(request: HttpRequest) -> HttpResponse:
    campaign = current_campaign(request)
    qs = selectors.projects_for(request.user, campaign)
    filters: dict[str, Any] = {}
    lead_id = _int(request.GET.get("lead"))
    year = _int(request.GET.get("year"))
    quarter = _int(request.GET.get("quarter"))
    if lead_id:
        qs = qs.filter(lead_id=lead_id)
        filters["lead"] = lead_id
    if year:
        qs = qs.filter(start_date__year=year)
        filters["year"] = year
        if quarter in (1, 2, 3, 4):
            qs = qs.filter(start_date__quarter=quarter)
            filters["quarter"] = quarter
    method = request.GET.get("method")
    if method in ResearchMethod.values:
        qs = qs.filter(method=method)
    state = request.GET.get("state")
    if state in ProjectState.values:
        qs = qs.filter(state=state)
    text = (request.GET.get("q") or "").strip()
    if text:
        qs = qs.filter(topic__icontains=text)
    page = paginate(request, qs)
    lead = None
    if lead_id and campaign is not None:
        # the leader named by the filter, when he is one the viewer sees in the matrix
        found = (
            selectors.leader_assignments(user=request.user, campaign=campaign)
            .filter(user_id=lead_id)
            .first()
        )
        lead = found.user if found is not None else None
    return render(
        request,
        "research/project_list.html",
        {
            "page_obj": page,
            "filters": filters,
            "lead": lead,
            "methods": ResearchMethod.choices,
            "states": ProjectState.choices,
            "may_record": campaign is not None and _may_record_any(request),
        },
    )


def _project_form_initial(request: HttpRequest) -> dict[str, Any]:
    today = timezone.localdate()
    return {"start_date": today, "end_date": today, "state": ProjectState.DONE}


@login_required
def project_create(request: HttpRequest) -> HttpResponse:
    campaign = require_campaign(request)
    form = ProjectForm(
        request.POST or None,
        user=request.user,
        campaign=campaign,
        initial=_project_form_initial(request),
    )
    if not form.has_units():
        raise PermissionDenied
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            project = services.project_create(
                campaign=campaign,
                unit=data["unit"],
                lead=data["lead"],
                actor=request.user,  # type: ignore[arg-type]
                topic=data["topic"],
                focus=data["focus"],
                method=data["method"],
                start_date=data["start_date"],
                end_date=data["end_date"],
                sites=data["sites"],
                state=data["state"],
                notes=data["notes"],
                participants=list(data["participants"]),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The research project has been recorded."))
            return redirect("research:project-detail", pk=project.pk)
    return render(
        request, "research/project_form.html", {"form": form, "title": _("Record research")}
    )


def _project(request: HttpRequest, pk: int) -> ResearchProject:
    qs = ResearchProject.objects.select_related("unit", "lead", "campaign", "campaign__root_unit")
    return get_object_for_user(qs, request.user, pk)


def _require_edit_project(request: HttpRequest, project: ResearchProject) -> None:
    if not permissions.may(request.user, Action.RESEARCH, project):
        raise PermissionDenied


@login_required
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    may_edit = permissions.may(request.user, Action.RESEARCH, project)
    findings = list(project.findings.select_related("unit", "problem", "report"))
    for finding in findings:
        finding.problem_url = _problem_url(finding.problem_id)  # type: ignore[attr-defined]
    return render(
        request,
        "research/project_detail.html",
        {
            "project": project,
            "may_edit": may_edit,
            "participants": list(project.participants.all()),
            "attachments": list(project.attachments.all()),
            # Reports and decisions citing the project may belong to units outside the
            # reader's scope: only those he may see are listed.
            "reports": list(project.reports.visible_to(request.user).select_related("author")),
            "findings": findings,
            "decisions": list(project.decisions.visible_to(request.user)),
            "attachment_form": AttachmentForm(),
            "problem_action": services.problem_service_ready(),
            "history": history_for(project),
        },
    )


@login_required
def project_edit(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    _require_edit_project(request, project)
    initial = {
        "unit": project.unit_id,
        "lead": project.lead_id,
        "topic": project.topic,
        "focus": project.focus,
        "method": project.method,
        "sites": project.sites,
        "start_date": project.start_date,
        "end_date": project.end_date,
        "state": project.state,
        "notes": project.notes,
        "participants": list(project.participants.values_list("pk", flat=True)),
    }
    form = ProjectForm(
        request.POST or None, user=request.user, campaign=project.campaign, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.project_update(
                project=project,
                actor=request.user,  # type: ignore[arg-type]
                participants=list(data["participants"]),
                unit=data["unit"],
                lead=data["lead"],
                topic=data["topic"],
                focus=data["focus"],
                method=data["method"],
                sites=data["sites"],
                start_date=data["start_date"],
                end_date=data["end_date"],
                state=data["state"],
                notes=data["notes"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The research project has been saved."))
            return redirect("research:project-detail", pk=project.pk)
    return render(
        request,
        "research/project_form.html",
        {"form": form, "project": project, "title": _("Edit research")},
    )


@login_required
@require_POST
def project_attach(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    _require_edit_project(request, project)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.project_attach(
                project=project,
                actor=request.user,  # type: ignore[arg-type]
                upload=form.cleaned_data["file"],
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The file has been attached."))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
    return redirect("research:project-detail", pk=project.pk)


@login_required
def attachment_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    attachment = get_object_for_user(ProjectAttachment, request.user, pk)
    return serve_attachment(attachment, inline=request.GET.get("inline") == "1")


# --- reports -----------------------------------------------------------------------------


@login_required
def report_list(request: HttpRequest) -> HttpResponse:
    campaign = current_campaign(request)
    qs = selectors.reports_for(request.user, campaign)
    filters: dict[str, Any] = {}
    author_id = _int(request.GET.get("author"))
    year = _int(request.GET.get("year"))
    if author_id:
        qs = qs.filter(author_id=author_id)
        filters["author"] = author_id
    if year:
        qs = qs.filter(written_on__year=year)
        filters["year"] = year
    return render(
        request,
        "research/report_list.html",
        {
            "page_obj": paginate(request, qs),
            "filters": filters,
            "may_record": campaign is not None and _may_record_any(request),
        },
    )


def _author_for(request: HttpRequest, projects: list[ResearchProject]) -> Any:
    """The author is the lead of the research: the leader himself, or (for the office)
    the lead of the projects chosen."""
    user: Any = request.user
    if not projects or services.is_leader_only(user, projects[0].unit):
        return user
    return projects[0].lead


@login_required
def report_create(request: HttpRequest) -> HttpResponse:
    campaign = require_campaign(request)
    if not _may_record_any(request):
        raise PermissionDenied
    initial: dict[str, Any] = {"written_on": timezone.localdate(), "state": ReportState.DRAFT}
    chosen = _int(request.GET.get("project"))
    if chosen:
        project = _project(request, chosen)
        _require_edit_project(request, project)
        initial["projects"] = [project.pk]
        initial["title"] = _("Research report on “%(topic)s”") % {"topic": project.topic}
    form = ReportForm(
        request.POST or None, request.FILES or None, user=request.user, campaign=campaign,
        initial=initial,
    )  # fmt: skip
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        projects = list(data["projects"])
        try:
            report = services.report_create(
                campaign=campaign,
                projects=projects,
                author=_author_for(request, projects),
                actor=request.user,  # type: ignore[arg-type]
                title=data["title"],
                written_on=data["written_on"],
                body=data["body"],
                state=data["state"],
                document=data["document"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The report has been saved."))
            return redirect("research:report-detail", pk=report.pk)
    return render(
        request, "research/report_form.html", {"form": form, "title": _("Write a report")}
    )


def _report(request: HttpRequest, pk: int) -> ResearchReport:
    qs = ResearchReport.objects.select_related("unit", "author", "campaign")
    return get_object_for_user(qs, request.user, pk)


def _report_page(
    request: HttpRequest, report: ResearchReport, *, review_form: ReviewForm | None = None
) -> dict[str, Any]:
    may_review = services.may_review(request.user, report)
    may_change = permissions.may(request.user, Action.RESEARCH, report)
    return {
        "report": report,
        "may_edit": report.is_editable and may_change,
        "projects": list(report.projects.select_related("lead")),
        "documents": list(report.documents.all()),
        "findings": list(
            report.findings.exclude(kind=FindingKind.SUGGESTION).select_related("unit")
        ),
        "suggestions": selectors.report_suggestions(report, request.user),
        "may_adopt": may_change,
        "reviews": list(report.reviews.select_related("reviewer")),
        "may_review": may_review,
        "review_form": (review_form or ReviewForm()) if may_review else None,
        "history": history_for(report),
    }


@login_required
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    return render(request, "research/report_detail.html", _report_page(request, report))


@login_required
@require_POST
def report_review(request: HttpRequest, pk: int) -> HttpResponse:
    """The office accepts the report (all three criteria) or returns it with a comment."""
    report = _report(request, pk)
    if not permissions.may(request.user, Action.REVIEW, report):
        raise PermissionDenied
    if report.state != ReportState.SUBMITTED:
        messages.error(request, _("Only a submitted report waits for review."))
        return redirect("research:report-detail", pk=report.pk)
    form = ReviewForm(request.POST)
    accept = request.POST.get("decision") == "accept"
    if form.is_valid():
        try:
            services.report_review(
                report=report,
                actor=request.user,  # type: ignore[arg-type]
                accept=accept,
                **form.cleaned_data,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            if accept:
                messages.success(request, _("The report has been accepted."))
            else:
                messages.success(request, _("The report has been returned to its author."))
            return redirect("research:review-queue")
    report.refresh_from_db()
    context = _report_page(request, report, review_form=form)
    return render(request, "research/report_detail.html", context)


@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    """The reports waiting for the office's review in its scope, oldest first."""
    if not permissions.acts_anywhere(request.user, Action.REVIEW):
        raise PermissionDenied
    campaign = current_campaign(request)
    qs = selectors.review_queue(user=request.user, campaign=campaign)
    return render(request, "research/review_queue.html", {"page_obj": paginate(request, qs)})


@login_required
def report_edit(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    if not permissions.may(request.user, Action.RESEARCH, report):
        raise PermissionDenied
    if not report.is_editable:
        messages.error(
            request, _("The office has accepted this report; it can no longer be changed.")
        )
        return redirect("research:report-detail", pk=report.pk)
    initial = {
        "title": report.title,
        "projects": list(report.projects.values_list("pk", flat=True)),
        "written_on": report.written_on,
        # a returned report is offered for submitting again
        "state": ReportState.SUBMITTED if report.state == ReportState.RETURNED else report.state,
        "body": report.body,
    }
    form = ReportForm(
        request.POST or None, request.FILES or None, user=request.user,
        campaign=report.campaign, author=report.author, initial=initial,
    )  # fmt: skip
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.report_update(
                report=report,
                actor=request.user,  # type: ignore[arg-type]
                title=data["title"],
                written_on=data["written_on"],
                body=data["body"],
                state=data["state"],
                projects=list(data["projects"]),
                document=data["document"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The report has been saved."))
            return redirect("research:report-detail", pk=report.pk)
    return render(
        request,
        "research/report_form.html",
        {"form": form, "report": report, "title": _("Edit report")},
    )


@login_required
def document_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    document = get_object_for_user(ReportDocument, request.user, pk)
    return serve_attachment(document, inline=request.GET.get("inline") == "1")


# --- findings ----------------------------------------------------------------------------


@login_required
def finding_create(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    _require_edit_project(request, project)
    form = FindingForm(request.POST or None, user=request.user, project=project)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.finding_create(
                project=project,
                actor=request.user,  # type: ignore[arg-type]
                kind=data["kind"],
                description=data["description"],
                unit=data["unit"],
                focus=data["focus"],
                report=data["report"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The finding has been recorded."))
            return redirect("research:project-detail", pk=project.pk)
    return render(request, "research/finding_form.html", {"form": form, "project": project})


def _finding(request: HttpRequest, pk: int) -> Finding:
    qs = Finding.objects.select_related(
        "project", "project__unit", "project__lead", "project__campaign", "unit", "problem",
        "report", "solved_by",
    )  # fmt: skip
    return get_object_for_user(qs, request.user, pk)


@login_required
def finding_detail(request: HttpRequest, pk: int) -> HttpResponse:
    finding = _finding(request, pk)
    may_edit = permissions.may(request.user, Action.RESEARCH, finding.project)
    return render(
        request,
        "research/finding_detail.html",
        {
            "finding": finding,
            "adoptions": selectors.adoptions_of([finding.pk], request.user).get(finding.pk, []),
            "may_edit": may_edit,
            "problem_action": services.problem_service_ready(),
            "problem_url": _problem_url(finding.problem_id),
            "history": history_for(finding),
        },
    )


@login_required
def finding_adopt(request: HttpRequest, pk: int) -> HttpResponse:
    """成果转化: record what took up a suggestion (a decision, a measure, a mechanism)."""
    finding = _finding(request, pk)
    if not permissions.may(request.user, Action.RESEARCH, finding.project):
        raise PermissionDenied
    if not finding.is_suggestion:
        raise Http404
    form = AdoptionForm(
        request.POST or None,
        user=request.user,
        finding=finding,
        initial={"adopted_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.adoption_create(
                finding=finding,
                actor=request.user,  # type: ignore[arg-type]
                **form.cleaned_data,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The adoption of the suggestion has been recorded."))
            if finding.report_id:
                return redirect("research:report-detail", pk=finding.report_id)
            return redirect("research:finding-detail", pk=finding.pk)
    return render(request, "research/finding_adopt.html", {"form": form, "finding": finding})


@login_required
def finding_to_problem(request: HttpRequest, pk: int) -> HttpResponse:
    finding = _finding(request, pk)
    if not services.problem_service_ready():
        raise Http404
    if not permissions.may(request.user, Action.RESEARCH, finding.project):
        raise PermissionDenied
    form = ToProblemForm(request.POST or None, campaign=finding.project.campaign)
    if finding.problem_id is not None:
        messages.error(
            request,
            _("This finding has already been turned into a problem; it can be done only once."),
        )
        return redirect("research:finding-detail", pk=finding.pk)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            problem = services.finding_to_problem(
                finding=finding,
                actor=request.user,  # type: ignore[arg-type]
                category=data["category"],
                type=data["type"],
                deadline=data["deadline"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("Problem %(number)s has been entered for %(unit)s.")
                % {"number": str(problem), "unit": finding.unit.name},
            )
            return redirect("research:finding-detail", pk=finding.pk)
    return render(request, "research/finding_problem.html", {"form": form, "finding": finding})


@login_required
def finding_solve(request: HttpRequest, pk: int) -> HttpResponse:
    finding = _finding(request, pk)
    if not permissions.may(request.user, Action.RESEARCH, finding.project):
        raise PermissionDenied
    form = SolveForm(
        request.POST or None,
        initial={"solved_on": timezone.localdate(), "how": finding.solved_how},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.finding_mark_solved(
                finding=finding,
                actor=request.user,  # type: ignore[arg-type]
                how=form.cleaned_data["how"],
                solved_on=form.cleaned_data["solved_on"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The finding has been marked solved."))
            return redirect("research:finding-detail", pk=finding.pk)
    return render(request, "research/finding_solve.html", {"form": form, "finding": finding})


@login_required
def solved_list(request: HttpRequest) -> HttpResponse:
    campaign = current_campaign(request)
    qs = selectors.solved_findings_for(request.user, campaign)
    focus = request.GET.get("focus")
    if focus in ResearchFocus.values:
        qs = qs.filter(focus=focus)
    elif focus != "all":
        qs = qs.filter(focus__in=["chokepoint", "obstruction"])
    return render(
        request,
        "research/solved_list.html",
        {"page_obj": paginate(request, qs), "foci": ResearchFocus.choices, "focus": focus or ""},
    )


# --- decisions ---------------------------------------------------------------------------


@login_required
def decision_list(request: HttpRequest) -> HttpResponse:
    campaign = current_campaign(request)
    qs = selectors.decisions_for(request.user, campaign)
    only_flagged = request.GET.get("flagged") == "1"
    if only_flagged:
        qs = qs.filter(cites_projects=False, cites_reports=False)
    return render(
        request,
        "research/decision_list.html",
        {
            "page_obj": paginate(request, qs),
            "only_flagged": only_flagged,
            "may_record": campaign is not None and research_units(request.user, campaign).exists(),
        },
    )


def _decision_data(form: DecisionForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "unit": data["unit"],
        "title": data["title"],
        "decided_on": data["decided_on"],
        "body": data["body"],
        "projects": list(data["projects"]),
        "reports": list(data["reports"]),
    }


@login_required
def decision_create(request: HttpRequest) -> HttpResponse:
    campaign = require_campaign(request)
    form = DecisionForm(
        request.POST or None,
        user=request.user,
        campaign=campaign,
        initial={"decided_on": timezone.localdate()},
    )
    if not form.has_units():
        raise PermissionDenied
    if request.method == "POST" and form.is_valid():
        try:
            decision = services.decision_create(
                campaign=campaign,
                actor=request.user,  # type: ignore[arg-type]
                **_decision_data(form),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The decision has been recorded."))
            return redirect("research:decision-detail", pk=decision.pk)
    return render(
        request, "research/decision_form.html", {"form": form, "title": _("Record a decision")}
    )


def _decision(request: HttpRequest, pk: int) -> Decision:
    qs = selectors.with_research_flag(Decision.objects.select_related("unit", "campaign"))
    return get_object_for_user(qs, request.user, pk)


@login_required
def decision_detail(request: HttpRequest, pk: int) -> HttpResponse:
    decision = _decision(request, pk)
    return render(
        request,
        "research/decision_detail.html",
        {
            "decision": decision,
            "may_edit": permissions.may(request.user, Action.RESEARCH, decision),
            "projects": list(decision.projects.visible_to(request.user).select_related("lead")),
            "reports": list(decision.reports.visible_to(request.user).select_related("author")),
            "history": history_for(decision),
        },
    )


@login_required
def decision_edit(request: HttpRequest, pk: int) -> HttpResponse:
    decision = _decision(request, pk)
    if not permissions.may(request.user, Action.RESEARCH, decision):
        raise PermissionDenied
    initial = {
        "unit": decision.unit_id,
        "title": decision.title,
        "decided_on": decision.decided_on,
        "body": decision.body,
        "projects": list(decision.projects.values_list("pk", flat=True)),
        "reports": list(decision.reports.values_list("pk", flat=True)),
    }
    form = DecisionForm(
        request.POST or None, user=request.user, campaign=decision.campaign, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.decision_update(
                decision=decision,
                actor=request.user,  # type: ignore[arg-type]
                **_decision_data(form),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The decision has been saved."))
            return redirect("research:decision-detail", pk=decision.pk)
    return render(
        request,
        "research/decision_form.html",
        {"form": form, "decision": decision, "title": _("Edit decision")},
    )


# --- compliance and the ledger -----------------------------------------------------------


@login_required
def compliance(request: HttpRequest) -> HttpResponse:
    campaign = current_campaign(request)
    today = timezone.localdate()
    year = _int(request.GET.get("year")) or today.year
    if campaign is not None:
        years = list(range(campaign.start_date.year, campaign.end_date.year + 1))
        if year not in years:
            year = min(max(year, years[0]), years[-1])
        # a page of leaders; only the page's leaders (and those behind) are counted
        page = paginate(request, selectors.leader_lines(user=request.user, campaign=campaign))
        matrix = selectors.compliance_matrix(
            user=request.user, campaign=campaign, year=year, today=today, leaders=page
        )
        rows = _matrix_rows(matrix)
    else:
        years, matrix, rows, page = [], None, [], None
    return render(
        request,
        "research/compliance.html",
        {
            "matrix": matrix,
            "page_obj": page,
            "rows": rows,
            "years": years,
            "year": year,
            "current_quarter": quarter_of(today) if year == today.year else None,
            "export_units": _export_units(request, campaign),
        },
    )


CELL_CLASSES = {
    selectors.CELL_OK: "cell-green table-success",
    selectors.CELL_MISSING: "cell-red table-danger",
    selectors.CELL_DUE: "cell-amber table-warning",
}


def _matrix_rows(matrix: selectors.ComplianceMatrix) -> list[dict[str, Any]]:
    """The matrix as display rows: each cell with its class, text and link, built once in
    Python so that a city of leaders renders quickly."""
    projects_url = reverse("research:project-list")
    reports_url = reverse("research:report-list")
    quarter_texts = {
        selectors.CELL_MISSING: "✗ " + _("No research"),
        selectors.CELL_DUE: _("Due this quarter"),
        selectors.CELL_FUTURE: _("Not begun"),
        selectors.CELL_OUTSIDE: "—",
    }
    year_texts = {
        selectors.CELL_MISSING: "✗ " + _("No report"),
        selectors.CELL_DUE: _("Due this year"),
        selectors.CELL_FUTURE: "—",
        selectors.CELL_OUTSIDE: "—",
    }
    linked = (selectors.CELL_OK, selectors.CELL_MISSING, selectors.CELL_DUE)
    labels = {q: _("Q%(n)s") % {"n": q} for q in (1, 2, 3, 4)}
    rows = []
    for line in matrix.lines:
        lead = line.leader.pk
        cells = []
        for cell in line.quarters:
            quarter = cell.quarter or 0
            if cell.status == selectors.CELL_OK:
                text = "✓ " + ngettext("%(n)s project", "%(n)s projects", cell.count) % {
                    "n": cell.count
                }
            else:
                text = quarter_texts[cell.status]
            cells.append(
                {
                    "quarter": quarter,
                    "label": labels[quarter],
                    "status": cell.status,
                    "css": CELL_CLASSES.get(cell.status, ""),
                    "text": text,
                    "url": f"{projects_url}?lead={lead}&year={matrix.year}&quarter={quarter}"
                    if cell.status in linked
                    else "",
                }
            )
        if line.year.status == selectors.CELL_OK:
            text = "✓ " + ngettext("%(n)s report", "%(n)s reports", line.year.count) % {
                "n": line.year.count
            }
        else:
            text = year_texts[line.year.status]
        year_cell = {
            "status": line.year.status,
            "css": CELL_CLASSES.get(line.year.status, ""),
            "text": text,
            "url": f"{reports_url}?author={lead}&year={matrix.year}"
            if line.year.status in linked
            else "",
        }
        rows.append({"line": line, "cells": cells, "year": year_cell})
    return rows


def _export_units(request: HttpRequest, campaign: Campaign | None) -> list[OrgUnit]:
    """The top units of the user's export scope (one download each)."""
    if campaign is None:
        return []
    user: Any = request.user
    if user.is_superuser:
        return [campaign.root_unit]
    ids = permissions.unit_ids_for(user, Action.EXPORT)
    units = OrgUnit.objects.visible_to(user, Action.EXPORT).filter(
        pk__in=ids, path__startswith=campaign.root_unit.path
    )
    tops: list[OrgUnit] = []
    for unit in units.order_by("path"):
        if not any(unit.is_within(top) for top in tops):
            tops.append(unit)
    return tops


@login_required
def ledger_export(request: HttpRequest) -> HttpResponseBase:
    campaign = require_campaign(request)
    code = request.GET.get("unit") or ""
    unit = OrgUnit.objects.visible_to(request.user).filter(code=code).first()  # type: ignore[arg-type]
    if unit is None:
        tops = _export_units(request, campaign)
        if not tops:
            raise Http404
        unit = tops[0]
    if not can(request.user, Action.EXPORT, unit):
        raise PermissionDenied
    audit_log(kind=AuditEvent.Kind.EXPORT, request=request, unit=unit, what="research_ledger")
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    with reads_from_replica():
        write_research_ledger(campaign=campaign, unit=unit, target=spool)
    spool.seek(0)
    filename = f"{ledger_title(unit)}.xlsx"
    return FileResponse(
        spool,
        as_attachment=True,
        filename=filename,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
