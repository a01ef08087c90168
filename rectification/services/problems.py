"""Entering and changing problems. Problems are never deleted: they are withdrawn with a
reason (``workflow.problem_withdraw``)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.models import OrgUnit, User
from accounts.roles import Action
from campaign.models import Campaign, ReviewMeeting

from .. import rules
from ..models import Problem, ProblemSource, ProblemState, ProblemType
from .common import record, require_edit

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
    "goal",
)


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
        errors["deadline"] = [_("A long-term problem has no deadline; leave it empty.")]
    if discovered_on is None:
        errors["discovered_on"] = [_("Give the date the problem was found.")]
    elif deadline is not None and deadline < discovered_on:
        errors["deadline"] = [_("The deadline cannot be before the date the problem was found.")]
    if errors:
        raise ValidationError(errors)


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
    goal: str = "",
    meeting: ReviewMeeting | None = None,
    scope: str = "",
) -> Problem:
    """Enter a problem in draft, numbered next within its unit and campaign (from a review
    meeting: with the meeting and whose problem it is, by ``rules.meeting_refusals``)."""
    if actor is not None and not permissions.can(actor, Action.EDIT_PROBLEMS, unit):
        raise PermissionDenied(_("You may not enter problems for this unit."))
    problem = Problem(
        campaign=campaign,
        unit=unit,
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
        goal=goal.strip(),
        meeting=meeting,
        scope=scope,
        reported_by=actor,
        state=ProblemState.DRAFT,
    )
    refused = rules.meeting_refusals(problem)
    if refused:
        raise ValidationError(refused)
    refusal = rules.leader_refusal(actor, problem, new=True)
    if refusal:
        raise ValidationError({"responsible_leader": [refusal]})
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
    problem.number = (last or 0) + 1
    problem.save(force_insert=True)
    record(problem, from_state="", to_state=ProblemState.DRAFT, actor=actor)
    return problem


@transaction.atomic
def problem_update(*, problem: Problem, actor: User | None, **fields: Any) -> Problem:
    """Change a problem in draft or in rectification. Once it has left draft, the rules of
    leaving draft must still hold."""
    problem = (
        Problem.objects.select_for_update().select_related("unit", "campaign").get(pk=problem.pk)
    )
    require_edit(actor, problem)
    rules.require_editable(problem)
    unknown = set(fields) - set(PROBLEM_EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    refusal = rules.schedule_change_refusal(
        problem,
        type=fields.get("type", problem.type),
        deadline=fields.get("deadline", problem.deadline),
        today=timezone.localdate(),
    )
    if refusal:
        raise ValidationError({"deadline": [refusal]})
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
    refusal = rules.leader_refusal(actor, problem, new=False)
    if refusal:
        raise ValidationError({"responsible_leader": [refusal]})
    if problem.state == ProblemState.IN_RECTIFICATION:
        rules.require_ready_to_start(problem)
    problem.description = problem.description.strip()
    problem.save()
    return problem


def problem_delete(*, problem: Problem, actor: User | None) -> None:
    """Problems are never deleted; withdraw them with a reason instead."""
    raise ValidationError(_("Problems are never deleted; withdraw it with a reason instead."))
