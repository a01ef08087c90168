"""The campaign's leading group (主题教育领导小组): its member units, each with its duty
and the contacts of its office (成员单位要充分发挥职能作用，形成齐抓共管的工作合力)."""

from __future__ import annotations

import pghistory
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import OrgUnit

from .campaign import Campaign, Workstream


@pghistory.track()
class LeadingGroupMember(models.Model):
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        on_delete=models.CASCADE,
        related_name="group_members",
    )
    unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("member unit"),
        on_delete=models.PROTECT,
        related_name="group_memberships",
    )
    duty = models.TextField(_("duty"), help_text=_("What the member unit answers for"))
    # The workstreams of its duty: the tasks it may deploy to the campaign's units.
    workstreams = ArrayField(
        models.CharField(max_length=16, choices=Workstream.choices),
        verbose_name=_("workstreams of its duty"),
        default=list,
        blank=True,
    )
    contact = models.CharField(_("office contact"), max_length=64, blank=True)
    phone = models.CharField(_("contact phone"), max_length=32, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=1)

    class Meta:
        verbose_name = _("leading group member unit")
        verbose_name_plural = _("leading group member units")
        ordering = ["campaign", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "unit"], name="unique_group_member")
        ]

    def __str__(self) -> str:
        return f"{self.campaign} · {self.unit}"

    def workstream_labels(self) -> list[str]:
        labels = dict(Workstream.choices)
        return [str(labels.get(w, w)) for w in self.workstreams]
