"""Factories for the research tests."""

from __future__ import annotations

from datetime import date
from typing import Any

from campaign.models import Campaign
from research import services
from research.models import (
    Decision,
    Finding,
    FindingKind,
    ProjectState,
    ReportState,
    ResearchFocus,
    ResearchMethod,
    ResearchProject,
    ResearchReport,
)

CATEGORIES = ["理论学习", "工作作风", "服务群众", "其他"]


def make_campaign(root: Any, **kwargs: Any) -> Campaign:
    defaults = {
        "name": "主题教育",
        "root_unit": root,
        "start_date": date(2025, 9, 1),
        "end_date": date(2027, 1, 31),
        "problem_categories": CATEGORIES,
    }
    defaults.update(kwargs)
    return Campaign.objects.create(**defaults)


def make_project(
    *,
    campaign: Campaign,
    lead: Any,
    unit: Any,
    start: date = date(2026, 10, 10),
    end: date | None = None,
    method: str = ResearchMethod.ONSITE,
    state: str = ProjectState.DONE,
    **kwargs: Any,
) -> ResearchProject:
    fields: dict[str, Any] = {
        "topic": "基层治理调研",
        "focus": ResearchFocus.OBSTRUCTION,
        "sites": ["甲镇", "甲一村"],
    }
    fields.update(kwargs)
    return services.project_create(
        campaign=campaign,
        unit=unit,
        lead=lead,
        actor=None,
        method=method,
        state=state,
        start_date=start,
        end_date=end or start,
        **fields,
    )


def make_report(
    *,
    project: ResearchProject,
    written_on: date = date(2026, 11, 1),
    state: str = ReportState.SUBMITTED,
    **kwargs: Any,
) -> ResearchReport:
    return services.report_create(
        campaign=project.campaign,
        projects=[project],
        author=project.lead,
        actor=None,
        title=kwargs.pop("title", "调研报告"),
        written_on=written_on,
        body=kwargs.pop("body", "# 一、情况\n正文"),
        state=state,
        **kwargs,
    )


def make_finding(*, project: ResearchProject, unit: Any = None, **kwargs: Any) -> Finding:
    return services.finding_create(
        project=project,
        actor=None,
        kind=kwargs.pop("kind", FindingKind.PROBLEM),
        description=kwargs.pop("description", "便民服务站开放时间短"),
        unit=unit,
        **kwargs,
    )


def make_decision(*, campaign: Campaign, unit: Any, **kwargs: Any) -> Decision:
    return services.decision_create(
        campaign=campaign,
        unit=unit,
        actor=None,
        title=kwargs.pop("title", "关于延时服务的决定"),
        decided_on=kwargs.pop("decided_on", date(2026, 11, 10)),
        body=kwargs.pop("body", "推行延时服务"),
        **kwargs,
    )
