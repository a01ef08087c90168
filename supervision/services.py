"""Writes of supervision visits and model cases.

Every function is keyword-only and atomic; the pghistory triggers keep the history and the
request middleware (or ``pghistory.context``) attaches the acting user. A visit's findings
are recorded as problems of the visited unit through ``rectification.services``, so the
problem workflow and its rules are the same whoever reports the problem.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import OrgUnit
from accounts.permissions import can
from accounts.roles import Action
from campaign.models import Campaign
from core.uploads import validate_upload

from .models import (
    Case,
    CaseKind,
    CasePhoto,
    CaseState,
    GuidanceNote,
    GuidanceState,
    SupervisionFinding,
    SupervisionVisit,
    VisitMethod,
)

MAX_PHOTOS = 9


@dataclass(frozen=True)
class FindingInput:
    description: str
    category: str
    type: str = ""
    deadline: date | None = None


def _require(user: Any, action: Action, unit: OrgUnit) -> None:
    if not can(user, action, unit):
        raise PermissionDenied


def _check_unit_in_campaign(campaign: Campaign, unit: OrgUnit) -> None:
    if not unit.is_within(campaign.root_unit):
        raise ValidationError({"unit": _("This unit does not take part in the campaign.")})


def _clean_visit(
    *, visited_on: date, visitors: str, methods: Sequence[str], follow_up_on: date | None
) -> list[str]:
    errors: dict[str, str] = {}
    if not visitors.strip():
        errors["visitors"] = _("Name the people who made the visit.")
    valid = set(VisitMethod.values)
    chosen = [m for m in VisitMethod.values if m in set(methods)]
    if not chosen or not set(methods) <= valid:
        errors["methods"] = _("Choose at least one method of supervision.")
    if follow_up_on is not None and follow_up_on < visited_on:
        errors["follow_up_on"] = _("The follow-up date cannot be before the visit.")
    if errors:
        raise ValidationError(errors)
    return chosen


def _record_finding(
    *, actor: Any, visit: SupervisionVisit, finding: FindingInput
) -> SupervisionFinding:
    from rectification.models import ProblemSource, ProblemType
    from rectification.services import problem_create

    if not finding.description.strip():
        raise ValidationError({"description": _("Describe what was found.")})
    problem = problem_create(
        campaign=visit.campaign,
        unit=visit.unit,
        actor=actor,
        description=finding.description.strip(),
        source=ProblemSource.SUPERVISION,
        category=finding.category,
        discovered_on=visit.visited_on,
        type=finding.type or ProblemType.DEADLINE,
        deadline=finding.deadline,
    )
    return SupervisionFinding.objects.create(visit=visit, problem=problem)


@transaction.atomic
def visit_create(
    *,
    actor: Any,
    campaign: Campaign,
    unit: OrgUnit,
    visited_on: date,
    visitors: str,
    methods: Sequence[str],
    guidance: str = "",
    follow_up_on: date | None = None,
    findings: Sequence[FindingInput] = (),
) -> SupervisionVisit:
    """Record a supervision visit; each finding becomes a problem of the visited unit."""
    _require(actor, Action.SUPERVISE, unit)
    _check_unit_in_campaign(campaign, unit)
    chosen = _clean_visit(
        visited_on=visited_on, visitors=visitors, methods=methods, follow_up_on=follow_up_on
    )
    visit = SupervisionVisit.objects.create(
        campaign=campaign,
        unit=unit,
        visited_on=visited_on,
        visitors=visitors.strip(),
        methods=chosen,
        guidance=guidance.strip(),
        follow_up_on=follow_up_on,
        created_by=actor,
    )
    for finding in findings:
        _record_finding(actor=actor, visit=visit, finding=finding)
    return visit


@transaction.atomic
def visit_update(
    *,
    actor: Any,
    visit: SupervisionVisit,
    visited_on: date,
    visitors: str,
    methods: Sequence[str],
    guidance: str = "",
    follow_up_on: date | None = None,
) -> SupervisionVisit:
    _require(actor, Action.SUPERVISE, visit.unit)
    chosen = _clean_visit(
        visited_on=visited_on, visitors=visitors, methods=methods, follow_up_on=follow_up_on
    )
    visit.visited_on = visited_on
    visit.visitors = visitors.strip()
    visit.methods = chosen
    visit.guidance = guidance.strip()
    if follow_up_on != visit.follow_up_on:
        visit.follow_up_done_on = None
    visit.follow_up_on = follow_up_on
    visit.save()
    return visit


@transaction.atomic
def finding_add(
    *, actor: Any, visit: SupervisionVisit, finding: FindingInput
) -> SupervisionFinding:
    """Add one more finding to a recorded visit (it becomes a problem at once)."""
    _require(actor, Action.SUPERVISE, visit.unit)
    return _record_finding(actor=actor, visit=visit, finding=finding)


@transaction.atomic
def visit_follow_up_done(*, actor: Any, visit: SupervisionVisit, done_on: date) -> SupervisionVisit:
    _require(actor, Action.SUPERVISE, visit.unit)
    if visit.follow_up_on is None:
        raise ValidationError(_("This visit has no follow-up date."))
    if done_on < visit.visited_on:
        raise ValidationError({"done_on": _("The follow-up cannot be before the visit.")})
    visit.follow_up_done_on = done_on
    visit.save(update_fields=["follow_up_done_on"])
    return visit


# ---------------------------------------------------------------- model cases


def _clean_case(
    *, title: str, summary: str, body: str, kind: str = "practice", person_name: str = ""
) -> None:
    errors: dict[str, str] = {}
    if kind not in CaseKind.values:
        errors["kind"] = _("Say whether a practice or a person is put forward.")
    elif kind == CaseKind.PERSON and not person_name.strip():
        errors["person_name"] = _("Name the person put forward.")
    if not title.strip():
        errors["title"] = _("Give the case a title.")
    if not summary.strip():
        errors["summary"] = _("Summarise the practice in a few sentences.")
    if not body.strip():
        errors["body"] = _("Describe the practice.")
    if errors:
        raise ValidationError(errors)


def _add_photos(*, actor: Any, case: Case, photos: Sequence[Any]) -> None:
    if case.photos.count() + len(photos) > MAX_PHOTOS:
        raise ValidationError({"photos": _("A case has at most %(n)s photos.") % {"n": MAX_PHOTOS}})
    for upload in photos:
        try:
            extension = validate_upload(upload)
        except ValidationError as exc:
            raise ValidationError({"photos": exc.messages}) from exc
        if extension not in {"jpg", "jpeg", "png", "gif", "webp", "heic"}:
            raise ValidationError({"photos": _("Only photos (JPG, PNG) can be added to a case.")})
        CasePhoto.objects.create(
            case=case,
            file=upload,
            original_name=upload.name[:255],
            size=upload.size,
            uploaded_by=actor,
        )


@transaction.atomic
def case_submit(
    *,
    actor: Any,
    campaign: Campaign,
    unit: OrgUnit,
    title: str,
    summary: str,
    body: str,
    photos: Sequence[Any] = (),
    kind: str = "practice",
    person_name: str = "",
    person_title: str = "",
) -> Case:
    """A unit puts forward a good practice (先进典型) or one of its people (先进个人) for the
    office to consider as a model."""
    _require(actor, Action.LOG, unit)
    _check_unit_in_campaign(campaign, unit)
    _clean_case(title=title, summary=summary, body=body, kind=kind, person_name=person_name)
    person = kind == CaseKind.PERSON
    case = Case.objects.create(
        campaign=campaign,
        unit=unit,
        title=title.strip(),
        summary=summary.strip(),
        body=body.strip(),
        kind=kind,
        person_name=person_name.strip()[:64] if person else "",
        person_title=person_title.strip()[:100] if person else "",
        submitted_by=actor,
        submitted_at=timezone.now(),
    )
    _add_photos(actor=actor, case=case, photos=photos)
    return case


@transaction.atomic
def case_resubmit(
    *,
    actor: Any,
    case: Case,
    title: str,
    summary: str,
    body: str,
    photos: Sequence[Any] = (),
    person_name: str | None = None,
    person_title: str | None = None,
) -> Case:
    """Edit a returned (or not yet reviewed) case and send it again."""
    _require(actor, Action.LOG, case.unit)
    if not case.can_change():
        raise ValidationError(_("A case selected as a model can no longer be changed."))
    if person_name is not None:
        case.person_name = person_name.strip()[:64]
    if person_title is not None:
        case.person_title = person_title.strip()[:100]
    _clean_case(
        title=title, summary=summary, body=body, kind=case.kind, person_name=case.person_name
    )
    case.title = title.strip()
    case.summary = summary.strip()
    case.body = body.strip()
    case.state = CaseState.SUBMITTED
    case.submitted_by = actor
    case.submitted_at = timezone.now()
    case.save()
    _add_photos(actor=actor, case=case, photos=photos)
    return case


@transaction.atomic
def case_select(*, actor: Any, case: Case) -> Case:
    """The office selects a submitted case as a model (典型)."""
    _require(actor, Action.DEPLOY, case.unit)
    if not case.can_review():
        raise ValidationError(_("Only a submitted case can be selected."))
    case.state = CaseState.SELECTED
    case.return_reason = ""
    case.reviewed_by = actor
    case.reviewed_at = timezone.now()
    case.save()
    return case


@transaction.atomic
def case_return(*, actor: Any, case: Case, reason: str) -> Case:
    """The office returns a submitted case to its unit with a reason."""
    _require(actor, Action.DEPLOY, case.unit)
    if not case.can_review():
        raise ValidationError(_("Only a submitted case can be returned."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the case is returned.")})
    case.state = CaseState.RETURNED
    case.return_reason = reason.strip()
    case.reviewed_by = actor
    case.reviewed_at = timezone.now()
    case.save()
    return case


# --- 指导意见 of the 巡回指导组 ---------------------------------------------------------------


@transaction.atomic
def guidance_create(
    *,
    actor: Any,
    campaign: Campaign,
    unit: OrgUnit,
    text: str,
    given_on: date | None,
    document: Any = None,
) -> GuidanceNote:
    """The 巡回指导组 records its guidance on a unit in its scope."""
    _require(actor, Action.GUIDE, unit)
    _check_unit_in_campaign(campaign, unit)
    errors: dict[str, list[str]] = {}
    if not (text or "").strip():
        errors["text"] = [_("Write the guidance.")]
    if given_on is None:
        errors["given_on"] = [_("Give the date of the guidance.")]
    elif given_on > timezone.localdate():
        errors["given_on"] = [_("The date cannot be in the future.")]
    if document:
        try:
            validate_upload(document)
        except ValidationError as exc:
            errors["document"] = exc.messages
    if errors:
        raise ValidationError(errors)
    return GuidanceNote.objects.create(
        campaign=campaign,
        unit=unit,
        text=text.strip(),
        given_on=given_on,
        document=document or "",
        document_name=getattr(document, "name", "") or "",
        author=actor,
    )


def _open_note(note: GuidanceNote, actor: Any) -> GuidanceNote:
    note = GuidanceNote.objects.select_for_update().get(pk=note.pk)
    _require(actor, Action.DEPLOY, note.unit)
    if note.state != GuidanceState.OPEN:
        raise ValidationError(_("This guidance has already been dealt with."))
    return note


@transaction.atomic
def guidance_answer(*, actor: Any, note: GuidanceNote, answer: str) -> GuidanceNote:
    """The office answers a point of guidance (what was done, or why nothing is)."""
    note = _open_note(note, actor)
    if not (answer or "").strip():
        raise ValidationError({"answer": [_("Write the answer.")]})
    note.state = GuidanceState.ANSWERED
    note.answer = answer.strip()
    note.answered_by = actor
    note.answered_at = timezone.now()
    note.save(update_fields=["state", "answer", "answered_by", "answered_at"])
    return note


@transaction.atomic
def guidance_to_problems(
    *,
    actor: Any,
    note: GuidanceNote,
    units: Sequence[OrgUnit],
    category: str,
    description: str = "",
    deadline: date | None = None,
) -> list[Any]:
    """Turn a point of guidance into one problem (in draft, source 巡回指导组指出) for each
    unit concerned, in one step; the problems and the guidance are linked both ways."""
    from rectification.models import ProblemSource, ProblemType
    from rectification.services import problem_create

    note = _open_note(note, actor)
    if not units:
        raise ValidationError({"units": [_("Choose the units concerned.")]})
    for unit in units:
        if not unit.is_within(note.unit):
            raise ValidationError(
                {"units": [_("Only the unit the guidance is about and its subunits.")]}
            )
    problems = [
        problem_create(
            campaign=note.campaign,
            unit=unit,
            actor=actor,
            description=(description or note.text).strip(),
            source=ProblemSource.GUIDANCE_GROUP,
            category=category,
            discovered_on=note.given_on,
            type=ProblemType.DEADLINE,
            deadline=deadline,
        )
        for unit in units
    ]
    note.problems.add(*problems)
    note.state = GuidanceState.CONVERTED
    note.answered_by = actor
    note.answered_at = timezone.now()
    note.save(update_fields=["state", "answered_by", "answered_at"])
    return problems
