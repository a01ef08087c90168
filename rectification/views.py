"""Pages of the problem list, the closing workflow, special plans and mechanisms.

Views are thin: they look records up through the scope, hand input to services and show
what selectors read. Out of scope is 404, a read-only role writing is 403.
"""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import permissions
from accounts.models import OrgUnit, User
from accounts.roles import Action
from accounts.scoping import get_object_for_user
from campaign import selectors as campaign_selectors
from core.history import history_for
from core.page_cache import render_with_content
from core.pages import apply_errors, current_campaign, paginate
from core.uploads import AttachmentBase, serve_attachment

from . import rules, selectors, services
from .forms import (
    CloseForm,
    DecisionForm,
    EvidenceForm,
    ExtensionForm,
    MeasureForm,
    MeasureStateForm,
    MechanismForm,
    MilestoneForm,
    NoteForm,
    ProblemFilterForm,
    ProblemForm,
    ProgressNoteForm,
    ReasonForm,
    SpecialPlanForm,
)
from .models import (
    ExtensionRequest,
    ExtensionState,
    Measure,
    MeasureEvidence,
    MeasureState,
    Mechanism,
    PlanMilestone,
    Problem,
    ProblemType,
    SatisfactionCheck,
    SpecialPlan,
)


def _user(request: HttpRequest) -> User:
    """The signed-in user (every view here requires login)."""
    return cast(User, request.user)


def _export_url(request: HttpRequest) -> str | None:
    try:
        base = reverse("rectification:ledger-export")
    except NoReverseMatch:
        return None
    params = request.GET.copy()
    params.pop("page", None)
    query = params.urlencode()
    return f"{base}?{query}" if query else base


def _filter_units(user: Any) -> Any:
    """Units offered in the list's unit filter: the user's units and two levels below."""
    visible = OrgUnit.objects.visible_to(user).filter(is_active=True)
    return visible.filter(depth__lte=permissions.top_depth(user) + 2)


def _may_edit(user: Any, record: Problem | SpecialPlan) -> bool:
    """May the user change this problem (its measures) or plan, whatever its state? (What
    the state allows next is the record's to say: ``Problem.allowed_actions``.)"""
    return permissions.may(user, Action.EDIT_PROBLEMS, record)


def _may_enter(user: Any) -> bool:
    """Does the user enter problems, plans or mechanisms anywhere (buttons, form pages)?"""
    return permissions.acts_anywhere(user, Action.EDIT_PROBLEMS)


# --- problem list ------------------------------------------------------------------------


@login_required
def problem_list(request: HttpRequest) -> HttpResponse:
    campaign = current_campaign(request)
    if campaign is None:
        return render(request, "rectification/no_campaign.html")

    def context() -> dict[str, Any]:
        qs = selectors.problem_queryset(user=request.user, campaign=campaign, params=request.GET)
        page = paginate(request, qs)
        form = ProblemFilterForm(
            request.GET or None, campaign=campaign, units=_filter_units(request.user)
        )
        return {
            "page_obj": page,
            "problems": page.object_list,
            "filter_form": form,
            "export_url": _export_url(request),
            "may_create": _may_enter(request.user),
            "filtered": any(k != "page" for k in request.GET),
        }

    return render_with_content(
        request,
        "rectification/problem_list.html",
        "rectification/_problem_list.html",
        campaign,
        context,
    )


# --- problem create / edit ---------------------------------------------------------------


def _problem_fields(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "source": data["source"],
        "category": data["category"],
        "description": data["description"],
        "type": data["type"],
        "deadline": None if data["type"] == ProblemType.ONGOING else data["deadline"],
        "discovered_on": data["discovered_on"],
        "responsible_leader": data["responsible_leader"],
        # a leader chosen from the users is written under his own name
        "responsible_leader_name": ""
        if data["responsible_leader"]
        else data["responsible_leader_name"],
        "responsible_unit_name": data["responsible_unit_name"],
        "responsible_person_name": data["responsible_person_name"],
        "mass_concern": data["mass_concern"],
        "long_unresolved": data["long_unresolved"],
        "remarks": data["remarks"],
        "goal": data.get("goal", ""),
    }


@login_required
def problem_create(request: HttpRequest) -> HttpResponse:
    if not _may_enter(request.user):
        raise PermissionDenied
    campaign = current_campaign(request)
    if campaign is None:
        return render(request, "rectification/no_campaign.html")
    initial = {"discovered_on": timezone.localdate(), "type": ProblemType.DEADLINE}
    form = ProblemForm(request.POST or None, initial=initial, user=request.user, campaign=campaign)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            problem = services.problem_create(
                campaign=campaign, unit=data["unit"], actor=_user(request), **_problem_fields(data)
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("Problem %(number)s entered as a draft. Add its measures next.")
                % {"number": problem.number},
            )
            return redirect("rectification:problem-detail", pk=problem.pk)
    return render(request, "rectification/problem_form.html", {"form": form, "problem": None})


@login_required
def problem_edit(request: HttpRequest, pk: int) -> HttpResponse:
    problem = get_object_for_user(
        Problem.objects.select_related("unit", "campaign"), request.user, pk
    )
    if not _may_edit(request.user, problem):
        raise PermissionDenied
    initial = {
        name: getattr(problem, name)
        for name in services.PROBLEM_EDITABLE_FIELDS
        if name != "responsible_unit"
    }
    form = ProblemForm(
        request.POST or None,
        initial=initial,
        user=request.user,
        campaign=problem.campaign,
        problem=problem,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.problem_update(
                problem=problem, actor=_user(request), **_problem_fields(form.cleaned_data)
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The problem was saved."))
            return redirect("rectification:problem-detail", pk=problem.pk)
    return render(request, "rectification/problem_form.html", {"form": form, "problem": problem})


# --- problem detail and workflow ---------------------------------------------------------


def _detail_problem(request: HttpRequest, pk: int) -> Problem:
    qs = selectors.problem_for_detail(user=request.user, pk=pk)
    return get_object_for_user(qs, request.user, pk)


def _render_detail(
    request: HttpRequest,
    problem: Problem,
    *,
    status: int = 200,
    bound: dict[str, Any] | None = None,
    bound_measure: int | None = None,
) -> HttpResponse:
    bound = bound or {}
    actions = problem.allowed_actions(request.user)
    today = timezone.localdate()
    rows = []
    may_note = rules.progress_note_refusal(problem.state) is None
    for measure in selectors.measures_of(problem):
        mine = bound_measure == measure.pk
        state_form: Any = (
            bound.get("state")
            if mine and "state" in bound
            else MeasureStateForm(
                initial={"state": measure.state, "completed_on": measure.completed_on or today},
                prefix=f"s{measure.pk}",
            )
        )
        # only the states the problem's own state allows (none beyond 未开始 in draft)
        state_form.fields["state"].choices = [
            (value, label)
            for value, label in MeasureState.choices
            if value == measure.state or rules.measure_can_move_to(problem, value)
        ]
        rows.append(
            {
                "measure": measure,
                "may_note": may_note,
                "may_change_state": len(state_form.fields["state"].choices) > 1,
                "note_form": bound.get("note")
                if mine and "note" in bound
                else ProgressNoteForm(initial={"noted_on": today}, prefix=f"n{measure.pk}"),
                "evidence_form": bound.get("evidence")
                if mine and "evidence" in bound
                else EvidenceForm(prefix=f"e{measure.pk}"),
                "state_form": state_form,
            }
        )
    may_decide = rules.may_make(request.user, problem, rules.CLOSE)
    decision_bound = bound.get("decision")
    extension_rows = [
        {
            "request": x,
            "form": decision_bound[1]
            if decision_bound and decision_bound[0] == x.pk
            else DecisionForm(prefix=f"d{x.pk}"),
            "may_decide": may_decide and x.state == ExtensionState.PENDING,
        }
        for x in problem.extensions.select_related("requested_by", "decided_by")
    ]
    context = {
        "problem": problem,
        "rows": rows,
        "timeline": selectors.timeline_of(problem),
        "history": history_for(problem),
        "actions": actions,
        "may_edit": rules.EDIT in actions,
        "measure_form": bound.get("measure") or MeasureForm(prefix="m"),
        "withdraw_form": bound.get("withdraw") or ReasonForm(prefix="w"),
        "return_form": bound.get("return") or ReasonForm(prefix="r"),
        "close_form": bound.get("close")
        or CloseForm(prefix="c", asks_people=rules.asks_the_people(problem)),
        "reopen_form": bound.get("reopen") or ReasonForm(prefix="ro"),
        "extension_form": bound.get("extension")
        or ExtensionForm(
            prefix="x", initial={"new_type": problem.type, "new_deadline": problem.deadline}
        ),
        "extensions": extension_rows,
        "may_request_extension": rules.EDIT in actions
        and problem.state in rules.OPEN_STATES
        and not any(x["request"].state == ExtensionState.PENDING for x in extension_rows),
        "satisfaction_checks": list(problem.satisfaction_checks.select_related("recorded_by")),
        "submit_form": bound.get("submit") or NoteForm(prefix="sub"),
        "plans": list(problem.special_plans.all()),
        "guidance": list(problem.guidance_notes.visible_to(request.user)),
        "mechanisms": list(problem.mechanisms.all()),
        "MeasureState": MeasureState,
    }
    return render(request, "rectification/problem_detail.html", context, status=status)


@login_required
def problem_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, _detail_problem(request, pk))


def _fail(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


TRANSITIONS: dict[str, tuple[str, Callable[..., Problem]]] = {
    # move (rules.MOVES): (form key, service)
    rules.START: ("", services.problem_start),
    rules.SUBMIT: ("submit", services.problem_submit_for_closing),
    rules.CLOSE: ("close", services.problem_close),
    rules.RETURN: ("return", services.problem_return),
    rules.WITHDRAW: ("withdraw", services.problem_withdraw),
    rules.REOPEN: ("reopen", services.problem_reopen),
}
SUCCESS = {
    rules.START: lambda: _("Rectification started."),
    rules.SUBMIT: lambda: _("Submitted for closing."),
    rules.CLOSE: lambda: _("The problem is closed."),
    rules.RETURN: lambda: _("Returned for further rectification."),
    rules.WITHDRAW: lambda: _("The problem was withdrawn."),
    rules.REOPEN: lambda: _("The problem is reopened as a recurrence and back in rectification."),
}


@login_required
@require_POST
def problem_transition(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in TRANSITIONS:
        raise Http404
    problem = _detail_problem(request, pk)
    key, service = TRANSITIONS[action]
    kwargs: dict[str, Any] = {}
    form: Any = None
    if action in (rules.RETURN, rules.WITHDRAW, rules.REOPEN):
        form = ReasonForm(request.POST, prefix="ro" if action == rules.REOPEN else key[0])
        if not form.is_valid():
            return _render_detail(request, problem, status=400, bound={key: form})
        kwargs["reason"] = form.cleaned_data["reason"]
    elif action == rules.CLOSE:
        form = CloseForm(
            request.POST, request.FILES, prefix="c", asks_people=rules.asks_the_people(problem)
        )
        if not form.is_valid():
            return _render_detail(request, problem, status=400, bound={key: form})
        data = form.cleaned_data
        kwargs["note"] = data["note"]
        if "method" in data:
            kwargs["satisfaction"] = services.Satisfaction(
                method=data["method"],
                result=data["result"],
                note=data["people_note"],
                survey=data["survey"],
            )
    elif action == rules.SUBMIT:
        form = NoteForm(request.POST, prefix="sub")
        if not form.is_valid():
            return _render_detail(request, problem, status=400, bound={key: form})
        kwargs["note"] = form.cleaned_data["note"]
    try:
        service(problem=problem, actor=_user(request), **kwargs)
    except ValidationError as exc:
        if form is not None:
            apply_errors(form, exc)
            return _render_detail(request, problem, status=400, bound={key: form})
        _fail(request, exc)
        return _render_detail(request, problem, status=400)
    if action == rules.CLOSE and problem.state != rules.MOVES[rules.CLOSE].to:
        messages.warning(
            request,
            _(
                "The people concerned are not satisfied: the problem stays open and is back "
                "in rectification."
            ),
        )
        return redirect("rectification:problem-detail", pk=problem.pk)
    messages.success(request, SUCCESS[action]())
    if action in (rules.CLOSE, rules.RETURN) and request.POST.get("next") == "queue":
        return redirect("rectification:verify-queue")
    return redirect("rectification:problem-detail", pk=problem.pk)


# --- extension requests (延期申请) and the people's answer ---------------------------------


@login_required
@require_POST
def extension_create(request: HttpRequest, pk: int) -> HttpResponse:
    problem = _detail_problem(request, pk)
    if not _may_edit(request.user, problem):
        raise PermissionDenied
    form = ExtensionForm(request.POST, prefix="x")
    if not form.is_valid():
        return _render_detail(request, problem, status=400, bound={"extension": form})
    data = form.cleaned_data
    try:
        services.extension_request(
            problem=problem,
            actor=_user(request),
            new_type=data["new_type"],
            new_deadline=None if data["new_type"] == ProblemType.ONGOING else data["new_deadline"],
            reason=data["reason"],
        )
    except ValidationError as exc:
        apply_errors(form, exc)
        return _render_detail(request, problem, status=400, bound={"extension": form})
    messages.success(
        request,
        _(
            "The extension request was sent to the office above; the current deadline counts "
            "until it is approved."
        ),
    )
    return redirect("rectification:problem-detail", pk=problem.pk)


@login_required
@require_POST
def extension_decide(request: HttpRequest, pk: int, answer: str) -> HttpResponse:
    if answer not in ("approve", "refuse"):
        raise Http404
    extension = get_object_for_user(
        ExtensionRequest.objects.select_related("problem"), request.user, pk
    )
    problem = _detail_problem(request, extension.problem_id)
    form = DecisionForm(request.POST, prefix=f"d{extension.pk}")
    if not form.is_valid():
        return _render_detail(request, problem, status=400, bound={"decision": (pk, form)})
    try:
        services.extension_decide(
            request=extension,
            actor=_user(request),
            approve=answer == "approve",
            comment=form.cleaned_data["comment"],
        )
    except ValidationError as exc:
        apply_errors(form, exc)
        return _render_detail(request, problem, status=400, bound={"decision": (pk, form)})
    if answer == "approve":
        messages.success(request, _("The request is approved: the new deadline counts from now."))
    else:
        messages.success(request, _("The request is refused: the deadline stays as it was."))
    if request.POST.get("next") == "queue":
        return redirect("rectification:verify-queue")
    return redirect("rectification:problem-detail", pk=problem.pk)


@login_required
def satisfaction_document(request: HttpRequest, pk: int) -> HttpResponseBase:
    check = get_object_for_user(SatisfactionCheck.objects.all(), request.user, pk)
    return _serve_document(check)


# --- measures ----------------------------------------------------------------------------


@login_required
@require_POST
def measure_create(request: HttpRequest, pk: int) -> HttpResponse:
    problem = _detail_problem(request, pk)
    if not _may_edit(request.user, problem):
        raise PermissionDenied
    form = MeasureForm(request.POST, prefix="m")
    if form.is_valid():
        try:
            services.measure_add(problem=problem, actor=_user(request), **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The measure was added."))
            return redirect("rectification:problem-detail", pk=problem.pk)
    return _render_detail(request, problem, status=400, bound={"measure": form})


def _measure(request: HttpRequest, pk: int) -> tuple[Measure, Problem]:
    measure = get_object_for_user(
        Measure.objects.select_related("problem__unit"),
        request.user,
        pk,
        unit_of=lambda m: m.problem.unit,
    )
    problem = _detail_problem(request, measure.problem_id)
    if not _may_edit(request.user, problem):
        raise PermissionDenied
    return measure, problem


@login_required
def measure_edit(request: HttpRequest, pk: int) -> HttpResponse:
    measure, problem = _measure(request, pk)
    form = MeasureForm(
        request.POST or None,
        initial={
            "description": measure.description,
            "responsible_person_name": measure.responsible_person_name,
            "deadline": measure.deadline,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.measure_update(measure=measure, actor=_user(request), **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The measure was saved."))
            return redirect("rectification:problem-detail", pk=problem.pk)
    return render(
        request,
        "rectification/measure_form.html",
        {"form": form, "measure": measure, "problem": problem},
    )


@login_required
@require_POST
def measure_state(request: HttpRequest, pk: int) -> HttpResponse:
    measure, problem = _measure(request, pk)
    form = MeasureStateForm(request.POST, prefix=f"s{measure.pk}")
    if form.is_valid():
        try:
            services.measure_set_state(measure=measure, actor=_user(request), **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The measure's state was saved."))
            return redirect("rectification:problem-detail", pk=problem.pk)
    return _render_detail(
        request, problem, status=400, bound={"state": form}, bound_measure=measure.pk
    )


@login_required
@require_POST
def progress_note_create(request: HttpRequest, pk: int) -> HttpResponse:
    measure, problem = _measure(request, pk)
    form = ProgressNoteForm(request.POST, prefix=f"n{measure.pk}")
    if form.is_valid():
        try:
            services.progress_note_add(measure=measure, actor=_user(request), **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The progress note was added."))
            return redirect("rectification:problem-detail", pk=problem.pk)
    return _render_detail(
        request, problem, status=400, bound={"note": form}, bound_measure=measure.pk
    )


@login_required
@require_POST
def evidence_create(request: HttpRequest, pk: int) -> HttpResponse:
    measure, problem = _measure(request, pk)
    form = EvidenceForm(request.POST, request.FILES, prefix=f"e{measure.pk}")
    if form.is_valid():
        try:
            services.evidence_add(
                measure=measure, actor=_user(request), upload=form.cleaned_data["file"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The evidence was uploaded."))
            return redirect("rectification:problem-detail", pk=problem.pk)
    return _render_detail(
        request, problem, status=400, bound={"evidence": form}, bound_measure=measure.pk
    )


@login_required
def evidence_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    evidence = get_object_for_user(
        MeasureEvidence.objects.select_related("measure__problem__unit"), request.user, pk
    )
    return serve_attachment(evidence, inline=request.GET.get("inline") == "1")


# --- verifier's queue --------------------------------------------------------------------


@login_required
def verify_queue(request: HttpRequest) -> HttpResponse:
    if not permissions.acts_anywhere(request.user, rules.MOVES[rules.CLOSE].action):
        raise PermissionDenied
    campaign = current_campaign(request)
    if campaign is None:
        return render(request, "rectification/no_campaign.html")
    page = paginate(request, selectors.verify_queue(user=request.user, campaign=campaign))
    return render(
        request,
        "rectification/verify_queue.html",
        {
            "page_obj": page,
            "problems": page.object_list,
            "extensions": selectors.extension_queue(user=request.user, campaign=campaign)[:50],
            "assignment_extensions": campaign_selectors.extension_queue(
                user=request.user, campaign=campaign
            )[:50],
        },
    )


# --- special plans -----------------------------------------------------------------------


def _serve_document(record: Any) -> HttpResponseBase:
    if not record.document:
        raise Http404
    attachment = SimpleNamespace(
        original_name=record.document_name or record.document.name, file=record.document
    )
    return serve_attachment(cast(AttachmentBase, attachment))


@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    campaign = current_campaign(request)
    if campaign is None:
        return render(request, "rectification/no_campaign.html")
    page = paginate(request, selectors.plan_queryset(user=request.user, campaign=campaign))
    waiting = selectors.problems_needing_plan(user=request.user, campaign=campaign)
    return render(
        request,
        "rectification/plan_list.html",
        {
            "page_obj": page,
            "plans": page.object_list,
            "waiting_count": waiting.count(),
            "may_create": _may_enter(request.user),
        },
    )


@login_required
def plan_create(request: HttpRequest) -> HttpResponse:
    if not _may_enter(request.user):
        raise PermissionDenied
    campaign = current_campaign(request)
    if campaign is None:
        return render(request, "rectification/no_campaign.html")
    initial: dict[str, Any] = {}
    if problem_id := request.GET.get("problem"):
        chosen = (
            Problem.objects.visible_to(request.user).filter(pk=problem_id).first()
            if str(problem_id).isdigit()
            else None
        )
        if chosen is not None:
            initial = {"problems": [chosen.pk], "unit": chosen.unit_id}
    form = SpecialPlanForm(
        request.POST or None,
        request.FILES or None,
        initial=initial,
        user=request.user,
        campaign=campaign,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            plan = services.special_plan_create(
                campaign=campaign,
                unit=data["unit"],
                actor=_user(request),
                title=data["title"],
                lead=data["lead"],
                goal=data["goal"],
                body=data["body"],
                document=data["document"],
                problems=data["problems"],
                milestones=[
                    services.MilestoneInput(title=title, due_on=due)
                    for due, title in data["milestones"]
                ],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The special plan was saved."))
            return redirect("rectification:plan-detail", pk=plan.pk)
    return render(request, "rectification/plan_form.html", {"form": form})


@login_required
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_object_for_user(
        SpecialPlan.objects.select_related("unit", "campaign"), request.user, pk
    )
    if not _may_edit(request.user, plan):
        raise PermissionDenied
    initial = {
        "title": plan.title,
        "lead": plan.lead_id,
        "goal": plan.goal,
        "body": plan.body,
        "problems": list(plan.problems.values_list("pk", flat=True)),
    }
    form = SpecialPlanForm(
        request.POST or None,
        request.FILES or None,
        initial=initial,
        user=request.user,
        campaign=plan.campaign,
        plan=plan,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.special_plan_update(
                plan=plan,
                actor=_user(request),
                title=data["title"],
                lead=data["lead"],
                goal=data["goal"],
                body=data["body"],
                document=data["document"],
                problems=data["problems"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The special plan was saved."))
            return redirect("rectification:plan-detail", pk=plan.pk)
    return render(request, "rectification/plan_form.html", {"form": form, "plan": plan})


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_object_for_user(
        SpecialPlan.objects.select_related("unit", "lead", "campaign"), request.user, pk
    )
    problems = (
        Problem.objects.visible_to(request.user)
        .filter(special_plans=plan)
        .select_related("unit")
        .order_by("unit__path", "number")
    )
    may_edit = _may_edit(request.user, plan)
    return render(
        request,
        "rectification/plan_detail.html",
        {
            "plan": plan,
            "problems": problems,
            "milestones": list(plan.milestones.all()),
            "milestone_form": MilestoneForm(),
            "may_edit": may_edit,
            "history": history_for(plan),
        },
    )


@login_required
@require_POST
def milestone_create(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_object_for_user(SpecialPlan.objects.select_related("unit"), request.user, pk)
    if not _may_edit(request.user, plan):
        raise PermissionDenied
    form = MilestoneForm(request.POST)
    if form.is_valid():
        try:
            services.milestone_add(plan=plan, actor=_user(request), **form.cleaned_data)
        except ValidationError as exc:
            _fail(request, exc)
        else:
            messages.success(request, _("The milestone was added."))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
    return redirect("rectification:plan-detail", pk=plan.pk)


@login_required
@require_POST
def milestone_done(request: HttpRequest, pk: int) -> HttpResponse:
    milestone = get_object_for_user(
        PlanMilestone.objects.select_related("plan__unit"),
        request.user,
        pk,
        unit_of=lambda m: m.plan.unit,
    )
    try:
        services.milestone_mark_done(milestone=milestone, actor=_user(request))
    except ValidationError as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("The milestone is marked done."))
    return redirect("rectification:plan-detail", pk=milestone.plan_id)


@login_required
def plan_document(request: HttpRequest, pk: int) -> HttpResponseBase:
    return _serve_document(get_object_for_user(SpecialPlan, request.user, pk))


# --- mechanisms --------------------------------------------------------------------------


@login_required
def mechanism_list(request: HttpRequest) -> HttpResponse:
    campaign = current_campaign(request)
    if campaign is None:
        return render(request, "rectification/no_campaign.html")
    page = paginate(request, selectors.mechanism_queryset(user=request.user, campaign=campaign))
    return render(
        request,
        "rectification/mechanism_list.html",
        {
            "page_obj": page,
            "mechanisms": page.object_list,
            "may_create": _may_enter(request.user),
        },
    )


@login_required
def mechanism_create(request: HttpRequest) -> HttpResponse:
    if not _may_enter(request.user):
        raise PermissionDenied
    campaign = current_campaign(request)
    if campaign is None:
        return render(request, "rectification/no_campaign.html")
    form = MechanismForm(
        request.POST or None,
        request.FILES or None,
        initial={"issued_on": timezone.localdate()},
        user=request.user,
        campaign=campaign,
    )
    if request.method == "POST" and form.is_valid():
        try:
            mechanism = services.mechanism_create(
                campaign=campaign, actor=_user(request), **form.cleaned_data
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The mechanism was recorded."))
            return redirect("rectification:mechanism-detail", pk=mechanism.pk)
    return render(request, "rectification/mechanism_form.html", {"form": form})


@login_required
def mechanism_detail(request: HttpRequest, pk: int) -> HttpResponse:
    mechanism = get_object_for_user(
        Mechanism.objects.select_related("unit", "campaign"), request.user, pk
    )
    problems = (
        Problem.objects.visible_to(request.user)
        .filter(mechanisms=mechanism)
        .select_related("unit")
        .order_by("unit__path", "number")
    )
    return render(
        request,
        "rectification/mechanism_detail.html",
        {"mechanism": mechanism, "problems": problems, "history": history_for(mechanism)},
    )


@login_required
def mechanism_document(request: HttpRequest, pk: int) -> HttpResponseBase:
    return _serve_document(get_object_for_user(Mechanism, request.user, pk))
