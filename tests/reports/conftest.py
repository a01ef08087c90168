"""A small hand-built data set whose weekly report figures are written in the tests.

Today is Thursday 2026-11-26 (Asia/Shanghai), in ISO week 2026-W48 (Monday 23 to Sunday 29
November); the week before is 2026-W47 (16 to 22 November). On the conftest tree:

county A (甲县委) ── committee A (甲镇党委) ── branch A1, branch A2
county B (乙县委) ── branch B1

Assignments of task "学习党章" (due 20 Nov): A1 accepted this week, A2 pending (overdue),
B1 accepted last week. Task "专题调研" (due 15 Dec): A1 and B1 pending (not yet due).
Activities: A1 on 24 Nov (20 people) and 18 Nov, committee A on 25 Nov (15 people),
B1 on 26 Nov (8 people).
Problems: A1 closed on 25 Nov; A2 in rectification, deadline 10 Nov (overdue); committee A
in rectification, deadline 31 Dec; A1 withdrawn (not counted); B1 closed on 10 Nov.
Research: the county A leader leads an on-site project this quarter and submitted a
report on 24 Nov.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from accounts.models import User
from campaign.models import Activity, Assignment, AssignmentState, Campaign, Task, Workstream
from rectification.models import Problem, ProblemSource, ProblemState, ProblemType
from reports.periods import Week
from research.models import (
    ProjectState,
    ReportState,
    ResearchFocus,
    ResearchMethod,
    ResearchProject,
    ResearchReport,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 11, 26)
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=SHANGHAI)
WEEK = Week(2026, 48)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def frozen_ticking():
    """The clock set to the data set's day but running (for workers and browsers)."""
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


@dataclass
class DataSet:
    campaign: Campaign


def _at(day: int, month: int = 11, hour: int = 10) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=SHANGHAI)


def build_data_set(tree, people) -> DataSet:
    campaign = Campaign.objects.create(
        name="学习贯彻主题教育",
        root_unit=tree.city,
        start_date=date(2026, 9, 1),
        end_date=date(2027, 3, 31),
    )
    study = Task.objects.create(
        campaign=campaign,
        issuer=tree.city,
        workstream=Workstream.STUDY,
        title="学习党章",
        due_date=date(2026, 11, 20),
    )
    research = Task.objects.create(
        campaign=campaign,
        issuer=tree.city,
        workstream=Workstream.RESEARCH,
        title="专题调研",
        due_date=date(2026, 12, 15),
    )
    Assignment.objects.create(
        task=study,
        unit=tree.branch_a1,
        due_date=study.due_date,
        state=AssignmentState.ACCEPTED,
        reviewed_at=_at(24),
    )
    Assignment.objects.create(task=study, unit=tree.branch_a2, due_date=study.due_date)
    Assignment.objects.create(
        task=study,
        unit=tree.branch_b1,
        due_date=study.due_date,
        state=AssignmentState.ACCEPTED,
        reviewed_at=_at(17),
    )
    Assignment.objects.create(task=research, unit=tree.branch_a1, due_date=research.due_date)
    Assignment.objects.create(task=research, unit=tree.branch_b1, due_date=research.due_date)

    for unit, day, participants in (
        (tree.branch_a1, 24, 20),
        (tree.branch_a1, 18, 12),
        (tree.committee_a, 25, 15),
        (tree.branch_b1, 26, 8),
    ):
        Activity.objects.create(
            campaign=campaign,
            unit=unit,
            kind="party_day",
            held_on=date(2026, 11, day),
            participants=participants,
            summary="主题党日",
        )

    def problem(unit, number, state, deadline=None, closed=None, description="问题"):
        return Problem.objects.create(
            campaign=campaign,
            unit=unit,
            number=number,
            category="工作作风",
            source=ProblemSource.SELF_REVIEW,
            description=description,
            type=ProblemType.DEADLINE,
            deadline=deadline,
            discovered_on=date(2026, 10, 1),
            state=state,
            closed_at=closed,
        )

    problem(tree.branch_a1, 1, ProblemState.CLOSED, date(2026, 11, 30), _at(25))
    problem(
        tree.branch_a2,
        1,
        ProblemState.IN_RECTIFICATION,
        date(2026, 11, 10),
        description="会议记录不完整",
    )
    problem(tree.committee_a, 1, ProblemState.IN_RECTIFICATION, date(2026, 12, 31))
    problem(tree.branch_a1, 2, ProblemState.WITHDRAWN, date(2026, 11, 1))
    problem(tree.branch_b1, 1, ProblemState.CLOSED, date(2026, 11, 30), _at(10))

    leader: User = people.leader
    leader.full_name = "王县长"
    leader.save(update_fields=["full_name"])
    project = ResearchProject.objects.create(
        campaign=campaign,
        unit=tree.county_a,
        lead=leader,
        topic="乡村振兴调研",
        focus=ResearchFocus.HOT_HARD,
        method=ResearchMethod.ONSITE,
        start_date=date(2026, 10, 15),
        end_date=date(2026, 10, 30),
        state=ProjectState.DONE,
    )
    report = ResearchReport.objects.create(
        campaign=campaign,
        unit=tree.county_a,
        title="调研报告",
        author=leader,
        written_on=date(2026, 11, 24),
        state=ReportState.SUBMITTED,
    )
    report.projects.add(project)
    return DataSet(campaign=campaign)


@pytest.fixture
def data(tree, people, frozen) -> DataSet:
    return build_data_set(tree, people)
