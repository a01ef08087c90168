"""The campaign's closing meetings: a leading group's 专题民主生活会 and a branch's
专题组织生活会, with the 检视剖析材料 attached. The problems they bring up are entered as
problems of the unit (rectification), each marked as the leading group's own (班子) or a
member's (个人) and linked back to the meeting."""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import OrgUnit, UnitKind
from accounts.scoping import ScopedQuerySet
from core.uploads import AttachmentBase

from .campaign import Campaign


class MeetingKind(models.TextChoices):
    DEMOCRATIC_LIFE = "democratic_life", _("Democratic life meeting")
    ORGANISATIONAL_LIFE = "organisational_life", _("Organisational life meeting")


# Who holds which: leading groups (committees, departments) a 专题民主生活会, branches a
# 专题组织生活会.
KIND_FOR_UNIT: dict[str, str] = {
    UnitKind.PROVINCE_COMMITTEE: MeetingKind.DEMOCRATIC_LIFE,
    UnitKind.CITY_COMMITTEE: MeetingKind.DEMOCRATIC_LIFE,
    UnitKind.COUNTY_COMMITTEE: MeetingKind.DEMOCRATIC_LIFE,
    UnitKind.DEPARTMENT: MeetingKind.DEMOCRATIC_LIFE,
    UnitKind.PARTY_COMMITTEE: MeetingKind.DEMOCRATIC_LIFE,
    UnitKind.GENERAL_BRANCH: MeetingKind.ORGANISATIONAL_LIFE,
    UnitKind.BRANCH: MeetingKind.ORGANISATIONAL_LIFE,
}


class ReviewMeetingQuerySet(ScopedQuerySet):
    scope_field = "unit"


@pghistory.track()
class ReviewMeeting(models.Model):
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="meetings"
    )
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="meetings"
    )
    kind = models.CharField(_("kind"), max_length=24, choices=MeetingKind.choices)
    held_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=128, blank=True)
    participants = models.TextField(_("participants"))
    guidance = models.CharField(_("attended from above to guide"), max_length=200, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ReviewMeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("review meeting")
        verbose_name_plural = _("review meetings")
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["campaign", "unit"], name="meeting_of_unit")]

    def __str__(self) -> str:
        return f"{self.held_on:%Y-%m-%d} {self.get_kind_display()}"


class MeetingFileKind(models.TextChoices):
    REVIEW = "review", _("Self-examination materials")
    MINUTES = "minutes", _("Meeting minutes")
    OTHER = "other", _("Other materials")


class MeetingAttachmentQuerySet(ScopedQuerySet):
    scope_field = "meeting__unit"


@pghistory.track()
class MeetingAttachment(AttachmentBase):
    meeting = models.ForeignKey(
        ReviewMeeting,
        verbose_name=_("review meeting"),
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    kind = models.CharField(
        _("kind of material"),
        max_length=16,
        choices=MeetingFileKind.choices,
        default=MeetingFileKind.REVIEW,
    )

    objects = MeetingAttachmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("meeting material")
        verbose_name_plural = _("meeting materials")
        ordering = ["pk"]

    @property
    def unit(self) -> OrgUnit:
        return self.meeting.unit
