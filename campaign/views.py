"""Pages of the campaign: to-do, tasks and assignments, review, activities, development.

Every view goes through the scope: a record outside it is a 404, a read-only role trying
to write is a 403, an anonymous visitor is sent to the login page.
"""

from __future__ import annotations

import json
import tempfile
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import permissions
from accounts import services as account_services
from accounts.models import OrgUnit, PartyMember, User
from accounts.permissions import can
from accounts.roles import Action
from accounts.scoping import get_object_for_user
from core.audit import audit_log
from core.history import history_for
from core.models import AuditEvent
from core.page_cache import render_with_content
from core.pages import apply_errors, current_campaign, paginate, require_campaign
from core.pending_uploads import KeptFiles
from core.uploads import serve_attachment
from rectification import services as problem_services
from rectification.choices import ProblemSource
from rectification.models import Problem
from supervision.selectors import follow_ups_for_units

from . import selectors, services
from .forms import (
    TARGET_FIELDS,
    AcceptForm,
    ActivityFilter,
    ActivityForm,
    AssignmentFilter,
    AttendanceForm,
    CampaignForm,
    DeployMoreForm,
    DevelopmentFilter,
    DevelopmentForm,
    EvidenceUploadForm,
    ExtensionDecisionForm,
    ExtensionForm,
    LedgerDatesForm,
    MakeupForm,
    MeetingFilesForm,
    MeetingForm,
    MeetingProblemForm,
    MemberForm,
    MilestoneDoneForm,
    MilestoneForm,
    NoticeForm,
    ReturnForm,
    SubmitForm,
    TaskEditForm,
    TaskFilter,
    TaskForm,
    VerdictForm,
)
from .middleware import SESSION_KEY
from .models import (
    DEVELOPMENT_KINDS,
    KIND_FOR_UNIT,
    OPEN_STATES,
    Activity,
    ActivityAttachment,
    Assignment,
    AssignmentExtension,
    Attendance,
    Campaign,
    DevelopmentAttachment,
    DevelopmentItem,
    DevelopmentMilestone,
    DevelopmentState,
    ExtensionState,
    MeetingAttachment,
    MeetingKind,
    ReviewMeeting,
    Task,
    TaskNotice,
    Workstream,
    overdue_q,
)
from .study_ledger import ledger_title, write_study_ledger


def _visible_units(request: HttpRequest) -> QuerySet[OrgUnit]:
    return OrgUnit.objects.visible_to(request.user).filter(is_active=True)


def _filter_units(request: HttpRequest) -> QuerySet[OrgUnit]:
    """Units offered by the list filters: the user's own and two levels below them (a
    whole city's thousands of branches would make the page heavy and the list unusable;
    a branch is reached through its committee or its own page)."""
    top = permissions.top_depth(request.user)
    return _visible_units(request).filter(depth__lte=top + 2)


def _within_unit_and_dates(qs: QuerySet[Any], data: dict[str, Any], *, date_field: str) -> Any:
    """The filters every list shares: a unit's subtree and a date range."""
    if data["unit"]:
        qs = qs.filter(unit__path__startswith=data["unit"].path)
    if data["date_from"]:
        qs = qs.filter(**{f"{date_field}__gte": data["date_from"]})
    if data["date_to"]:
        qs = qs.filter(**{f"{date_field}__lte": data["date_to"]})
    return qs


def _require_any(request: HttpRequest, action: Action) -> None:
    user = request.user
    if user.is_superuser:
        return
    units = selectors.log_units(user) if action == Action.LOG else selectors.deploy_units(user)
    if not units.exists():
        raise PermissionDenied


# ---------------------------------------------------------------- the secretary's home


@login_required
def todo(request: HttpRequest) -> HttpResponse:
    campaign = current_campaign(request)

    def context() -> dict[str, Any]:
        today = timezone.localdate()
        lists = selectors.todo_for(request.user, campaign=campaign, today=today)
        # each assignment once: those listed above (returned, overdue, due soon) are not
        # repeated in the list of the others
        shown = [a.pk for rows in lists.values() for a in rows]
        assignments = (
            selectors.assignments_for(request.user, campaign=campaign)
            .exclude(pk__in=shown)
            .order_by("due_date", "unit__path", "pk")
        )
        recent = selectors.activities_for(request.user, campaign=campaign)[:5]
        follow_ups = list(follow_ups_for_units(selectors.log_units(request.user), today))
        for visit in follow_ups:
            # red only for whoever must make the follow-up (the supervising office); the
            # unit visited just prepares for it
            visit.late_for_me = visit.is_overdue and can(request.user, Action.DEPLOY, visit.unit)
        return {
            "follow_ups": follow_ups,
            "campaign": campaign,
            "today": today,
            "can_log": selectors.may_log(request.user),
            "page_obj": paginate(request, assignments),
            "listed_above": bool(shown),
            "recent_activities": recent,
            **lists,
        }

    return render_with_content(
        request, "campaign/todo.html", "campaign/_todo.html", campaign, context
    )


# ---------------------------------------------------------------- campaigns


@login_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    campaigns = Campaign.objects.visible_to(request.user).select_related("root_unit")
    page_obj = paginate(request, campaigns)
    rows = [(c, can(request.user, Action.DEPLOY, c.root_unit)) for c in page_obj]
    return render(
        request,
        "campaign/campaign_list.html",
        {
            "page_obj": page_obj,
            "rows": rows,
            "can_create": request.user.is_superuser
            or selectors.deploy_units(request.user).exists(),
        },
    )


@login_required
def campaign_create(request: HttpRequest) -> HttpResponse:
    _require_any(request, Action.DEPLOY)
    units = selectors.deploy_units(request.user)
    form = CampaignForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            campaign = services.campaign_create(
                actor=request.user,
                name=data["name"],
                root_unit=data["root_unit"],
                start_date=data["start_date"],
                end_date=data["end_date"],
                general_requirement=data["general_requirement"],
                fundamental_task=data["fundamental_task"],
                objectives=form.objectives,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The campaign was created."))
            return redirect("campaign:campaign-edit", pk=campaign.pk)
    return render(request, "campaign/campaign_form.html", {"form": form, "creating": True})


@login_required
def campaign_edit(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_for_user(
        Campaign.objects.select_related("root_unit"),
        request.user,
        pk,
        action=Action.DEPLOY,
        unit_of=lambda c: c.root_unit,
    )
    form = CampaignForm(
        request.POST or None,
        units=selectors.deploy_units(request.user),
        editing=True,
        initial=CampaignForm.initial_for(campaign),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.campaign_update(
                actor=request.user,
                campaign=campaign,
                name=data["name"],
                start_date=data["start_date"],
                end_date=data["end_date"],
                general_requirement=data["general_requirement"],
                fundamental_task=data["fundamental_task"],
                is_active=data["is_active"],
                objectives=form.objectives,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The campaign was saved."))
            return redirect("campaign:campaign-edit", pk=campaign.pk)
    return render(
        request,
        "campaign/campaign_form.html",
        {"form": form, "campaign_obj": campaign, "history": history_for(campaign)},
    )


# ---------------------------------------------------------------- tasks


@login_required
def task_list(request: HttpRequest) -> HttpResponse:
    campaign = current_campaign(request)
    tasks = selectors.tasks_for(request.user, campaign=campaign)
    filters = TaskFilter(request.GET or None)
    if filters.is_valid():
        if filters.cleaned_data["workstream"]:
            tasks = tasks.filter(workstream=filters.cleaned_data["workstream"])
        if filters.cleaned_data["recurrence"]:
            tasks = tasks.filter(recurrence=filters.cleaned_data["recurrence"])
    page = paginate(request, tasks.order_by("-due_date", "-pk"))
    page.object_list = selectors.with_completion(list(page.object_list), request.user)
    return render(
        request,
        "campaign/task_list.html",
        {
            "filters": filters,
            "page_obj": page,
            "can_deploy": campaign is not None and selectors.deploy_units(request.user).exists(),
        },
    )


@login_required
def task_create(request: HttpRequest) -> HttpResponse:
    campaign = require_campaign(request)
    _require_any(request, Action.DEPLOY)
    issuers = selectors.issuing_units(request.user)
    issuer = issuers.order_by("depth", "path").first()
    if issuer is None:
        raise PermissionDenied
    duty = services.duty_workstreams(campaign=campaign, unit=issuer)
    scope = selectors.task_scope(request.user, campaign=campaign, issuer=issuer, duty=duty)
    form = TaskForm(
        request.POST or None,
        request.FILES or None,
        campaign=campaign,
        units=scope,
        initial={"under": issuer},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        targets = list(form.target_units(scope))
        if not targets:
            form.add_error("target", _("No unit matches this choice."))
        else:
            try:
                services.check_notice_files(data["notice"])  # before anything is written
                # a task whose units are refused is not kept
                with transaction.atomic():
                    task, created = _create_and_deploy(request, campaign, issuer, data, targets)
                    if data["notice"]:
                        services.task_attach_notice(
                            actor=request.user, task=task, files=data["notice"]
                        )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("The task was deployed: %(n)s assignments created.") % {"n": created},
                )
                return redirect("campaign:task-detail", pk=task.pk)
    return render(
        request,
        "campaign/task_form.html",
        {
            "form": form,
            "issuer": issuer,
            "creating": True,
            "toggle_fields": json.dumps({"target": TARGET_FIELDS}),
            "duty": [str(label) for key, label in Workstream.choices if key in duty],
        },
    )


def _create_and_deploy(
    request: HttpRequest, campaign: Any, issuer: Any, data: dict[str, Any], targets: list[Any]
) -> tuple[Task, int]:
    task = services.task_create(
        actor=request.user,
        campaign=campaign,
        issuer=issuer,
        workstream=data["workstream"],
        objective=data["objective"],
        title=data["title"],
        description=data["description"],
        evidence_required=data["evidence_required"],
        due_date=data["due_date"],
        recurrence=data["recurrence"],
    )
    return task, services.task_deploy(actor=request.user, task=task, units=targets)


@login_required
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_object_for_user(
        selectors.annotate_completion(
            Task.objects.select_related("issuer", "objective", "campaign"), request.user
        ),
        request.user,
        pk,
    )
    today = timezone.localdate()
    assignments = (
        Assignment.objects.visible_to(request.user)
        .filter(task=task)
        .select_related("unit")
        .order_by("unit__path", "period")
    )
    can_deploy = can(request.user, Action.DEPLOY, task.issuer)
    notices = list(task.notices.select_related("uploaded_by"))
    return render(
        request,
        "campaign/task_detail.html",
        {
            "task": task,
            "notices": notices,
            "notice_form": NoticeForm() if can_deploy else None,
            "today": today,
            "page_obj": paginate(request, assignments),
            "overdue_count": assignments.filter(overdue_q(today)).count(),
            "can_deploy": can_deploy,
            "deploy_form": DeployMoreForm(
                units=selectors.task_scope(
                    request.user,
                    campaign=task.campaign,
                    issuer=task.issuer,
                    duty=services.duty_workstreams(campaign=task.campaign, unit=task.issuer),
                )
            )
            if can_deploy
            else None,
            "history": history_for(task, also=notices),
        },
    )


@login_required
@require_POST
def task_notice_add(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_object_for_user(
        Task.objects.select_related("issuer"),
        request.user,
        pk,
        action=Action.DEPLOY,
        unit_of=lambda t: t.issuer,
    )
    form = NoticeForm(request.POST, request.FILES)
    files = form.cleaned_data["notice"] if form.is_valid() else []
    try:
        n = services.task_attach_notice(actor=request.user, task=task, files=files)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The notice was attached (%(n)s file).") % {"n": n})
    return redirect("campaign:task-detail", pk=task.pk)


@login_required
def task_notice_file(request: HttpRequest, pk: int) -> FileResponse:
    """A task's notice, to everyone who sees the task (an office above it, a unit it
    reached); anyone else gets a 404."""
    notice = get_object_for_user(
        TaskNotice.objects.select_related("task__issuer"), request.user, pk
    )
    return serve_attachment(notice, inline=request.GET.get("inline") == "1")


@login_required
def task_edit(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_object_for_user(
        Task.objects.select_related("issuer", "campaign"),
        request.user,
        pk,
        action=Action.DEPLOY,
        unit_of=lambda t: t.issuer,
    )
    form = TaskEditForm(
        request.POST or None,
        initial={
            "title": task.title,
            "description": task.description,
            "evidence_required": task.evidence_required,
            "due_date": task.due_date,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.task_update(actor=request.user, task=task, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The task was saved."))
            return redirect("campaign:task-detail", pk=task.pk)
    return render(request, "campaign/task_form.html", {"form": form, "task": task})


@login_required
@require_POST
def task_deploy_more(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_object_for_user(
        Task.objects.select_related("issuer", "campaign"),
        request.user,
        pk,
        action=Action.DEPLOY,
        unit_of=lambda t: t.issuer,
    )
    duty = services.duty_workstreams(campaign=task.campaign, unit=task.issuer)
    scope = selectors.task_scope(
        request.user, campaign=task.campaign, issuer=task.issuer, duty=duty
    )
    form = DeployMoreForm(request.POST, units=scope)
    if form.is_valid():
        created = services.task_deploy(
            actor=request.user, task=task, units=form.cleaned_data["units"]
        )
        messages.success(
            request, _("The task was deployed: %(n)s assignments created.") % {"n": created}
        )
    else:
        messages.error(request, _("Choose at least one unit."))
    return redirect("campaign:task-detail", pk=task.pk)


# ---------------------------------------------------------------- assignments


def _filtered_assignments(request: HttpRequest, qs: QuerySet[Assignment]) -> tuple[Any, Any]:
    filters = AssignmentFilter(request.GET or None, units=_filter_units(request))
    today = timezone.localdate()
    if filters.is_valid():
        data = filters.cleaned_data
        if data["state"] == "overdue":
            qs = qs.filter(overdue_q(today))
        elif data["state"]:
            qs = qs.filter(state=data["state"])
        if data["workstream"]:
            qs = qs.filter(task__workstream=data["workstream"])
        qs = _within_unit_and_dates(qs, data, date_field="due_date")
    return filters, qs


@login_required
def assignment_list(request: HttpRequest) -> HttpResponse:
    campaign = current_campaign(request)
    qs = selectors.assignments_for(request.user, campaign=campaign)
    filters, qs = _filtered_assignments(request, qs)
    return render(
        request,
        "campaign/assignment_list.html",
        {
            "filters": filters,
            "today": timezone.localdate(),
            "page_obj": paginate(request, qs.order_by("due_date", "unit__path", "pk")),
        },
    )


@login_required
def assignment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = get_object_for_user(
        Assignment.objects.select_related(
            "task",
            "task__campaign",
            "task__objective",
            "task__issuer",
            "unit",
            "submitted_by",
            "reviewed_by",
        ),
        request.user,
        pk,
    )
    return _render_assignment(request, assignment)


def _render_assignment(request: HttpRequest, assignment: Assignment, **forms: Any) -> HttpResponse:
    user = request.user
    may_log = can(user, Action.LOG, assignment.unit)
    may_review = can(user, Action.DEPLOY, assignment.unit)
    may_submit = may_log and assignment.can_submit()
    candidates = Activity.objects.visible_to(user, Action.LOG).filter(
        unit=assignment.unit, campaign=assignment.task.campaign
    )
    evidence = selectors.assignment_with_evidence(assignment)
    may_review = may_review and assignment.can_review()
    waiting = (
        selectors.review_queue(user, campaign=assignment.task.campaign)
        .exclude(pk=assignment.pk)
        .count()
        if may_review
        else 0
    )
    submit_form = forms.get("submit_form")
    if submit_form is None and may_submit:
        submit_form = SubmitForm(
            activities=candidates,
            initial={"activities": [a.pk for a in evidence], "note": assignment.note},
        )
    return render(
        request,
        "campaign/assignment_detail.html",
        {
            "assignment": assignment,
            "task": assignment.task,
            "today": timezone.localdate(),
            "evidence": evidence,
            "may_log": may_log,
            "may_start": may_log and assignment.can_start(),
            "submit_form": submit_form if may_submit else None,
            "may_review": may_review,
            "waiting": waiting,
            "notices": list(assignment.task.notices.all()),
            "return_form": forms.get("return_form") or ReturnForm(),
            "accept_form": forms.get("accept_form") or AcceptForm(),
            "history": history_for(assignment),
            **_extension_context(request, assignment, forms),
        },
        status=400 if forms else 200,
    )


def _extension_context(
    request: HttpRequest, assignment: Assignment, forms: dict[str, Any]
) -> dict[str, Any]:
    """The assignment's extension requests (延期申请) with their answers, the form to ask
    for one and the office's answer forms."""
    user = request.user
    extensions = list(
        assignment.extensions.select_related("requested_by", "decided_by").order_by(
            "requested_at", "pk"
        )
    )
    pending = any(x.state == ExtensionState.PENDING for x in extensions)
    may_decide = pending and services.may_decide_extension(user, assignment)
    decision = forms.get("decision_form")
    rows = [
        {
            "request": x,
            "may_decide": may_decide and x.state == ExtensionState.PENDING,
            "form": decision[1]
            if decision and decision[0] == x.pk
            else ExtensionDecisionForm(prefix=f"d{x.pk}"),
        }
        for x in extensions
    ]
    may_request = (
        can(user, Action.LOG, assignment.unit) and assignment.state in OPEN_STATES and not pending
    )
    return {
        "extensions": rows,
        "may_request_extension": may_request,
        "extension_form": forms.get("extension_form") or ExtensionForm(prefix="x"),
    }


def _assignment_for_action(request: HttpRequest, pk: int, action: Action) -> Assignment:
    return get_object_for_user(
        Assignment.objects.select_related("task", "task__campaign", "unit"),
        request.user,
        pk,
        action=action,
    )


@login_required
@require_POST
def assignment_start(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = _assignment_for_action(request, pk, Action.LOG)
    try:
        services.assignment_start(actor=request.user, assignment=assignment)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("campaign:assignment-detail", pk=assignment.pk)


@login_required
@require_POST
def assignment_submit(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = _assignment_for_action(request, pk, Action.LOG)
    candidates = Activity.objects.visible_to(request.user, Action.LOG).filter(
        unit=assignment.unit, campaign=assignment.task.campaign
    )
    form = SubmitForm(request.POST, activities=candidates)
    if form.is_valid():
        try:
            services.assignment_submit(
                actor=request.user,
                assignment=assignment,
                note=form.cleaned_data["note"],
                activities=form.cleaned_data["activities"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Submitted for review."))
            return redirect("campaign:assignment-detail", pk=assignment.pk)
    assignment.refresh_from_db()
    return _render_assignment(request, assignment, submit_form=form)


@login_required
@require_POST
def assignment_accept(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = _assignment_for_action(request, pk, Action.DEPLOY)
    form = AcceptForm(request.POST)
    if form.is_valid():
        try:
            services.assignment_accept(
                actor=request.user, assignment=assignment, comment=form.cleaned_data["comment"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The submission was accepted."))
            return redirect(_after_review(request, assignment))
    return _render_assignment(request, assignment, accept_form=form)


@login_required
@require_POST
def assignment_return(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = _assignment_for_action(request, pk, Action.DEPLOY)
    form = ReturnForm(request.POST)
    if form.is_valid():
        try:
            services.assignment_return(
                actor=request.user, assignment=assignment, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The submission was returned with your reason."))
            return redirect(_after_review(request, assignment))
    return _render_assignment(request, assignment, return_form=form)


@login_required
@require_POST
def assignment_extension_request(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = _assignment_for_action(request, pk, Action.LOG)
    form = ExtensionForm(request.POST, prefix="x")
    if form.is_valid():
        try:
            services.extension_request(
                actor=request.user,
                assignment=assignment,
                new_due_date=form.cleaned_data["new_due_date"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _(
                    "The extension request was sent to the office above; the current due date "
                    "counts until it is approved."
                ),
            )
            return redirect("campaign:assignment-detail", pk=assignment.pk)
    return _render_assignment(request, assignment, extension_form=form)


@login_required
@require_POST
def assignment_extension_decide(request: HttpRequest, pk: int, answer: str) -> HttpResponse:
    if answer not in ("approve", "refuse"):
        raise Http404
    extension = get_object_for_user(
        AssignmentExtension.objects.select_related("assignment"), request.user, pk
    )
    assignment = get_object_for_user(
        Assignment.objects.select_related("task", "task__campaign", "task__issuer", "unit"),
        request.user,
        extension.assignment_id,
    )
    form = ExtensionDecisionForm(request.POST, prefix=f"d{extension.pk}")
    if form.is_valid():
        try:
            services.extension_decide(
                actor=request.user,
                extension=extension,
                approve=answer == "approve",
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            if answer == "approve":
                messages.success(
                    request, _("The request is approved: the new due date counts from now.")
                )
            else:
                messages.success(
                    request, _("The request is refused: the due date stays as it was.")
                )
            if request.POST.get("next") == "queue":
                return redirect("rectification:verify-queue")
            return redirect("campaign:assignment-detail", pk=assignment.pk)
    return _render_assignment(request, assignment, decision_form=(extension.pk, form))


def _after_review(request: HttpRequest, decided: Assignment) -> str:
    """The next submission waiting in the reviewer's queue, or the queue once it is empty."""
    following = selectors.next_for_review(
        request.user, campaign=decided.task.campaign, after=decided
    )
    if following is None:
        return reverse("campaign:review-queue")
    return reverse("campaign:assignment-detail", args=[following])


@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    _require_any(request, Action.DEPLOY)
    queue = selectors.review_queue(request.user, campaign=current_campaign(request))
    return render(
        request,
        "campaign/review_queue.html",
        {"page_obj": paginate(request, queue), "today": timezone.localdate()},
    )


@login_required
@require_POST
def review_accept_selected(request: HttpRequest) -> HttpResponse:
    """Accept the submissions ticked in the queue, each through the same service as one
    accepted on its own page (its history and notices alike)."""
    _require_any(request, Action.DEPLOY)
    ids = [int(v) for v in request.POST.getlist("selected") if v.isdigit()]
    if not ids:
        messages.error(request, _("Tick the submissions to accept first."))
        return redirect("campaign:review-queue")
    chosen = selectors.review_queue(request.user, campaign=current_campaign(request)).filter(
        pk__in=ids
    )
    accepted, refused = 0, []
    for assignment in chosen:
        try:
            services.assignment_accept(actor=request.user, assignment=assignment)
        except ValidationError as exc:
            refused.append(f"{assignment.unit.name}: {' '.join(exc.messages)}")
        else:
            accepted += 1
    if accepted:
        messages.success(request, _("%(n)s submissions were accepted.") % {"n": accepted})
    for line in refused:
        messages.error(request, line)
    return redirect("campaign:review-queue")


# ---------------------------------------------------------------- activities


@login_required
def activity_list(request: HttpRequest) -> HttpResponse:
    campaign = current_campaign(request)

    def context() -> dict[str, Any]:
        qs = selectors.activities_for(request.user, campaign=campaign)
        filters = ActivityFilter(request.GET or None, units=_filter_units(request))
        if filters.is_valid():
            data = filters.cleaned_data
            if data["kind"]:
                qs = qs.filter(kind=data["kind"])
            if data["workstream"] == "development":
                qs = qs.filter(kind__in=DEVELOPMENT_KINDS)
            elif data["workstream"] == "study":
                qs = qs.exclude(kind__in=DEVELOPMENT_KINDS)
            qs = _within_unit_and_dates(qs, data, date_field="held_on")
        return {
            "filters": filters,
            "page_obj": paginate(request, qs),
            "can_log": campaign is not None and selectors.may_log(request.user),
        }

    return render_with_content(
        request, "campaign/activity_list.html", "campaign/_activity_list.html", campaign, context
    )


@login_required
def activity_create(request: HttpRequest) -> HttpResponse:
    campaign = require_campaign(request)
    _require_any(request, Action.LOG)
    units = selectors.log_units(request.user)
    home = selectors.home_unit(request.user)
    chosen_unit = home
    if request.method == "POST":
        chosen_unit = units.filter(pk=request.POST.get("unit")).first() or home
    elif request.GET.get("unit", "").isdigit():
        chosen_unit = units.filter(pk=request.GET["unit"]).first() or home
    roll = selectors.roll_of(chosen_unit) if chosen_unit is not None else []
    attendance = AttendanceForm(request.POST or None, members=roll) if roll else None
    assignments = (
        selectors.open_assignments_of_unit(request.user, campaign=campaign, unit=chosen_unit)
        if chosen_unit is not None
        else Assignment.objects.none()
    )
    today = timezone.localdate()
    preselected = (
        [a.pk for a in assignments.filter(pk=request.GET.get("assignment") or 0)]
        if request.GET.get("assignment", "").isdigit()
        else []
    )
    form = ActivityForm(
        request.POST or None,
        request.FILES or None,
        units=units,
        assignments=assignments,
        counted_from_roll=bool(roll),
        initial={
            "held_on": today,
            "unit": chosen_unit,
            "kind": selectors.last_kind_used(request.user) or "group_study",
            "evidence_for": preselected,
        },
    )
    kept = KeptFiles(request, "attachments")
    attendance_valid = attendance is None or attendance.is_valid()
    if request.method == "POST" and form.is_valid() and attendance_valid:
        data = form.cleaned_data
        try:
            activity = services.activity_create(
                actor=request.user,
                campaign=campaign,
                unit=data["unit"],
                kind=data["kind"],
                held_on=data["held_on"],
                place=data["place"],
                host=data["host"],
                recorder=data["recorder"],
                participants=data["participants"],
                hours=data["hours"],
                summary=data["summary"],
                files=kept.chosen_or_kept(data["attachments"]),
                sign_in_sheet=data["sign_in_sheet"],
                evidence_for=data.get("evidence_for") or [],
                attendance=(
                    [
                        services.Presence(m, present, reason)
                        for m, present, reason in attendance.presence()
                    ]
                    if attendance is not None
                    else None
                ),
                today=today,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
            if attendance is not None:
                apply_errors(attendance, exc)
        else:
            kept.used()
            messages.success(request, _("The activity was logged."))
            linked = list(data.get("evidence_for") or [])
            if len(linked) == 1:
                return redirect("campaign:assignment-detail", pk=linked[0].pk)
            return redirect("campaign:activity-detail", pk=activity.pk)
    if request.method == "POST":
        kept.refused(form)
    return render(
        request,
        "campaign/activity_form.html",
        {"form": form, "attendance": attendance, "creating": True},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_object_for_user(
        Activity.objects.select_related("unit", "created_by", "campaign"), request.user, pk
    )
    return render(
        request,
        "campaign/activity_detail.html",
        {
            "activity": activity,
            "attachments": list(activity.attachments.all()),
            "roll": list(activity.attendance.select_related("person")),
            "assignments": list(
                Assignment.objects.visible_to(request.user)
                .filter(evidence=activity)
                .select_related("task")
            ),
            "may_edit": can(request.user, Action.LOG, activity.unit),
            "history": history_for(activity),
        },
    )


@login_required
def activity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_object_for_user(
        Activity.objects.select_related("unit", "campaign"), request.user, pk, action=Action.LOG
    )
    units = selectors.log_units(request.user).filter(pk=activity.unit_id)
    form = ActivityForm(
        request.POST or None,
        request.FILES or None,
        units=units,
        counted_from_roll=activity.attendance.exists(),
        initial={
            "kind": activity.kind,
            "held_on": activity.held_on,
            "unit": activity.unit,
            "place": activity.place,
            "host": activity.host,
            "recorder": activity.recorder,
            "participants": activity.participants,
            "hours": activity.hours,
            "summary": activity.summary,
        },
    )
    kept = KeptFiles(request, "attachments")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.activity_update(
                actor=request.user,
                activity=activity,
                kind=data["kind"],
                held_on=data["held_on"],
                place=data["place"],
                host=data["host"],
                recorder=data["recorder"],
                participants=data["participants"],
                hours=data["hours"],
                summary=data["summary"],
                files=kept.chosen_or_kept(data["attachments"]),
                sign_in_sheet=data["sign_in_sheet"],
                today=timezone.localdate(),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            kept.used()
            messages.success(request, _("The activity was saved."))
            return redirect("campaign:activity-detail", pk=activity.pk)
    if request.method == "POST":
        kept.refused(form)
    return render(
        request,
        "campaign/activity_form.html",
        {"form": form, "activity": activity},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def activity_attachment(request: HttpRequest, pk: int) -> FileResponse:
    attachment = get_object_for_user(
        ActivityAttachment.objects.select_related("activity__unit"), request.user, pk
    )
    return serve_attachment(attachment, inline=request.GET.get("inline") == "1")


# ---------------------------------------------------------------- members in the study


def _roll_unit(request: HttpRequest) -> OrgUnit:
    """The unit whose roll is shown: ``?unit=CODE`` among those the user logs for, or his
    own unit."""
    units = selectors.log_units(request.user)
    code = request.GET.get("unit") or request.POST.get("unit_code")
    unit = units.filter(code=code).first() if code else selectors.home_unit(request.user)
    if unit is None:
        raise Http404
    return unit  # type: ignore[no-any-return]


@login_required
def member_roll(request: HttpRequest) -> HttpResponse:
    """The members on a unit's roll: the secretary adds and takes off members."""
    _require_any(request, Action.LOG)
    unit = _roll_unit(request)
    form = MemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account_services.member_add(actor=request.user, unit=unit, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The member was put on the roll."))
            return redirect(f"{reverse('campaign:member-roll')}?unit={unit.code}")
    return render(
        request,
        "campaign/member_roll.html",
        {
            "unit": unit,
            "members": selectors.roll_of(unit),
            "form": form,
            "units": selectors.log_units(request.user).order_by("path")[:50],
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def member_retire(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_object_for_user(
        PartyMember.objects.select_related("unit"), request.user, pk, action=Action.LOG
    )
    account_services.member_retire(actor=request.user, member=member)
    messages.success(request, _("%(name)s was taken off the roll.") % {"name": member.name})
    return redirect(f"{reverse('campaign:member-roll')}?unit={member.unit.code}")


@login_required
def makeup_list(request: HttpRequest) -> HttpResponse:
    """Absentees who still owe a 补学, with the form to record it."""
    campaign = current_campaign(request)
    qs = selectors.makeup_due(request.user, campaign=campaign)
    return render(
        request,
        "campaign/makeup_list.html",
        {
            "page_obj": paginate(request, qs),
            "today": timezone.localdate(),
            "form": MakeupForm(initial={"makeup_on": timezone.localdate()}),
        },
    )


@login_required
@require_POST
def makeup_record(request: HttpRequest, pk: int) -> HttpResponse:
    line = get_object_for_user(
        Attendance.objects.select_related("activity__unit", "person"),
        request.user,
        pk,
        action=Action.LOG,
    )
    form = MakeupForm(request.POST)
    if form.is_valid():
        try:
            services.makeup_record(
                actor=request.user,
                line=line,
                done_on=form.cleaned_data["makeup_on"],
                note=form.cleaned_data["makeup_note"],
                today=timezone.localdate(),
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("The make-up study of %(name)s was recorded.") % {"name": line.person.name},
            )
    else:
        messages.error(request, _("Enter a valid date."))
    target = request.POST.get("next") or reverse("campaign:makeup-list")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("campaign:makeup-list")
    return redirect(target)


def _focus_unit(request: HttpRequest) -> OrgUnit:
    """``?unit=CODE`` among the units the user sees, or his highest unit."""
    code = request.GET.get("unit")
    if code:
        unit = _visible_units(request).filter(code=code).first()
    else:
        unit = permissions.top_unit(request.user)
    if unit is None:
        raise Http404
    return unit  # type: ignore[no-any-return]


@login_required
def study_hours(request: HttpRequest) -> HttpResponse:
    """学时 per member and per unit."""
    campaign = current_campaign(request)
    unit = _focus_unit(request)
    rows = selectors.study_hours(request.user, campaign=campaign, unit=unit)
    by_unit: dict[int, dict[str, Any]] = {}
    for row in rows:
        member_unit = row["person"].unit
        line = by_unit.setdefault(
            member_unit.pk, {"unit": member_unit, "members": 0, "hours": 0, "owed": 0}
        )
        line["members"] += 1
        line["hours"] += row["hours"]
        line["owed"] += row["owed"]
    return render(
        request,
        "campaign/study_hours.html",
        {"unit": unit, "rows": rows, "units": list(by_unit.values())},
    )


@login_required
def study_ledger(request: HttpRequest) -> HttpResponseBase:
    """The activity ledger (活动台账) of a unit's subtree as a workbook."""
    campaign = require_campaign(request)
    unit = _focus_unit(request)
    if not can(request.user, Action.EXPORT, unit):
        raise PermissionDenied
    filters = LedgerDatesForm(request.GET or None)
    dates = filters.cleaned_data if filters.is_valid() else {}
    audit_log(kind=AuditEvent.Kind.EXPORT, request=request, unit=unit, what="study_ledger")
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    write_study_ledger(
        campaign=campaign,
        unit=unit,
        target=spool,
        date_from=dates.get("date_from"),
        date_to=dates.get("date_to"),
    )
    spool.seek(0)
    return FileResponse(
        spool,
        as_attachment=True,
        filename=f"{ledger_title(unit)}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


# ---------------------------------------------------------------- review meetings


@login_required
def meeting_list(request: HttpRequest) -> HttpResponse:
    """The meetings the user sees and, for an office, which units have held theirs."""
    campaign = current_campaign(request)
    unit = _focus_unit(request)
    overview = (
        paginate(request, selectors.meeting_overview(campaign=campaign, unit=unit))
        if campaign is not None and can(request.user, Action.OVERSEE, unit)
        else None
    )
    for row in overview or []:
        row.meeting_kind = MeetingKind(KIND_FOR_UNIT[row.kind]).label
    return render(
        request,
        "campaign/meeting_list.html",
        {
            "unit": unit,
            "meetings": list(selectors.meetings_for(request.user, campaign=campaign)[:50]),
            "overview": overview,
            "can_log": campaign is not None and selectors.may_log(request.user),
        },
    )


@login_required
def meeting_create(request: HttpRequest) -> HttpResponse:
    campaign = require_campaign(request)
    _require_any(request, Action.LOG)
    units = selectors.log_units(request.user)
    form = MeetingForm(
        request.POST or None,
        request.FILES or None,
        units=units,
        initial={"unit": selectors.home_unit(request.user), "held_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = services.meeting_create(
                actor=request.user,
                campaign=campaign,
                unit=data["unit"],
                held_on=data["held_on"],
                place=data["place"],
                participants=data["participants"],
                guidance=data["guidance"],
                summary=data["summary"],
                files=data["attachments"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The meeting was recorded."))
            return redirect("campaign:meeting-detail", pk=meeting.pk)
    return render(
        request,
        "campaign/meeting_form.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )


def _render_meeting(request: HttpRequest, meeting: ReviewMeeting, **forms: Any) -> HttpResponse:
    problems = list(
        Problem.objects.visible_to(request.user).filter(meeting=meeting).order_by("scope", "number")
    )
    may_edit = can(request.user, Action.LOG, meeting.unit)
    return render(
        request,
        "campaign/meeting_detail.html",
        {
            "meeting": meeting,
            "attachments": list(meeting.attachments.all()),
            "collective": [p for p in problems if p.scope == "collective"],
            "individual": [p for p in problems if p.scope == "individual"],
            "may_edit": may_edit,
            "may_enter_problems": can(request.user, Action.EDIT_PROBLEMS, meeting.unit),
            "problem_form": forms.get("problem_form")
            or MeetingProblemForm(campaign=meeting.campaign),
            "files_form": forms.get("files_form") or MeetingFilesForm(),
            "history": history_for(meeting),
        },
        status=400 if forms else 200,
    )


def _meeting(request: HttpRequest, pk: int, action: Action = Action.VIEW) -> ReviewMeeting:
    return get_object_for_user(  # type: ignore[no-any-return]
        ReviewMeeting.objects.select_related("unit", "campaign"), request.user, pk, action=action
    )


@login_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_meeting(request, _meeting(request, pk))


@login_required
@require_POST
def meeting_problem_add(request: HttpRequest, pk: int) -> HttpResponse:
    """A problem the meeting brought up, entered in the unit's problem list (draft) through
    the rectification services: measures, leader and deadline follow on its own page."""
    meeting = _meeting(request, pk, Action.EDIT_PROBLEMS)
    form = MeetingProblemForm(request.POST, campaign=meeting.campaign)
    if form.is_valid():
        data = form.cleaned_data
        try:
            problem = problem_services.problem_create(
                campaign=meeting.campaign,
                unit=meeting.unit,
                actor=cast(User, request.user),
                description=data["description"],
                source=ProblemSource.MEETING,
                category=data["category"],
                discovered_on=meeting.held_on,
                type=data["type"],
                deadline=data["deadline"],
                responsible_person_name=data["responsible_person_name"],
                meeting=meeting,
                scope=data["scope"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("Problem %(number)s was entered in the unit's problem list.")
                % {"number": problem.number},
            )
            return redirect("campaign:meeting-detail", pk=meeting.pk)
    return _render_meeting(request, meeting, problem_form=form)


@login_required
@require_POST
def meeting_upload(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk, Action.LOG)
    form = MeetingFilesForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.meeting_add_files(
                actor=request.user,
                meeting=meeting,
                files=form.cleaned_data["attachments"],
                kind=form.cleaned_data["kind"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The materials were uploaded."))
            return redirect("campaign:meeting-detail", pk=meeting.pk)
    return _render_meeting(request, meeting, files_form=form)


@login_required
def meeting_attachment(request: HttpRequest, pk: int) -> FileResponse:
    attachment = get_object_for_user(
        MeetingAttachment.objects.select_related("meeting__unit"), request.user, pk
    )
    return serve_attachment(attachment, inline=request.GET.get("inline") == "1")


# ---------------------------------------------------------------- development


@login_required
def development_list(request: HttpRequest) -> HttpResponse:
    campaign = current_campaign(request)
    today = timezone.localdate()
    qs = selectors.development_for(request.user, campaign=campaign)
    filters = DevelopmentFilter(request.GET or None, units=_filter_units(request))
    if filters.is_valid():
        data = filters.cleaned_data
        if data["category"]:
            qs = qs.filter(category=data["category"])
        if data["people"]:
            qs = qs.filter(for_the_people=True)
        if data["state"] == "open":
            qs = qs.filter(completed_on__isnull=True)
        elif data["state"] == "overdue":
            # as the dashboard counts it (dashboard/figures/development.py)
            qs = qs.filter(completed_on__isnull=True, due_date__lt=today)
        elif data["state"]:
            qs = qs.filter(state=data["state"])
        qs = _within_unit_and_dates(qs, data, date_field="due_date")
    return render(
        request,
        "campaign/development_list.html",
        {
            "filters": filters,
            "today": today,
            "page_obj": paginate(request, qs),
            "can_log": campaign is not None and selectors.may_log(request.user),
        },
    )


@login_required
def development_create(request: HttpRequest) -> HttpResponse:
    campaign = require_campaign(request)
    _require_any(request, Action.LOG)
    units = selectors.log_units(request.user)
    home = selectors.home_unit(request.user)
    chosen = units.filter(pk=request.POST.get("unit")).first() if request.method == "POST" else None
    unit = chosen or home
    leaders = selectors.leader_choices(unit) if unit is not None else User.objects.none()
    form = DevelopmentForm(
        request.POST or None, units=units, leaders=leaders, initial={"unit": home}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            item = services.development_create(
                actor=request.user,
                campaign=campaign,
                unit=data["unit"],
                category=data["category"],
                title=data["title"],
                target=data["target"],
                due_date=data["due_date"],
                responsible_leader=data["responsible_leader"],
                for_the_people=data["for_the_people"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The development item was created."))
            return redirect("campaign:development-detail", pk=item.pk)
    return render(request, "campaign/development_form.html", {"form": form, "creating": True})


@login_required
def development_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_for_user(
        selectors.with_progress(
            DevelopmentItem.objects.select_related("unit", "responsible_leader", "campaign")
        ),
        request.user,
        pk,
    )
    return _render_development(request, item)


def _render_development(request: HttpRequest, item: DevelopmentItem, **forms: Any) -> HttpResponse:
    return render(
        request,
        "campaign/development_detail.html",
        {
            "item": item,
            "today": timezone.localdate(),
            "milestones": list(item.milestones.all()),
            "attachments": list(item.attachments.all()),
            "may_edit": can(request.user, Action.LOG, item.unit),
            "may_start": item.state == DevelopmentState.NOT_STARTED
            and can(request.user, Action.LOG, item.unit),
            "may_close": item.can_move_to(DevelopmentState.CLOSED)
            and permissions.may(request.user, Action.CLOSE, item),
            "verdict_form": VerdictForm(initial={"verdict": item.verdict}),
            "milestone_form": forms.get("milestone_form") or MilestoneForm(),
            "upload_form": forms.get("upload_form") or EvidenceUploadForm(),
            "history": history_for(item),
        },
        status=400 if forms else 200,
    )


def _item_for_write(request: HttpRequest, pk: int) -> DevelopmentItem:
    return get_object_for_user(
        selectors.with_progress(
            DevelopmentItem.objects.select_related("unit", "responsible_leader", "campaign")
        ),
        request.user,
        pk,
        action=Action.LOG,
    )


@login_required
def development_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item_for_write(request, pk)
    form = DevelopmentForm(
        request.POST or None,
        units=selectors.log_units(request.user).filter(pk=item.unit_id),
        leaders=selectors.leader_choices(item.unit),
        editing=True,
        initial={
            "unit": item.unit,
            "category": item.category,
            "title": item.title,
            "target": item.target,
            "responsible_leader": item.responsible_leader,
            "due_date": item.due_date,
            "for_the_people": item.for_the_people,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.development_update(
                actor=request.user,
                item=item,
                category=data["category"],
                title=data["title"],
                target=data["target"],
                due_date=data["due_date"],
                responsible_leader=data["responsible_leader"],
                for_the_people=data["for_the_people"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The development item was saved."))
            return redirect("campaign:development-detail", pk=item.pk)
    return render(request, "campaign/development_form.html", {"form": form, "item": item})


@login_required
@require_POST
def milestone_add(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item_for_write(request, pk)
    form = MilestoneForm(request.POST)
    if form.is_valid():
        try:
            services.milestone_add(actor=request.user, item=item, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The milestone was added."))
            return redirect("campaign:development-detail", pk=item.pk)
    return _render_development(request, item, milestone_form=form)


@login_required
@require_POST
def milestone_done(request: HttpRequest, pk: int) -> HttpResponse:
    milestone = get_object_for_user(
        DevelopmentMilestone.objects.select_related("item__unit"),
        request.user,
        pk,
        action=Action.LOG,
    )
    form = MilestoneDoneForm(request.POST)
    today = timezone.localdate()
    if form.is_valid():
        done_on = form.cleaned_data["done_on"]
        if request.POST.get("reopen"):
            done_on = None
        elif done_on is None:
            done_on = today
        try:
            services.milestone_set_done(
                actor=request.user, milestone=milestone, done_on=done_on, today=today
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, _("Enter a valid date."))
    return redirect("campaign:development-detail", pk=milestone.item_id)


@login_required
@require_POST
def development_upload(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item_for_write(request, pk)
    form = EvidenceUploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.development_add_evidence(
                actor=request.user, item=item, files=form.cleaned_data["attachments"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The evidence was uploaded."))
            return redirect("campaign:development-detail", pk=item.pk)
    return _render_development(request, item, upload_form=form)


@login_required
@require_POST
def development_move(request: HttpRequest, pk: int, to: str) -> HttpResponse:
    """Start an item (the unit) or close it (销号, an office above it)."""
    item = get_object_for_user(
        DevelopmentItem.objects.select_related("unit", "campaign"), request.user, pk
    )
    try:
        if to == DevelopmentState.IN_PROGRESS:
            services.development_start(actor=request.user, item=item)
            messages.success(request, _("The item is under way."))
        else:
            services.development_close(actor=request.user, item=item, today=timezone.localdate())
            messages.success(request, _("The item was closed."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("campaign:development-detail", pk=item.pk)


@login_required
@require_POST
def development_verdict(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item_for_write(request, pk)
    form = VerdictForm(request.POST)
    if form.is_valid():
        try:
            services.development_set_verdict(
                actor=request.user, item=item, verdict=form.cleaned_data["verdict"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The people's verdict was recorded."))
    return redirect("campaign:development-detail", pk=item.pk)


@login_required
def development_attachment(request: HttpRequest, pk: int) -> FileResponse:
    attachment = get_object_for_user(
        DevelopmentAttachment.objects.select_related("item__unit"), request.user, pk
    )
    return serve_attachment(attachment, inline=request.GET.get("inline") == "1")


@login_required
@require_POST
def choose_campaign(request: HttpRequest) -> HttpResponse:
    """Switch the campaign the pages show (kept in the session), then go back."""
    chosen = Campaign.objects.visible_to(request.user).filter(pk=request.POST.get("campaign"))
    campaign = chosen.first()
    if campaign is not None:
        request.session[SESSION_KEY] = campaign.pk
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    return redirect(target)
