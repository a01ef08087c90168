"""Tasks and their assignments, activities, development items.

Rules (deployment, the state machine, evidence) live in ``campaign/services.py``; these
models hold data and invariants only. Overdue is derived from the due date and the state
(``Assignment.is_overdue``, ``AssignmentQuerySet.overdue``), never stored.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date
from typing import Any

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import OrgUnit
from accounts.roles import Action
from accounts.scoping import ScopedQuerySet, scope_q
from core.uploads import AttachmentBase

from .models import Campaign, Objective, Workstream


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


class ActivityKind(models.TextChoices):
    READING_CLASS = "reading_class", "专题读书班"
    CENTRAL_GROUP = "central_group", "理论学习中心组学习"
    GROUP_STUDY = "group_study", "集中学习研讨"
    PARTY_LECTURE = "party_lecture", "专题党课"
    PARTY_DAY = "party_day", "主题党日"
    THREE_MEETINGS = "three_meetings", "三会一课"
    EXCHANGE = "exchange", "交流研讨"
    VISIT = "visit", "参观见学"
    SERVE_PEOPLE = "serve_people", "为民办实事"
    OTHER = "other", _("Other")


# Kinds that belong to "promoting development"; all the others are theory study.
DEVELOPMENT_KINDS = frozenset({ActivityKind.SERVE_PEOPLE})


class DevelopmentCategory(models.TextChoices):
    RURAL = "rural", "乡村振兴"
    ECOLOGY = "ecology", "生态环保"
    LIVELIHOOD = "livelihood", "民生实事"
    INDUSTRY = "industry", "产业发展"
    OTHER = "other", "其他"


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
        reached = Assignment.objects.visible_to(user).values("task_id")
        return self.filter(issued | Q(pk__in=reached))


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


class AssignmentQuerySet(ScopedQuerySet):
    scope_field = "unit"

    def overdue(self, today: date) -> AssignmentQuerySet:
        return self.filter(overdue_q(today))

    def open(self) -> AssignmentQuerySet:
        return self.filter(state__in=OPEN_STATES)


def overdue_q(today: date, prefix: str = "") -> Q:
    """Past its due date and not accepted: overdue is derived, never stored."""
    return Q(**{f"{prefix}due_date__lt": today}) & ~Q(
        **{f"{prefix}state": AssignmentState.ACCEPTED}
    )


@pghistory.track()
class Assignment(models.Model):
    task = models.ForeignKey(
        Task, verbose_name=_("task"), on_delete=models.CASCADE, related_name="assignments"
    )
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="assignments"
    )
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
        ]

    def __str__(self) -> str:
        return f"{self.task} · {self.unit}" + (f" · {self.period}" if self.period else "")

    def is_overdue_on(self, today: date) -> bool:
        return self.due_date < today and self.state != AssignmentState.ACCEPTED

    def can_move_to(self, state: str) -> bool:
        return state in TRANSITIONS[self.state]


class ActivityQuerySet(ScopedQuerySet):
    scope_field = "unit"


@pghistory.track()
class Activity(models.Model):
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="activities"
    )
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="activities"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ActivityKind.choices)
    held_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=128, blank=True)
    participants = models.PositiveIntegerField(_("number of participants"), default=0)
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1, default=0)
    summary = models.TextField(_("summary"))
    # what a copied summary shares with its original (see summary_digest); kept on save
    summary_digest = models.CharField(max_length=32, editable=False, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ActivityQuerySet.as_manager()

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-held_on", "-pk"]
        indexes = [
            models.Index(fields=["campaign", "held_on"]),
            # the lists: newest first within a campaign
            models.Index(fields=["campaign", "-held_on", "-id"], name="activity_list_order"),
        ]

    def __str__(self) -> str:
        return f"{self.held_on:%Y-%m-%d} {self.get_kind_display()}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.summary_digest = summary_digest(self.summary)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "summary" in update_fields:
            kwargs["update_fields"] = {*update_fields, "summary_digest"}
        super().save(*args, **kwargs)

    @property
    def workstream(self) -> str:
        return Workstream.DEVELOPMENT if self.kind in DEVELOPMENT_KINDS else Workstream.STUDY


# Spaces, digits and punctuation of any script (Chinese included), and underscores.
_NOT_WORDS = re.compile(r"[\W\d_]+")


def summary_digest(text: str) -> str:
    """The fingerprint two summaries share when one is the other copied: the lower-cased
    text without spaces, digits and punctuation, hashed (the dashboard's formalism signal
    groups activities by it). Bulk inserts must set it with this function too."""
    normalised = _NOT_WORDS.sub("", (text or "").lower())
    return hashlib.md5(normalised.encode(), usedforsecurity=False).hexdigest()


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


class ActivityAttachmentQuerySet(ScopedQuerySet):
    scope_field = "activity__unit"


@pghistory.track()
class ActivityAttachment(AttachmentBase):
    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="attachments"
    )

    objects = ActivityAttachmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("activity attachment")
        verbose_name_plural = _("activity attachments")
        ordering = ["pk"]

    @property
    def unit(self) -> OrgUnit:
        return self.activity.unit


class DevelopmentItemQuerySet(ScopedQuerySet):
    scope_field = "unit"


@pghistory.track()
class DevelopmentItem(models.Model):
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        on_delete=models.CASCADE,
        related_name="development_items",
    )
    unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="development_items",
    )
    category = models.CharField(
        _("kind of matter"), max_length=16, choices=DevelopmentCategory.choices
    )
    title = models.CharField(_("title"), max_length=200)
    target = models.TextField(_("target"))
    responsible_leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible leader"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="development_items_led",
    )
    due_date = models.DateField(_("due date"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = DevelopmentItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("development item")
        verbose_name_plural = _("development items")
        ordering = ["due_date", "pk"]

    def __str__(self) -> str:
        return self.title


class DevelopmentMilestoneQuerySet(ScopedQuerySet):
    scope_field = "item__unit"


@pghistory.track()
class DevelopmentMilestone(models.Model):
    item = models.ForeignKey(
        DevelopmentItem,
        verbose_name=_("development item"),
        on_delete=models.CASCADE,
        related_name="milestones",
    )
    title = models.CharField(_("milestone"), max_length=200)
    due_on = models.DateField(_("due on"))
    done_on = models.DateField(_("done on"), null=True, blank=True)

    objects = DevelopmentMilestoneQuerySet.as_manager()

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def unit(self) -> OrgUnit:
        return self.item.unit


class DevelopmentAttachmentQuerySet(ScopedQuerySet):
    scope_field = "item__unit"


@pghistory.track()
class DevelopmentAttachment(AttachmentBase):
    item = models.ForeignKey(
        DevelopmentItem,
        verbose_name=_("development item"),
        on_delete=models.CASCADE,
        related_name="attachments",
    )

    objects = DevelopmentAttachmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("development evidence")
        verbose_name_plural = _("development evidence")
        ordering = ["pk"]

    @property
    def unit(self) -> OrgUnit:
        return self.item.unit
