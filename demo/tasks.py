"""The tasks the offices deploy and the branches' assignments, in every state.

``deploy`` runs before the branches log their activities, ``progress`` after: a branch
answers an assignment with the activities it logged as evidence.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.db import transaction

from accounts.models import OrgUnit, UnitKind
from accounts.permissions import forget_grants
from campaign import services
from campaign.models import (
    Assignment,
    Campaign,
    Recurrence,
    Workstream,
)

from .org import DemoOrg, keeper_of

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


def _branches(org: DemoOrg, under: str) -> list[OrgUnit]:
    root = org.units[under]
    return [u for u in org.units.values() if u.kind == UnitKind.BRANCH and u.is_within(root)]


@transaction.atomic
def deploy(*, org: DemoOrg, campaign: Campaign, today: date) -> None:
    """The offices deploy the tasks to the branches below them."""
    for user in org.users.values():
        forget_grants(user)  # roles were granted after these objects were loaded
    org = org.refreshed()
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


# The demo secretary's branch shows one of each on her home page: returned first, then
# due soon, accepted, waiting for review, overdue while in progress (rolls below).
DEMO_SECRETARY_UNIT = "JZ-JB-HX-01"
DEMO_SECRETARY_PLAN = [0.6, 0.0, 0.9, 0.4, 0.25, 0.0, 0.0]


@transaction.atomic
def progress(*, org: DemoOrg, campaign: Campaign, rng: random.Random, today: date) -> None:
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
        secretary = org.users[keeper_of(assignment.unit.code)]
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
