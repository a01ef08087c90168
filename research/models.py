"""Field research (调查研究): projects, reports, findings and the decisions resting on them.

Rules live in services.py; these models hold data and invariants only.
"""

from __future__ import annotations

from datetime import date
from typing import Any

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
    RETURNED = "returned", _("Returned for revision")
    ACCEPTED = "accepted", _("Accepted")


# The states an author chooses on the form; the office's review gives the other two.
AUTHOR_STATES = (ReportState.DRAFT, ReportState.SUBMITTED)
# A report counts for the yearly rule once submitted, while it waits for the office's
# review and after the office accepted it; a returned report is back with its author.
COUNTING_REPORT_STATES = (ReportState.SUBMITTED, ReportState.ACCEPTED)


class ReviewDecision(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    RETURNED = "returned", _("Returned for revision")


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
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
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
        indexes = [
            models.Index(fields=["campaign", "author", "written_on"]),
            models.Index(fields=["campaign", "state", "submitted_at"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def year(self) -> int:
        """The year the report counts for (that of its date)."""
        return self.written_on.year

    @property
    def counts_for_the_year(self) -> bool:
        return self.state in COUNTING_REPORT_STATES

    @property
    def is_editable(self) -> bool:
        """An accepted report is closed; every other state may still be changed."""
        return self.state != ReportState.ACCEPTED


class ReportReviewQuerySet(ScopedQuerySet):
    scope_field = "report__unit"


@pghistory.track()
class ReportReview(models.Model):
    """The office's review of a submitted report against the speech's three criteria
    (有实情、有分析、有见解): accepted when all three are met, or returned with a comment.
    Every review is kept: a report returned and submitted again has one row per review."""

    report = models.ForeignKey(
        ResearchReport,
        verbose_name=_("research report"),
        on_delete=models.CASCADE,
        related_name="reviews",
    )
    decision = models.CharField(_("decision"), max_length=16, choices=ReviewDecision.choices)
    has_facts = models.BooleanField(_("has the real situation"), default=False)
    has_analysis = models.BooleanField(_("has analysis"), default=False)
    has_insight = models.BooleanField(_("has insight"), default=False)
    comment = models.TextField(_("comment"), blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"))

    objects = ReportReviewQuerySet.as_manager()

    class Meta:
        verbose_name = _("report review")
        verbose_name_plural = _("report reviews")
        ordering = ["-reviewed_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(decision="accepted")
                | Q(has_facts=True, has_analysis=True, has_insight=True),
                name="accepted_review_meets_all_criteria",
            ),
            models.CheckConstraint(
                condition=~Q(decision="returned") | ~Q(comment=""),
                name="returned_review_says_why",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.report} · {self.get_decision_display()}"


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

    @property
    def is_suggestion(self) -> bool:
        return self.kind == FindingKind.SUGGESTION


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


class AdoptionQuerySet(ScopedQuerySet):
    scope_field = "finding__project__unit"


@pghistory.track()
class Adoption(models.Model):
    """成果转化: a suggestion (对策建议) of research taken up by a decision, a rectification
    measure or a long-term mechanism, on a date. Exactly one of the three is named."""

    finding = models.ForeignKey(
        Finding,
        verbose_name=_("suggestion"),
        on_delete=models.CASCADE,
        related_name="adoptions",
    )
    decision = models.ForeignKey(
        Decision,
        verbose_name=_("decision"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="adoptions",
    )
    measure = models.ForeignKey(
        "rectification.Measure",
        verbose_name=_("rectification measure"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="adoptions",
    )
    mechanism = models.ForeignKey(
        "rectification.Mechanism",
        verbose_name=_("long-term mechanism"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="adoptions",
    )
    adopted_on = models.DateField(_("adopted on"))
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = AdoptionQuerySet.as_manager()

    class Meta:
        verbose_name = _("adoption")
        verbose_name_plural = _("adoptions")
        ordering = ["adopted_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(decision__isnull=False, measure__isnull=True, mechanism__isnull=True)
                    | Q(decision__isnull=True, measure__isnull=False, mechanism__isnull=True)
                    | Q(decision__isnull=True, measure__isnull=True, mechanism__isnull=False)
                ),
                name="adoption_names_one_record",
            ),
            models.UniqueConstraint(
                fields=["finding", "decision"],
                condition=Q(decision__isnull=False),
                name="unique_adoption_by_decision",
            ),
            models.UniqueConstraint(
                fields=["finding", "measure"],
                condition=Q(measure__isnull=False),
                name="unique_adoption_by_measure",
            ),
            models.UniqueConstraint(
                fields=["finding", "mechanism"],
                condition=Q(mechanism__isnull=False),
                name="unique_adoption_by_mechanism",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.finding} → {self.record}"

    @property
    def record(self) -> Any:
        return self.decision or self.measure or self.mechanism


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
