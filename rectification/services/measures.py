"""A problem's measures, their progress notes and evidence. They change only while their
problem may change (``rules.EDITABLE_STATES``), by whoever may change the problem."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.uploads import validate_upload

from .. import rules
from ..models import Measure, MeasureEvidence, MeasureState, Problem, ProgressNote
from .common import locked, require_edit


def _clean_measure(problem: Problem, *, description: str, deadline: date | None) -> None:
    errors: dict[str, list[str]] = {}
    if not (description or "").strip():
        errors["description"] = [_("Describe the measure.")]
    refusal = rules.measure_deadline_refusal(problem.deadline, deadline)
    if refusal:
        errors["deadline"] = [refusal]
    if errors:
        raise ValidationError(errors)


def _open_problem(problem: Problem, actor: User | None) -> Problem:
    """The measure's problem, locked, that the actor may change and that may change."""
    problem = locked(problem)
    require_edit(actor, problem)
    rules.require_editable(problem)
    return problem


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
    problem = _open_problem(problem, actor)
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
    problem = _open_problem(measure.problem, actor)
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
    problem = _open_problem(measure.problem, actor)
    if state not in MeasureState.values:
        raise ValidationError({"state": [_("Choose a valid state.")]})
    refusal = rules.measure_state_refusal(problem.state, state)
    if refusal:
        raise ValidationError(refusal)
    measure.state = state
    if state == MeasureState.DONE:
        done_on = completed_on or timezone.localdate()
        refusal = rules.done_date_refusal(done_on, timezone.localdate())
        if refusal:
            raise ValidationError({"completed_on": [refusal]})
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
    problem = _open_problem(measure.problem, actor)
    refusal = rules.progress_note_refusal(problem.state)
    if refusal:
        raise ValidationError(refusal)
    noted_on = noted_on or timezone.localdate()
    if not (text or "").strip():
        raise ValidationError({"text": [_("Write what has been done.")]})
    refusal = rules.note_date_refusal(noted_on, timezone.localdate())
    if refusal:
        raise ValidationError({"noted_on": [refusal]})
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
    _open_problem(measure.problem, actor)
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
