"""The workstream records of the city data set (see demo/city/__init__.py)."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
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
)
from campaign.work_models import summary_digest
from demo.bulk import bulk_create_with_history
from demo.city import CityData, day_between, person_name
from rectification.models import (
    Measure,
    MeasureState,
    Problem,
    ProblemSource,
    ProblemState,
    ProblemType,
)
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

PROBLEM_TEXTS = [
    "理论学习不够系统深入，满足于读原文、划重点，联系实际思考不够",
    "调查研究走马观花，蹲点调研次数不足，发现问题不够精准",
    "服务群众“最后一公里”不畅通，群众办事仍需多头跑",
    "会议文件多、督查检查多，基层负担较重，存在留痕主义倾向",
    "重点项目推进缓慢，“中梗阻”问题未得到有效解决",
    "村级集体经济薄弱，产业发展缺乏长远规划",
    "老旧小区改造进度滞后，群众反映强烈",
    "农村人居环境整治不彻底，部分村庄垃圾清运不及时",
    "党支部“三会一课”制度落实不严格，组织生活质量不高",
    "干部担当作为不够，遇到难题绕着走、推着办",
    "营商环境仍有短板，审批环节多、时限长",
    "廉政风险点排查不全面，制度执行存在薄弱环节",
]
MEASURE_TEXTS = [
    "制定专题学习计划，每月开展一次集中研讨",
    "建立领导干部蹲点调研制度，每季度形成调研报告",
    "梳理办事流程，推行“一窗受理、一次办结”",
    "精简会议文件，统筹合并督查检查事项",
    "成立工作专班，实行清单化管理、挂图作战",
    "引进特色产业项目，壮大村级集体经济",
    "召开居民议事会，制定分批改造计划",
    "建立保洁长效机制，落实网格化管理责任",
    "严格执行“三会一课”制度，建立月度检查通报机制",
    "开展专项督办，限时办结并公开结果",
]


def seed_problems(data: CityData) -> None:
    rng = data.rng
    campaign = data.campaign
    assert campaign is not None
    start, today = campaign.start_date, data.today
    problems: list[Problem] = []
    # 30,000 problems: five in each branch (6,000 branches)
    sources = [s for s, _ in ProblemSource.choices]
    categories = list(campaign.problem_categories)
    leader_ids = [uid for uid, _ in data.leaders]
    for branch in data.branches:
        secretary = data.secretaries.get(branch.pk)
        for number in range(1, 6):
            kind = rng.choices(
                [ProblemType.IMMEDIATE, ProblemType.DEADLINE, ProblemType.ONGOING],
                weights=[3, 6, 1],
            )[0]
            state = rng.choices(
                [
                    ProblemState.DRAFT,
                    ProblemState.IN_RECTIFICATION,
                    ProblemState.SUBMITTED,
                    ProblemState.CLOSED,
                    ProblemState.WITHDRAWN,
                ],
                weights=[5, 45, 10, 38, 2],
            )[0]
            discovered = day_between(rng, start, today - timedelta(days=5))
            deadline = None
            if kind == ProblemType.DEADLINE:
                deadline = discovered + timedelta(days=rng.randint(20, 150))
            elif kind == ProblemType.IMMEDIATE:
                deadline = discovered + timedelta(days=rng.randint(1, 10))
            mass = rng.random() < 0.04
            problems.append(
                Problem(
                    campaign=campaign,
                    unit=branch,
                    number=number,
                    category=rng.choice(categories),
                    source=rng.choice(sources),
                    description=rng.choice(PROBLEM_TEXTS),
                    type=kind,
                    deadline=deadline,
                    responsible_leader_id=rng.choice(leader_ids) if rng.random() < 0.3 else None,
                    responsible_person_id=secretary,
                    responsible_unit=branch,
                    mass_concern=mass,
                    long_unresolved=mass and rng.random() < 0.6,
                    discovered_on=discovered,
                    state=state,
                    reported_by_id=secretary,
                    last_progress_on=day_between(rng, discovered, today),
                )
            )
    bulk_create_with_history(Problem, problems)
    measures: list[Measure] = []
    rows = Problem.objects.filter(campaign=campaign).values_list(
        "pk", "state", "deadline", "responsible_person_id"
    )
    for pk, state, deadline, person in rows:
        for order in range(1, rng.choice((2, 3)) + 1):
            if state == ProblemState.CLOSED or state == ProblemState.SUBMITTED:
                measure_state = MeasureState.DONE
            elif state == ProblemState.DRAFT:
                measure_state = MeasureState.NOT_STARTED
            else:
                measure_state = rng.choice(
                    [MeasureState.IN_PROGRESS, MeasureState.DONE, MeasureState.NOT_STARTED]
                )
            measures.append(
                Measure(
                    problem_id=pk,
                    order=order,
                    description=rng.choice(MEASURE_TEXTS),
                    responsible_person_id=person,
                    deadline=deadline,
                    state=measure_state,
                )
            )
            if len(measures) >= 75000:
                break
    bulk_create_with_history(Measure, measures)


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
        for d in Task.objects.filter(campaign=campaign).values_list("due_date", flat=True)
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
    steplen = len(data.city.path)
    for committee in data.committees:
        parent_path = committee.path[: steplen * 2]
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


RESEARCH_TOPICS = [
    "村级集体经济发展路径",
    "营商环境优化",
    "老旧小区改造",
    "基层减负",
    "农村人居环境整治",
    "民营企业融资难",
    "义务教育资源配置",
    "基层医疗服务能力",
    "重点项目审批提速",
    "产业园区招商引资",
    "城乡供水一体化",
    "信访积案化解",
]


def seed_research(data: CityData) -> None:
    rng = data.rng
    campaign = data.campaign
    assert campaign is not None
    foci = [f for f, _ in ResearchFocus.choices]
    projects = []
    quarters: list[tuple[date, date]] = []
    start = campaign.start_date
    while start <= data.today:
        end = min(start + timedelta(days=80), data.today)
        quarters.append((start, end))
        start = start + timedelta(days=91)
    # 1,500 projects over 108 leaders: about 14 each, some quarters left empty
    per_leader = max(1, 1500 // max(1, len(data.leaders)))
    for user_id, unit_id in data.leaders:
        for k in range(per_leader):
            q_start, q_end = quarters[k % len(quarters)]
            if rng.random() < 0.08:
                continue
            begin = day_between(rng, q_start, q_end)
            projects.append(
                ResearchProject(
                    campaign=campaign,
                    unit_id=unit_id,
                    lead_id=user_id,
                    topic=f"关于{rng.choice(RESEARCH_TOPICS)}的调研",
                    focus=rng.choice(foci),
                    method=rng.choices(
                        [
                            ResearchMethod.ONSITE,
                            ResearchMethod.ONLINE,
                            ResearchMethod.FORUM,
                            ResearchMethod.SURVEY,
                        ],
                        weights=[5, 3, 1, 1],
                    )[0],
                    sites="\n".join(f"{rng.choice(data.branches).name}" for _ in range(2)),
                    start_date=begin,
                    end_date=begin + timedelta(days=rng.randint(1, 7)),
                    state=ProjectState.DONE
                    if begin < data.today - timedelta(days=7)
                    else ProjectState.UNDER_WAY,
                    created_by_id=user_id,
                )
            )
    bulk_create_with_history(ResearchProject, projects)
    reports = []
    findings = []
    for project in projects[::3]:
        reports.append(
            ResearchReport(
                campaign=campaign,
                unit_id=project.unit_id,
                title=f"{project.topic}报告",
                body="一、基本情况\n\n二、存在问题\n\n三、对策建议",
                author_id=project.lead_id,
                written_on=min(project.end_date + timedelta(days=5), data.today),
                state=ReportState.SUBMITTED,
                created_by_id=project.lead_id,
            )
        )
    bulk_create_with_history(ResearchReport, reports)
    for project in projects[::2]:
        findings.append(
            Finding(
                project=project,
                unit_id=project.unit_id,
                kind=FindingKind.PROBLEM,
                focus=project.focus,
                description=f"{project.topic}中发现的突出问题",
                created_by_id=project.lead_id,
            )
        )
    bulk_create_with_history(Finding, findings)
    decisions = [
        Decision(
            campaign=campaign,
            unit=county,
            title=f"{county.name.removeprefix('中共')}关于{rng.choice(RESEARCH_TOPICS)}的决定",
            decided_on=day_between(rng, campaign.start_date, data.today),
            body="经研究决定……",
        )
        for county in data.counties
        for _ in range(5)
    ]
    bulk_create_with_history(Decision, decisions)
    through = ResearchReport.projects.through
    through.objects.bulk_create(
        through(researchreport_id=report.pk, researchproject_id=project.pk)
        for report, project in zip(reports, projects[::3], strict=True)
    )
    decision_through = Decision.projects.through
    decision_through.objects.bulk_create(
        decision_through(decision_id=decision.pk, researchproject_id=rng.choice(projects).pk)
        for decision in decisions
        if rng.random() < 0.7
    )


SECTIONS: list[tuple[str, Callable[[CityData], None]]] = [
    ("tasks and assignments", seed_tasks),
    ("activities", seed_activities),
    ("development items", seed_development),
    ("research", seed_research),
    ("problems and measures", seed_problems),
]
