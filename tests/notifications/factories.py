"""Records with due dates, built directly for the reminder tests."""

from __future__ import annotations

from datetime import date
from itertools import count
from typing import Any

from accounts.models import OrgUnit, User
from campaign.models import (
    Assignment,
    AssignmentState,
    Campaign,
    DevelopmentCategory,
    DevelopmentItem,
    DevelopmentMilestone,
    Task,
    Workstream,
)
from rectification.models import Measure, MeasureState, Problem, ProblemSource, ProblemState

_numbers = count(1)


def make_campaign(root: OrgUnit, *, active: bool = True) -> Campaign:
    return Campaign.objects.create(
        name="主题教育",
        root_unit=root,
        start_date=date(2026, 9, 1),
        end_date=date(2027, 6, 30),
        is_active=active,
    )


def make_problem(
    campaign: Campaign,
    unit: OrgUnit,
    *,
    deadline: date | None,
    person: User | None = None,
    leader: User | None = None,
    state: str = ProblemState.IN_RECTIFICATION,
    description: str = "党员教育管理不够严格",
) -> Problem:
    return Problem.objects.create(
        campaign=campaign,
        unit=unit,
        number=next(_numbers),
        category="作风建设",
        source=ProblemSource.SELF_REVIEW,
        description=description,
        deadline=deadline,
        responsible_person=person,
        responsible_leader=leader,
        discovered_on=date(2026, 10, 1),
        state=state,
    )


def make_measure(
    problem: Problem,
    *,
    deadline: date | None,
    person: User | None,
    state: str = MeasureState.IN_PROGRESS,
    description: str = "建立党员积分管理台账",
) -> Measure:
    return Measure.objects.create(
        problem=problem,
        description=description,
        responsible_person=person,
        deadline=deadline,
        state=state,
    )


def make_assignment(
    campaign: Campaign,
    unit: OrgUnit,
    *,
    due: date,
    state: str = AssignmentState.PENDING,
    title: str = "开展专题读书班",
) -> Assignment:
    task = Task.objects.create(
        campaign=campaign,
        issuer=campaign.root_unit,
        workstream=Workstream.STUDY,
        title=title,
        due_date=due,
    )
    return Assignment.objects.create(task=task, unit=unit, due_date=due, state=state)


def make_milestone(
    campaign: Campaign,
    unit: OrgUnit,
    *,
    due: date,
    leader: User | None,
    done_on: date | None = None,
    title: str = "完成项目立项",
) -> DevelopmentMilestone:
    item = DevelopmentItem.objects.create(
        campaign=campaign,
        unit=unit,
        category=DevelopmentCategory.choices[0][0],
        title="乡村振兴示范点",
        target="建成示范点",
        responsible_leader=leader,
        due_date=date(2027, 6, 30),
    )
    return DevelopmentMilestone.objects.create(item=item, title=title, due_on=due, done_on=done_on)


def without_the_yearly_report_reminder(monkeypatch: Any) -> None:
    """Leave the yearly research-report reminder (``sources.research_reports``, from 1
    November) out of the daily run, for tests that count the other reminders exactly."""
    from notifications import sources

    monkeypatch.setattr(
        sources, "SOURCES", [s for s in sources.SOURCES if s is not sources.research_reports]
    )
