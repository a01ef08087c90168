"""Writes of the campaign workstreams: campaigns, deployment, the assignment state machine,
activities with their evidence, development items.

Every function is keyword-only and atomic; history is kept by the pghistory triggers, and
the acting user is attached by the request middleware (or ``pghistory.context``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import OrgUnit, PartyMember
from accounts.permissions import can, may
from accounts.roles import Action
from core.uploads import validate_upload
from notifications import events

from .defaults import PROBLEM_CATEGORIES
from .models import (
    KIND_FOR_UNIT,
    OPEN_STATES,
    Activity,
    ActivityAttachment,
    Assignment,
    AssignmentEvidence,
    AssignmentExtension,
    AssignmentState,
    AttachmentKind,
    Attendance,
    Campaign,
    DevelopmentAttachment,
    DevelopmentItem,
    DevelopmentMilestone,
    DevelopmentState,
    ExtensionAnswer,
    ExtensionState,
    LeadingGroupMember,
    MeetingAttachment,
    MeetingFileKind,
    Objective,
    PeopleVerdict,
    Recurrence,
    ReviewMeeting,
    Task,
    TaskNotice,
    Workstream,
)

# ---------------------------------------------------------------- campaigns


def _require(user: Any, action: Action, unit: OrgUnit) -> None:
    if not can(user, action, unit):
        raise PermissionDenied


def _check_campaign_dates(start: date, end: date) -> None:
    if end < start:
        raise ValidationError({"end_date": _("The end date cannot be before the start date.")})


@transaction.atomic
def campaign_create(
    *,
    actor: Any,
    name: str,
    root_unit: OrgUnit,
    start_date: date,
    end_date: date,
    general_requirement: str = "",
    fundamental_task: str = "",
    objectives: Sequence[str] = (),
) -> Campaign:
    _require(actor, Action.DEPLOY, root_unit)
    _check_campaign_dates(start_date, end_date)
    campaign = Campaign.objects.create(
        name=name,
        root_unit=root_unit,
        start_date=start_date,
        end_date=end_date,
        general_requirement=general_requirement,
        fundamental_task=fundamental_task,
        problem_categories=list(PROBLEM_CATEGORIES),
    )
    _set_objectives(campaign=campaign, titles=objectives)
    return campaign


@transaction.atomic
def campaign_update(
    *,
    actor: Any,
    campaign: Campaign,
    name: str,
    start_date: date,
    end_date: date,
    general_requirement: str,
    fundamental_task: str,
    is_active: bool,
    objectives: Sequence[str] = (),
) -> Campaign:
    _require(actor, Action.DEPLOY, campaign.root_unit)
    _check_campaign_dates(start_date, end_date)
    campaign.name = name
    campaign.start_date = start_date
    campaign.end_date = end_date
    campaign.general_requirement = general_requirement
    campaign.fundamental_task = fundamental_task
    campaign.is_active = is_active
    campaign.save()
    _set_objectives(campaign=campaign, titles=objectives)
    return campaign


def _set_objectives(*, campaign: Campaign, titles: Sequence[str]) -> None:
    existing = {o.order: o for o in campaign.objectives.all()}
    for order, title in enumerate(titles, start=1):
        title = title.strip()
        current = existing.get(order)
        if current is None and title:
            Objective.objects.create(campaign=campaign, order=order, title=title)
        elif current is not None and title and current.title != title:
            current.title = title
            current.save(update_fields=["title"])


# ---------------------------------------------------------------- tasks and deployment


@dataclass(frozen=True)
class Period:
    label: str
    start: date | None
    end: date | None
    due: date


def _quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _next_quarter(start: date) -> date:
    month = start.month + 3
    return date(start.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


def task_periods(*, recurrence: str, start: date, due_date: date) -> list[Period]:
    """The periods a task asks for, from ``start`` (the campaign's start) to its due date.

    A one-off task has one unnamed period. A recurring task has one period per calendar
    quarter or year that overlaps the span; each is due on its last day, or on the task's
    due date when that comes first.
    """
    if recurrence == Recurrence.NONE:
        return [Period(label="", start=None, end=None, due=due_date)]
    periods = []
    if recurrence == Recurrence.QUARTERLY:
        cursor = _quarter_start(start)
        while cursor <= due_date:
            following = _next_quarter(cursor)
            end = following - timedelta(days=1)
            label = f"{cursor.year}Q{(cursor.month - 1) // 3 + 1}"
            periods.append(Period(label=label, start=cursor, end=end, due=min(end, due_date)))
            cursor = following
    elif recurrence == Recurrence.YEARLY:
        for year in range(start.year, due_date.year + 1):
            first, last = date(year, 1, 1), date(year, 12, 31)
            periods.append(Period(label=str(year), start=first, end=last, due=min(last, due_date)))
    else:
        raise ValueError(recurrence)
    return periods


def _check_task_dates(*, campaign: Campaign, due_date: date) -> None:
    if due_date < campaign.start_date:
        raise ValidationError(
            {
                "due_date": _("The due date cannot be before the campaign starts (%(date)s).")
                % {"date": campaign.start_date.isoformat()}
            }
        )
    if due_date > campaign.end_date:
        raise ValidationError(
            {
                "due_date": _("The due date cannot be after the campaign ends (%(date)s).")
                % {"date": campaign.end_date.isoformat()}
            }
        )


@transaction.atomic
def task_create(
    *,
    actor: Any,
    campaign: Campaign,
    issuer: OrgUnit,
    workstream: str,
    title: str,
    due_date: date,
    objective: Objective | None = None,
    description: str = "",
    evidence_required: str = "",
    recurrence: str = Recurrence.NONE,
) -> Task:
    _require(actor, Action.DEPLOY, issuer)
    _check_task_dates(campaign=campaign, due_date=due_date)
    if objective is not None and objective.campaign_id != campaign.pk:
        raise ValidationError({"objective": _("Choose an objective of this campaign.")})
    return Task.objects.create(
        campaign=campaign,
        issuer=issuer,
        workstream=workstream,
        objective=objective,
        title=title,
        description=description,
        evidence_required=evidence_required,
        due_date=due_date,
        recurrence=recurrence,
        created_by=actor if getattr(actor, "pk", None) else None,
    )


@transaction.atomic
def task_update(
    *,
    actor: Any,
    task: Task,
    title: str,
    description: str,
    evidence_required: str,
    due_date: date,
) -> Task:
    """Edit a task. A one-off task's new due date moves the assignments not yet accepted;
    one whose own date was moved by an approved extension request keeps it, unless the
    task's new date is later still."""
    _require(actor, Action.DEPLOY, task.issuer)
    _check_task_dates(campaign=task.campaign, due_date=due_date)
    if task.recurrence != Recurrence.NONE and due_date != task.due_date:
        raise ValidationError(
            {"due_date": _("The due date of a recurring task cannot be changed once deployed.")}
        )
    moved = due_date != task.due_date
    task.title = title
    task.description = description
    task.evidence_required = evidence_required
    task.due_date = due_date
    task.save()
    if moved:
        extended = AssignmentExtension.objects.filter(
            assignment__task=task, state=ExtensionState.APPROVED
        ).values("assignment_id")
        open_work = task.assignments.exclude(state=AssignmentState.ACCEPTED)
        open_work.exclude(pk__in=extended).update(due_date=due_date)
        open_work.filter(pk__in=extended, due_date__lt=due_date).update(due_date=due_date)
    return task


@transaction.atomic
def task_deploy(*, actor: Any, task: Task, units: Iterable[OrgUnit]) -> int:
    """Create one assignment per unit and period; running it again creates nothing new.

    Returns how many assignments were created.
    """
    targets = list({u.pk: u for u in units}.values())
    if not targets:
        raise ValidationError(_("Choose at least one unit."))
    outside = [u for u in targets if not u.is_within(task.issuer)]
    for unit in targets:
        if unit.is_within(task.issuer) and not can(actor, Action.DEPLOY, unit):
            raise PermissionDenied
    if outside:
        _check_group_duty(actor=actor, task=task, units=outside)
    periods = task_periods(
        recurrence=task.recurrence, start=task.campaign.start_date, due_date=task.due_date
    )
    existing = set(task.assignments.filter(unit__in=targets).values_list("unit_id", "period"))
    new = [
        Assignment(
            task=task,
            unit=unit,
            period=period.label,
            period_start=period.start,
            period_end=period.end,
            due_date=period.due,
        )
        for unit in targets
        for period in periods
        if (unit.pk, period.label) not in existing
    ]
    Assignment.objects.bulk_create(new, ignore_conflicts=True)
    if new:
        reached = {a.unit_id for a in new}
        events.task_deployed(
            task=task,
            assignments=task.assignments.filter(unit_id__in=reached).select_related("unit"),
            actor=actor,
        )
    return len(new)


# ---------------------------------------------------------------- the state machine


def _move(assignment: Assignment, to: str) -> None:
    if not assignment.can_move_to(to):
        raise ValidationError(
            {
                "state": _("An assignment that is “%(state)s” cannot become “%(to)s”.")
                % {"state": assignment.get_state_display(), "to": AssignmentState(to).label}
            }
        )
    assignment.state = to


def _locked(assignment: Assignment) -> Assignment:
    return (
        Assignment.objects.select_for_update().select_related("unit", "task").get(pk=assignment.pk)
    )


@transaction.atomic
def assignment_start(*, actor: Any, assignment: Assignment) -> Assignment:
    """pending → in_progress, or returned → in_progress (rework after a return)."""
    assignment = _locked(assignment)
    _require(actor, Action.LOG, assignment.unit)
    _move(assignment, AssignmentState.IN_PROGRESS)
    assignment.save()
    return assignment


@transaction.atomic
def assignment_submit(
    *,
    actor: Any,
    assignment: Assignment,
    note: str = "",
    activities: Iterable[Activity] = (),
) -> Assignment:
    """Submit with evidence for review. A returned assignment goes back to work first
    (returned → in_progress → submitted), so fixing and resubmitting is one step."""
    assignment = _locked(assignment)
    _require(actor, Action.LOG, assignment.unit)
    if assignment.state == AssignmentState.RETURNED:
        _move(assignment, AssignmentState.IN_PROGRESS)
        assignment.save()
    _move(assignment, AssignmentState.SUBMITTED)
    chosen = list(activities)
    evidence_link(actor=actor, assignment=assignment, activities=chosen)
    if not note.strip() and not assignment.evidence.exists():
        raise ValidationError(
            {"note": _("Say what was done or attach at least one activity as evidence.")}
        )
    assignment.note = note.strip()
    assignment.submitted_at = timezone.now()
    assignment.submitted_by = actor
    assignment.save()
    events.waiting_for_review(assignment=assignment)
    return assignment


@transaction.atomic
def assignment_accept(*, actor: Any, assignment: Assignment, comment: str = "") -> Assignment:
    assignment = _locked(assignment)
    _require(actor, Action.DEPLOY, assignment.unit)
    _move(assignment, AssignmentState.ACCEPTED)
    assignment.review_comment = comment.strip()
    assignment.reviewed_at = timezone.now()
    assignment.reviewed_by = actor
    assignment.save()
    events.submission_reviewed(assignment=assignment, actor=actor, passed=True)
    return assignment


@transaction.atomic
def assignment_return(*, actor: Any, assignment: Assignment, reason: str) -> Assignment:
    assignment = _locked(assignment)
    _require(actor, Action.DEPLOY, assignment.unit)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the submission is returned.")})
    _move(assignment, AssignmentState.RETURNED)
    assignment.return_reason = reason.strip()
    assignment.review_comment = ""
    assignment.reviewed_at = timezone.now()
    assignment.reviewed_by = actor
    assignment.save()
    events.submission_reviewed(assignment=assignment, actor=actor, passed=False)
    return assignment


# ---------------------------------------------------------------- extension requests


def extension_refusals(
    assignment: Assignment, *, new_due_date: date | None, reason: str, pending: bool
) -> dict[str, list[str]]:
    """What is wrong with a request to move an assignment's due date, by field."""
    errors: dict[str, list[str]] = {}
    if assignment.state not in OPEN_STATES:
        errors["__all__"] = [
            _("Only open work can have its due date moved (it is “%(state)s”).")
            % {"state": assignment.get_state_display()}
        ]
    elif pending:
        errors["__all__"] = [
            _("A request for this assignment is already waiting for approval; wait for its answer.")
        ]
    campaign = assignment.task.campaign
    if new_due_date is None:
        errors["new_due_date"] = [_("Give the due date asked for.")]
    elif new_due_date <= assignment.due_date:
        errors["new_due_date"] = [
            _("Ask for a later due date than the current one (%(date)s).")
            % {"date": assignment.due_date.isoformat()}
        ]
    elif new_due_date > campaign.end_date:
        errors["new_due_date"] = [
            _("The due date cannot be after the campaign ends (%(date)s).")
            % {"date": campaign.end_date.isoformat()}
        ]
    if not (reason or "").strip():
        errors["reason"] = [_("Say why the due date should move.")]
    return errors


def record_extension_answer(
    extension: ExtensionAnswer,
    *,
    actor: Any,
    approve: bool,
    comment: str,
    open_refusal: str | None,
) -> None:
    """Record the office's answer to a pending extension request, of an assignment or a
    problem: a refusal needs a comment; an approval is refused with ``open_refusal`` when
    the record is no longer open. The caller moves the record's date when approved."""
    if extension.state != ExtensionState.PENDING:
        raise ValidationError(_("This request has already been answered."))
    if not approve and not (comment or "").strip():
        raise ValidationError({"comment": [_("Say why the request is refused.")]})
    if approve and open_refusal:
        raise ValidationError(open_refusal)
    extension.state = ExtensionState.APPROVED if approve else ExtensionState.REFUSED
    extension.decided_by = actor
    extension.decided_at = timezone.now()
    extension.comment = (comment or "").strip()
    extension.save(update_fields=["state", "decided_by", "decided_at", "comment"])


def may_decide_extension(user: Any, assignment: Assignment) -> bool:
    """The office of a unit above the assignee answers its requests (the rule of 销号)."""
    return may(user, Action.CLOSE, assignment)


@transaction.atomic
def extension_request(
    *, actor: Any, assignment: Assignment, new_due_date: date | None, reason: str
) -> AssignmentExtension:
    """The unit holding the assignment asks for a later due date; nothing changes until
    the office above approves it."""
    assignment = _locked(assignment)
    _require(actor, Action.LOG, assignment.unit)
    errors = extension_refusals(
        assignment,
        new_due_date=new_due_date,
        reason=reason,
        pending=assignment.extensions.filter(state=ExtensionState.PENDING).exists(),
    )
    if errors:
        raise ValidationError(errors)
    assert new_due_date is not None
    extension = AssignmentExtension.objects.create(
        assignment=assignment,
        old_due_date=assignment.due_date,
        new_due_date=new_due_date,
        reason=reason.strip(),
        requested_by=actor,
    )
    events.waiting_for_extension(unit=assignment.unit)
    return extension


@transaction.atomic
def extension_decide(
    *, actor: Any, extension: AssignmentExtension, approve: bool, comment: str = ""
) -> AssignmentExtension:
    """The office above approves (this assignment's due date moves; the task's does not)
    or refuses (with a comment) a pending request; the unit is told either way."""
    extension = AssignmentExtension.objects.select_for_update().get(pk=extension.pk)
    assignment = _locked(extension.assignment)
    if not may_decide_extension(actor, assignment):
        raise PermissionDenied(
            _("Only the office of a unit above the assignee may answer this request.")
        )
    open_refusal = (
        _("Only open work can have its due date moved (it is “%(state)s”).")
        % {"state": assignment.get_state_display()}
        if assignment.state not in OPEN_STATES
        else None
    )
    record_extension_answer(
        extension, actor=actor, approve=approve, comment=comment, open_refusal=open_refusal
    )
    if approve:
        assignment.due_date = extension.new_due_date
        assignment.save(update_fields=["due_date"])
    events.extension_decided(
        unit=assignment.unit,
        requested_by=extension.requested_by_id,
        what=assignment.task.title,
        approved=approve,
        asked=extension.new_due_date.isoformat(),
        comment=extension.comment,
        link=reverse("campaign:assignment-detail", args=[assignment.pk]),
        actor=actor,
    )
    return extension


# ---------------------------------------------------------------- evidence


@transaction.atomic
def evidence_link(*, actor: Any, assignment: Assignment, activities: Iterable[Activity]) -> int:
    """Attach activities of the assignment's unit as its evidence; returns how many are new."""
    _require(actor, Action.LOG, assignment.unit)
    if assignment.state == AssignmentState.ACCEPTED:
        raise ValidationError(
            {"activities": _("The evidence of an accepted assignment cannot change.")}
        )
    chosen = list(activities)
    for activity in chosen:
        if activity.unit_id != assignment.unit_id:
            raise ValidationError(
                {"activities": _("Only activities of the assignment's own unit can be evidence.")}
            )
    rows = [AssignmentEvidence(assignment=assignment, activity=a) for a in chosen]
    before = AssignmentEvidence.objects.filter(assignment=assignment).count()
    AssignmentEvidence.objects.bulk_create(rows, ignore_conflicts=True)
    return AssignmentEvidence.objects.filter(assignment=assignment).count() - before


@transaction.atomic
def evidence_unlink(*, actor: Any, assignment: Assignment, activity: Activity) -> None:
    _require(actor, Action.LOG, assignment.unit)
    if assignment.state in (AssignmentState.SUBMITTED, AssignmentState.ACCEPTED):
        raise ValidationError(
            {"activities": _("Evidence cannot be removed while the assignment is under review.")}
        )
    AssignmentEvidence.objects.filter(assignment=assignment, activity=activity).delete()


# ---------------------------------------------------------------- activities


@dataclass(frozen=True)
class Presence:
    """A member on the roll of an activity: present, or absent with a reason."""

    member: PartyMember
    present: bool = True
    reason: str = ""


def _check_attendance(unit: OrgUnit, attendance: Sequence[Presence]) -> None:
    """Every line is a member on the unit's roll, once; every absentee has a reason."""
    errors: dict[str, str] = {}
    seen: set[int] = set()
    for line in attendance:
        if line.member.unit_id != unit.pk or not line.member.is_active:
            errors[f"reason_{line.member.pk}"] = _("%(name)s is not on this unit's roll.") % {
                "name": line.member.name
            }
        elif line.member.pk in seen:
            errors[f"reason_{line.member.pk}"] = _("%(name)s is listed twice.") % {
                "name": line.member.name
            }
        elif not line.present and not line.reason.strip():
            errors[f"reason_{line.member.pk}"] = _("Give the reason why %(name)s was absent.") % {
                "name": line.member.name
            }
        elif len(line.reason.strip()) > 200:
            errors[f"reason_{line.member.pk}"] = _("The reason is longer than 200 characters.")
        seen.add(line.member.pk)
    if errors:
        raise ValidationError(errors)


def _check_sign_in(upload: Any) -> None:
    if upload is None:
        return
    try:
        validate_upload(upload)
    except ValidationError as exc:
        raise ValidationError({"sign_in_sheet": exc.messages}) from None


@transaction.atomic
def makeup_record(
    *, actor: Any, line: Attendance, done_on: date, note: str = "", today: date
) -> Attendance:
    """An absentee has caught up (补学) on a day, not before the activity nor in the future."""
    _require(actor, Action.LOG, line.activity.unit)
    if line.present:
        raise ValidationError(
            _("%(name)s attended; there is nothing to make up.") % {"name": line.person.name}
        )
    if done_on > today:
        raise ValidationError(
            {"makeup_on": _("A make-up study cannot be recorded for a day in the future.")}
        )
    if done_on < line.activity.held_on:
        raise ValidationError(
            {
                "makeup_on": _("A make-up study comes after the activity (%(date)s).")
                % {"date": line.activity.held_on.isoformat()}
            }
        )
    line.makeup_on = done_on
    line.makeup_note = note.strip()[:200]
    line.save(update_fields=["makeup_on", "makeup_note"])
    return line


def _check_activity(
    *, campaign: Campaign, held_on: date, today: date, participants: int, hours: Decimal
) -> None:
    errors: dict[str, str] = {}
    if held_on > today:
        errors["held_on"] = _("An activity cannot be logged for a day in the future.")
    elif held_on < campaign.start_date:
        errors["held_on"] = _("The date is before the campaign started (%(date)s).") % {
            "date": campaign.start_date.isoformat()
        }
    if participants < 1:
        errors["participants"] = _("Enter how many took part: at least 1.")
    if hours < 0:
        errors["hours"] = _("Hours cannot be negative.")
    if errors:
        raise ValidationError(errors)


def _check_files(files: Sequence[Any]) -> None:
    for upload in files:
        try:
            validate_upload(upload)
        except ValidationError as exc:
            raise ValidationError({"attachments": exc.messages}) from None


@transaction.atomic
def activity_create(
    *,
    actor: Any,
    campaign: Campaign,
    unit: OrgUnit,
    kind: str,
    held_on: date,
    summary: str,
    place: str = "",
    participants: int | None = None,
    hours: Decimal = Decimal(0),
    files: Sequence[Any] = (),
    evidence_for: Iterable[Assignment] = (),
    today: date | None = None,
    host: str = "",
    recorder: str = "",
    attendance: Sequence[Presence] | None = None,
    sign_in_sheet: Any = None,
) -> Activity:
    _require(actor, Action.LOG, unit)
    if attendance is not None:
        # with a roll, those ticked present are the participants
        participants = sum(1 for line in attendance if line.present)
    _check_activity(
        campaign=campaign,
        held_on=held_on,
        today=today or timezone.localdate(),
        participants=participants or 0,
        hours=hours,
    )
    _check_files(files)
    _check_sign_in(sign_in_sheet)
    if attendance is not None:
        _check_attendance(unit, attendance)
    activity = Activity.objects.create(
        campaign=campaign,
        unit=unit,
        kind=kind,
        held_on=held_on,
        place=place,
        host=host,
        recorder=recorder,
        participants=participants or 0,
        hours=hours,
        summary=summary,
        created_by=actor,
    )
    _store_files(actor=actor, files=files, model=ActivityAttachment, activity=activity)
    if sign_in_sheet is not None:
        _store_files(
            actor=actor,
            files=[sign_in_sheet],
            model=ActivityAttachment,
            activity=activity,
            kind=AttachmentKind.SIGN_IN,
        )
    if attendance:
        Attendance.objects.bulk_create(
            Attendance(
                activity=activity,
                person=line.member,
                present=line.present,
                absence_reason="" if line.present else line.reason.strip(),
            )
            for line in attendance
        )
    for assignment in evidence_for:
        evidence_link(actor=actor, assignment=assignment, activities=[activity])
    return activity


@transaction.atomic
def activity_update(
    *,
    actor: Any,
    activity: Activity,
    kind: str,
    held_on: date,
    summary: str,
    place: str,
    participants: int,
    hours: Decimal,
    files: Sequence[Any] = (),
    today: date | None = None,
    host: str | None = None,
    recorder: str | None = None,
    sign_in_sheet: Any = None,
) -> Activity:
    _require(actor, Action.LOG, activity.unit)
    _check_sign_in(sign_in_sheet)
    _check_activity(
        campaign=activity.campaign,
        held_on=held_on,
        today=today or timezone.localdate(),
        participants=participants,
        hours=hours,
    )
    _check_files(files)
    activity.kind = kind
    activity.held_on = held_on
    activity.summary = summary
    activity.place = place
    if host is not None:
        activity.host = host
    if recorder is not None:
        activity.recorder = recorder
    if activity.attendance.exists():
        participants = activity.attendance.filter(present=True).count()
    activity.participants = participants
    activity.hours = hours
    activity.save()
    _store_files(actor=actor, files=files, model=ActivityAttachment, activity=activity)
    if sign_in_sheet is not None:
        _store_files(
            actor=actor,
            files=[sign_in_sheet],
            model=ActivityAttachment,
            activity=activity,
            kind=AttachmentKind.SIGN_IN,
        )
    return activity


NOTICE_TYPES = frozenset({"pdf", "doc", "docx"})


def check_notice_files(files: Sequence[Any]) -> None:
    """A task's notice: a PDF or Word file, checked like every upload (size, content)."""
    for upload in files:
        try:
            extension = validate_upload(upload)
        except ValidationError as exc:
            raise ValidationError({"notice": exc.messages}) from None
        if extension not in NOTICE_TYPES:
            raise ValidationError(
                {
                    "notice": _("“%(name)s”: the notice must be a PDF or Word file.")
                    % {"name": upload.name}
                }
            )


@transaction.atomic
def task_attach_notice(*, actor: Any, task: Task, files: Sequence[Any]) -> int:
    """Attach the notice (红头文件) to a task; every unit the task reaches sees it. The
    files are kept with their history; returns how many were attached."""
    _require(actor, Action.DEPLOY, task.issuer)
    if not files:
        raise ValidationError({"notice": _("Choose the notice file to attach.")})
    check_notice_files(files)
    _store_files(actor=actor, files=files, model=TaskNotice, task=task)
    return len(files)


def _store_files(*, actor: Any, files: Sequence[Any], model: Any, **owner: Any) -> None:
    for upload in files:
        model.objects.create(
            file=upload,
            original_name=upload.name[:255],
            size=upload.size,
            uploaded_by=actor,
            **owner,
        )


# ---------------------------------------------------------------- development


def _check_development(*, campaign: Campaign, due_date: date) -> None:
    if due_date < campaign.start_date:
        raise ValidationError(
            {
                "due_date": _("The due date cannot be before the campaign starts (%(date)s).")
                % {"date": campaign.start_date.isoformat()}
            }
        )


@transaction.atomic
def development_create(
    *,
    actor: Any,
    campaign: Campaign,
    unit: OrgUnit,
    category: str,
    title: str,
    target: str,
    due_date: date,
    responsible_leader: Any = None,
    for_the_people: bool = False,
) -> DevelopmentItem:
    _require(actor, Action.LOG, unit)
    _check_development(campaign=campaign, due_date=due_date)
    return DevelopmentItem.objects.create(
        campaign=campaign,
        unit=unit,
        category=category,
        title=title,
        target=target,
        due_date=due_date,
        responsible_leader=responsible_leader,
        for_the_people=for_the_people,
        created_by=actor,
    )


@transaction.atomic
def development_update(
    *,
    actor: Any,
    item: DevelopmentItem,
    category: str,
    title: str,
    target: str,
    due_date: date,
    responsible_leader: Any = None,
    for_the_people: bool | None = None,
) -> DevelopmentItem:
    _require(actor, Action.LOG, item.unit)
    _check_development(campaign=item.campaign, due_date=due_date)
    item.category = category
    item.title = title
    item.target = target
    item.due_date = due_date
    item.responsible_leader = responsible_leader
    if for_the_people is not None:
        item.for_the_people = for_the_people
    item.save()
    return item


@transaction.atomic
def milestone_add(
    *, actor: Any, item: DevelopmentItem, title: str, due_on: date
) -> DevelopmentMilestone:
    _require(actor, Action.LOG, item.unit)
    if item.state == DevelopmentState.CLOSED:
        raise ValidationError(_("A closed item takes no more milestones."))
    if due_on < item.campaign.start_date:
        raise ValidationError(
            {
                "due_on": _("The date cannot be before the campaign starts (%(date)s).")
                % {"date": item.campaign.start_date.isoformat()}
            }
        )
    milestone = DevelopmentMilestone.objects.create(item=item, title=title, due_on=due_on)
    _follow_milestones(item)
    return milestone


@transaction.atomic
def milestone_set_done(
    *, actor: Any, milestone: DevelopmentMilestone, done_on: date | None, today: date
) -> DevelopmentMilestone:
    """Mark a milestone reached on a day (not in the future), or reopen it with None."""
    _require(actor, Action.LOG, milestone.item.unit)
    if done_on is not None and done_on > today:
        raise ValidationError({"done_on": _("A milestone cannot be reached in the future.")})
    item = DevelopmentItem.objects.select_for_update().get(pk=milestone.item_id)
    if item.state == DevelopmentState.CLOSED:
        raise ValidationError(_("The item is closed; its milestones stay as they are."))
    milestone.done_on = done_on
    milestone.save(update_fields=["done_on"])
    _follow_milestones(item)
    return milestone


def _follow_milestones(item: DevelopmentItem) -> None:
    """Completion comes from the milestones: every one reached makes the item completed on
    the day of the last; one reached makes it under way; a milestone reopened or added takes
    a completed item back to 推进中."""
    done_days = list(item.milestones.values_list("done_on", flat=True))
    reached = [day for day in done_days if day is not None]
    if done_days and len(reached) == len(done_days):
        target, completed_on = DevelopmentState.COMPLETED, max(reached)
    elif reached or item.state != DevelopmentState.NOT_STARTED:
        target, completed_on = DevelopmentState.IN_PROGRESS, None
    else:
        target, completed_on = DevelopmentState.NOT_STARTED, None
    if (item.state, item.completed_on) == (target, completed_on):
        return
    if target != item.state and not item.can_move_to(target):
        raise ValidationError(_("The item cannot move to that state."))
    item.state = target
    item.completed_on = completed_on
    item.save(update_fields=["state", "completed_on"])


@transaction.atomic
def development_start(*, actor: Any, item: DevelopmentItem) -> DevelopmentItem:
    """未开始 → 推进中: the unit says work has begun before a milestone is reached."""
    _require(actor, Action.LOG, item.unit)
    item = DevelopmentItem.objects.select_for_update().get(pk=item.pk)
    if item.state != DevelopmentState.NOT_STARTED:
        raise ValidationError(_("Only an item not yet started can be started."))
    item.state = DevelopmentState.IN_PROGRESS
    item.save(update_fields=["state"])
    return item


@transaction.atomic
def development_close(*, actor: Any, item: DevelopmentItem, today: date) -> DevelopmentItem:
    """已完成 → 已销号: an office above the unit closes a completed item that has evidence."""
    if not may(actor, Action.CLOSE, item):
        raise PermissionDenied
    item = DevelopmentItem.objects.select_for_update().get(pk=item.pk)
    if not item.can_move_to(DevelopmentState.CLOSED):
        raise ValidationError(_("Only a completed item can be closed."))
    if not item.attachments.exists():
        raise ValidationError(_("Attach the evidence before the item is closed."))
    item.state = DevelopmentState.CLOSED
    item.closed_on = today
    item.save(update_fields=["state", "closed_on"])
    return item


@transaction.atomic
def development_set_verdict(*, actor: Any, item: DevelopmentItem, verdict: str) -> DevelopmentItem:
    """The people's verdict on a practical matter, once it is completed."""
    _require(actor, Action.LOG, item.unit)
    if not item.for_the_people:
        raise ValidationError(_("Only a practical matter for the people takes a verdict."))
    if item.completed_on is None:
        raise ValidationError(_("The people are asked once the matter is completed."))
    if verdict and verdict not in PeopleVerdict.values:
        raise ValidationError({"verdict": _("Choose a verdict from the list.")})
    item.verdict = verdict
    item.save(update_fields=["verdict"])
    return item


@transaction.atomic
def development_add_evidence(*, actor: Any, item: DevelopmentItem, files: Sequence[Any]) -> None:
    _require(actor, Action.LOG, item.unit)
    if not files:
        raise ValidationError({"attachments": _("Choose at least one file.")})
    _check_files(files)
    _store_files(actor=actor, files=files, model=DevelopmentAttachment, item=item)


# ---------------------------------------------------------------- the leading group


def duty_workstreams(*, campaign: Campaign, unit: OrgUnit) -> list[str]:
    """The workstreams a unit may deploy to the whole campaign as a member unit of its
    leading group (none for a unit that is not a member)."""
    member = LeadingGroupMember.objects.filter(campaign=campaign, unit=unit).first()
    return list(member.workstreams) if member else []


def _check_group_duty(*, actor: Any, task: Task, units: Sequence[OrgUnit]) -> None:
    """A task reaches units outside its issuer's subtree only from a member unit of the
    campaign's leading group, within its duty, to the campaign's units, by the member's
    office (成员单位要充分发挥职能作用)."""
    campaign = task.campaign
    duty = duty_workstreams(campaign=campaign, unit=task.issuer)
    if not duty or not can(actor, Action.DEPLOY, task.issuer):
        raise PermissionDenied
    if any(not u.is_within(campaign.root_unit) for u in units):
        raise PermissionDenied
    if task.workstream not in duty:
        raise ValidationError(
            {"workstream": _("This workstream is outside your unit's duty in the leading group.")}
        )


@transaction.atomic
def group_member_set(
    *,
    actor: Any,
    campaign: Campaign,
    unit: OrgUnit,
    duty: str,
    workstreams: Sequence[str] = (),
    contact: str = "",
    phone: str = "",
    order: int = 1,
) -> LeadingGroupMember:
    """Make a unit a member of the campaign's leading group, or change its duty and
    contacts: by the office that runs the campaign."""
    if actor is not None:
        _require(actor, Action.DEPLOY, campaign.root_unit)
    if not duty.strip():
        raise ValidationError({"duty": _("Describe the member unit's duty.")})
    unknown = [w for w in workstreams if w not in Workstream.values]
    if unknown:
        raise ValidationError({"workstreams": _("Choose workstreams of the campaign.")})
    member, _created = LeadingGroupMember.objects.update_or_create(
        campaign=campaign,
        unit=unit,
        defaults={
            "duty": duty.strip(),
            "workstreams": list(dict.fromkeys(workstreams)),
            "contact": contact.strip(),
            "phone": phone.strip(),
            "order": order,
        },
    )
    return member


# ---------------------------------------------------------------- review meetings


@transaction.atomic
def meeting_create(
    *,
    actor: Any,
    campaign: Campaign,
    unit: OrgUnit,
    held_on: date,
    participants: str,
    guidance: str = "",
    place: str = "",
    summary: str = "",
    files: Sequence[Any] = (),
    today: date | None = None,
) -> ReviewMeeting:
    """Record a unit's 专题民主生活会 (a leading group) or 专题组织生活会 (a branch): the kind
    follows the unit; the 检视剖析材料 are attached as files."""
    _require(actor, Action.LOG, unit)
    kind = KIND_FOR_UNIT.get(unit.kind)
    errors: dict[str, str] = {}
    if kind is None:
        errors["unit"] = _("This unit holds no review meeting.")
    if held_on > (today or timezone.localdate()):
        errors["held_on"] = _("A meeting cannot be recorded for a day in the future.")
    elif held_on < campaign.start_date:
        errors["held_on"] = _("The date is before the campaign started (%(date)s).") % {
            "date": campaign.start_date.isoformat()
        }
    if not participants.strip():
        errors["participants"] = _("List who took part.")
    if errors:
        raise ValidationError(errors)
    _check_files(files)
    meeting = ReviewMeeting.objects.create(
        campaign=campaign,
        unit=unit,
        kind=kind,
        held_on=held_on,
        place=place.strip(),
        participants=participants.strip(),
        guidance=guidance.strip(),
        summary=summary.strip(),
        created_by=actor,
    )
    _store_files(actor=actor, files=files, model=MeetingAttachment, meeting=meeting)
    return meeting


@transaction.atomic
def meeting_add_files(
    *, actor: Any, meeting: ReviewMeeting, files: Sequence[Any], kind: str
) -> None:
    _require(actor, Action.LOG, meeting.unit)
    if not files:
        raise ValidationError({"attachments": _("Choose at least one file.")})
    if kind not in MeetingFileKind.values:
        raise ValidationError({"kind": _("Choose what the files are.")})
    _check_files(files)
    _store_files(actor=actor, files=files, model=MeetingAttachment, meeting=meeting, kind=kind)
