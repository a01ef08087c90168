"""The problem list and rectification ledger (问题清单 / 整改台账).

These models hold data and invariants. The rules live in ``rules.py``: a problem and a
measure answer what may happen to them next (``can_move_to``, ``allowed_actions``) by
asking it, and the services write only what it allows.
"""

from __future__ import annotations

from typing import Any

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import OrgUnit
from accounts.scoping import ScopedQuerySet
from campaign.models import Campaign, ExtensionAnswer, ReviewMeeting
from campaign.models import ExtensionState as ExtensionState  # one state, for both kinds
from core.uploads import AttachmentBase, generated_upload_path

from . import rules
from .choices import (
    MeasureState,
    MechanismKind,
    ProblemScope,
    ProblemSource,
    ProblemState,
    ProblemType,
    SatisfactionMethod,
    SatisfactionResult,
)
from .rules import OPEN_STATES as OPEN_STATES  # a rule, also found here


class ProblemQuerySet(ScopedQuerySet):
    scope_field = "unit"


@pghistory.track()
class Problem(models.Model):
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="problems"
    )
    unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("reporting unit"),
        on_delete=models.PROTECT,
        related_name="problems",
    )
    number = models.PositiveIntegerField(_("number"))
    category = models.CharField(_("category"), max_length=32)
    source = models.CharField(_("source"), max_length=16, choices=ProblemSource.choices)
    description = models.TextField(_("description"))
    responsible_leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible leader"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="problems_led",
    )
    responsible_leader_name = models.CharField(
        _("responsible leader (as written)"), max_length=64, blank=True
    )
    responsible_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("responsible unit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="problems_responsible",
    )
    responsible_unit_name = models.CharField(
        _("responsible unit (as written)"), max_length=128, blank=True
    )
    responsible_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="problems_owned",
    )
    responsible_person_name = models.CharField(
        _("responsible person (as written)"), max_length=64, blank=True
    )
    type = models.CharField(
        _("type"), max_length=16, choices=ProblemType.choices, default=ProblemType.DEADLINE
    )
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    mass_concern = models.BooleanField(_("strongly raised by the masses"), default=False)
    long_unresolved = models.BooleanField(_("long unresolved"), default=False)
    discovered_on = models.DateField(_("discovered on"))
    state = models.CharField(
        _("state"), max_length=20, choices=ProblemState.choices, default=ProblemState.DRAFT
    )
    remarks = models.TextField(_("remarks"), blank=True)
    meeting = models.ForeignKey(
        ReviewMeeting,
        verbose_name=_("brought up at"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="problems",
    )
    scope = models.CharField(
        _("whose problem"), max_length=16, choices=ProblemScope.choices, blank=True
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="problems_reported",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted for closing at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="problems_closed",
    )
    closing_note = models.TextField(_("verification note"), blank=True)
    withdrawn_reason = models.TextField(_("reason for withdrawal"), blank=True)
    goal = models.TextField(_("rectification goal"), blank=True)
    reopened_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    reopened_at = models.DateTimeField(_("reopened at"), null=True, blank=True)
    last_progress_on = models.DateField(
        _("last progress note"),
        null=True,
        blank=True,
        help_text=_("Date of the newest progress note of any of its measures"),
    )

    objects = ProblemQuerySet.as_manager()

    # A leader edits only the problems he is responsible leader of (accounts.permissions).
    owner_field = "responsible_leader"

    class Meta:
        verbose_name = _("problem")
        verbose_name_plural = _("problems")
        ordering = ["unit__path", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "unit", "number"], name="unique_problem_number"
            ),
            models.CheckConstraint(
                condition=~Q(type="ongoing") | Q(deadline__isnull=True),
                name="ongoing_problem_has_no_deadline",
            ),
        ]
        indexes = [
            models.Index(fields=["campaign", "state"]),
            models.Index(fields=["campaign", "deadline"]),
            # the verification queue: a campaign's submitted problems, oldest submission
            # first, read in order and stopped after one page (not sorted whole)
            models.Index(
                fields=["campaign", "state", "submitted_at", "id"], name="problem_verify_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit.code}-{self.number}"

    @property
    def needs_special_plan(self) -> bool:
        return rules.needs_special_plan(self)

    def can_move_to(self, state: str) -> bool:
        """Does the workflow lead from this problem's state to ``state``?"""
        return any(move.to == state for move in rules.moves_from(self.state))

    def allowed_actions(self, user: Any) -> frozenset[str]:
        """What ``user`` may do next with this problem (``rules.START``, ``SUBMIT``,
        ``CLOSE``, ``RETURN``, ``WITHDRAW``, ``EDIT``)."""
        return rules.allowed_actions(user, self)


class MeasureQuerySet(ScopedQuerySet):
    scope_field = "problem__unit"


@pghistory.track()
class Measure(models.Model):
    problem = models.ForeignKey(
        Problem, verbose_name=_("problem"), on_delete=models.CASCADE, related_name="measures"
    )
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    description = models.TextField(_("measure"))
    responsible_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="measures_owned",
    )
    responsible_person_name = models.CharField(
        _("responsible person (as written)"), max_length=64, blank=True
    )
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=16, choices=MeasureState.choices, default=MeasureState.NOT_STARTED
    )
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = MeasureQuerySet.as_manager()

    class Meta:
        verbose_name = _("measure")
        verbose_name_plural = _("measures")
        ordering = ["problem", "order", "pk"]
        indexes = [models.Index(fields=["state", "deadline"])]

    def __str__(self) -> str:
        return self.description[:40]

    def can_move_to(self, state: str) -> bool:
        """May this measure be put in ``state``, given its problem's state?"""
        return rules.measure_can_move_to(self.problem, state)

    def allowed_actions(self, user: Any) -> frozenset[str]:
        """A measure is changed by whoever may change its problem, while it may change."""
        return frozenset({rules.EDIT}) & self.problem.allowed_actions(user)


class ProgressNoteQuerySet(ScopedQuerySet):
    scope_field = "measure__problem__unit"


@pghistory.track()
class ProgressNote(models.Model):
    measure = models.ForeignKey(
        Measure, verbose_name=_("measure"), on_delete=models.CASCADE, related_name="progress_notes"
    )
    noted_on = models.DateField(_("date"))
    text = models.TextField(_("progress"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ProgressNoteQuerySet.as_manager()

    class Meta:
        verbose_name = _("progress note")
        verbose_name_plural = _("progress notes")
        ordering = ["measure", "noted_on", "pk"]

    def __str__(self) -> str:
        return f"{self.noted_on} {self.text[:30]}"


class MeasureEvidenceQuerySet(ScopedQuerySet):
    scope_field = "measure__problem__unit"


@pghistory.track()
class MeasureEvidence(AttachmentBase):
    measure = models.ForeignKey(
        Measure, verbose_name=_("measure"), on_delete=models.CASCADE, related_name="evidence"
    )

    objects = MeasureEvidenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["measure", "uploaded_at"]


class TransitionQuerySet(ScopedQuerySet):
    scope_field = "problem__unit"


@pghistory.track()
class ProblemTransition(models.Model):
    """One step of the workflow: who moved the problem from which state to which, and why."""

    problem = models.ForeignKey(
        Problem, verbose_name=_("problem"), on_delete=models.CASCADE, related_name="transitions"
    )
    from_state = models.CharField(
        _("from"), max_length=20, choices=ProblemState.choices, blank=True
    )
    to_state = models.CharField(_("to"), max_length=20, choices=ProblemState.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.TextField(_("reason"), blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    objects = TransitionQuerySet.as_manager()

    class Meta:
        verbose_name = _("workflow step")
        verbose_name_plural = _("workflow steps")
        ordering = ["problem", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.problem} {self.from_state}→{self.to_state}"


class SpecialPlanQuerySet(ScopedQuerySet):
    scope_field = "unit"


@pghistory.track()
class SpecialPlan(models.Model):
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="special_plans"
    )
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="special_plans"
    )
    title = models.CharField(_("title"), max_length=200)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("lead"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="special_plans",
    )
    goal = models.TextField(_("goal"))
    body = models.TextField(_("plan"), blank=True)
    document = models.FileField(_("document"), upload_to=generated_upload_path, blank=True)
    document_name = models.CharField(_("document name"), max_length=255, blank=True)
    problems = models.ManyToManyField(
        Problem, verbose_name=_("problems"), related_name="special_plans", blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = SpecialPlanQuerySet.as_manager()

    # A leader edits only the plans he leads (accounts.permissions).
    owner_field = "lead"

    class Meta:
        verbose_name = _("special rectification plan")
        verbose_name_plural = _("special rectification plans")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class PlanMilestoneQuerySet(ScopedQuerySet):
    scope_field = "plan__unit"


@pghistory.track()
class PlanMilestone(models.Model):
    plan = models.ForeignKey(
        SpecialPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="milestones"
    )
    title = models.CharField(_("milestone"), max_length=200)
    due_on = models.DateField(_("due date"), null=True, blank=True)
    done_on = models.DateField(_("done on"), null=True, blank=True)

    objects = PlanMilestoneQuerySet.as_manager()

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["plan", "due_on", "pk"]

    def __str__(self) -> str:
        return self.title


class MechanismQuerySet(ScopedQuerySet):
    scope_field = "unit"


@pghistory.track()
class Mechanism(models.Model):
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="mechanisms"
    )
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="mechanisms"
    )
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=MechanismKind.choices)
    issued_on = models.DateField(_("issued on"))
    description = models.TextField(_("description"), blank=True)
    document = models.FileField(_("document"), upload_to=generated_upload_path, blank=True)
    document_name = models.CharField(_("document name"), max_length=255, blank=True)
    problems = models.ManyToManyField(
        Problem, verbose_name=_("problems"), related_name="mechanisms", blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = MechanismQuerySet.as_manager()

    class Meta:
        verbose_name = _("long-term mechanism")
        verbose_name_plural = _("long-term mechanisms")
        ordering = ["-issued_on"]

    def __str__(self) -> str:
        return self.title


# The problems a special plan or a mechanism covers are kept in the history too: each
# link added or removed is an event row written by a database trigger.
@pghistory.track(
    pghistory.InsertEvent("problem.add"),
    pghistory.DeleteEvent("problem.remove"),
    obj_field=None,
)
class SpecialPlanProblem(SpecialPlan.problems.through):  # type: ignore[name-defined,misc]
    class Meta:
        proxy = True


@pghistory.track(
    pghistory.InsertEvent("problem.add"),
    pghistory.DeleteEvent("problem.remove"),
    obj_field=None,
)
class MechanismProblem(Mechanism.problems.through):  # type: ignore[name-defined,misc]
    class Meta:
        proxy = True


class ProblemChildQuerySet(ScopedQuerySet):
    scope_field = "problem__unit"


@pghistory.track()
class ExtensionRequest(ExtensionAnswer):
    """A unit's request to move a problem's deadline or change its type (延期申请). Until
    the office above approves it, the old deadline counts."""

    problem = models.ForeignKey(
        Problem, verbose_name=_("problem"), on_delete=models.CASCADE, related_name="extensions"
    )
    old_type = models.CharField(_("type before"), max_length=16, choices=ProblemType.choices)
    old_deadline = models.DateField(_("deadline before"), null=True, blank=True)
    new_type = models.CharField(_("type asked for"), max_length=16, choices=ProblemType.choices)
    new_deadline = models.DateField(_("deadline asked for"), null=True, blank=True)

    objects = ProblemChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")
        ordering = ["problem", "requested_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["problem"],
                condition=Q(state="pending"),
                name="one_pending_extension_per_problem",
            )
        ]

    def __str__(self) -> str:
        return f"{self.problem} {self.get_state_display()}"

    @property
    def asked_text(self) -> str:
        if self.new_type == ProblemType.ONGOING or self.new_deadline is None:
            return str(self.get_new_type_display())
        return f"{self.get_new_type_display()} {self.new_deadline:%Y-%m-%d}"

    @property
    def before_text(self) -> str:
        if self.old_deadline is None:
            return str(self.get_old_type_display())
        return f"{self.get_old_type_display()} {self.old_deadline:%Y-%m-%d}"


@pghistory.track()
class SatisfactionCheck(models.Model):
    """What the people concerned said before 销号 (群众满意度): how they were asked and
    their answer, with a note or an attached survey. 不满意 keeps the problem open."""

    problem = models.ForeignKey(
        Problem,
        verbose_name=_("problem"),
        on_delete=models.CASCADE,
        related_name="satisfaction_checks",
    )
    method = models.CharField(
        _("how they were asked"), max_length=16, choices=SatisfactionMethod.choices
    )
    result = models.CharField(_("their answer"), max_length=16, choices=SatisfactionResult.choices)
    note = models.TextField(_("note"), blank=True)
    document = models.FileField(_("survey"), upload_to=generated_upload_path, blank=True)
    document_name = models.CharField(_("survey file name"), max_length=255, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = ProblemChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("satisfaction check")
        verbose_name_plural = _("satisfaction checks")
        ordering = ["problem", "recorded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.problem} {self.get_result_display()}"
