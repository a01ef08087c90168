"""The city's tasks and assignments, activities and development items."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from accounts.models import OrgUnit
from campaign.models import (
    Activity,
    ActivityKind,
    Assignment,
    AssignmentState,
    DevelopmentCategory,
    DevelopmentItem,
    DevelopmentMilestone,
    Recurrence,
    Task,
    Workstream,
    summary_digest,
)
from demo.bulk import bulk_create_with_history

from .base import CityData, county_prefix, day_between, person_name

TASKS = [
    (
        Workstream.STUDY,
        "开展专题读书班学习",
        "围绕新思想开展不少于5天的专题读书班，提交学习记录和心得体会",
    ),
    (Workstream.STUDY, "组织专题党课", "书记讲专题党课，提交讲稿和现场照片"),
    (Workstream.STUDY, "开展主题党日活动", "结合实际开展主题党日，提交活动记录"),
    (Workstream.RESEARCH, "开展蹲点调研", "班子成员到基层蹲点调研，形成调研报告"),
    (Workstream.DEVELOPMENT, "为民办实事项目推进", "梳理为民办实事清单，报送推进情况"),
    (Workstream.DEVELOPMENT, "乡村振兴重点任务落实", "报送乡村振兴重点任务进展"),
    (Workstream.RECTIFICATION, "报送问题清单", "对照检视查摆问题，报送问题清单和整改措施"),
    (Workstream.RECTIFICATION, "报送整改台账", "按月更新整改台账，报送整改进展"),
    (Workstream.STUDY, "开展交流研讨", "围绕学习成果开展交流研讨，提交研讨发言材料"),
    (Workstream.RECTIFICATION, "建立长效机制", "针对共性问题建章立制，报送制度文件"),
]
# Summaries are built from what a branch did, who led and who spoke, and what came of it,
# so two branches hardly ever write the same one by chance.
TOPICS = [
    "集中学习新思想，围绕以学铸魂、以学增智开展交流研讨",
    "开展主题党日活动，重温入党誓词",
    "听书记讲专题党课，讲清理论学习与推动发展的关系",
    "参观革命传统教育基地，现场接受党性教育",
    "召开支部委员会，研究部署主题教育重点工作",
    "走访困难群众，了解道路维修和饮水安全方面的急难愁盼",
    "参加读书班，系统学习原文原著并分专题讨论",
    "聚焦检视整改开展研讨，逐一查找自身不足",
    "到社区开展志愿服务，帮助群众解决实际困难",
    "学习党章党规，对照检查履职尽责情况",
    "围绕为民办实事，梳理群众反映的问题清单",
    "开展调查研究，到生产一线听取意见建议",
]
OUTCOMES = [
    "党员结合岗位谈体会，形成学习笔记",
    "明确责任分工和时间节点",
    "撰写心得体会，交流发言质量较高",
    "现场协调解决了一批实际问题",
    "制定整改措施，明确完成时限",
    "收集意见建议，分类建立工作台账",
    "群众反响较好，下一步将持续跟进",
    "对发现的问题当场交办，跟踪办理结果",
]
# one summary copied word for word by many units: the formalism signal must find it
COPIED_SUMMARY = "按照上级部署要求，认真组织开展主题教育学习活动，党员干部积极参与，取得良好效果。"
# branches that enter a batch of activities on a task's due date (the "deadline rush")
RUSH_BRANCHES = 30
RUSH_RECORDS = 4


def activity_summary(rng: random.Random, branch: OrgUnit, participants: int) -> str:
    name = branch.name.removesuffix("党支部")
    speaker, second = person_name(rng), person_name(rng)
    return (
        f"{name}党支部{participants}名党员{rng.choice(TOPICS)}，{speaker}同志领学，"
        f"{second}等同志作交流发言，{rng.choice(OUTCOMES)}。"
    )


def seed_tasks(data: CityData) -> None:
    rng = data.rng
    campaign = data.campaign
    assert campaign is not None and data.city is not None
    objectives = list(campaign.objectives.order_by("order"))
    tasks = []
    for i, (stream, title, description) in enumerate(TASKS):
        due = campaign.start_date + timedelta(days=20 + i * 14)
        tasks.append(
            Task(
                campaign=campaign,
                issuer=data.city,
                workstream=stream,
                objective=objectives[i % len(objectives)],
                title=title,
                description=description,
                evidence_required="活动记录、照片或文件",
                due_date=due,
                recurrence=Recurrence.NONE,
            )
        )
    bulk_create_with_history(Task, tasks)
    assignments = []
    states = [
        AssignmentState.PENDING,
        AssignmentState.IN_PROGRESS,
        AssignmentState.SUBMITTED,
        AssignmentState.ACCEPTED,
        AssignmentState.RETURNED,
    ]
    for task in tasks:
        past = task.due_date < data.today
        weights = [4, 8, 12, 70, 6] if past else [35, 30, 15, 15, 5]
        for branch in data.branches:
            state = rng.choices(states, weights=weights)[0]
            assignments.append(
                Assignment(
                    task=task,
                    unit=branch,
                    period="",
                    due_date=task.due_date,
                    state=state,
                    return_reason="佐证材料不完整，请补充活动照片和签到表"
                    if state == AssignmentState.RETURNED
                    else "",
                )
            )
    bulk_create_with_history(Assignment, assignments)


def seed_activities(data: CityData) -> None:
    rng = data.rng
    campaign = data.campaign
    assert campaign is not None
    kinds = [k for k, _ in ActivityKind.choices]
    tz = ZoneInfo(settings.TIME_ZONE)
    now = timezone.now()
    past_dues = sorted(
        d
        for d in Task.objects.filter(campaign=campaign, issuer=data.city).values_list(
            "due_date", flat=True
        )
        if campaign.start_date + timedelta(days=5) <= d < data.today
    )
    copied_units = set(rng.sample(range(len(data.branches)), 40))
    rush_units = set(rng.sample(range(len(data.branches)), RUSH_BRANCHES if past_dues else 0))
    activities = []
    entered: list[datetime] = []
    for n, branch in enumerate(data.branches):
        secretary = data.secretaries.get(branch.pk)
        rush_day = rng.choice(past_dues) if n in rush_units else None
        for i in range(25):
            participants = rng.randint(5, 40)
            if n in copied_units and i == 0:
                summary = COPIED_SUMMARY
            else:
                summary = activity_summary(rng, branch, participants)
            if rush_day is not None and i < RUSH_RECORDS:
                # held over the past weeks, all entered the evening the task fell due
                held_on = max(campaign.start_date, rush_day - timedelta(days=rng.randint(0, 20)))
                at = datetime.combine(rush_day, time(21, rng.randint(0, 59)), tzinfo=tz)
            else:
                # entered the evening it was held or within the next three days
                held_on = day_between(rng, campaign.start_date, data.today)
                at = datetime.combine(held_on, time(19), tzinfo=tz) + timedelta(
                    hours=rng.randint(0, 72), minutes=rng.randint(0, 59)
                )
            entered.append(min(at, now))
            activities.append(
                Activity(
                    campaign=campaign,
                    unit=branch,
                    kind=rng.choice(kinds),
                    held_on=held_on,
                    place=f"{branch.name.removesuffix('党支部')}党员活动室",
                    participants=participants,
                    hours=rng.choice((1, 1.5, 2, 3, 4)),
                    summary=summary,
                    summary_digest=summary_digest(summary),
                    created_by_id=secretary,
                )
            )
    bulk_create_with_history(Activity, activities, created_at=entered)


def seed_development(data: CityData) -> None:
    rng = data.rng
    campaign = data.campaign
    assert campaign is not None
    leaders_by_unit: dict[int, list[int]] = {}
    for user_id, unit_id in data.leaders:
        leaders_by_unit.setdefault(unit_id, []).append(user_id)
    categories = [c for c, _ in DevelopmentCategory.choices]
    items = []
    assert data.city is not None
    county_by_path: dict[str, int] = {county.path: county.pk for county in data.counties}
    for committee in data.committees:
        parent_path = county_prefix(data.city, committee.path)
        county_id = county_by_path.get(parent_path, int(data.city.pk))
        county_leaders = leaders_by_unit.get(county_id, [])
        items.append(
            DevelopmentItem(
                campaign=campaign,
                unit=committee,
                category=rng.choice(categories),
                title=f"{committee.name.removeprefix('中共')}为民办实事项目",
                target="年内完成道路硬化、饮水安全提升和便民服务中心改造",
                responsible_leader_id=rng.choice(county_leaders) if county_leaders else None,
                due_date=campaign.end_date - timedelta(days=rng.randint(0, 60)),
            )
        )
    bulk_create_with_history(DevelopmentItem, items)
    milestones = []
    for item in items:
        for k, title in enumerate(("制定实施方案", "完成项目招标", "组织施工", "竣工验收")):
            due = campaign.start_date + timedelta(days=30 + k * 40)
            milestones.append(
                DevelopmentMilestone(
                    item=item,
                    title=title,
                    due_on=due,
                    done_on=due if due < data.today and rng.random() < 0.8 else None,
                )
            )
    bulk_create_with_history(DevelopmentMilestone, milestones)
