"""Supervision visits (督导) and model cases (典型).

A visit's findings become problems of the visited unit (source 督导发现); each finding keeps
the link to its problem. Rules live in services.py; these models hold data only.
"""

from __future__ import annotations

from typing import Any

import pghistory
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import OrgUnit
from accounts.permissions import scope_q
from accounts.roles import Action
from accounts.scoping import ScopedQuerySet
from campaign.models import Campaign
from core.uploads import AttachmentBase, generated_upload_path


class VisitMethod(models.TextChoices):
    ON_SITE = "on_site", _("On-site inspection")
    DOCUMENTS = "documents", _("Reviewing documents")
    TALKS = "talks", _("Individual talks")
    BRIEFING = "briefing", _("Hearing reports")
    MASSES = "masses", _("Visiting the people")


class VisitQuerySet(ScopedQuerySet):
    scope_field = "unit"


@pghistory.track()
class SupervisionVisit(models.Model):
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        on_delete=models.PROTECT,
        related_name="supervision_visits",
    )
    unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("unit visited"),
        on_delete=models.PROTECT,
        related_name="supervision_visits",
    )
    visited_on = models.DateField(_("date of visit"))
    visitors = models.CharField(
        _("visitors"), max_length=255, help_text=_("Names of the people who made the visit")
    )
    methods = ArrayField(
        models.CharField(max_length=16, choices=VisitMethod.choices),
        verbose_name=_("methods"),
        default=list,
    )
    guidance = models.TextField(_("guidance given"), blank=True)
    follow_up_on = models.DateField(_("follow-up date"), null=True, blank=True)
    follow_up_done_on = models.DateField(_("follow-up done on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = VisitQuerySet.as_manager()

    class Meta:
        verbose_name = _("supervision visit")
        verbose_name_plural = _("supervision visits")
        ordering = ["-visited_on", "-pk"]
        indexes = [models.Index(fields=["campaign", "follow_up_on"])]

    def __str__(self) -> str:
        return f"{self.visited_on:%Y-%m-%d} {self.unit}"

    def method_labels(self) -> list[str]:
        labels = dict(VisitMethod.choices)
        return [str(labels.get(m, m)) for m in self.methods]


class FindingQuerySet(ScopedQuerySet):
    scope_field = "visit__unit"


@pghistory.track()
class SupervisionFinding(models.Model):
    """One thing found on a visit, recorded as a problem of the visited unit."""

    visit = models.ForeignKey(
        SupervisionVisit,
        verbose_name=_("supervision visit"),
        on_delete=models.CASCADE,
        related_name="findings",
    )
    problem = models.OneToOneField(
        "rectification.Problem",
        verbose_name=_("problem"),
        on_delete=models.PROTECT,
        related_name="supervision_finding",
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = FindingQuerySet.as_manager()

    class Meta:
        verbose_name = _("supervision finding")
        verbose_name_plural = _("supervision findings")
        ordering = ["visit", "pk"]

    def __str__(self) -> str:
        return str(self.problem)


class CaseState(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    SELECTED = "selected", _("Selected as a model")
    RETURNED = "returned", _("Returned")


class CaseKind(models.TextChoices):
    """What is put forward: a unit's practice (先进典型) or a person (先进个人)."""

    PRACTICE = "practice", _("Model practice")
    PERSON = "person", _("Model person")


class CaseQuerySet(ScopedQuerySet):
    """A unit's cases are seen in its scope; selected models are seen by everyone who sees
    the campaign, so good practice travels across the whole city."""

    scope_field = "unit"

    def visible_to(self, user: Any, action: Action = Action.VIEW) -> CaseQuerySet:
        if not getattr(user, "is_authenticated", False):
            return self.none()
        q = scope_q(user, "unit", action)
        if q is None:
            return self
        if action == Action.VIEW:
            q |= Q(state=CaseState.SELECTED, campaign__in=Campaign.objects.visible_to(user))
        return self.filter(q)


@pghistory.track()
class Case(models.Model):
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="cases"
    )
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="cases"
    )
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=500)
    body = models.TextField(_("full text"))
    kind = models.CharField(
        _("put forward"), max_length=16, choices=CaseKind.choices, default=CaseKind.PRACTICE
    )
    person_name = models.CharField(_("name"), max_length=64, blank=True)
    person_title = models.CharField(_("post"), max_length=100, blank=True)
    state = models.CharField(
        _("state"), max_length=16, choices=CaseState.choices, default=CaseState.SUBMITTED
    )
    return_reason = models.TextField(_("reason for return"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted at"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("model case")
        verbose_name_plural = _("model cases")
        ordering = ["-submitted_at", "-pk"]
        indexes = [models.Index(fields=["campaign", "state"])]

    def __str__(self) -> str:
        return self.title

    def can_review(self) -> bool:
        """It waits for the office: to be selected as a model or returned."""
        return self.state == CaseState.SUBMITTED

    def can_change(self) -> bool:
        """Its unit may still edit it and send it again (not once selected as a model)."""
        return self.state != CaseState.SELECTED


class CasePhotoQuerySet(ScopedQuerySet):
    scope_field = "case__unit"

    def visible_to(self, user: Any, action: Action = Action.VIEW) -> CasePhotoQuerySet:
        return self.filter(case__in=Case.objects.visible_to(user, action))


@pghistory.track()
class CasePhoto(AttachmentBase):
    case = models.ForeignKey(
        Case, verbose_name=_("model case"), on_delete=models.CASCADE, related_name="photos"
    )

    objects = CasePhotoQuerySet.as_manager()

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["case", "uploaded_at", "pk"]


class GuidanceState(models.TextChoices):
    OPEN = "open", _("Waiting for the office")
    ANSWERED = "answered", _("Answered")
    CONVERTED = "converted", _("Turned into problems")


class GuidanceQuerySet(ScopedQuerySet):
    scope_field = "unit"


@pghistory.track()
class GuidanceNote(models.Model):
    """The 指导意见 of the province's 巡回指导组 on a unit: the office answers it or turns
    it into problems for the units concerned (linked both ways)."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="guidance"
    )
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="guidance"
    )
    given_on = models.DateField(_("date"))
    text = models.TextField(_("guidance"))
    document = models.FileField(_("attachment"), upload_to=generated_upload_path, blank=True)
    document_name = models.CharField(_("attachment name"), max_length=255, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("given by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    state = models.CharField(
        _("state"), max_length=16, choices=GuidanceState.choices, default=GuidanceState.OPEN
    )
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    problems = models.ManyToManyField(
        "rectification.Problem",
        verbose_name=_("problems"),
        related_name="guidance_notes",
        blank=True,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = GuidanceQuerySet.as_manager()

    class Meta:
        verbose_name = _("guidance")
        verbose_name_plural = _("guidance")
        ordering = ["-given_on", "-pk"]

    def __str__(self) -> str:
        return self.text[:40]


# A problem linked to or from a guidance note is an event row written by a database trigger.
@pghistory.track(
    pghistory.InsertEvent("problem.add"),
    pghistory.DeleteEvent("problem.remove"),
    obj_field=None,
)
class GuidanceNoteProblem(GuidanceNote.problems.through):  # type: ignore[name-defined,misc]
    class Meta:
        proxy = True
