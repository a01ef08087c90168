"""Development items (推动发展): a unit's matter with its target, milestones and evidence.

An item moves 未开始 → 推进中 → 已完成 → 已销号. It is under way once a milestone is
reached, completed when every milestone is (the day of the last one is its completion
day), and closed (销号) by an office above the unit once evidence is attached; a milestone
reopened takes a completed item back to 推进中. The services move it (``campaign/services.py``),
the item says what it may become next (``can_move_to``). The items marked 为民办实事 form
the unit's list of practical matters for the people, with the people's verdict where asked.
"""

from __future__ import annotations

from datetime import date

import pghistory
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import OrgUnit
from accounts.scoping import ScopedQuerySet
from core.uploads import AttachmentBase

from .campaign import Campaign


class DevelopmentCategory(models.TextChoices):
    """The key targets the speech names."""

    INDUSTRY = "industry", _("Leading industries")
    GAP = "gap", _("Development gaps")
    LIVELIHOOD = "livelihood", _("Livelihood shortfalls")
    RURAL = "rural", _("Rural revitalisation")
    ECOLOGY = "ecology", _("Ecology and environment")
    OTHER = "other", _("Other")


class DevelopmentState(models.TextChoices):
    NOT_STARTED = "not_started", _("Not begun")
    IN_PROGRESS = "in_progress", _("Being advanced")
    COMPLETED = "completed", _("Completed")
    CLOSED = "closed", _("Closed off")


DEVELOPMENT_TRANSITIONS: dict[str, frozenset[str]] = {
    DevelopmentState.NOT_STARTED: frozenset(
        {DevelopmentState.IN_PROGRESS, DevelopmentState.COMPLETED}
    ),
    DevelopmentState.IN_PROGRESS: frozenset(
        {DevelopmentState.NOT_STARTED, DevelopmentState.COMPLETED}
    ),
    DevelopmentState.COMPLETED: frozenset({DevelopmentState.IN_PROGRESS, DevelopmentState.CLOSED}),
    DevelopmentState.CLOSED: frozenset(),
}


class PeopleVerdict(models.TextChoices):
    """What the people said of a practical matter when they were asked."""

    SATISFIED = "satisfied", _("Satisfied")
    FAIRLY = "fairly", _("Fairly satisfied")
    DISSATISFIED = "dissatisfied", _("Dissatisfied")


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
    state = models.CharField(
        _("state"),
        max_length=16,
        choices=DevelopmentState.choices,
        default=DevelopmentState.NOT_STARTED,
    )
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    for_the_people = models.BooleanField(_("practical matter for the people"), default=False)
    verdict = models.CharField(
        _("the people's verdict"), max_length=16, choices=PeopleVerdict.choices, blank=True
    )
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

    def can_move_to(self, state: str) -> bool:
        return state in DEVELOPMENT_TRANSITIONS[self.state]

    def is_overdue_on(self, day: date) -> bool:
        return self.due_date < day and self.completed_on is None


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
