"""Field research (调查研究): projects, reports, findings and the decisions resting on them.

Rules live in services.py; these models hold data and invariants only.
"""

from __future__ import annotations

from datetime import date

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from accounts.models import OrgUnit
from accounts.scoping import ScopedQuerySet
from campaign.models import Campaign
from core.uploads import AttachmentBase


class ResearchFocus(models.TextChoices):
    MAJOR_ISSUE = "major_issue", _("Major issues of reform, development and stability")
    HOT_HARD = "hot_hard", _("Hot and difficult issues")
    CHOKEPOINT = "chokepoint", _("Chokepoint issues")
    OBSTRUCTION = "obstruction", _("Obstruction in the middle")


# The foci whose solved findings make the list of 卡脖子 / 中梗阻 problems solved.
BLOCKING_FOCI = (ResearchFocus.CHOKEPOINT, ResearchFocus.OBSTRUCTION)


class ResearchMethod(models.TextChoices):
    ONSITE = "onsite", _("On-site research")
    ONLINE = "online", _("Online research")
    FORUM = "forum", _("Forums and visits")
    SURVEY = "survey", _("Questionnaire survey")
    OTHER = "other", _("Other")


# Methods that count for the quarterly rule (每季度至少开展一次蹲点调研或网络调研).
COUNTING_METHODS = (ResearchMethod.ONSITE, ResearchMethod.ONLINE)


class ProjectState(models.TextChoices):
    PLANNED = "planned", _("Planned")
    UNDER_WAY = "under_way", _("Under way")
    DONE = "done", _("Done")


# Only research actually carried out counts for compliance.
COUNTING_STATES = (ProjectState.UNDER_WAY, ProjectState.DONE)


class ReportState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")


class FindingKind(models.TextChoices):
    PROBLEM = "problem", _("Problem")
    SUGGESTION = "suggestion", _("Suggestion")


def quarter_of(day: date) -> int:
    return (day.month - 1) // 3 + 1


class ResearchProjectQuerySet(ScopedQuerySet):
    scope_field = "unit"


@pghistory.track()
class ResearchProject(models.Model):
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        on_delete=models.PROTECT,
        related_name="research_projects",
    )
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="research_projects"
    )
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("lead"),
        on_delete=models.PROTECT,
        related_name="research_led",
    )
    participants = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("participants"),
        blank=True,
        related_name="research_joined",
    )
    topic = models.CharField(_("topic"), max_length=200)
    focus = models.CharField(_("focus"), max_length=16, choices=ResearchFocus.choices)
    method = models.CharField(_("method"), max_length=16, choices=ResearchMethod.choices)
    sites = models.TextField(_("sites visited"), blank=True, help_text=_("One site per line"))
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    state = models.CharField(
        _("state"), max_length=16, choices=ProjectState.choices, default=ProjectState.PLANNED
    )
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ResearchProjectQuerySet.as_manager()
    owner_field = "lead"  # a leader changes his own only: the leader who leads it

    class Meta:
        verbose_name = _("research project")
        verbose_name_plural = _("research projects")
        ordering = ["-start_date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="research_project_dates_in_order"
            )
        ]
        indexes = [
            models.Index(fields=["campaign", "lead", "start_date"]),
            models.Index(fields=["campaign", "start_date"]),
        ]

    def __str__(self) -> str:
        return self.topic

    @property
    def site_list(self) -> list[str]:
        return [line.strip() for line in self.sites.splitlines() if line.strip()]

    @property
    def year(self) -> int:
        """The year the project counts for (that of its start date)."""
        return self.start_date.year

    @property
    def quarter(self) -> int:
        """The quarter the project counts for (that of its start date)."""
        return quarter_of(self.start_date)

    @property
    def counts_for_compliance(self) -> bool:
        return self.method in COUNTING_METHODS and self.state in COUNTING_STATES

    @property
    def method_counts(self) -> bool:
        """Is the method one the quarterly rule counts (whatever the state)?"""
        return self.method in COUNTING_METHODS


class ProjectAttachmentQuerySet(ScopedQuerySet):
    scope_field = "project__unit"


@pghistory.track()
class ProjectAttachment(AttachmentBase):
    project = models.ForeignKey(
        ResearchProject,
        verbose_name=_("research project"),
        on_delete=models.CASCADE,
        related_name="attachments",
    )

    objects = ProjectAttachmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["project", "uploaded_at", "pk"]


class ResearchReportQuerySet(ScopedQuerySet):
    scope_field = "unit"


@pghistory.track()
class ResearchReport(models.Model):
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        on_delete=models.PROTECT,
        related_name="research_reports",
    )
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="research_reports"
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(
        _("text"),
        blank=True,
        help_text=_("Start a line with # for a heading; leave an empty line between paragraphs."),
    )
    projects = models.ManyToManyField(
        ResearchProject, verbose_name=_("research projects"), related_name="reports"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="research_reports",
    )
    written_on = models.DateField(_("date"))
    state = models.CharField(
        _("state"), max_length=16, choices=ReportState.choices, default=ReportState.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ResearchReportQuerySet.as_manager()
    owner_field = "author"  # a leader changes his own only: the leader who wrote it

    class Meta:
        verbose_name = _("research report")
        verbose_name_plural = _("research reports")
        ordering = ["-written_on", "-pk"]
        indexes = [models.Index(fields=["campaign", "author", "written_on"])]

    def __str__(self) -> str:
        return self.title

    @property
    def year(self) -> int:
        """The year the report counts for (that of its date)."""
        return self.written_on.year


class ReportDocumentQuerySet(ScopedQuerySet):
    scope_field = "report__unit"


@pghistory.track()
class ReportDocument(AttachmentBase):
    report = models.ForeignKey(
        ResearchReport,
        verbose_name=_("research report"),
        on_delete=models.CASCADE,
        related_name="documents",
    )

    objects = ReportDocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("report document")
        verbose_name_plural = _("report documents")
        ordering = ["report", "uploaded_at", "pk"]


class FindingQuerySet(ScopedQuerySet):
    scope_field = "project__unit"


@pghistory.track()
class Finding(models.Model):
    """A problem or suggestion found by a research project (and possibly its report)."""

    project = models.ForeignKey(
        ResearchProject,
        verbose_name=_("research project"),
        on_delete=models.CASCADE,
        related_name="findings",
    )
    report = models.ForeignKey(
        ResearchReport,
        verbose_name=_("research report"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="findings",
    )
    unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("unit concerned"),
        on_delete=models.PROTECT,
        related_name="research_findings",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=FindingKind.choices)
    focus = models.CharField(_("focus"), max_length=16, choices=ResearchFocus.choices, blank=True)
    description = models.TextField(_("description"))
    problem = models.OneToOneField(
        "rectification.Problem",
        verbose_name=_("rectification problem"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="finding",
    )
    solved_on = models.DateField(_("solved on"), null=True, blank=True)
    solved_how = models.TextField(_("how it was solved"), blank=True)
    solved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("marked solved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = FindingQuerySet.as_manager()

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["project", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(solved_on__isnull=True) | ~Q(solved_how=""),
                name="solved_finding_says_how",
            )
        ]

    def __str__(self) -> str:
        return self.description[:40]

    @property
    def is_solved(self) -> bool:
        return self.solved_on is not None


class DecisionQuerySet(ScopedQuerySet):
    scope_field = "unit"


@pghistory.track()
class Decision(models.Model):
    """A unit's decision and the research it rests on (不调研不决策、先调研后决策)."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="decisions"
    )
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="decisions"
    )
    title = models.CharField(_("title"), max_length=200)
    decided_on = models.DateField(_("date"))
    body = models.TextField(_("content"))
    projects = models.ManyToManyField(
        ResearchProject,
        verbose_name=_("research projects cited"),
        blank=True,
        related_name="decisions",
    )
    reports = models.ManyToManyField(
        ResearchReport,
        verbose_name=_("research reports cited"),
        blank=True,
        related_name="decisions",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = DecisionQuerySet.as_manager()
    owner_field = "created_by"  # a leader changes his own only: the leader who recorded it

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["-decided_on", "-pk"]

    def __str__(self) -> str:
        return self.title


# Links between records (who took part, what a report or decision rests on) are kept in
# the history too: each add and remove is an event row written by a database trigger.
@pghistory.track(
    pghistory.InsertEvent("participant.add"),
    pghistory.DeleteEvent("participant.remove"),
    obj_field=None,
)
class ProjectParticipant(ResearchProject.participants.through):  # type: ignore[name-defined,misc]
    class Meta:
        proxy = True


@pghistory.track(
    pghistory.InsertEvent("project.add"),
    pghistory.DeleteEvent("project.remove"),
    obj_field=None,
)
class ReportProject(ResearchReport.projects.through):  # type: ignore[name-defined,misc]
    class Meta:
        proxy = True


@pghistory.track(
    pghistory.InsertEvent("project.add"),
    pghistory.DeleteEvent("project.remove"),
    obj_field=None,
)
class DecisionProject(Decision.projects.through):  # type: ignore[name-defined,misc]
    class Meta:
        proxy = True


@pghistory.track(
    pghistory.InsertEvent("report.add"),
    pghistory.DeleteEvent("report.remove"),
    obj_field=None,
)
class DecisionReport(Decision.reports.through):  # type: ignore[name-defined,misc]
    class Meta:
        proxy = True
