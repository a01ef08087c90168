"""Supervision visits and model cases: thin views over the selectors and services."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import permissions
from accounts.models import OrgUnit
from accounts.permissions import can
from accounts.roles import Action
from accounts.scoping import get_object_for_user
from core.history import history_for
from core.pages import apply_errors, paginate, require_campaign
from core.uploads import AttachmentBase, serve_attachment

from . import selectors, services
from .forms import (
    CaseForm,
    CaseReturnForm,
    FindingForm,
    FindingFormSet,
    FollowUpDoneForm,
    GuidanceAnswerForm,
    GuidanceForm,
    GuidanceProblemsForm,
    VisitEditForm,
    VisitForm,
)
from .models import Case, CasePhoto, CaseState, GuidanceNote, SupervisionVisit


def _finding_inputs(formset: Any) -> list[services.FindingInput]:
    return [
        services.FindingInput(
            description=f.cleaned_data["description"],
            category=f.cleaned_data["category"],
            type=f.cleaned_data["type"],
            deadline=f.cleaned_data.get("deadline"),
        )
        for f in formset.forms
        if f.has_changed() and f.cleaned_data.get("description")
    ]


# ---------------------------------------------------------------- visits


@login_required
def visit_list(request: HttpRequest) -> HttpResponse:
    campaign = require_campaign(request)
    qs = selectors.visit_list(user=request.user, campaign=campaign, params=request.GET)
    page = paginate(request, qs)
    can_record = selectors.units_supervisable(user=request.user, campaign=campaign).exists()
    return render(
        request,
        "supervision/visit_list.html",
        {"page_obj": page, "visits": page.object_list, "can_record": can_record},
    )


@login_required
def visit_create(request: HttpRequest) -> HttpResponse:
    campaign = require_campaign(request)
    units = selectors.units_supervisable(user=request.user, campaign=campaign)
    if not units.exists():
        if OrgUnit.objects.visible_to(request.user).exists():  # type: ignore[arg-type]
            raise PermissionDenied
        raise Http404
    code = request.GET.get("unit", "")
    prefilled = units.filter(code=code).first() if code else None
    initial = {"unit": prefilled.pk if prefilled else None, "visited_on": timezone.localdate()}
    form = VisitForm(request.POST or None, units=units, initial=initial)
    formset = FindingFormSet(request.POST or None, campaign=campaign, prefix="findings")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        data = form.cleaned_data
        try:
            visit = services.visit_create(
                actor=request.user,
                campaign=campaign,
                unit=data["unit"],
                visited_on=data["visited_on"],
                visitors=data["visitors"],
                methods=data["methods"],
                guidance=data["guidance"],
                follow_up_on=data["follow_up_on"],
                findings=_finding_inputs(formset),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            count = visit.findings.count()
            messages.success(
                request,
                _("The visit was recorded; %(n)s finding(s) became problems of the unit.")
                % {"n": count},
            )
            return redirect("supervision:visit-detail", pk=visit.pk)
    return render(
        request,
        "supervision/visit_form.html",
        {"form": form, "formset": formset, "prefilled_unit": prefilled, "creating": True},
    )


@login_required
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    visit = get_object_for_user(
        SupervisionVisit.objects.select_related("unit", "campaign", "created_by"),
        request.user,
        pk,
    )
    can_edit = can(request.user, Action.SUPERVISE, visit.unit)
    return render(
        request,
        "supervision/visit_detail.html",
        {
            "visit": visit,
            "findings": selectors.visit_findings(visit),
            "can_edit": can_edit,
            "finding_form": FindingForm(campaign=visit.campaign) if can_edit else None,
            "follow_up_form": FollowUpDoneForm(initial={"done_on": timezone.localdate()})
            if can_edit
            else None,
            "history": history_for(visit),
        },
    )


@login_required
def visit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    visit = get_object_for_user(
        SupervisionVisit.objects.select_related("unit", "campaign"),
        request.user,
        pk,
        action=Action.SUPERVISE,
    )
    initial = {
        "visited_on": visit.visited_on,
        "visitors": visit.visitors,
        "methods": visit.methods,
        "guidance": visit.guidance,
        "follow_up_on": visit.follow_up_on,
    }
    form = VisitEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.visit_update(
                actor=request.user,
                visit=visit,
                visited_on=data["visited_on"],
                visitors=data["visitors"],
                methods=data["methods"],
                guidance=data["guidance"],
                follow_up_on=data["follow_up_on"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The visit was saved."))
            return redirect("supervision:visit-detail", pk=visit.pk)
    return render(
        request, "supervision/visit_form.html", {"form": form, "visit": visit, "creating": False}
    )


@login_required
@require_POST
def finding_add(request: HttpRequest, pk: int) -> HttpResponse:
    visit = get_object_for_user(
        SupervisionVisit.objects.select_related("unit", "campaign"),
        request.user,
        pk,
        action=Action.SUPERVISE,
    )
    form = FindingForm(request.POST, campaign=visit.campaign)
    if form.is_valid():
        try:
            finding = services.finding_add(
                actor=request.user,
                visit=visit,
                finding=services.FindingInput(
                    description=form.cleaned_data["description"],
                    category=form.cleaned_data["category"],
                    type=form.cleaned_data["type"],
                    deadline=form.cleaned_data.get("deadline"),
                ),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("The finding became problem %(problem)s of the unit.")
                % {"problem": finding.problem},
            )
            return redirect("supervision:visit-detail", pk=visit.pk)
    return render(
        request,
        "supervision/visit_detail.html",
        {
            "visit": visit,
            "findings": selectors.visit_findings(visit),
            "can_edit": True,
            "finding_form": form,
            "follow_up_form": FollowUpDoneForm(initial={"done_on": timezone.localdate()}),
            "history": history_for(visit),
        },
        status=400,
    )


@login_required
@require_POST
def follow_up_done(request: HttpRequest, pk: int) -> HttpResponse:
    visit = get_object_for_user(
        SupervisionVisit.objects.select_related("unit"), request.user, pk, action=Action.SUPERVISE
    )
    form = FollowUpDoneForm(request.POST)
    if form.is_valid():
        try:
            services.visit_follow_up_done(
                actor=request.user, visit=visit, done_on=form.cleaned_data["done_on"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The follow-up was marked as made."))
    else:
        messages.error(request, _("Enter the date the follow-up was made."))
    return redirect("supervision:visit-detail", pk=visit.pk)


# ---------------------------------------------------------------- model cases


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    campaign = require_campaign(request)
    qs = selectors.case_list(user=request.user, campaign=campaign, params=request.GET)
    page = paginate(request, qs)
    state = request.GET.get("state") or CaseState.SELECTED
    return render(
        request,
        "supervision/case_list.html",
        {
            "page_obj": page,
            "cases": page.object_list,
            "state": state,
            "states": CaseState.choices,
            "counts": selectors.case_counts(user=request.user, campaign=campaign),
            "can_submit": selectors.units_for_cases(user=request.user, campaign=campaign).exists(),
        },
    )


@login_required
def case_create(request: HttpRequest) -> HttpResponse:
    campaign = require_campaign(request)
    units = selectors.units_for_cases(user=request.user, campaign=campaign)
    if not units.exists():
        if OrgUnit.objects.visible_to(request.user).exists():  # type: ignore[arg-type]
            raise PermissionDenied
        raise Http404
    form = CaseForm(
        request.POST or None,
        request.FILES or None,
        units=units,
        home=permissions.home_unit(request.user, Action.VIEW),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = services.case_submit(
                actor=request.user,
                campaign=campaign,
                unit=data["unit"],
                title=data["title"],
                summary=data["summary"],
                body=data["body"],
                photos=request.FILES.getlist("photos"),
                kind=data["kind"],
                person_name=data["person_name"],
                person_title=data["person_title"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The case was submitted to the office."))
            return redirect("supervision:case-detail", pk=case.pk)
    return render(request, "supervision/case_form.html", {"form": form, "creating": True})


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_object_for_user(
        Case.objects.select_related("unit", "campaign", "submitted_by", "reviewed_by"),
        request.user,
        pk,
    )
    can_review = case.can_review() and can(request.user, Action.DEPLOY, case.unit)
    can_resubmit = case.can_change() and can(request.user, Action.LOG, case.unit)
    return render(
        request,
        "supervision/case_detail.html",
        {
            "case": case,
            "photos": list(case.photos.all()),
            "can_review": can_review,
            "can_resubmit": can_resubmit,
            "return_form": CaseReturnForm() if can_review else None,
            "history": history_for(case),
        },
    )


@login_required
def case_edit(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_object_for_user(
        Case.objects.select_related("unit", "campaign"), request.user, pk, action=Action.LOG
    )
    if not case.can_change():
        raise PermissionDenied
    initial = {
        "title": case.title,
        "summary": case.summary,
        "body": case.body,
        "kind": case.kind,
        "person_name": case.person_name,
        "person_title": case.person_title,
    }
    form = CaseForm(request.POST or None, request.FILES or None, initial=initial)
    del form.fields["kind"]  # what was put forward stays what it was
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.case_resubmit(
                actor=request.user,
                case=case,
                title=data["title"],
                summary=data["summary"],
                body=data["body"],
                photos=request.FILES.getlist("photos"),
                person_name=data["person_name"],
                person_title=data["person_title"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The case was submitted again."))
            return redirect("supervision:case-detail", pk=case.pk)
    return render(
        request, "supervision/case_form.html", {"form": form, "case": case, "creating": False}
    )


@login_required
@require_POST
def case_select(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_object_for_user(
        Case.objects.select_related("unit"), request.user, pk, action=Action.DEPLOY
    )
    try:
        services.case_select(actor=request.user, case=case)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The case was selected as a model."))
    return redirect("supervision:case-detail", pk=case.pk)


@login_required
@require_POST
def case_return(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_object_for_user(
        Case.objects.select_related("unit", "campaign", "submitted_by", "reviewed_by"),
        request.user,
        pk,
        action=Action.DEPLOY,
    )
    form = CaseReturnForm(request.POST)
    if form.is_valid():
        try:
            services.case_return(actor=request.user, case=case, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The case was returned to its unit."))
            return redirect("supervision:case-detail", pk=case.pk)
    return render(
        request,
        "supervision/case_detail.html",
        {
            "case": case,
            "photos": list(case.photos.all()),
            "can_review": case.can_review(),
            "can_resubmit": False,
            "return_form": form,
            "history": history_for(case),
        },
        status=400,
    )


@login_required
def case_photo(request: HttpRequest, pk: int) -> HttpResponseBase:
    photo = get_object_for_user(
        CasePhoto.objects.select_related("case"), request.user, pk, unit_of=lambda p: p.case.unit
    )
    return serve_attachment(photo, inline=True)


# --- 指导意见 of the 巡回指导组 ---------------------------------------------------------------


@login_required
def guidance_list(request: HttpRequest) -> HttpResponse:
    """The 巡回指导组 records its guidance here; the office sees the queue."""
    campaign = require_campaign(request)
    units = selectors.units_guidable(user=request.user, campaign=campaign)
    may_give = permissions.acts_anywhere(request.user, Action.GUIDE)
    form = None
    if may_give:
        form = GuidanceForm(
            request.POST or None,
            request.FILES or None,
            units=units,
            initial={"given_on": timezone.localdate()},
        )
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                note = services.guidance_create(
                    actor=request.user,
                    campaign=campaign,
                    unit=data["unit"],
                    text=data["text"],
                    given_on=data["given_on"],
                    document=data["document"],
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("The guidance was sent to the office."))
                return redirect("supervision:guidance-detail", pk=note.pk)
    elif request.method == "POST":
        raise PermissionDenied
    page = paginate(request, selectors.guidance_list(user=request.user, campaign=campaign))
    return render(
        request,
        "supervision/guidance_list.html",
        {"page_obj": page, "notes": page.object_list, "form": form},
    )


def _guidance(request: HttpRequest, pk: int) -> GuidanceNote:
    return get_object_for_user(
        GuidanceNote.objects.select_related("unit", "campaign", "author", "answered_by"),
        request.user,
        pk,
    )


def _guidance_units(request: HttpRequest, note: GuidanceNote) -> QuerySet[OrgUnit]:
    """The units a guidance note's points may become problems of: the note's unit and
    those below it, as far as the reader may enter problems there."""
    return OrgUnit.objects.visible_to(request.user, Action.EDIT_PROBLEMS).filter(  # type: ignore[arg-type]
        path__startswith=note.unit.path, is_active=True
    )


def _render_guidance(
    request: HttpRequest, note: GuidanceNote, *, status: int = 200, **bound: Any
) -> HttpResponse:
    may_handle = note.state == "open" and can(request.user, Action.DEPLOY, note.unit)
    units = _guidance_units(request, note).order_by("path")[:200]
    return render(
        request,
        "supervision/guidance_detail.html",
        {
            "note": note,
            "problems": list(note.problems.select_related("unit")),
            "may_handle": may_handle,
            "answer_form": bound.get("answer") or GuidanceAnswerForm(prefix="a"),
            "problems_form": bound.get("problems")
            or GuidanceProblemsForm(
                prefix="p",
                units=units,
                campaign=note.campaign,
                initial={"units": [note.unit.pk], "description": note.text},
            ),
            "history": history_for(note),
        },
        status=status,
    )


@login_required
def guidance_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_guidance(request, _guidance(request, pk))


@login_required
@require_POST
def guidance_answer(request: HttpRequest, pk: int) -> HttpResponse:
    note = _guidance(request, pk)
    if not can(request.user, Action.DEPLOY, note.unit):
        raise PermissionDenied
    form = GuidanceAnswerForm(request.POST, prefix="a")
    if form.is_valid():
        try:
            services.guidance_answer(
                actor=request.user, note=note, answer=form.cleaned_data["answer"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The guidance is answered."))
            return redirect("supervision:guidance-detail", pk=note.pk)
    return _render_guidance(request, note, status=400, answer=form)


@login_required
@require_POST
def guidance_problems(request: HttpRequest, pk: int) -> HttpResponse:
    note = _guidance(request, pk)
    if not can(request.user, Action.DEPLOY, note.unit):
        raise PermissionDenied
    units = _guidance_units(request, note)
    form = GuidanceProblemsForm(request.POST, prefix="p", units=units, campaign=note.campaign)
    if form.is_valid():
        data = form.cleaned_data
        try:
            problems = services.guidance_to_problems(
                actor=request.user,
                note=note,
                units=list(data["units"]),
                category=data["category"],
                description=data["description"],
                deadline=data["deadline"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(n)d problems were entered for the units concerned.") % {"n": len(problems)},
            )
            return redirect("supervision:guidance-detail", pk=note.pk)
    return _render_guidance(request, note, status=400, problems=form)


@login_required
def guidance_document(request: HttpRequest, pk: int) -> HttpResponseBase:
    note = _guidance(request, pk)
    if not note.document:
        raise Http404
    attachment = SimpleNamespace(
        original_name=note.document_name or note.document.name, file=note.document
    )
    return serve_attachment(cast(AttachmentBase, attachment))
