"""Activities logged by units (study and development) and their files."""

from __future__ import annotations

import hashlib
import re
from typing import Any

import pghistory
from django.conf import settings
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import GreaterThanOrEqual
from django.utils.translation import gettext_lazy as _

from accounts.models import OrgUnit, PartyMember
from accounts.scoping import ScopedQuerySet
from core.uploads import AttachmentBase

from .campaign import Campaign, Workstream

# Shorter summaries ("学习党章") are alike by nature: the copied-summaries signal skips them.
COPY_MIN_LENGTH = 20


class ActivityKind(models.TextChoices):
    READING_CLASS = "reading_class", _("Thematic reading class")
    CENTRAL_GROUP = "central_group", _("Central group theory study")
    GROUP_STUDY = "group_study", _("Group study and discussion")
    PARTY_LECTURE = "party_lecture", _("Special Party lecture")
    PARTY_DAY = "party_day", _("Themed Party day")
    THREE_MEETINGS = "three_meetings", _("Three meetings and one lecture")
    EXCHANGE = "exchange", _("Exchange and discussion")
    VISIT = "visit", _("Study visit")
    SERVE_PEOPLE = "serve_people", _("Practical things for the people")
    OTHER = "other", _("Other")


# Kinds that belong to "promoting development"; all the others are theory study.
DEVELOPMENT_KINDS = frozenset({ActivityKind.SERVE_PEOPLE})


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
    host = models.CharField(_("chaired by"), max_length=64, blank=True)
    recorder = models.CharField(_("minutes by"), max_length=64, blank=True)
    participants = models.PositiveIntegerField(_("number of participants"), default=0)
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1, default=0)
    summary = models.TextField(_("summary"))
    # what a copied summary shares with its original (see summary_digest); kept on save
    # hex, compared byte by byte: the copied-summaries signal groups by it (a fast sort)
    summary_digest = models.CharField(max_length=32, editable=False, blank=True, db_collation="C")
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
            # the copied-summaries signal (dashboard/figures/signals.py) reads the last
            # weeks' long summaries from this index alone, whatever the scope
            models.Index(
                fields=["campaign", "held_on"],
                include=["summary_digest", "unit", "id"],
                condition=models.Q(GreaterThanOrEqual(Length("summary"), COPY_MIN_LENGTH)),
                name="activity_copy_digest",
            ),
            # the same signal rolled up (dashboard/figures/parts.py): whether a summary of
            # one committee is found in another unit, looked up digest by digest
            models.Index(
                fields=["campaign", "summary_digest"],
                include=["held_on", "unit"],
                condition=models.Q(GreaterThanOrEqual(Length("summary"), COPY_MIN_LENGTH)),
                name="activity_digest_lookup",
            ),
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


class AttendanceQuerySet(ScopedQuerySet):
    scope_field = "activity__unit"


@pghistory.track()
class Attendance(models.Model):
    """One member on the roll of an activity's unit: present, or absent with a reason and,
    once he has caught up, the day of his 补学."""

    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="attendance"
    )
    person = models.ForeignKey(
        PartyMember,
        verbose_name=_("party member"),
        on_delete=models.PROTECT,
        related_name="attendance",
    )
    present = models.BooleanField(_("present"), default=True)
    absence_reason = models.CharField(_("reason for absence"), max_length=200, blank=True)
    makeup_on = models.DateField(_("made up on"), null=True, blank=True)
    makeup_note = models.CharField(_("how it was made up"), max_length=200, blank=True)

    objects = AttendanceQuerySet.as_manager()

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["activity", "person_id"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "person"], name="one_line_per_member")
        ]
        indexes = [
            models.Index(
                fields=["activity"],
                condition=models.Q(present=False, makeup_on__isnull=True),
                name="attendance_makeup_due",
            )
        ]

    def __str__(self) -> str:
        return f"{self.activity} · {self.person}"

    @property
    def unit(self) -> OrgUnit:
        return self.activity.unit

    @property
    def needs_makeup(self) -> bool:
        return not self.present and self.makeup_on is None


class AttachmentKind(models.TextChoices):
    FILE = "file", _("Photo or document")
    SIGN_IN = "sign_in", _("Sign-in sheet")


class ActivityAttachmentQuerySet(ScopedQuerySet):
    scope_field = "activity__unit"


@pghistory.track()
class ActivityAttachment(AttachmentBase):
    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="attachments"
    )
    kind = models.CharField(
        _("kind of evidence"), max_length=16, choices=AttachmentKind.choices, default="file"
    )

    objects = ActivityAttachmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("activity attachment")
        verbose_name_plural = _("activity attachments")
        ordering = ["pk"]

    @property
    def unit(self) -> OrgUnit:
        return self.activity.unit
