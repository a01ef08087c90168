"""What the writes of rectification share: the permission guard on a problem, its row
lock, the record of a workflow step, and the links and documents of plans and mechanisms."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.models import OrgUnit, User
from accounts.roles import Action
from campaign.models import Campaign
from core.uploads import validate_upload

from ..models import Problem, ProblemTransition


def require_edit(actor: User | None, problem: Problem) -> None:
    """The actor may change the problem (``None``: the system, whose caller checked)."""
    if actor is not None and not permissions.may(actor, Action.EDIT_PROBLEMS, problem):
        raise PermissionDenied(_("You may not change this problem."))


def locked(problem: Problem) -> Problem:
    """Lock the problem's row and refresh the caller's instance, so the caller sees the
    new state after the service returns."""
    list(Problem.objects.select_for_update().filter(pk=problem.pk).values_list("pk"))
    problem.refresh_from_db()
    return problem


def record(
    problem: Problem, *, from_state: str, to_state: str, actor: User | None, reason: str = ""
) -> ProblemTransition:
    """One step of the workflow: who moved the problem from which state to which, why."""
    return ProblemTransition.objects.create(
        problem=problem, from_state=from_state, to_state=to_state, actor=actor, reason=reason
    )


def problems_of(*, campaign: Campaign, unit: OrgUnit, problems: Iterable[Problem]) -> list[Problem]:
    """The problems a plan or mechanism of ``unit`` may link: of the campaign and subtree."""
    chosen = list(problems)
    for problem in chosen:
        if problem.campaign_id != campaign.pk or not problem.unit.path.startswith(unit.path):
            raise ValidationError(
                {"problems": [_("Only problems of this unit and its subunits can be linked.")]}
            )
    return chosen


def clean_document(document: Any) -> None:
    if document:
        try:
            validate_upload(document)
        except ValidationError as exc:
            raise ValidationError({"document": exc.messages}) from exc
