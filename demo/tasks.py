"""Demo tasks, assignments in every state, activities and development items.

Written through the services, so the demo's history reads like real use. Running the seed
again changes nothing: the records exist once the campaign has tasks.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction

from accounts.models import OrgUnit, UnitKind
from accounts.scoping import forget_grants
from campaign import services
from campaign.models import (
    ActivityKind,
    Assignment,
    Campaign,
    DevelopmentCategory,
    Recurrence,
    Task,
    Workstream,
)

from .org import DemoOrg

# title, workstream, objective order, days from today to the due date, recurrence, issuer,
# description, evidence required
TASKS: list[tuple[str, str, int, int, str, str, str, str]] = [
    (
        "举办主题教育专题读书班",
        Workstream.STUDY,
        1,
        -20,
        Recurrence.NONE,
        "office",
        "各党组织围绕《习近平新时代中国特色社会主义思想专题摘编》举办为期不少于5天的专题读书班，"
        "做到原原本本学、逐章逐节学。",
        "读书班方案、签到表、现场照片、学习心得",
    ),
    (
        "开展“学思想、强党性”专题党课",
        Workstream.STUDY,
        2,
        12,
        Recurrence.NONE,
        "office",
        "党组织书记围绕锤炼政治品格、强化对党忠诚讲授专题党课，结合本单位实际，讲清楚学了什么、悟到什么、要做什么。",
        "党课讲稿或提纲、现场照片",
    ),
    (
        "每季度开展一次集中学习研讨",
        Workstream.STUDY,
        1,
        80,
        Recurrence.QUARTERLY,
        "office",
        "每季度围绕一个专题开展集中学习研讨，党员逐一交流发言，形成研讨纪要。",
        "研讨纪要、发言材料、照片",
    ),
    (
        "为民办实事项目清单报送",
        Workstream.DEVELOPMENT,
        4,
        -5,
        Recurrence.NONE,
        "office",
        "聚焦群众急难愁盼问题，梳理本单位为民办实事项目清单，明确责任人和完成时限。",
        "项目清单（Excel）",
    ),
    (
        "检视整改问题清单初稿报送",
        Workstream.RECTIFICATION,
        5,
        6,
        Recurrence.NONE,
        "office",
        "对照主题教育目标要求，深入查找差距不足，形成问题清单初稿，做到问题具体、原因深挖、措施可行。",
        "问题清单初稿",
    ),
    (
        "社区（村）党员走访群众全覆盖",
        Workstream.RESEARCH,
        4,
        25,
        Recurrence.NONE,
        "county_office",
        "组织党员干部走访辖区群众，听取意见建议，形成走访台账。",
        "走访台账、典型问题汇总",
    ),
]

RETURN_REASONS = [
    "缺少签到表，请补充现场签到表照片后重新提交。",
    "研讨纪要过于简单，未体现党员交流发言内容，请补充完善。",
    "附件照片与本次任务无关，请上传本次活动的现场照片。",
    "项目清单未明确责任人和完成时限，请修改后重新报送。",
]

ACTIVITY_SUMMARIES: dict[str, str] = {
    ActivityKind.READING_CLASS: (
        "举办为期5天的主题教育专题读书班，采取集中学习、个人自学、"
        "专题辅导相结合的方式，"
        "围绕《习近平著作选读》开展学习，党员撰写心得体会。"
    ),
    ActivityKind.CENTRAL_GROUP: (
        "召开理论学习中心组学习会，围绕习近平新时代中国特色社会主义思想的"
        "世界观和方法论开展专题学习，班子成员逐一交流发言。"
    ),
    ActivityKind.GROUP_STUDY: "组织党员集中学习研讨，围绕“以学铸魂、以学增智”交流学习体会，"
    "结合社区治理实际查找差距、明确努力方向。",
    ActivityKind.PARTY_LECTURE: (
        "支部书记讲授专题党课《锤炼政治品格 强化对党忠诚》，"
        "结合身边典型讲清楚学了什么、悟到什么、要做什么。"
    ),
    ActivityKind.PARTY_DAY: "开展主题党日活动，重温入党誓词，组织党员到社区开展环境整治志愿服务。",
    ActivityKind.THREE_MEETINGS: (
        "召开支部党员大会，传达学习主题教育部署要求，研究本支部实施方案和任务分工。"
    ),
    ActivityKind.EXCHANGE: "与结对共建单位开展交流研讨，围绕基层治理“卡脖子”问题交流经验做法。",
    ActivityKind.VISIT: "组织党员赴革命纪念馆参观见学，接受红色教育，重温党的光辉历程。",
    ActivityKind.SERVE_PEOPLE: (
        "为辖区老旧小区协调加装路灯12盏，解决居民夜间出行难问题，群众满意度明显提升。"
    ),
    ActivityKind.OTHER: "组织党员观看主题教育专题片，并开展学习交流。",
}
PLACES = [
    "党群服务中心会议室",
    "社区新时代文明实践站",
    "机关三楼会议室",
    "村委会议室",
    "革命纪念馆",
]

DEVELOPMENT_ITEMS: list[tuple[str, str, str, str, list[str]]] = [
    (
        "JZ-JB-HX-01",
        DevelopmentCategory.LIVELIHOOD,
        "滨江社区老旧小区加装电梯",
        "年内完成3个单元加装电梯，解决高龄居民上下楼难问题。",
        ["完成居民意见征集", "完成设计方案审批", "首台电梯开工", "3台电梯投入使用"],
    ),
    (
        "JZ-JB-DS-01",
        DevelopmentCategory.RURAL,
        "桃园村特色果蔬产业提质增效",
        "发展精品果蔬200亩，带动村集体经济增收20万元。",
        ["流转土地200亩", "建成冷链仓储点", "对接商超销售渠道"],
    ),
    (
        "JZ-NH-QS-02",
        DevelopmentCategory.ECOLOGY,
        "荷塘村人居环境整治",
        "完成生活污水治理全覆盖，建成美丽庭院50户。",
        ["完成污水管网铺设", "建成美丽庭院30户", "建成美丽庭院50户"],
    ),
    (
        "JZ-LS-GX-01",
        DevelopmentCategory.INDUSTRY,
        "高新园区企业服务“一站式”办理",
        "企业常办事项实现园区内一站办结，办理时限压缩50%。",
        ["梳理企业常办事项清单", "设立一站式服务窗口"],
    ),
    (
        "JZ-HB-01",
        DevelopmentCategory.ECOLOGY,
        "城区黑臭水体整治",
        "年内消除城区2条黑臭水体，水质达到考核要求。",
        ["完成排口排查", "完成截污纳管工程", "第三方水质检测达标"],
    ),
]


def _branches(org: DemoOrg, under: str) -> list[OrgUnit]:
    root = org.units[under]
    return [u for u in org.units.values() if u.kind == UnitKind.BRANCH and u.is_within(root)]


@transaction.atomic
def seed(*, org: DemoOrg, campaign: Campaign, rng: random.Random, today: date) -> None:
    if Task.objects.filter(campaign=campaign).exists():
        return
    for user in org.users.values():
        forget_grants(user)  # roles were granted after these objects were loaded
    # Inserting siblings in code order moves paths: read the units as they are now.
    org = DemoOrg(
        units={u.code: u for u in OrgUnit.objects.filter(code__in=list(org.units))},
        users=org.users,
    )
    objectives = {o.order: o for o in campaign.objectives.all()}
    issuers = {"office": "JZ", "county_office": "JZ-JB"}
    earliest_due = campaign.start_date + timedelta(days=7)
    for title, workstream, order, offset, recurrence, office, description, evidence in TASKS:
        actor = org.users[office]
        issuer = org.units[issuers[office]]
        task = services.task_create(
            actor=actor,
            campaign=campaign,
            issuer=issuer,
            workstream=workstream,
            objective=objectives.get(order),
            title=title,
            description=description,
            evidence_required=evidence,
            due_date=min(max(today + timedelta(days=offset), earliest_due), campaign.end_date),
            recurrence=recurrence,
        )
        services.task_deploy(actor=actor, task=task, units=_branches(org, issuer.code))

    _seed_activities(org=org, campaign=campaign, rng=rng, today=today)
    _progress_assignments(org=org, campaign=campaign, rng=rng, today=today)
    _seed_development(org=org, campaign=campaign, rng=rng, today=today)


def _secretary_of(org: DemoOrg, unit: OrgUnit) -> object:
    from .org import USERS

    for username, _name, _title, code, role in USERS:
        if code == unit.code and role == "secretary":
            return org.users[username]
    return org.users["office"]


def _seed_activities(*, org: DemoOrg, campaign: Campaign, rng: random.Random, today: date) -> None:
    kinds = list(ActivityKind.values)
    span = max((today - campaign.start_date).days, 1)
    for unit in _branches(org, "JZ"):
        actor = _secretary_of(org, unit)
        for i in range(rng.randint(3, 6)):
            kind = kinds[(i + rng.randint(0, len(kinds) - 1)) % len(kinds)]
            services.activity_create(
                actor=actor,
                campaign=campaign,
                unit=unit,
                kind=kind,
                held_on=campaign.start_date + timedelta(days=rng.randint(0, span)),
                place=rng.choice(PLACES),
                participants=rng.randint(8, 45),
                hours=Decimal(rng.choice([1, 1.5, 2, 3, 4])).quantize(Decimal("0.1")),
                summary=ACTIVITY_SUMMARIES[kind],
                today=today,
            )


# The demo secretary's branch shows one of each on her home page: returned first, then
# due soon, accepted, waiting for review, overdue while in progress (rolls below).
DEMO_SECRETARY_UNIT = "JZ-JB-HX-01"
DEMO_SECRETARY_PLAN = [0.6, 0.0, 0.9, 0.4, 0.25, 0.0, 0.0]


def _progress_assignments(
    *, org: DemoOrg, campaign: Campaign, rng: random.Random, today: date
) -> None:
    """Move the assignments through the states as units and offices would."""
    assignments = list(
        Assignment.objects.filter(task__campaign=campaign)
        .select_related("task", "task__issuer", "unit")
        .order_by("task_id", "unit__code", "period")
    )
    planned = iter(DEMO_SECRETARY_PLAN)
    for assignment in assignments:
        if assignment.period_start and assignment.period_start > today:
            continue  # a future quarter: not started
        if assignment.unit.code == DEMO_SECRETARY_UNIT:
            roll = next(planned, 0.0)
        else:
            roll = rng.random()
        secretary = _secretary_of(org, assignment.unit)
        office = org.users["office" if assignment.task.issuer.code == "JZ" else "county_office"]
        if roll < 0.2:
            continue  # pending
        if roll < 0.35:
            services.assignment_start(actor=secretary, assignment=assignment)
            continue
        evidence = list(assignment.unit.activities.filter(campaign=campaign)[:2])
        services.assignment_submit(
            actor=secretary,
            assignment=assignment,
            note="已按要求完成，相关材料见附件活动记录。",
            activities=evidence,
        )
        if roll < 0.55:
            continue  # waiting for review
        if roll < 0.75:
            services.assignment_return(
                actor=office, assignment=assignment, reason=rng.choice(RETURN_REASONS)
            )
            continue
        services.assignment_accept(actor=office, assignment=assignment, comment="材料齐全，同意。")
    # Due dates stay as deployed: the ones past and not accepted show as overdue.


def _seed_development(*, org: DemoOrg, campaign: Campaign, rng: random.Random, today: date) -> None:
    leaders = [org.users[u] for u in ("jb_leader", "nh_leader", "ls_leader", "city_leader2")]
    for code, category, title, target, milestones in DEVELOPMENT_ITEMS:
        unit = org.units[code]
        actor = _secretary_of(org, unit)
        due = min(today + timedelta(days=rng.randint(-10, 80)), campaign.end_date)
        item = services.development_create(
            actor=actor,
            campaign=campaign,
            unit=unit,
            category=category,
            title=title,
            target=target,
            due_date=max(due, campaign.start_date),
            responsible_leader=rng.choice(leaders),
        )
        step = max((item.due_date - campaign.start_date).days // max(len(milestones), 1), 1)
        for n, milestone_title in enumerate(milestones, start=1):
            milestone = services.milestone_add(
                actor=actor,
                item=item,
                title=milestone_title,
                due_on=campaign.start_date + timedelta(days=step * n),
            )
            if milestone.due_on <= today and rng.random() < 0.8:
                services.milestone_set_done(
                    actor=actor,
                    milestone=milestone,
                    done_on=min(milestone.due_on, today),
                    today=today,
                )
