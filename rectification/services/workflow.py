"""The workflow of a problem up to closing (销号): start, submit, close or return, withdraw.

Every step is recorded as a ``ProblemTransition`` (who, when, from what state to what,
why) on top of the field history kept by pghistory. The steps the workflow allows from
each state, and who may take them, are ``rules.PROBLEM_FLOW`` and ``rules.MOVES``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Action
from notifications import events

from .. import rules
from ..models import (
    MeasureEvidence,
    Problem,
    ProblemState,
    SatisfactionCheck,
    SatisfactionResult,
)
from .common import clean_document, locked, record


def require_verifier(actor: User | None, problem: Problem) -> None:
    """The actor verifies this problem: the office of a unit above the reporting unit."""
    _require_may(actor, problem, rules.CLOSE)


def _require_may(actor: User | None, problem: Problem, name: str) -> None:
    """The actor's roles allow the move on this problem (``None``: the system)."""
    if actor is None or rules.may_make(actor, problem, name):
        return
    if rules.MOVES[name].action == Action.CLOSE:
        raise PermissionDenied(
            _("Only the office of a unit above the reporting unit may verify this problem.")
        )
    raise PermissionDenied(_("You may not change this problem."))


@transaction.atomic
def problem_start(*, problem: Problem, actor: User | None) -> Problem:
    """Draft → in rectification: measures, a deadline and named responsibility are needed
    unless the problem is 立行立改."""
    problem = locked(problem)
    _require_may(actor, problem, rules.START)
    move = rules.require_move(problem, rules.START)
    rules.require_ready_to_start(problem)
    refusal = rules.problem_plan_refusal(problem)
    if refusal:
        raise ValidationError(refusal)
    before = problem.state
    problem.state = move.to
    problem.save(update_fields=["state", "updated_at"])
    record(problem, from_state=before, to_state=problem.state, actor=actor)
    return problem


@transaction.atomic
def problem_submit_for_closing(*, problem: Problem, actor: User | None, note: str = "") -> Problem:
    """In rectification → submitted for closing (销号): every measure done, with evidence."""
    problem = locked(problem)
    _require_may(actor, problem, rules.SUBMIT)
    move = rules.require_move(problem, rules.SUBMIT)
    with_evidence = set(
        MeasureEvidence.objects.filter(measure__problem=problem).values_list(
            "measure_id", flat=True
        )
    )
    refusals = rules.close_refusals(
        [
            rules.ClosingMeasure(m.order, m.state, m.pk in with_evidence)
            for m in problem.measures.all()
        ]
    )
    refusals += [
        reason
        for reason in (
            rules.problem_plan_refusal(problem),
            rules.problem_mechanism_refusal(problem),
        )
        if reason
    ]
    if refusals:
        raise ValidationError(refusals[0])
    before = problem.state
    problem.state = move.to
    problem.submitted_at = timezone.now()
    problem.save(update_fields=["state", "submitted_at", "updated_at"])
    record(problem, from_state=before, to_state=problem.state, actor=actor, reason=note.strip())
    events.waiting_for_closing(problem=problem)
    return problem


@dataclass(frozen=True)
class Satisfaction:
    """What the people concerned said before 销号 (``rules.asks_the_people``)."""

    method: str
    result: str
    note: str = ""
    survey: Any = None


@transaction.atomic
def problem_close(
    *,
    problem: Problem,
    actor: User | None,
    note: str = "",
    satisfaction: Satisfaction | None = None,
) -> Problem:
    """Submitted → closed, by the office of a unit above the reporting unit. A problem
    raised by the masses is closed only with the people's answer on record; 不满意 returns
    it to rectification instead."""
    problem = locked(problem)
    _require_may(actor, problem, rules.CLOSE)
    move = rules.require_move(problem, rules.CLOSE)
    if rules.asks_the_people(problem):
        given = satisfaction or Satisfaction(method="", result="")
        errors = rules.satisfaction_refusals(
            method=given.method,
            result=given.result,
            note=given.note,
            has_survey=bool(given.survey),
        )
        if errors:
            raise ValidationError(errors)
        clean_document(given.survey)
        SatisfactionCheck.objects.create(
            problem=problem,
            method=given.method,
            result=given.result,
            note=given.note.strip(),
            document=given.survey or "",
            document_name=getattr(given.survey, "name", "") or "",
            recorded_by=actor,
        )
        if given.result == SatisfactionResult.DISSATISFIED:
            back = rules.MOVES[rules.RETURN].to
            problem.state = back
            problem.submitted_at = None
            problem.save(update_fields=["state", "submitted_at", "updated_at"])
            record(
                problem,
                from_state=ProblemState.SUBMITTED,
                to_state=back,
                actor=actor,
                reason=_("The people concerned are not satisfied: %(note)s")
                % {"note": given.note.strip() or _("see the attached survey")},
            )
            return problem
    before = problem.state
    problem.state = move.to
    problem.closed_at = timezone.now()
    problem.closed_by = actor
    problem.closing_note = note.strip()
    problem.save(update_fields=["state", "closed_at", "closed_by", "closing_note", "updated_at"])
    record(problem, from_state=before, to_state=problem.state, actor=actor, reason=note.strip())
    return problem


@transaction.atomic
def problem_return(*, problem: Problem, actor: User | None, reason: str) -> Problem:
    """Submitted → back in rectification, with the verifier's reason."""
    problem = locked(problem)
    _require_may(actor, problem, rules.RETURN)
    move = rules.require_move(problem, rules.RETURN)
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Say why the problem is returned.")]})
    before = problem.state
    problem.state = move.to
    problem.submitted_at = None
    problem.save(update_fields=["state", "submitted_at", "updated_at"])
    record(problem, from_state=before, to_state=problem.state, actor=actor, reason=reason.strip())
    events.close_returned(problem=problem, actor=actor, reason=reason.strip())
    return problem


@transaction.atomic
def problem_withdraw(*, problem: Problem, actor: User | None, reason: str) -> Problem:
    """Any open state → withdrawn, with a reason. The problem stays in the records."""
    problem = locked(problem)
    _require_may(actor, problem, rules.WITHDRAW)
    move = rules.require_move(problem, rules.WITHDRAW)
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Say why the problem is withdrawn.")]})
    before = problem.state
    problem.state = move.to
    problem.withdrawn_reason = reason.strip()
    problem.save(update_fields=["state", "withdrawn_reason", "updated_at"])
    record(problem, from_state=before, to_state=problem.state, actor=actor, reason=reason.strip())
    return problem


@transaction.atomic
def problem_reopen(*, problem: Problem, actor: User | None, reason: str) -> Problem:
    """回头看: the office above reopens a closed problem that came back (复发), with a
    reason. It returns to rectification with its history, measures and evidence."""
    problem = locked(problem)
    _require_may(actor, problem, rules.REOPEN)
    move = rules.require_move(problem, rules.REOPEN)
    if not (reason or "").strip():
        raise ValidationError(
            {"reason": [_("Say why the problem is reopened (how it came back).")]}
        )
    before = problem.state
    problem.state = move.to
    problem.submitted_at = None
    problem.reopened_count += 1
    problem.reopened_at = timezone.now()
    problem.save(
        update_fields=["state", "submitted_at", "reopened_count", "reopened_at", "updated_at"]
    )
    record(
        problem,
        from_state=before,
        to_state=problem.state,
        actor=actor,
        reason=_("Reopened as a recurrence: %(reason)s") % {"reason": reason.strip()},
    )
    return problem
