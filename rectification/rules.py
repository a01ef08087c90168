"""The rules of rectification, each written once.

The forms, the services, the ledger import, the selectors and the pages ask these
functions; none of them restates a rule. A rule that is not met answers with the reason,
in words the user can act on: the services raise it, the import reports it by row and
column, the pages offer only what is allowed. docs/rules.md lists each rule with the
sentence of the speech it applies and whether it is held (refused) or flagged (shown to
the office).

Who may act is a question for ``accounts.permissions`` (the one reader of role
assignments): a problem names its owner, the responsible leader, in ``owner_field``, so a
leader's rule "only the problems he leads" is the permission table's, not ours.

The state machine of a problem is ``PROBLEM_FLOW`` (with ``MOVES``); the models answer with it
(``Problem.can_move_to`` / ``allowed_actions``), and the services refuse what it does not
list.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.roles import Action

from .choices import (
    MASS_SOURCES,
    MeasureState,
    ProblemScope,
    ProblemSource,
    ProblemState,
    ProblemType,
    SatisfactionMethod,
    SatisfactionResult,
)

if TYPE_CHECKING:
    from accounts.models import User

# --- states and moves -----------------------------------------------------------------

#: Not finished: counted as open, may be overdue, may still be withdrawn.
OPEN_STATES: tuple[str, ...] = (
    ProblemState.DRAFT,
    ProblemState.IN_RECTIFICATION,
    ProblemState.SUBMITTED,
)
#: The problem and its measures may still be changed.
EDITABLE_STATES: tuple[str, ...] = (ProblemState.DRAFT, ProblemState.IN_RECTIFICATION)

# The names of what can be done with a problem (the pages' actions).
START = "start"
SUBMIT = "submit"
CLOSE = "close"
RETURN = "return"
WITHDRAW = "withdraw"
REOPEN = "reopen"  # 回头看: a closed problem that came back (复发)
EDIT = "edit"  # change the problem and its measures, notes and evidence


@dataclass(frozen=True)
class Move:
    """One step of the workflow: its name, the state it leads to, and the permission it
    needs on the problem (``accounts.roles.RULES``)."""

    name: str
    to: str
    action: Action


#: Each move: the state it leads to and who may make it. Closing and returning are the
#: verifier's (an office above the reporting unit); the rest the unit's own.
MOVES: dict[str, Move] = {
    START: Move(START, ProblemState.IN_RECTIFICATION, Action.EDIT_PROBLEMS),
    SUBMIT: Move(SUBMIT, ProblemState.SUBMITTED, Action.EDIT_PROBLEMS),
    CLOSE: Move(CLOSE, ProblemState.CLOSED, Action.CLOSE),
    RETURN: Move(RETURN, ProblemState.IN_RECTIFICATION, Action.CLOSE),
    WITHDRAW: Move(WITHDRAW, ProblemState.WITHDRAWN, Action.EDIT_PROBLEMS),
    REOPEN: Move(REOPEN, ProblemState.IN_RECTIFICATION, Action.CLOSE),
}

#: The workflow: from each state, the moves it allows.
PROBLEM_FLOW: dict[str, tuple[str, ...]] = {
    ProblemState.DRAFT: (START, WITHDRAW),
    ProblemState.IN_RECTIFICATION: (SUBMIT, WITHDRAW),
    ProblemState.SUBMITTED: (CLOSE, RETURN, WITHDRAW),
    ProblemState.CLOSED: (REOPEN,),
    ProblemState.WITHDRAWN: (),
}


def moves_from(state: str) -> tuple[Move, ...]:
    return tuple(MOVES[name] for name in PROBLEM_FLOW.get(state, ()))


def move_named(state: str, name: str) -> Move | None:
    return MOVES[name] if name in PROBLEM_FLOW.get(state, ()) else None


def states_allowing(name: str) -> tuple[str, ...]:
    """The states from which the move ``name`` can be made (a queue's state filter)."""
    return tuple(state for state, names in PROBLEM_FLOW.items() if name in names)


def may_make(user: Any, problem: Any, name: str) -> bool:
    """Do the user's roles allow the move ``name`` on this problem (whatever its state)?"""
    return permissions.may(user, MOVES[name].action, problem)


def require_move(problem: Any, name: str) -> Move:
    """The move ``name`` from the problem's state, or the refusal."""
    move = move_named(problem.state, name)
    if move is None:
        raise ValidationError(
            _("This cannot be done while the problem is “%(state)s”.")
            % {"state": problem.get_state_display()}
        )
    return move


def allowed_actions(user: Any, problem: Any) -> frozenset[str]:
    """What the user may do next with the problem: the moves from its state that his
    roles allow, and ``EDIT`` while it may still be changed."""
    answers: dict[Action, bool] = {}

    def may(action: Action) -> bool:
        if action not in answers:
            answers[action] = permissions.may(user, action, problem)
        return answers[action]

    actions = {move.name for move in moves_from(problem.state) if may(move.action)}
    if problem.state in EDITABLE_STATES and may(Action.EDIT_PROBLEMS):
        actions.add(EDIT)
    return frozenset(actions)


def require_editable(problem: Any) -> None:
    """A closed, submitted or withdrawn problem (and its measures) can no longer change."""
    if problem.state not in EDITABLE_STATES:
        raise ValidationError(
            _("A problem that is “%(state)s” can no longer be changed.")
            % {"state": problem.get_state_display()}
        )


# --- measures -------------------------------------------------------------------------


def measure_state_refusal(problem_state: str, state: str) -> str | None:
    """Why a measure of a problem in ``problem_state`` cannot be put in ``state``: the
    measures of a draft (rectification not started) are all still to be started."""
    if state == MeasureState.DONE and problem_state == ProblemState.DRAFT:
        return _("Start rectification before marking measures done.")
    if state == MeasureState.IN_PROGRESS and problem_state == ProblemState.DRAFT:
        return _("Start rectification before putting a measure in progress.")
    return None


def measure_deadline_refusal(problem_deadline: date | None, deadline: date | None) -> str | None:
    """Why a measure cannot have ``deadline``: no measure ends after its problem's deadline
    (the approved one; moving it takes an extension request)."""
    if deadline is not None and problem_deadline is not None and deadline > problem_deadline:
        return _("A measure's deadline cannot be after the problem's deadline (%(date)s).") % {
            "date": problem_deadline.isoformat()
        }
    return None


def done_date_refusal(completed_on: date | None, today: date) -> str | None:
    """Why a measure cannot be recorded as done on ``completed_on``."""
    if completed_on is not None and completed_on > today:
        return _("The completion date cannot be in the future.")
    return None


def note_date_refusal(noted_on: date, today: date) -> str | None:
    """Why progress cannot be noted on ``noted_on``."""
    if noted_on > today:
        return _("A progress note cannot be dated in the future.")
    return None


def progress_note_refusal(problem_state: str) -> str | None:
    """Why no progress may be noted on the measures of a problem in ``problem_state``: a
    draft has not started rectification, so nothing has progressed yet."""
    if problem_state == ProblemState.DRAFT:
        return _("Start rectification before noting progress on a measure.")
    return None


def measure_can_move_to(problem: Any, state: str) -> bool:
    return (
        problem.state in EDITABLE_STATES
        and state in MeasureState.values
        and measure_state_refusal(problem.state, state) is None
    )


# --- ready to start: leaving draft ----------------------------------------------------


def start_refusals(
    *,
    type: str,
    deadline: date | None,
    has_measures: bool,
    has_leader: bool,
    has_responsible: bool,
) -> dict[str, list[str]]:
    """What a problem lacks to leave draft, by field: a problem that cannot be fixed at once
    (not 立行立改) needs measures, a deadline (限期整改) and named responsibility."""
    if type == ProblemType.IMMEDIATE:
        return {}
    errors: dict[str, list[str]] = {}
    if not has_measures:
        errors["__all__"] = [
            _("Add at least one rectification measure before starting rectification.")
        ]
    if type == ProblemType.DEADLINE and deadline is None:
        errors["deadline"] = [_("A problem to fix by a deadline needs a deadline date.")]
    if not has_leader:
        errors["responsible_leader"] = [_("Name the responsible leader.")]
    if not has_responsible:
        errors["responsible_person"] = [_("Name the responsible unit or person.")]
    return errors


def problem_start_refusals(problem: Any) -> dict[str, list[str]]:
    """:func:`start_refusals` for a stored problem."""
    return start_refusals(
        type=problem.type,
        deadline=problem.deadline,
        has_measures=problem.measures.exists(),
        has_leader=bool(problem.responsible_leader_id or problem.responsible_leader_name.strip()),
        has_responsible=bool(
            problem.responsible_person_id
            or problem.responsible_person_name.strip()
            or problem.responsible_unit_id
            or problem.responsible_unit_name.strip()
        ),
    )


def require_ready_to_start(problem: Any) -> None:
    errors = problem_start_refusals(problem)
    if errors:
        raise ValidationError(errors)


# --- ready to close: submitting for 销号 -------------------------------------------------


class ClosingMeasure(NamedTuple):
    order: int
    state: str
    has_evidence: bool


def close_refusals(measures: Sequence[ClosingMeasure]) -> list[str]:
    """Why a problem cannot be submitted for closing, first reason first: it needs
    measures, every one done, and evidence for every one."""
    if not measures:
        return [_("A problem without measures cannot be submitted for closing.")]
    reasons = []
    not_done = [m for m in measures if m.state != MeasureState.DONE]
    if not_done:
        reasons.append(
            _("Every measure must be done before closing is requested; not done: %(list)s.")
            % {"list": "、".join(f"{m.order}" for m in not_done)}
        )
    missing = [m for m in measures if not m.has_evidence]
    if missing:
        reasons.append(
            _("Every measure needs evidence before closing is requested; missing for: %(list)s.")
            % {"list": "、".join(f"{m.order}" for m in missing)}
        )
    return reasons


# --- who is named responsible leader --------------------------------------------------


def leader_candidates(user: Any) -> QuerySet[User]:
    """The people the user may name as responsible leader: those holding a leader's role
    on a unit above, at or below one of his units (everyone with that role for the system
    and a superuser). A name outside them is kept as written."""
    scope = None if user is None else permissions.related_units_q(user)
    return permissions.people_who_may(Action.LEAD, scope=scope)


def may_name_leader(actor: Any, record: Any) -> bool:
    """Whoever edits a unit's problems (or plans) through his office or branch names any
    responsible leader (or lead); a leader, who edits only the records he leads, names
    himself. Asked of the record as it would be written: the actor must still be allowed
    to edit it afterwards. ``actor=None`` is the system."""
    return actor is None or permissions.may(actor, Action.EDIT_PROBLEMS, record)


def leader_refusal(actor: Any, problem: Any, *, new: bool) -> str | None:
    """:func:`may_name_leader` for a problem, with the reason when it is refused."""
    if may_name_leader(actor, problem):
        return None
    if new:
        return _("A leader enters problems he is responsible leader of.")
    return _("You cannot hand the problem to another leader.")


# --- the ledger: the state an imported problem is written in --------------------------

# How far along the workflow a state lies (a ledger's word is followed only this far).
_PROGRESS: dict[str, int] = {
    ProblemState.DRAFT: 0,
    ProblemState.IN_RECTIFICATION: 1,
    ProblemState.SUBMITTED: 2,
    ProblemState.CLOSED: 3,
}


@dataclass(frozen=True)
class ReachedState:
    """The state a problem read from a ledger is written in, and why it stops short of
    what the ledger says (empty when it does not)."""

    state: str
    reasons: tuple[str, ...] = ()

    @property
    def lowered(self) -> bool:
        return bool(self.reasons)


def reachable_state(
    *,
    written: str | None,
    start: Mapping[str, Iterable[str]],
    closing: Sequence[str],
    may_close: bool,
) -> ReachedState:
    """The furthest state the form could have taken a new problem to, up to the one its
    ledger row says (``written``; None: not started). ``start`` and ``closing`` are the
    refusals of :func:`start_refusals` and :func:`close_refusals`; ``may_close``: the
    importer verifies for this unit. A withdrawn row stays withdrawn (any open problem may
    be withdrawn)."""
    if written == ProblemState.WITHDRAWN:
        return ReachedState(ProblemState.WITHDRAWN)
    wanted = _PROGRESS.get(written or ProblemState.DRAFT, 0)
    if start:
        reasons = tuple(reason for field in start.values() for reason in field)
        return ReachedState(ProblemState.DRAFT, reasons if wanted > 0 else ())
    if wanted >= _PROGRESS[ProblemState.SUBMITTED] and closing:
        return ReachedState(ProblemState.IN_RECTIFICATION, tuple(closing))
    if written == ProblemState.CLOSED and not may_close:
        return ReachedState(
            ProblemState.SUBMITTED,
            (_("Only the office of a unit above this one may close a problem."),),
        )
    if wanted >= _PROGRESS[ProblemState.SUBMITTED]:
        return ReachedState(str(written))
    return ReachedState(ProblemState.IN_RECTIFICATION)


# --- problems brought up at a 专题民主生活会 / 专题组织生活会 --------------------------


def meeting_refusals(problem: Any) -> dict[str, list[str]]:
    """A problem of a review meeting belongs to the meeting's unit and campaign, is the
    leading group's (班子) or one member's (个人), and a 个人 problem names its member (the
    responsible person); a problem of no meeting has no such scope."""
    errors: dict[str, list[str]] = {}
    meeting = problem.meeting
    if meeting is None:
        if problem.scope:
            errors["scope"] = [_("Only a problem brought up at a review meeting has a scope.")]
        return errors
    if meeting.unit_id != problem.unit_id or meeting.campaign_id != problem.campaign_id:
        errors["meeting"] = [_("The meeting is not this unit's in this campaign.")]
    if problem.source != ProblemSource.MEETING:
        errors["source"] = [_("A problem of a review meeting is found at the meeting.")]
    if problem.scope not in ProblemScope.values:
        errors["scope"] = [_("Say whether it is the leading body's or an individual member's.")]
    elif problem.scope == ProblemScope.INDIVIDUAL and not (
        problem.responsible_person_id or (problem.responsible_person_name or "").strip()
    ):
        errors["responsible_person_name"] = [_("Name the member whose problem it is.")]
    return errors


# --- flags and overdue ----------------------------------------------------------------

#: A 长期坚持 problem without a progress note for this many days is flagged.
STALE_AFTER_DAYS = 30


def needs_special_plan(problem: Any) -> bool:
    """群众反映强烈、长期没有解决的突出问题 need a 专项整改方案."""
    return bool(problem.mass_concern and problem.long_unresolved)


def overdue_q(today: date) -> Q:
    """Open problems past their deadline (a 立行立改 problem without one: past
    :data:`IMMEDIATE_LIMIT_DAYS` after it was found). The deadline is the one approved:
    a unit moves it only through an approved extension request."""
    return effective_deadline_q(today) & Q(state__in=OPEN_STATES)


def stale_q(today: date) -> Q:
    """长期坚持 problems in rectification without a progress note for 30 days (on a
    queryset annotated with ``last_progress_before``: the newest note, else the day the
    problem was found)."""
    return Q(
        type=ProblemType.ONGOING,
        state__in=(ProblemState.IN_RECTIFICATION, ProblemState.SUBMITTED),
    ) & Q(last_progress_before__lt=today - timedelta(days=STALE_AFTER_DAYS))


def needs_plan_q() -> Q:
    """Open problems that need a special plan and have none (on a queryset annotated
    with ``has_plan``)."""
    return Q(mass_concern=True, long_unresolved=True, has_plan=False, state__in=OPEN_STATES)


# --- the speech's further conditions: a plan, a mechanism, a time limit ----------------

#: A 立行立改 problem with no deadline of its own is overdue this many days after it was
#: found (能改的马上就改: immediately, but not never).
IMMEDIATE_LIMIT_DAYS = 15


def special_plan_refusal(
    *, mass_concern: bool, long_unresolved: bool, has_plan: bool
) -> str | None:
    """对群众反映强烈、长期没有解决的突出问题，要制定专项整改方案: such a problem is
    neither started nor submitted for closing without a special plan linked to it."""
    if mass_concern and long_unresolved and not has_plan:
        return _(
            "This problem is strongly raised by the masses and long unresolved: draw up a "
            "special rectification plan and link this problem to it first."
        )
    return None


def mechanism_refusal(*, type: str, has_mechanism: bool) -> str | None:
    """把“当下改”与“长久立”结合起来: a 长期坚持 problem is submitted for closing only with
    a long-term mechanism (长效机制) linked to it."""
    if type == ProblemType.ONGOING and not has_mechanism:
        return _(
            "A long-term problem is closed only with a long-term mechanism: record the rule "
            "or mechanism that keeps it solved and link this problem to it first."
        )
    return None


def problem_plan_refusal(problem: Any) -> str | None:
    """:func:`special_plan_refusal` for a stored problem."""
    return special_plan_refusal(
        mass_concern=problem.mass_concern,
        long_unresolved=problem.long_unresolved,
        has_plan=problem.special_plans.exists(),
    )


def problem_mechanism_refusal(problem: Any) -> str | None:
    """:func:`mechanism_refusal` for a stored problem."""
    return mechanism_refusal(type=problem.type, has_mechanism=problem.mechanisms.exists())


def effective_deadline_q(today: date) -> Q:
    """Open problems past their deadline; a 立行立改 problem without one is past it
    :data:`IMMEDIATE_LIMIT_DAYS` after it was found."""
    return Q(deadline__lt=today) | Q(
        type=ProblemType.IMMEDIATE,
        deadline__isnull=True,
        discovered_on__lt=today - timedelta(days=IMMEDIATE_LIMIT_DAYS),
    )


# --- the deadline counts: extension requests (延期申请) --------------------------------


def schedule_change_refusal(
    problem: Any, *, type: str, deadline: date | None, today: date
) -> str | None:
    """A unit sets its problem's type and deadline (整改时限) while it is a draft that is
    not overdue; after that they change only through an extension request the office
    above approves, so the overdue figure cannot be emptied by the units it measures."""
    if type == problem.type and deadline == problem.deadline:
        return None
    if problem.pk is None:
        return None
    overdue = problem.state in OPEN_STATES and (
        (problem.deadline is not None and problem.deadline < today)
        or (
            problem.type == ProblemType.IMMEDIATE
            and problem.deadline is None
            and problem.discovered_on < today - timedelta(days=IMMEDIATE_LIMIT_DAYS)
        )
    )
    if problem.state == ProblemState.DRAFT and not overdue:
        return None
    return _(
        "The deadline and type of rectification are fixed once rectification has started or "
        "the deadline has passed: to change them, request an extension with a reason; the "
        "new deadline counts once the office above approves it."
    )


def extension_refusals(
    problem: Any, *, type: str, deadline: date | None, reason: str, pending: bool
) -> dict[str, list[str]]:
    """What is wrong with an extension request, by field."""
    errors: dict[str, list[str]] = {}
    if problem.state not in OPEN_STATES:
        errors["__all__"] = [
            _("Only an open problem can have its deadline moved (it is “%(state)s”).")
            % {"state": problem.get_state_display()}
        ]
    elif pending:
        errors["__all__"] = [
            _("A request for this problem is already waiting for approval; wait for its answer.")
        ]
    if type not in ProblemType.values:
        errors["new_type"] = [_("Choose the type of rectification.")]
    elif type == ProblemType.DEADLINE and deadline is None:
        errors["new_deadline"] = [_("A problem to fix by a deadline needs a deadline date.")]
    elif type == ProblemType.ONGOING and deadline is not None:
        errors["new_deadline"] = [_("A long-term problem has no deadline; leave it empty.")]
    elif type == problem.type and deadline == problem.deadline:
        errors["new_deadline"] = [_("Ask for a different deadline or type than the current one.")]
    if deadline is not None and deadline < problem.discovered_on:
        errors["new_deadline"] = [
            _("The deadline cannot be before the date the problem was found.")
        ]
    if not (reason or "").strip():
        errors["reason"] = [_("Say why the deadline or type should change.")]
    return errors


# --- 回头看 and satisfaction (群众满意度) ------------------------------------------------


def asks_the_people(problem: Any) -> bool:
    """A problem raised by the masses (群众反映强烈) or from 征求意见 or 信访举报: before
    销号 the people concerned are asked whether they are satisfied."""
    return bool(problem.mass_concern or problem.source in MASS_SOURCES)


def satisfaction_refusals(
    *, method: str, result: str, note: str, has_survey: bool
) -> dict[str, list[str]]:
    """A satisfaction record says how the people were asked and what they said, with a
    note or an attached survey."""
    errors: dict[str, list[str]] = {}
    if method not in SatisfactionMethod.values:
        errors["method"] = [_("Say how the people concerned were asked.")]
    if result not in SatisfactionResult.values:
        errors["result"] = [
            _(
                "Record what the people concerned said (satisfied, fairly satisfied or "
                "dissatisfied)."
            )
        ]
    if not (note or "").strip() and not has_survey:
        errors["people_note"] = [_("Write what they said, or attach the survey.")]
    return errors
