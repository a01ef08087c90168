"""A small hand-built data set whose dashboard figures are written in the tests.

Today is Wednesday 2026-11-18 (Asia/Shanghai); the week began on Monday 2026-11-16.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from campaign.models import (
    Activity,
    Assignment,
    AssignmentState,
    Campaign,
    Task,
    Workstream,
)
from rectification.models import (
    Measure,
    Problem,
    ProblemSource,
    ProblemState,
    ProblemType,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 11, 18)
NOW = datetime(2026, 11, 18, 10, 0, tzinfo=SHANGHAI)
CATEGORIES = ["理论学习", "工作作风", "服务群众", "其他"]
COPIED = "支部组织党员集中学习党的二十大报告并开展交流研讨"


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def make_campaign(root: Any) -> Campaign:
    return Campaign.objects.create(
        name="测试主题教育",
        root_unit=root,
        start_date=date(2026, 9, 1),
        end_date=date(2027, 2, 28),
        problem_categories=CATEGORIES,
    )


def make_task(campaign: Campaign, issuer: Any, workstream: str, due: date, title: str) -> Task:
    return Task.objects.create(
        campaign=campaign, issuer=issuer, workstream=workstream, title=title, due_date=due
    )


def make_assignment(task: Task, unit: Any, state: str, due: date | None = None) -> Assignment:
    return Assignment.objects.create(
        task=task, unit=unit, due_date=due or task.due_date, state=state
    )


def make_activity(
    campaign: Campaign,
    unit: Any,
    held_on: date,
    summary: str,
    kind: str = "party_day",
    entered_at: datetime | None = None,
) -> Activity:
    activity = Activity.objects.create(
        campaign=campaign, unit=unit, kind=kind, held_on=held_on, summary=summary
    )
    if entered_at is not None:
        Activity.objects.filter(pk=activity.pk).update(created_at=entered_at)
    return activity


_numbers: dict[int, int] = {}


def make_problem(campaign: Campaign, unit: Any, **kwargs: Any) -> Problem:
    _numbers[unit.pk] = _numbers.get(unit.pk, 0) + 1
    defaults: dict[str, Any] = {
        "category": "工作作风",
        "source": ProblemSource.SELF_REVIEW,
        "type": ProblemType.DEADLINE,
        "description": f"问题{unit.code}-{_numbers[unit.pk]}",
        "discovered_on": date(2026, 9, 10),
        "state": ProblemState.IN_RECTIFICATION,
    }
    defaults.update(kwargs)
    number = Problem.objects.filter(campaign=campaign, unit=unit).count() + 1
    return Problem.objects.create(campaign=campaign, unit=unit, number=number, **defaults)


@dataclass
class DataSet:
    campaign: Campaign
    problems: dict[str, Problem] = field(default_factory=dict)
    activities: dict[str, Activity] = field(default_factory=dict)
    decisions: dict[str, Any] = field(default_factory=dict)


def build(tree: Any, people: Any) -> DataSet:
    from research.models import (
        Decision,
        ProjectState,
        ReportState,
        ResearchFocus,
        ResearchMethod,
        ResearchProject,
        ResearchReport,
    )

    campaign = make_campaign(tree.city)
    data = DataSet(campaign=campaign)
    # assignments: study due 11-10, rectification due 11-30
    t1 = make_task(campaign, tree.city, Workstream.STUDY, date(2026, 11, 10), "学习任务")
    t2 = make_task(campaign, tree.city, Workstream.RECTIFICATION, date(2026, 11, 30), "整改任务")
    make_assignment(t1, tree.branch_a1, AssignmentState.ACCEPTED)
    make_assignment(t1, tree.branch_a2, AssignmentState.PENDING)  # overdue
    make_assignment(t1, tree.branch_b1, AssignmentState.ACCEPTED)
    make_assignment(t2, tree.branch_a1, AssignmentState.IN_PROGRESS)
    make_assignment(t2, tree.branch_b1, AssignmentState.SUBMITTED)
    # activities
    a = data.activities
    a["copy_a1"] = make_activity(
        campaign, tree.branch_a1, date(2026, 11, 16), f"2026年11月16日，{COPIED}。"
    )
    a["dev_b1"] = make_activity(
        campaign,
        tree.branch_b1,
        date(2026, 11, 17),
        "为群众修缮村道排水沟，解决雨天积水出行难题",
        "serve_people",
    )
    a["copy_b1"] = make_activity(
        campaign, tree.branch_b1, date(2026, 11, 17), f"2026年11月17日 {COPIED}"
    )
    a["a2_now"] = make_activity(campaign, tree.branch_a2, date(2026, 11, 18), "学习党章")
    a["a1_last"] = make_activity(
        campaign, tree.branch_a1, date(2026, 11, 10), "开展主题党日活动，重温入党誓词并交流心得体会"
    )
    a["b1_old"] = make_activity(
        campaign,
        tree.branch_b1,
        date(2026, 10, 27),
        "参观革命纪念馆，接受红色教育，撰写学习体会文章",
    )
    entered = datetime(2026, 11, 9, 20, 0, tzinfo=SHANGHAI)  # the evening before A2's due date
    for key, day, text in [
        ("rush1", date(2026, 10, 1), "读书班第一讲：学习新时代中国特色社会主义思想的世界观"),
        ("rush2", date(2026, 10, 8), "读书班第二讲：深刻领会党的创新理论的方法论要求"),
        ("rush3", date(2026, 10, 15), "读书班第三讲：结合本支部实际谈落实举措与工作打算"),
    ]:
        a[key] = make_activity(campaign, tree.branch_a2, day, text, entered_at=entered)
    # problems
    p = data.problems
    p["P1"] = make_problem(campaign, tree.branch_a1, deadline=date(2026, 11, 1))  # overdue
    p["P2"] = make_problem(
        campaign,
        tree.branch_a1,
        source=ProblemSource.SUPERVISION,
        type=ProblemType.IMMEDIATE,
        deadline=date(2026, 11, 30),
        state=ProblemState.CLOSED,
        closed_at=datetime(2026, 11, 17, 9, 0, tzinfo=SHANGHAI),
    )
    p["P3"] = make_problem(
        campaign,
        tree.branch_a2,
        source=ProblemSource.OPINIONS,
        type=ProblemType.ONGOING,
        last_progress_on=date(2026, 9, 1),
    )  # 长期坚持, stale
    p["P4"] = make_problem(
        campaign,
        tree.branch_b1,
        deadline=date(2026, 12, 15),
        state=ProblemState.SUBMITTED,
        submitted_at=datetime(2026, 11, 16, 9, 0, tzinfo=SHANGHAI),
    )  # submitted with no evidence
    Measure.objects.create(problem=p["P4"], description="整改措施", state="done")
    p["P5"] = make_problem(
        campaign,
        tree.branch_b1,
        source=ProblemSource.PETITION,
        deadline=date(2026, 12, 31),
        mass_concern=True,
        long_unresolved=True,
    )  # needs a special plan
    p["P6"] = make_problem(
        campaign, tree.branch_a1, state=ProblemState.WITHDRAWN, withdrawn_reason="重复录入"
    )
    p["P7"] = make_problem(
        campaign,
        tree.branch_b1,
        source=ProblemSource.SUPERIOR,
        deadline=date(2026, 11, 5),
        state=ProblemState.CLOSED,
        closed_at=datetime(2026, 11, 2, 9, 0, tzinfo=SHANGHAI),
    )
    # research: the county A leader led an on-site project this quarter and wrote a report
    project = ResearchProject.objects.create(
        campaign=campaign,
        unit=tree.county_a,
        lead=people.leader,
        topic="乡村产业发展调研",
        focus=ResearchFocus.MAJOR_ISSUE,
        method=ResearchMethod.ONSITE,
        start_date=date(2026, 10, 15),
        end_date=date(2026, 10, 30),
        state=ProjectState.DONE,
    )
    ResearchReport.objects.create(
        campaign=campaign,
        unit=tree.county_a,
        title="关于乡村产业发展的调研报告",
        body="正文",
        author=people.leader,
        written_on=date(2026, 11, 1),
        state=ReportState.SUBMITTED,
    )
    cited = Decision.objects.create(
        campaign=campaign,
        unit=tree.county_a,
        title="产业扶持决定",
        decided_on=date(2026, 11, 5),
        body="内容",
    )
    cited.projects.add(project)
    data.decisions["cited"] = cited
    data.decisions["bare"] = Decision.objects.create(
        campaign=campaign,
        unit=tree.branch_b1,
        title="村务决定",
        decided_on=date(2026, 11, 6),
        body="内容",
    )
    return data


@pytest.fixture
def dataset(frozen, tree, people) -> DataSet:
    return build(tree, people)


@pytest.fixture
def office_client(client, people, dataset):
    client.force_login(people.city_office)
    return client
