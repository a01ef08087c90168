"""Tasks deployed to units and their assignments: the state machine of an assignment and
the activities attached to it as evidence.

Rules (deployment, evidence) live in ``campaign/services.py``; these models hold data,
invariants and the state machine (what an assignment may become next). Overdue is derived
from the due date and the state (``Assignment.is_overdue_on``,
``AssignmentQuerySet.overdue``), never stored.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import OrgUnit
from accounts.permissions import scope_q
from accounts.roles import Action
from accounts.scoping import ScopedQuerySet
from core.uploads import AttachmentBase

from .activities import Activity
from .campaign import Campaign, Objective, Workstream


class Recurrence(models.TextChoices):
    NONE = "none", _("Once")
    QUARTERLY = "quarterly", _("Every quarter")
    YEARLY = "yearly", _("Every year")


class AssignmentState(models.TextChoices):
    PENDING = "pending", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")
    RETURNED = "returned", _("Returned")


# The state machine of an assignment: from a state, the states it may move to.
TRANSITIONS: dict[str, frozenset[str]] = {
    AssignmentState.PENDING: frozenset({AssignmentState.IN_PROGRESS, AssignmentState.SUBMITTED}),
    AssignmentState.IN_PROGRESS: frozenset({AssignmentState.SUBMITTED}),
    AssignmentState.SUBMITTED: frozenset({AssignmentState.ACCEPTED, AssignmentState.RETURNED}),
    AssignmentState.RETURNED: frozenset({AssignmentState.IN_PROGRESS}),
    AssignmentState.ACCEPTED: frozenset(),
}
OPEN_STATES = (
    AssignmentState.PENDING,
    AssignmentState.IN_PROGRESS,
    AssignmentState.RETURNED,
)


class TaskQuerySet(ScopedQuerySet):
    """A task is seen by the offices above its issuer and by every unit it reached."""

    scope_field = "issuer"

    def visible_to(self, user: Any, action: Action = Action.VIEW) -> TaskQuerySet:
        if not getattr(user, "is_authenticated", False):
            return self.none()
        issued = scope_q(user, "issuer", action)
        if issued is None:
            return self
        if action != Action.VIEW:
            return self.filter(issued)
        # "reached": one probe of the (task, unit_path) index per task, instead of
        # listing every assignment of the user's scope (or of the whole campaign)
        reached = Assignment.objects.filter(task=models.OuterRef("pk")).seen_by(user)
        return self.filter(issued | models.Exists(reached))


@pghistory.track()
class Task(models.Model):
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="tasks"
    )
    issuer = models.ForeignKey(
        OrgUnit, verbose_name=_("issued by"), on_delete=models.PROTECT, related_name="tasks_issued"
    )
    workstream = models.CharField(_("workstream"), max_length=16, choices=Workstream.choices)
    objective = models.ForeignKey(
        Objective,
        verbose_name=_("objective"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tasks",
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    evidence_required = models.TextField(_("evidence required"), blank=True)
    due_date = models.DateField(_("due date"))
    recurrence = models.CharField(
        _("recurrence"), max_length=16, choices=Recurrence.choices, default=Recurrence.NONE
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = TaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["-due_date", "-pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def unit(self) -> OrgUnit:
        return self.issuer


class TaskNoticeQuerySet(ScopedQuerySet):
    """A task's notice is seen by whoever sees the task: the offices above its issuer and
    every unit it reached."""

    scope_field = "task__issuer"

    def visible_to(self, user: Any, action: Action = Action.VIEW) -> TaskNoticeQuerySet:
        if action != Action.VIEW:
            return super().visible_to(user, action)
        return self.filter(task__in=Task.objects.visible_to(user))


@pghistory.track()
class TaskNotice(AttachmentBase):
    """The notice (红头文件, a PDF or Word file) an office sends with a task."""

    task = models.ForeignKey(
        Task, verbose_name=_("task"), on_delete=models.CASCADE, related_name="notices"
    )

    objects = TaskNoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("task notice")
        verbose_name_plural = _("task notices")
        ordering = ["pk"]

    @property
    def unit(self) -> OrgUnit:
        return self.task.issuer


class AssignmentQuerySet(ScopedQuerySet):
    scope_field = "unit"

    def overdue(self, today: date) -> AssignmentQuerySet:
        return self.filter(overdue_q(today))

    def open(self) -> AssignmentQuerySet:
        return self.filter(state__in=OPEN_STATES)

    def seen_by(self, user: Any) -> AssignmentQuerySet:
        """What :meth:`visible_to` keeps, matched on the assignment's copy of its unit's
        path (``unit_path``) instead of a join to the unit: a task's assignments within
        the user's subtrees are one range of the (task, unit_path) index."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        q = scope_q(user, self.scope_field, path_field="unit_path")
        return self if q is None else self.filter(q)


def overdue_q(today: date, prefix: str = "") -> Q:
    """Past its due date and not accepted: overdue is derived, never stored."""
    return Q(**{f"{prefix}due_date__lt": today}) & ~Q(
        **{f"{prefix}state": AssignmentState.ACCEPTED}
    )


# ``unit_path`` is a copy kept by the database (see ASSIGNMENT_UNIT_PATH): not history.
@pghistory.track(exclude=["unit_path"])
class Assignment(models.Model):
    task = models.ForeignKey(
        Task, verbose_name=_("task"), on_delete=models.CASCADE, related_name="assignments"
    )
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="assignments"
    )
    # The path of ``unit``, written by a trigger on every insert and change of unit (a
    # unit's path never moves): "has this task reached this subtree?" and "how far is it
    # done in this subtree?" are read from the index on (task, unit_path) alone, without
    # joining every assignment of the task to its unit.
    unit_path = models.CharField(max_length=255, default="", editable=False)
    period = models.CharField(_("period"), max_length=16, blank=True)
    period_start = models.DateField(_("period start"), null=True, blank=True)
    period_end = models.DateField(_("period end"), null=True, blank=True)
    due_date = models.DateField(_("due date"))
    state = models.CharField(
        _("state"), max_length=16, choices=AssignmentState.choices, default=AssignmentState.PENDING
    )
    note = models.TextField(_("what was done"), blank=True)
    return_reason = models.TextField(_("reason for return"), blank=True)
    review_comment = models.TextField(_("review comment"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    evidence = models.ManyToManyField(
        "campaign.Activity",
        verbose_name=_("evidence"),
        through="campaign.AssignmentEvidence",
        related_name="assignments",
        blank=True,
    )

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["due_date", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["task", "unit", "period"], name="unique_assignment_per_unit_and_period"
            )
        ]
        indexes = [
            models.Index(fields=["state", "due_date"]),
            # the review queue: submitted work, oldest submission first
            models.Index(fields=["state", "submitted_at", "id"], name="assignment_review_order"),
            # a task's assignments in a subtree: the path range under a task
            models.Index(
                fields=["task", "unit_path"],
                opclasses=["int8_ops", "varchar_pattern_ops"],
                name="assignment_task_subtree",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task} · {self.unit}" + (f" · {self.period}" if self.period else "")

    def is_overdue_on(self, today: date) -> bool:
        return self.due_date < today and self.state != AssignmentState.ACCEPTED

    def can_move_to(self, state: str) -> bool:
        return state in TRANSITIONS[self.state]

    def can_start(self) -> bool:
        """Work may begin (a returned assignment goes back to work with its resubmission)."""
        return self.state == AssignmentState.PENDING and self.can_move_to(
            AssignmentState.IN_PROGRESS
        )

    def can_submit(self) -> bool:
        """It may be submitted for review: straight away, or after going back to work (a
        returned assignment, fixed and resubmitted in one step)."""
        if self.can_move_to(AssignmentState.SUBMITTED):
            return True
        return self.can_move_to(AssignmentState.IN_PROGRESS) and (
            AssignmentState.SUBMITTED in TRANSITIONS[AssignmentState.IN_PROGRESS]
        )

    def can_review(self) -> bool:
        """It waits for review: the office may accept it or return it."""
        return self.can_move_to(AssignmentState.ACCEPTED) and self.can_move_to(
            AssignmentState.RETURNED
        )


@pghistory.track()
class AssignmentEvidence(models.Model):
    """An activity attached as the evidence of an assignment (nothing is typed twice)."""

    assignment = models.ForeignKey(
        Assignment, verbose_name=_("assignment"), on_delete=models.CASCADE, related_name="+"
    )
    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        constraints = [
            models.UniqueConstraint(fields=["assignment", "activity"], name="unique_evidence")
        ]

    def __str__(self) -> str:
        return f"{self.assignment_id} ← {self.activity_id}"


class ExtensionState(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class ExtensionAnswer(models.Model):
    """What every extension request (延期申请) carries, of an assignment or a problem: the
    reason, its state and who asked, and the office's answer (``record_extension_answer``)."""

    reason = models.TextField(_("reason"))
    state = models.CharField(
        _("state"), max_length=16, choices=ExtensionState.choices, default=ExtensionState.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        abstract = True


class AssignmentExtensionQuerySet(ScopedQuerySet):
    scope_field = "assignment__unit"


@pghistory.track()
class AssignmentExtension(ExtensionAnswer):
    """A unit's request to move its assignment's due date (延期申请). Until the office
    above approves it, the old due date counts; approved, it moves this assignment's due
    date only (the task's stays as it is for every other unit)."""

    assignment = models.ForeignKey(
        Assignment,
        verbose_name=_("assignment"),
        on_delete=models.CASCADE,
        related_name="extensions",
    )
    old_due_date = models.DateField(_("due date before"))
    new_due_date = models.DateField(_("due date asked for"))

    objects = AssignmentExtensionQuerySet.as_manager()

    unit_field = "assignment__unit"

    class Meta:
        verbose_name = _("due date extension request")
        verbose_name_plural = _("due date extension requests")
        ordering = ["assignment", "requested_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment"],
                condition=Q(state="pending"),
                name="one_pending_extension_per_assignment",
            )
        ]

    def __str__(self) -> str:
        return f"{self.assignment} {self.get_state_display()}"
