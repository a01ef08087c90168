"""A campaign (主题教育) run by a unit, its objectives, and the four workstreams."""

from __future__ import annotations

from typing import Any

import pghistory
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts import permissions
from accounts.models import OrgUnit


class Workstream(models.TextChoices):
    STUDY = "study", _("Theory study")
    RESEARCH = "research", _("Field research")
    DEVELOPMENT = "development", _("Promoting development")
    RECTIFICATION = "rectification", _("Self-review and rectification")


class CampaignQuerySet(models.QuerySet["Campaign"]):
    def visible_to(self, user: Any) -> CampaignQuerySet:
        """Campaigns run by a unit above, at or below any unit the user has a role on."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        q = permissions.related_units_q(user, field="root_unit")
        if q is None:
            return self
        return self.filter(q)


@pghistory.track()
class Campaign(models.Model):
    name = models.CharField(_("name"), max_length=128)
    root_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("root unit"), on_delete=models.PROTECT, related_name="campaigns"
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    general_requirement = models.CharField(_("general requirement"), max_length=200, blank=True)
    fundamental_task = models.CharField(_("fundamental task"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    problem_categories = models.JSONField(
        _("problem categories"),
        default=list,
        blank=True,
        help_text=_("The category names accepted for problems of this campaign"),
    )

    objects = CampaignQuerySet.as_manager()

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-start_date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")), name="campaign_dates_in_order"
            )
        ]

    def __str__(self) -> str:
        return self.name


@pghistory.track()
class Objective(models.Model):
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="objectives"
    )
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    title = models.CharField(_("title"), max_length=64)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("objective")
        verbose_name_plural = _("objectives")
        ordering = ["campaign", "order"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "order"], name="unique_objective_order")
        ]

    def __str__(self) -> str:
        return self.title
