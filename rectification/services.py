"""Writes of the rectification workstream: problems, measures, the closing workflow,
special plans and long-term mechanisms.

Every step of the workflow is recorded as a ``ProblemTransition`` (who, when, from what
state to what, why) on top of the field history kept by pghistory. Problems are never
deleted: they are withdrawn with a reason. Refusals raise ``ValidationError`` with a
message the user can act on.

``actor=None`` means a system write (a management command or an import run under
``pghistory.context``): the permission checks are the caller's, the rules still apply.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import OrgUnit, User
from accounts.roles import Action, Role
from accounts.scoping import can, grants_of
from campaign.models import Campaign
from core.uploads import validate_upload

from .models import (
    OPEN_STATES,
    Measure,
    MeasureEvidence,
    MeasureState,
    Mechanism,
    PlanMilestone,
    Problem,
    ProblemState,
    ProblemTransition,
    ProblemType,
    ProgressNote,
    SpecialPlan,
)

EDITABLE_STATES = (ProblemState.DRAFT, ProblemState.IN_RECTIFICATION)
STALE_AFTER_DAYS = 30


# --- permissions -------------------------------------------------------------------------


def may_edit_problem(user: Any, problem: Problem) -> bool:
    """Secretaries and offices edit the problems of their subtree; a leader only those he
    is the responsible leader of."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    unit = problem.unit
    for grant in grants_of(user):
        if not grant.covers(unit.path, unit.pk):
            continue
        if grant.role in (Role.SECRETARY, Role.OFFICE):
            return True
        if grant.role == Role.LEADER and problem.responsible_leader_id == user.pk:
            return True
    return False


def may_create_in(user: Any, unit: OrgUnit) -> bool:
    return can(user, Action.EDIT_PROBLEMS, unit)


def may_verify(user: Any, problem: Problem) -> bool:
    """Closing and returning: the office role on a unit strictly above the reporting unit."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    unit = problem.unit
    return any(
        grant.role == Role.OFFICE and grant.unit_id != unit.pk and unit.path.startswith(grant.path)
        for grant in grants_of(user)
    )


def may_edit_plan(user: Any, plan: SpecialPlan) -> bool:
    """Secretaries and offices edit the plans of their subtree; a leader those he leads."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    unit = plan.unit
    for grant in grants_of(user):
        if not grant.covers(unit.path, unit.pk):
            continue
        if grant.role in (Role.SECRETARY, Role.OFFICE):
            return True
        if grant.role == Role.LEADER and plan.lead_id == user.pk:
            return True
    return False


def _require_plan_edit(actor: User | None, plan: SpecialPlan) -> None:
    if actor is not None and not may_edit_plan(actor, plan):
        raise PermissionDenied(_("You may not change this plan."))


def _require_edit(actor: User | None, problem: Problem) -> None:
    if actor is not None and not may_edit_problem(actor, problem):
        raise PermissionDenied(_("You may not change this problem."))


def _require_open_for_edit(problem: Problem) -> None:
    if problem.state not in EDITABLE_STATES:
        raise ValidationError(
            _("A problem that is “%(state)s” can no longer be changed.")
            % {"state": problem.get_state_display()}
        )


# --- problems ----------------------------------------------------------------------------


def _clean_problem_fields(
    *,
    campaign: Campaign,
    category: str,
    source: str,
    type: str,
    deadline: date | None,
    description: str,
    discovered_on: date | None,
) -> None:
    from .models import ProblemSource

    errors: dict[str, list[str]] = {}
    if not (description or "").strip():
        errors["description"] = [_("Describe the problem.")]
    categories = list(campaign.problem_categories or [])
    if not category:
        errors["category"] = [_("Choose a category.")]
    elif categories and category not in categories:
        errors["category"] = [
            _("“%(value)s” is not one of this campaign's problem categories.") % {"value": category}
        ]
    if source not in ProblemSource.values:
        errors["source"] = [_("Choose where the problem was found.")]
    if type not in ProblemType.values:
        errors["type"] = [_("Choose the type of rectification.")]
    if type == ProblemType.ONGOING and deadline is not None:
        errors["deadline"] = [_("A 长期坚持 problem has no deadline; leave it empty.")]
    if discovered_on is None:
        errors["discovered_on"] = [_("Give the date the problem was found.")]
    elif deadline is not None and deadline < discovered_on:
        errors["deadline"] = [_("The deadline cannot be before the date the problem was found.")]
    if errors:
        raise ValidationError(errors)


def _record(
    problem: Problem, *, from_state: str, to_state: str, actor: User | None, reason: str = ""
) -> ProblemTransition:
    return ProblemTransition.objects.create(
        problem=problem, from_state=from_state, to_state=to_state, actor=actor, reason=reason
    )


@transaction.atomic
def problem_create(
    *,
    campaign: Campaign,
    unit: OrgUnit,
    actor: User | None,
    description: str,
    source: str,
    category: str,
    discovered_on: date,
    type: str = ProblemType.DEADLINE,
    deadline: date | None = None,
    responsible_leader: User | None = None,
    responsible_leader_name: str = "",
    responsible_unit: OrgUnit | None = None,
    responsible_unit_name: str = "",
    responsible_person: User | None = None,
    responsible_person_name: str = "",
    mass_concern: bool = False,
    long_unresolved: bool = False,
    remarks: str = "",
) -> Problem:
    """Enter a problem in draft, numbered next within its unit and campaign."""
    if actor is not None and not may_create_in(actor, unit):
        raise PermissionDenied(_("You may not enter problems for this unit."))
    if (
        actor is not None
        and not actor.is_superuser
        and not (
            can_without_leader(actor, unit)
            or (responsible_leader is not None and responsible_leader.pk == actor.pk)
        )
    ):
        raise ValidationError(
            {"responsible_leader": [_("A leader enters problems he is responsible leader of.")]}
        )
    _clean_problem_fields(
        campaign=campaign,
        category=category,
        source=source,
        type=type,
        deadline=deadline,
        description=description,
        discovered_on=discovered_on,
    )
    # Numbers are given under a lock on the unit so two entries never get the same one.
    OrgUnit.objects.select_for_update().filter(pk=unit.pk).first()
    last = Problem.objects.filter(campaign=campaign, unit=unit).aggregate(n=Max("number"))["n"]
    problem = Problem.objects.create(
        campaign=campaign,
        unit=unit,
        number=(last or 0) + 1,
        category=category,
        source=source,
        description=description.strip(),
        type=type,
        deadline=deadline,
        responsible_leader=responsible_leader,
        responsible_leader_name=responsible_leader_name
        or (responsible_leader.display_name if responsible_leader else ""),
        responsible_unit=responsible_unit,
        responsible_unit_name=responsible_unit_name
        or (responsible_unit.name if responsible_unit else ""),
        responsible_person=responsible_person,
        responsible_person_name=responsible_person_name
        or (responsible_person.display_name if responsible_person else ""),
        mass_concern=mass_concern,
        long_unresolved=long_unresolved,
        discovered_on=discovered_on,
        remarks=remarks,
        reported_by=actor,
        state=ProblemState.DRAFT,
    )
    _record(problem, from_state="", to_state=ProblemState.DRAFT, actor=actor)
    return problem


def can_without_leader(user: Any, unit: OrgUnit) -> bool:
    """Does the user edit the unit's problems through a role other than leader?"""
    return any(
        g.role in (Role.SECRETARY, Role.OFFICE) and g.covers(unit.path, unit.pk)
        for g in grants_of(user)
    )


PROBLEM_EDITABLE_FIELDS = (
    "category",
    "source",
    "description",
    "type",
    "deadline",
    "responsible_leader",
    "responsible_leader_name",
    "responsible_unit",
    "responsible_unit_name",
    "responsible_person",
    "responsible_person_name",
    "mass_concern",
    "long_unresolved",
    "discovered_on",
    "remarks",
)


@transaction.atomic
def problem_update(*, problem: Problem, actor: User | None, **fields: Any) -> Problem:
    """Change a problem in draft or in rectification. Once it has left draft, the rules of
    leaving draft must still hold."""
    problem = (
        Problem.objects.select_for_update().select_related("unit", "campaign").get(pk=problem.pk)
    )
    _require_edit(actor, problem)
    _require_open_for_edit(problem)
    unknown = set(fields) - set(PROBLEM_EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(problem, name, value)
    leader, person, unit = (
        problem.responsible_leader,
        problem.responsible_person,
        problem.responsible_unit,
    )
    if leader is not None and not problem.responsible_leader_name:
        problem.responsible_leader_name = leader.display_name
    if person is not None and not problem.responsible_person_name:
        problem.responsible_person_name = person.display_name
    if unit is not None and not problem.responsible_unit_name:
        problem.responsible_unit_name = unit.name
    _clean_problem_fields(
        campaign=problem.campaign,
        category=problem.category,
        source=problem.source,
        type=problem.type,
        deadline=problem.deadline,
        description=problem.description,
        discovered_on=problem.discovered_on,
    )
    if (
        actor is not None
        and not actor.is_superuser
        and not can_without_leader(actor, problem.unit)
        and problem.responsible_leader_id != actor.pk
    ):
        raise ValidationError(
            {"responsible_leader": [_("You cannot hand the problem to another leader.")]}
        )
    if problem.state == ProblemState.IN_RECTIFICATION:
        _check_ready_to_start(problem)
    problem.description = problem.description.strip()
    problem.save()
    return problem


def _check_ready_to_start(problem: Problem) -> None:
    if problem.type == ProblemType.IMMEDIATE:
        return
    errors: dict[str, list[str]] = {}
    if not problem.measures.exists():
        errors["__all__"] = [
            _("Add at least one rectification measure before starting rectification.")
        ]
    if problem.type == ProblemType.DEADLINE and problem.deadline is None:
        errors["deadline"] = [_("A 限期整改 problem needs a deadline.")]
    if not (problem.responsible_leader_id or problem.responsible_leader_name.strip()):
        errors["responsible_leader"] = [_("Name the responsible leader.")]
    if not (
        problem.responsible_person_id
        or problem.responsible_person_name.strip()
        or problem.responsible_unit_id
        or problem.responsible_unit_name.strip()
    ):
        errors["responsible_person"] = [_("Name the responsible unit or person.")]
    if errors:
        raise ValidationError(errors)


def _locked(problem: Problem) -> Problem:
    """Lock the problem's row and refresh the caller's instance, so the caller sees the
    new state after the service returns."""
    list(Problem.objects.select_for_update().filter(pk=problem.pk).values_list("pk"))
    problem.refresh_from_db()
    return problem


def _expect_state(problem: Problem, *states: str) -> None:
    if problem.state not in states:
        raise ValidationError(
            _("This cannot be done while the problem is “%(state)s”.")
            % {"state": problem.get_state_display()}
        )


@transaction.atomic
def problem_start(*, problem: Problem, actor: User | None) -> Problem:
    """Draft → in rectification: measures, a deadline and named responsibility are needed
    unless the problem is 立行立改."""
    problem = _locked(problem)
    _require_edit(actor, problem)
    _expect_state(problem, ProblemState.DRAFT)
    _check_ready_to_start(problem)
    problem.state = ProblemState.IN_RECTIFICATION
    problem.save(update_fields=["state", "updated_at"])
    _record(problem, from_state=ProblemState.DRAFT, to_state=problem.state, actor=actor)
    return problem


@transaction.atomic
def problem_submit_for_closing(*, problem: Problem, actor: User | None, note: str = "") -> Problem:
    """In rectification → submitted for closing (销号): every measure done, with evidence."""
    problem = _locked(problem)
    _require_edit(actor, problem)
    _expect_state(problem, ProblemState.IN_RECTIFICATION)
    measures = list(problem.measures.all())
    if not measures:
        raise ValidationError(_("A problem without measures cannot be submitted for closing."))
    with_evidence = set(
        MeasureEvidence.objects.filter(measure__problem=problem).values_list(
            "measure_id", flat=True
        )
    )
    not_done = [m for m in measures if m.state != MeasureState.DONE]
    if not_done:
        raise ValidationError(
            _("Every measure must be done before closing is requested; not done: %(list)s.")
            % {"list": "、".join(f"{m.order}" for m in not_done)}
        )
    missing = [m for m in measures if m.pk not in with_evidence]
    if missing:
        raise ValidationError(
            _("Every measure needs evidence before closing is requested; missing for: %(list)s.")
            % {"list": "、".join(f"{m.order}" for m in missing)}
        )
    problem.state = ProblemState.SUBMITTED
    problem.submitted_at = timezone.now()
    problem.save(update_fields=["state", "submitted_at", "updated_at"])
    _record(
        problem,
        from_state=ProblemState.IN_RECTIFICATION,
        to_state=problem.state,
        actor=actor,
        reason=note.strip(),
    )
    return problem


def _require_verifier(actor: User | None, problem: Problem) -> None:
    if actor is not None and not may_verify(actor, problem):
        raise PermissionDenied(
            _("Only the office of a unit above the reporting unit may verify this problem.")
        )


@transaction.atomic
def problem_close(*, problem: Problem, actor: User | None, note: str = "") -> Problem:
    """Submitted → closed, by the office of a unit above the reporting unit."""
    problem = _locked(problem)
    _require_verifier(actor, problem)
    _expect_state(problem, ProblemState.SUBMITTED)
    problem.state = ProblemState.CLOSED
    problem.closed_at = timezone.now()
    problem.closed_by = actor
    problem.closing_note = note.strip()
    problem.save(update_fields=["state", "closed_at", "closed_by", "closing_note", "updated_at"])
    _record(
        problem,
        from_state=ProblemState.SUBMITTED,
        to_state=problem.state,
        actor=actor,
        reason=note.strip(),
    )
    return problem


@transaction.atomic
def problem_return(*, problem: Problem, actor: User | None, reason: str) -> Problem:
    """Submitted → back in rectification, with the verifier's reason."""
    problem = _locked(problem)
    _require_verifier(actor, problem)
    _expect_state(problem, ProblemState.SUBMITTED)
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Say why the problem is returned.")]})
    problem.state = ProblemState.IN_RECTIFICATION
    problem.submitted_at = None
    problem.save(update_fields=["state", "submitted_at", "updated_at"])
    _record(
        problem,
        from_state=ProblemState.SUBMITTED,
        to_state=problem.state,
        actor=actor,
        reason=reason.strip(),
    )
    return problem


@transaction.atomic
def problem_withdraw(*, problem: Problem, actor: User | None, reason: str) -> Problem:
    """Any open state → withdrawn, with a reason. The problem stays in the records."""
    problem = _locked(problem)
    _require_edit(actor, problem)
    _expect_state(problem, *OPEN_STATES)
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Say why the problem is withdrawn.")]})
    before = problem.state
    problem.state = ProblemState.WITHDRAWN
    problem.withdrawn_reason = reason.strip()
    problem.save(update_fields=["state", "withdrawn_reason", "updated_at"])
    _record(problem, from_state=before, to_state=problem.state, actor=actor, reason=reason.strip())
    return problem


def problem_delete(*, problem: Problem, actor: User | None) -> None:
    """Problems are never deleted; withdraw them with a reason instead."""
    raise ValidationError(_("Problems are never deleted; withdraw it with a reason instead."))


# --- measures ----------------------------------------------------------------------------


def _clean_measure(problem: Problem, *, description: str, deadline: date | None) -> None:
    errors: dict[str, list[str]] = {}
    if not (description or "").strip():
        errors["description"] = [_("Describe the measure.")]
    if deadline is not None and problem.deadline is not None and deadline > problem.deadline:
        errors["deadline"] = [
            _("A measure's deadline cannot be after the problem's deadline (%(date)s).")
            % {"date": problem.deadline.isoformat()}
        ]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def measure_add(
    *,
    problem: Problem,
    actor: User | None,
    description: str,
    responsible_person: User | None = None,
    responsible_person_name: str = "",
    deadline: date | None = None,
) -> Measure:
    problem = _locked(problem)
    _require_edit(actor, problem)
    _require_open_for_edit(problem)
    _clean_measure(problem, description=description, deadline=deadline)
    last = problem.measures.aggregate(n=Max("order"))["n"] or 0
    return Measure.objects.create(
        problem=problem,
        order=last + 1,
        description=description.strip(),
        responsible_person=responsible_person,
        responsible_person_name=responsible_person_name
        or (responsible_person.display_name if responsible_person else ""),
        deadline=deadline,
    )


@transaction.atomic
def measure_update(
    *,
    measure: Measure,
    actor: User | None,
    description: str,
    responsible_person: User | None = None,
    responsible_person_name: str = "",
    deadline: date | None = None,
) -> Measure:
    problem = _locked(measure.problem)
    _require_edit(actor, problem)
    _require_open_for_edit(problem)
    _clean_measure(problem, description=description, deadline=deadline)
    measure.description = description.strip()
    measure.responsible_person = responsible_person
    measure.responsible_person_name = responsible_person_name or (
        responsible_person.display_name if responsible_person else ""
    )
    measure.deadline = deadline
    measure.save()
    return measure


@transaction.atomic
def measure_set_state(
    *, measure: Measure, actor: User | None, state: str, completed_on: date | None = None
) -> Measure:
    problem = _locked(measure.problem)
    _require_edit(actor, problem)
    _require_open_for_edit(problem)
    if state not in MeasureState.values:
        raise ValidationError({"state": [_("Choose a valid state.")]})
    if state == MeasureState.DONE and problem.state == ProblemState.DRAFT:
        raise ValidationError(_("Start rectification before marking measures done."))
    measure.state = state
    if state == MeasureState.DONE:
        done_on = completed_on or timezone.localdate()
        if done_on > timezone.localdate():
            raise ValidationError(
                {"completed_on": [_("The completion date cannot be in the future.")]}
            )
        measure.completed_on = done_on
    else:
        measure.completed_on = None
    measure.save(update_fields=["state", "completed_on", "updated_at"])
    return measure


@transaction.atomic
def progress_note_add(
    *, measure: Measure, actor: User | None, text: str, noted_on: date | None = None
) -> ProgressNote:
    """A dated note of progress; it also keeps 长期坚持 problems from going stale."""
    problem = _locked(measure.problem)
    _require_edit(actor, problem)
    _require_open_for_edit(problem)
    noted_on = noted_on or timezone.localdate()
    if not (text or "").strip():
        raise ValidationError({"text": [_("Write what has been done.")]})
    if noted_on > timezone.localdate():
        raise ValidationError({"noted_on": [_("A progress note cannot be dated in the future.")]})
    note = ProgressNote.objects.create(
        measure=measure, noted_on=noted_on, text=text.strip(), author=actor
    )
    if measure.state == MeasureState.NOT_STARTED:
        measure.state = MeasureState.IN_PROGRESS
        measure.save(update_fields=["state", "updated_at"])
    if problem.last_progress_on is None or noted_on > problem.last_progress_on:
        problem.last_progress_on = noted_on
        problem.save(update_fields=["last_progress_on", "updated_at"])
    return note


@transaction.atomic
def evidence_add(*, measure: Measure, actor: User | None, upload: Any) -> MeasureEvidence:
    problem = _locked(measure.problem)
    _require_edit(actor, problem)
    _require_open_for_edit(problem)
    try:
        validate_upload(upload)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from exc
    return MeasureEvidence.objects.create(
        measure=measure,
        file=upload,
        original_name=upload.name[:255],
        size=upload.size,
        uploaded_by=actor,
    )


# --- special plans -----------------------------------------------------------------------


@dataclass(frozen=True)
class MilestoneInput:
    title: str
    due_on: date | None = None


def _problems_of(
    *, campaign: Campaign, unit: OrgUnit, problems: Iterable[Problem]
) -> list[Problem]:
    chosen = list(problems)
    for problem in chosen:
        if problem.campaign_id != campaign.pk or not problem.unit.path.startswith(unit.path):
            raise ValidationError(
                {"problems": [_("Only problems of this unit and its subunits can be linked.")]}
            )
    return chosen


def _clean_document(document: Any) -> None:
    if document:
        try:
            validate_upload(document)
        except ValidationError as exc:
            raise ValidationError({"document": exc.messages}) from exc


@transaction.atomic
def special_plan_create(
    *,
    campaign: Campaign,
    unit: OrgUnit,
    actor: User | None,
    title: str,
    goal: str,
    lead: User | None = None,
    body: str = "",
    document: Any = None,
    problems: Iterable[Problem] = (),
    milestones: Sequence[MilestoneInput] = (),
) -> SpecialPlan:
    if actor is not None and not can(actor, Action.EDIT_PROBLEMS, unit):
        raise PermissionDenied(_("You may not add plans for this unit."))
    if (
        actor is not None
        and not actor.is_superuser
        and not can_without_leader(actor, unit)
        and (lead is None or lead.pk != actor.pk)
    ):
        raise ValidationError({"lead": [_("A leader draws up plans that he leads himself.")]})
    errors: dict[str, list[str]] = {}
    if not (title or "").strip():
        errors["title"] = [_("Give the plan a title.")]
    if not (goal or "").strip():
        errors["goal"] = [_("State the goal of the plan.")]
    if not (body or "").strip() and not document:
        errors["body"] = [_("Write the plan or attach its document.")]
    if errors:
        raise ValidationError(errors)
    _clean_document(document)
    linked = _problems_of(campaign=campaign, unit=unit, problems=problems)
    plan = SpecialPlan.objects.create(
        campaign=campaign,
        unit=unit,
        title=title.strip(),
        lead=lead,
        goal=goal.strip(),
        body=(body or "").strip(),
        document=document or "",
        document_name=(document.name[:255] if document else ""),
        created_by=actor,
    )
    plan.problems.set(linked)
    for item in milestones:
        if item.title.strip():
            PlanMilestone.objects.create(plan=plan, title=item.title.strip(), due_on=item.due_on)
    return plan


@transaction.atomic
def special_plan_update(
    *,
    plan: SpecialPlan,
    actor: User | None,
    title: str,
    goal: str,
    lead: User | None = None,
    body: str = "",
    document: Any = None,
    problems: Iterable[Problem] = (),
) -> SpecialPlan:
    _require_plan_edit(actor, plan)
    errors: dict[str, list[str]] = {}
    if not (title or "").strip():
        errors["title"] = [_("Give the plan a title.")]
    if not (goal or "").strip():
        errors["goal"] = [_("State the goal of the plan.")]
    if not (body or "").strip() and not document and not plan.document:
        errors["body"] = [_("Write the plan or attach its document.")]
    if errors:
        raise ValidationError(errors)
    _clean_document(document)
    linked = _problems_of(campaign=plan.campaign, unit=plan.unit, problems=problems)
    plan.title = title.strip()
    plan.goal = goal.strip()
    plan.lead = lead
    plan.body = (body or "").strip()
    if document:
        plan.document = document
        plan.document_name = document.name[:255]
    plan.save()
    plan.problems.set(linked)
    return plan


@transaction.atomic
def milestone_add(
    *, plan: SpecialPlan, actor: User | None, title: str, due_on: date | None = None
) -> PlanMilestone:
    _require_plan_edit(actor, plan)
    if not (title or "").strip():
        raise ValidationError({"title": [_("Name the milestone.")]})
    return PlanMilestone.objects.create(plan=plan, title=title.strip(), due_on=due_on)


@transaction.atomic
def milestone_mark_done(
    *, milestone: PlanMilestone, actor: User | None, done_on: date | None = None
) -> PlanMilestone:
    _require_plan_edit(actor, milestone.plan)
    done_on = done_on or timezone.localdate()
    if done_on > timezone.localdate():
        raise ValidationError({"done_on": [_("The date cannot be in the future.")]})
    milestone.done_on = done_on
    milestone.save(update_fields=["done_on"])
    return milestone


# --- mechanisms --------------------------------------------------------------------------


@transaction.atomic
def mechanism_create(
    *,
    campaign: Campaign,
    unit: OrgUnit,
    actor: User | None,
    title: str,
    kind: str,
    issued_on: date | None,
    description: str = "",
    document: Any = None,
    problems: Iterable[Problem] = (),
) -> Mechanism:
    from .models import MechanismKind

    if actor is not None and not can(actor, Action.EDIT_PROBLEMS, unit):
        raise PermissionDenied(_("You may not record mechanisms for this unit."))
    errors: dict[str, list[str]] = {}
    if not (title or "").strip():
        errors["title"] = [_("Give the mechanism a title.")]
    if kind not in MechanismKind.values:
        errors["kind"] = [_("Choose the kind of mechanism.")]
    if issued_on is None:
        errors["issued_on"] = [_("Give the date it was issued.")]
    elif issued_on > timezone.localdate():
        errors["issued_on"] = [_("The issue date cannot be in the future.")]
    if errors:
        raise ValidationError(errors)
    _clean_document(document)
    linked = _problems_of(campaign=campaign, unit=unit, problems=problems)
    mechanism = Mechanism.objects.create(
        campaign=campaign,
        unit=unit,
        title=title.strip(),
        kind=kind,
        issued_on=issued_on,
        description=(description or "").strip(),
        document=document or "",
        document_name=(document.name[:255] if document else ""),
        created_by=actor,
    )
    mechanism.problems.set(linked)
    return mechanism
