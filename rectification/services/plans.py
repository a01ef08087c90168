"""Special rectification plans (专项整改方案) and their milestones. A leader draws up and
changes only the plans he leads (``SpecialPlan.owner_field``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.models import OrgUnit, User
from accounts.roles import Action
from campaign.models import Campaign

from .. import rules
from ..models import PlanMilestone, Problem, SpecialPlan
from .common import clean_document, problems_of


@dataclass(frozen=True)
class MilestoneInput:
    title: str
    due_on: date | None = None


def _require_plan_edit(actor: User | None, plan: SpecialPlan) -> None:
    if actor is not None and not permissions.may(actor, Action.EDIT_PROBLEMS, plan):
        raise PermissionDenied(_("You may not change this plan."))


def _require_lead(actor: User | None, plan: SpecialPlan) -> None:
    if not rules.may_name_leader(actor, plan):
        raise ValidationError({"lead": [_("A leader draws up plans that he leads himself.")]})


def _clean_plan(*, title: str, goal: str, body: str, has_document: bool) -> None:
    errors: dict[str, list[str]] = {}
    if not (title or "").strip():
        errors["title"] = [_("Give the plan a title.")]
    if not (goal or "").strip():
        errors["goal"] = [_("State the goal of the plan.")]
    if not (body or "").strip() and not has_document:
        errors["body"] = [_("Write the plan or attach its document.")]
    if errors:
        raise ValidationError(errors)


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
    if actor is not None and not permissions.can(actor, Action.EDIT_PROBLEMS, unit):
        raise PermissionDenied(_("You may not add plans for this unit."))
    plan = SpecialPlan(
        campaign=campaign,
        unit=unit,
        title=(title or "").strip(),
        lead=lead,
        goal=(goal or "").strip(),
        body=(body or "").strip(),
        document=document or "",
        document_name=(document.name[:255] if document else ""),
        created_by=actor,
    )
    _require_lead(actor, plan)
    _clean_plan(title=title, goal=goal, body=body, has_document=bool(document))
    clean_document(document)
    linked = problems_of(campaign=campaign, unit=unit, problems=problems)
    plan.save(force_insert=True)
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
    _clean_plan(
        title=title, goal=goal, body=body, has_document=bool(document) or bool(plan.document)
    )
    clean_document(document)
    linked = problems_of(campaign=plan.campaign, unit=plan.unit, problems=problems)
    _require_lead(actor, SpecialPlan(unit=plan.unit, lead=lead))  # the plan as it would be
    plan.lead = lead
    plan.title = title.strip()
    plan.goal = goal.strip()
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
