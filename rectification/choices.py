"""The words of the rectification workstream: where a problem was found, how it is
rectified, and the states of problems and measures (the choices of the model fields).

They live apart from the models so that ``rules.py`` can speak of them and the models can
ask the rules, without either importing the other in a circle.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProblemSource(models.TextChoices):
    SELF_REVIEW = "self_review", _("Self-examination")
    OPINIONS = "opinions", _("Opinions solicited")
    SUPERIOR = "superior", _("Feedback from above")
    GUIDANCE_GROUP = "guidance_group", _("Pointed out by the guidance group")
    RESEARCH = "research", _("Found in research")
    SUPERVISION = "supervision", _("Found in supervision")
    PETITION = "petition", _("Letters and reports")
    MEETING = "meeting", _("Raised at a review meeting")


class ProblemScope(models.TextChoices):
    """Whose problem a 专题民主生活会 or 专题组织生活会 brought up."""

    COLLECTIVE = "collective", _("Leading body")
    INDIVIDUAL = "individual", _("Individual member")


class ProblemType(models.TextChoices):
    IMMEDIATE = "immediate", _("Fix at once")
    DEADLINE = "deadline", _("Fix by a deadline")
    ONGOING = "ongoing", _("Keep at it for the long term")


class ProblemState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_RECTIFICATION = "in_rectification", _("In rectification")
    SUBMITTED = "submitted", _("Submitted for closing")
    CLOSED = "closed", _("Closed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class MeasureState(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")


class MechanismKind(models.TextChoices):
    RULE = "rule", _("Regulation")
    MECHANISM = "mechanism", _("Working mechanism")
    MEASURE = "measure", _("Method and measure")
    STANDARD = "standard", _("Standard and norm")
    OTHER = "other", _("Other")


class SatisfactionMethod(models.TextChoices):
    VISIT = "visit", _("Home visits")
    MEETING = "meeting", _("Forum")
    SURVEY = "survey", _("Questionnaire")
    PHONE = "phone", _("Phone call-back")
    OTHER = "other", _("Other")


class SatisfactionResult(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    FAIRLY = "fairly", _("Fairly satisfied")
    DISSATISFIED = "dissatisfied", _("Dissatisfied")


#: Sources where the people concerned are asked before 销号 (群众反映、信访举报、征求意见).
MASS_SOURCES: tuple[str, ...] = (ProblemSource.OPINIONS, ProblemSource.PETITION)
