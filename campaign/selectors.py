from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    DecimalField,
    F,
    IntegerField,
    Max,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, NullIf

from accounts import permissions
from accounts.models import OrgUnit, PartyMember, User
from accounts.permissions import scope_q
from accounts.roles import PERMISSIONS, Action
from core.pagination import count_per_row

from .models import (
    DEVELOPMENT_KINDS,
    KIND_FOR_UNIT,
    OPEN_STATES,
    Activity,
    ActivityAttachment,
    Assignment,
    AssignmentEvidence,
    AssignmentExtension,
    AssignmentState,
    Attendance,
    Campaign,
    DevelopmentItem,
    ExtensionState,
    ReviewMeeting,
    Task,
)


def extension_queue(*, user: Any, campaign: Campaign | None) -> QuerySet[AssignmentExtension]:
    """Requests for a later due date waiting for the user's answer: pending, on
    assignments of units below his office (the rule of 销号, ``RULES[CLOSE]``)."""
    if campaign is None:
        return AssignmentExtension.objects.none()
    assignments = Assignment.objects.filter(task__campaign=campaign).allowed_for(user, Action.CLOSE)
    return (
        AssignmentExtension.objects.filter(state=ExtensionState.PENDING, assignment__in=assignments)
        .select_related("assignment", "assignment__task", "assignment__unit", "requested_by")
        .order_by("requested_at", "pk")
    )


def campaigns_for(user: Any) -> list[Campaign]:
    return list(Campaign.objects.visible_to(user).select_related("root_unit"))


def current_campaign(visible: list[Campaign], chosen_id: Any) -> Campaign | None:
    """The campaign chosen in the session if the user may see it, else the newest active one.

    ``visible`` is :func:`campaigns_for` the user (newest first): every page lists them in
    its header, so the choice is made from that list rather than by queries of its own.
    """
    if chosen_id:
        chosen = next((c for c in visible if str(c.pk) == str(chosen_id)), None)
        if chosen is not None:
            return chosen
    return next((c for c in visible if c.is_active), None) or next(iter(visible), None)


# ---------------------------------------------------------------- tasks and assignments

DUE_SOON_DAYS = 14


def log_units(user: Any) -> QuerySet[OrgUnit]:
    """Units the user may log activities and answer assignments for."""
    return OrgUnit.objects.visible_to(user, Action.LOG).filter(is_active=True)


def may_log(user: Any) -> bool:
    """Whether :func:`log_units` holds any unit, from the roles already read (no query):
    a role that may log reaches at least its own unit, and roles on closed units are not
    read."""
    return permissions.acts_anywhere(user, Action.LOG)


def deploy_units(user: Any) -> QuerySet[OrgUnit]:
    return OrgUnit.objects.visible_to(user, Action.DEPLOY).filter(is_active=True)


def task_scope(
    user: Any, *, campaign: Campaign, issuer: OrgUnit, duty: list[str]
) -> QuerySet[OrgUnit]:
    """The units a task issued by ``issuer`` may reach: the issuer's subtree where the user
    may deploy; for a member unit of the leading group with a duty, every active unit of
    the campaign (within the duty's workstreams, which the service checks)."""
    if duty and permissions.can(user, Action.DEPLOY, issuer):
        return OrgUnit.objects.filter(path__startswith=campaign.root_unit.path, is_active=True)
    return deploy_units(user).filter(path__startswith=issuer.path)


def home_unit(user: Any) -> OrgUnit | None:
    """The unit a user usually logs for: his first role that may log, highest first."""
    return permissions.home_unit(user, Action.LOG)


def issuing_units(user: Any) -> QuerySet[OrgUnit]:
    """Units on which the user may deploy (the office): a task is issued in one's name."""
    ids = permissions.unit_ids_for(user, Action.DEPLOY)
    if getattr(user, "is_superuser", False) and not ids:
        return OrgUnit.objects.filter(depth=1)
    return OrgUnit.objects.filter(pk__in=ids)


def tasks_for(user: Any, *, campaign: Campaign | None) -> QuerySet[Task]:
    """Visible tasks; a list page adds the completion of the tasks it shows with
    :func:`with_completion` (counting every task's assignments to page a dozen rows
    would aggregate the whole campaign)."""
    qs = Task.objects.visible_to(user).select_related("issuer", "objective")
    return qs.filter(campaign=campaign) if campaign is not None else qs.none()


def with_completion(tasks: list[Task], user: Any) -> list[Task]:
    """Set ``n_total``, ``n_accepted``, ``n_submitted`` and ``n_returned`` on each task: its
    assignments across the units of the user's scope (as :func:`annotate_completion`),
    counted in one grouped query over the given tasks only."""
    assignments = Assignment.objects.filter(task__in=[t.pk for t in tasks]).seen_by(user)
    rows = (
        {
            row["task_id"]: row
            for row in assignments.order_by()
            .values("task_id")
            .annotate(
                n_total=Count("pk"),
                n_accepted=Count("pk", filter=Q(state=AssignmentState.ACCEPTED)),
                n_submitted=Count("pk", filter=Q(state=AssignmentState.SUBMITTED)),
                n_returned=Count("pk", filter=Q(state=AssignmentState.RETURNED)),
            )
        }
        if tasks
        else {}
    )
    for task in tasks:
        row = rows.get(task.pk, {})
        for name in ("n_total", "n_accepted", "n_submitted", "n_returned"):
            setattr(task, name, row.get(name, 0))
    return tasks


def annotate_completion(qs: QuerySet[Task], user: Any) -> QuerySet[Task]:
    scope = scope_q(user, "assignments__unit")
    mine = scope if scope is not None else Q()
    return qs.annotate(
        n_total=Count("assignments", filter=mine, distinct=True),
        n_accepted=Count(
            "assignments",
            filter=mine & Q(assignments__state=AssignmentState.ACCEPTED),
            distinct=True,
        ),
        n_submitted=Count(
            "assignments",
            filter=mine & Q(assignments__state=AssignmentState.SUBMITTED),
            distinct=True,
        ),
        n_returned=Count(
            "assignments",
            filter=mine & Q(assignments__state=AssignmentState.RETURNED),
            distinct=True,
        ),
    )


def assignments_for(user: Any, *, campaign: Campaign | None) -> QuerySet[Assignment]:
    qs = Assignment.objects.visible_to(user).select_related("task", "task__objective", "unit")
    return qs.filter(task__campaign=campaign) if campaign is not None else qs.none()


def todo_for(user: Any, *, campaign: Campaign | None, today: date) -> dict[str, Any]:
    """The secretary's to-do: returned first, then overdue, then due within two weeks.

    One query for the three lists (the open assignments returned or due by the end of
    the fortnight, in due order), sorted into them here.
    """
    soon = today + timedelta(days=DUE_SOON_DAYS)
    rows = (
        assignments_for(user, campaign=campaign)
        .filter(unit__in=log_units(user), state__in=OPEN_STATES)
        .filter(Q(state=AssignmentState.RETURNED) | Q(due_date__lte=soon))
        .order_by("due_date", "pk")
    )
    lists: dict[str, list[Assignment]] = {"returned": [], "overdue": [], "due_soon": []}
    for assignment in rows:
        if assignment.state == AssignmentState.RETURNED:
            lists["returned"].append(assignment)
        elif assignment.due_date < today:
            lists["overdue"].append(assignment)
        else:
            lists["due_soon"].append(assignment)
    return lists


def review_queue(user: Any, *, campaign: Campaign | None) -> QuerySet[Assignment]:
    qs = Assignment.objects.visible_to(user, Action.DEPLOY).filter(state=AssignmentState.SUBMITTED)
    qs = qs.filter(task__campaign=campaign) if campaign is not None else qs.none()
    # The rows are walked in queue order and the evidence is counted only for the rows
    # shown (one row per activity attached).
    return (
        qs.select_related("task", "unit", "submitted_by")
        .annotate(n_evidence=count_per_row(AssignmentEvidence, "assignment"))
        .order_by("submitted_at", "pk")
    )


def open_assignments_of_unit(
    user: Any, *, campaign: Campaign, unit: OrgUnit
) -> QuerySet[Assignment]:
    """Assignments an activity of ``unit`` may be attached to as evidence."""
    return (
        Assignment.objects.visible_to(user, Action.LOG)
        .filter(task__campaign=campaign, unit=unit, state__in=OPEN_STATES)
        .select_related("task")
        .order_by("due_date", "pk")
    )


def assignment_with_evidence(assignment: Assignment) -> list[Activity]:
    """The activities attached as evidence, each with its files (photos first), so the
    reviewer sees everything on one page."""
    files = ActivityAttachment.objects.order_by("pk")
    return list(
        assignment.evidence.select_related("unit")
        .annotate(n_files=Count("attachments"))
        .prefetch_related(Prefetch("attachments", queryset=files))
        .order_by("-held_on", "-pk")
    )


def next_for_review(user: Any, *, campaign: Campaign | None, after: Assignment) -> int | None:
    """The submission the reviewer meets next in the queue once ``after`` is decided."""
    return (
        review_queue(user, campaign=campaign)
        .exclude(pk=after.pk)
        .values_list("pk", flat=True)
        .first()
    )


# ---------------------------------------------------------------- activities


def activities_for(user: Any, *, campaign: Campaign | None) -> QuerySet[Activity]:
    qs = Activity.objects.visible_to(user).select_related("unit", "created_by")
    qs = qs.filter(campaign=campaign) if campaign is not None else qs.none()
    # The database can walk the (campaign, held_on) index in order and count files only
    # for the rows shown.
    return qs.annotate(n_files=count_per_row(ActivityAttachment, "activity")).order_by(
        "-held_on", "-pk"
    )


def roll_of(unit: OrgUnit) -> list[PartyMember]:
    """The members on a unit's roll, in the order they were entered."""
    return list(PartyMember.objects.filter(unit=unit, is_active=True).order_by("pk"))


def last_kind_used(user: Any) -> str | None:
    return (
        Activity.objects.filter(created_by=user)
        .order_by("-created_at", "-pk")
        .values_list("kind", flat=True)
        .first()
    )


# ---------------------------------------------------------------- development


def with_progress(qs: QuerySet[DevelopmentItem]) -> QuerySet[DevelopmentItem]:
    """Milestone counts and the progress percent, computed in the query."""
    return qs.annotate(
        milestone_total=Count("milestones", distinct=True),
        milestone_done=Count(
            "milestones", filter=Q(milestones__done_on__isnull=False), distinct=True
        ),
    ).annotate(
        progress=Coalesce(
            100 * F("milestone_done") / NullIf(F("milestone_total"), Value(0)),
            Value(0),
            output_field=IntegerField(),
        )
    )


def development_for(user: Any, *, campaign: Campaign | None) -> QuerySet[DevelopmentItem]:
    qs = DevelopmentItem.objects.visible_to(user).select_related("unit", "responsible_leader")
    qs = qs.filter(campaign=campaign) if campaign is not None else qs.none()
    return with_progress(qs).order_by("due_date", "pk")


def leader_choices(unit: OrgUnit) -> QuerySet[User]:
    """People who may be named responsible: those who may log for the unit (a role on it
    or on one of its ancestors)."""
    return permissions.people_holding(PERMISSIONS[Action.LOG], at_or_above=unit, active_only=False)


# ---------------------------------------------------------------- members in the study


def makeup_due(user: Any, *, campaign: Campaign | None) -> QuerySet[Attendance]:
    """Absentees of the activities the user may log for who have not yet caught up (补学),
    oldest activity first."""
    if campaign is None:
        return Attendance.objects.none()
    return (
        Attendance.objects.visible_to(user, Action.LOG)
        .filter(activity__campaign=campaign, present=False, makeup_on__isnull=True)
        .select_related("activity__unit", "person")
        .order_by("activity__held_on", "activity_id", "person_id")
    )


def study_hours(user: Any, *, campaign: Campaign | None, unit: OrgUnit) -> list[dict[str, Any]]:
    """Per member on the rolls of the unit's subtree: sessions attended, absences, 补学
    done and still owed, and 学时 (the hours of the sessions attended or made up)."""
    if campaign is None:
        return []
    credited = Q(attendance__present=True) | Q(attendance__makeup_on__isnull=False)
    in_campaign = Q(attendance__activity__campaign=campaign)
    rows = (
        PartyMember.objects.visible_to(user)
        .filter(unit__path__startswith=unit.path, is_active=True)
        .annotate(
            attended=Count("attendance", filter=in_campaign & Q(attendance__present=True)),
            absent=Count("attendance", filter=in_campaign & Q(attendance__present=False)),
            made_up=Count(
                "attendance", filter=in_campaign & Q(attendance__makeup_on__isnull=False)
            ),
            hours=Coalesce(
                Sum("attendance__activity__hours", filter=in_campaign & credited),
                Value(Decimal(0)),
                output_field=DecimalField(max_digits=7, decimal_places=1),
            ),
        )
        .select_related("unit")
        .order_by("unit__path", "pk")
    )
    return [
        {
            "person": m,
            "attended": m.attended,
            "absent": m.absent,
            "made_up": m.made_up,
            "owed": m.absent - m.made_up,
            "hours": m.hours,
        }
        for m in rows
    ]


def ledger_activities(
    *, campaign: Campaign, unit: OrgUnit, date_from: date | None, date_to: date | None
) -> QuerySet[Activity]:
    """The study sessions of the unit's subtree for the activity ledger (活动台账), oldest
    first, each with its roll."""
    qs = Activity.objects.filter(campaign=campaign, unit__path__startswith=unit.path).exclude(
        kind__in=DEVELOPMENT_KINDS
    )
    if date_from:
        qs = qs.filter(held_on__gte=date_from)
    if date_to:
        qs = qs.filter(held_on__lte=date_to)
    return (
        qs.select_related("unit")
        .prefetch_related(
            Prefetch(
                "attendance",
                queryset=Attendance.objects.select_related("person").order_by("person_id"),
            )
        )
        .order_by("held_on", "unit__path", "pk")
    )


# ---------------------------------------------------------------- review meetings


def meetings_for(user: Any, *, campaign: Campaign | None) -> QuerySet[ReviewMeeting]:
    qs = ReviewMeeting.objects.visible_to(user).select_related("unit")
    qs = qs.filter(campaign=campaign) if campaign is not None else qs.none()
    return qs.annotate(
        n_collective=Count("problems", filter=Q(problems__scope="collective")),
        n_individual=Count("problems", filter=Q(problems__scope="individual")),
    ).order_by("-held_on", "-pk")


def meeting_overview(*, campaign: Campaign, unit: OrgUnit) -> QuerySet[OrgUnit]:
    """The units of the subtree that hold a review meeting, each with the number held in
    the campaign and the last date (the office sees who has not yet held theirs: those
    first)."""
    held = Q(meetings__campaign=campaign)
    return (
        OrgUnit.objects.filter(
            path__startswith=unit.path, is_active=True, kind__in=list(KIND_FOR_UNIT)
        )
        .annotate(
            held=Count("meetings", filter=held), last_held=Max("meetings__held_on", filter=held)
        )
        .order_by(F("last_held").asc(nulls_first=True), "path")
    )
