"""Factories for the rectification tests."""

from __future__ import annotations

from datetime import date
from typing import Any

from campaign.models import Campaign
from rectification import services
from rectification.models import Problem, ProblemSource, ProblemType

CATEGORIES = ["理论学习", "工作作风", "服务群众", "其他"]


def make_campaign(root: Any, **kwargs: Any) -> Campaign:
    defaults = {
        "name": "主题教育",
        "root_unit": root,
        "start_date": date(2026, 9, 1),
        "end_date": date(2027, 1, 31),
        "problem_categories": CATEGORIES,
    }
    defaults.update(kwargs)
    return Campaign.objects.create(**defaults)


def make_problem(
    *,
    campaign: Campaign,
    unit: Any,
    actor: Any = None,
    type: str = ProblemType.DEADLINE,
    deadline: date | None = date(2026, 12, 31),
    measures: int = 1,
    **kwargs: Any,
) -> Problem:
    fields: dict[str, Any] = {
        "description": "理论学习流于形式，学用脱节",
        "source": ProblemSource.SELF_REVIEW,
        "category": "理论学习",
        "discovered_on": date(2026, 11, 1),
        "responsible_leader_name": "张书记",
        "responsible_person_name": "李委员",
    }
    fields.update(kwargs)
    problem = services.problem_create(
        campaign=campaign,
        unit=unit,
        actor=actor,
        type=type,
        deadline=None if type == ProblemType.ONGOING else deadline,
        **fields,
    )
    for i in range(measures):
        services.measure_add(
            problem=problem, actor=actor, description=f"整改措施{i + 1}：建立学习台账"
        )
    return problem
