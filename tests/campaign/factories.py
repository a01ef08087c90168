"""Factories for the campaign workstreams."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import factory

from campaign.models import (
    Activity,
    ActivityKind,
    Assignment,
    Campaign,
    DevelopmentCategory,
    DevelopmentItem,
    DevelopmentMilestone,
    Task,
    Workstream,
)


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    name = factory.Sequence(lambda n: f"主题教育{n}")
    start_date = date(2026, 9, 1)
    end_date = date(2027, 1, 31)
    general_requirement = "学思想、强党性、重实践、建新功"
    fundamental_task = "以学铸魂、以学增智、以学正风、以学促干"


class TaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Task

    campaign = factory.SubFactory(CampaignFactory)
    issuer = factory.LazyAttribute(lambda t: t.campaign.root_unit)
    workstream = Workstream.STUDY
    title = factory.Sequence(lambda n: f"任务{n}")
    due_date = date(2026, 12, 15)


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assignment

    task = factory.SubFactory(TaskFactory)
    due_date = factory.LazyAttribute(lambda a: a.task.due_date)


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity

    kind = ActivityKind.GROUP_STUDY
    held_on = date(2026, 11, 10)
    place = "党群服务中心"
    participants = 12
    hours = Decimal("2.0")
    summary = factory.Sequence(lambda n: f"集中学习研讨第{n}次")


class DevelopmentItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DevelopmentItem

    category = DevelopmentCategory.LIVELIHOOD
    title = factory.Sequence(lambda n: f"民生实事{n}")
    target = "年内完成"
    due_date = date(2026, 12, 31)


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DevelopmentMilestone

    title = factory.Sequence(lambda n: f"节点{n}")
    due_on = date(2026, 11, 30)
