"""Development items (推动发展): a unit's matter with its target, milestones and evidence."""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import OrgUnit
from accounts.scoping import ScopedQuerySet
from core.uploads import AttachmentBase

from .campaign import Campaign


class DevelopmentCategory(models.TextChoices):
    RURAL = "rural", _("Rural revitalisation")
    ECOLOGY = "ecology", _("Ecology and environment")
    LIVELIHOOD = "livelihood", _("People's livelihood")
    INDUSTRY = "industry", _("Industrial development")
    OTHER = "other", _("Other")


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
