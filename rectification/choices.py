"""The words of the rectification workstream: where a problem was found, how it is
rectified, and the states of problems and measures (the choices of the model fields).

They live apart from the models so that ``rules.py`` can speak of them and the models can
ask the rules, without either importing the other in a circle.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProblemSource(models.TextChoices):
    SELF_REVIEW = "self_review", "自查自纠"
    OPINIONS = "opinions", "征求意见"
    SUPERIOR = "superior", "上级反馈"
    GUIDANCE_GROUP = "guidance_group", "巡回指导组指出"
    RESEARCH = "research", "调研发现"
    SUPERVISION = "supervision", "督导发现"
    PETITION = "petition", "信访举报"
    MEETING = "meeting", "专题生活会查摆"


class ProblemScope(models.TextChoices):
    """Whose problem a 专题民主生活会 or 专题组织生活会 brought up."""

    COLLECTIVE = "collective", "班子"
    INDIVIDUAL = "individual", "个人"


class ProblemType(models.TextChoices):
    IMMEDIATE = "immediate", "立行立改"
    DEADLINE = "deadline", "限期整改"
    ONGOING = "ongoing", "长期坚持"


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
    RULE = "rule", "制度"
    MECHANISM = "mechanism", "工作机制"
    MEASURE = "measure", "办法措施"
    STANDARD = "standard", "标准规范"
    OTHER = "other", "其他"
