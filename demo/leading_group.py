"""The leading group of the demo campaign: its member units with their duties, and what
they did: 宣传部 deploys a task of its duty to every branch, 教育局 supervises a school of
its sector in another county."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction

from accounts.models import UnitKind
from accounts.permissions import forget_grants
from campaign import services as campaign_services
from campaign.models import Campaign, Task, Workstream
from supervision import services as supervision_services
from supervision.models import SupervisionVisit

from .org import DemoOrg

# unit, duty, workstreams of the duty, office contact, phone
MEMBERS: list[tuple[str, str, list[str], str, str]] = [
    (
        "JZ-XC",
        "负责理论学习的组织指导和宣传引导，营造浓厚氛围",
        [Workstream.STUDY],
        "田静",
        "0571-87001234",
    ),
    (
        "JZ-JW",
        "负责监督检视整改落实，对整改不力、敷衍应付的严肃问责",
        [Workstream.RECTIFICATION],
        "孔德明",
        "0571-87005678",
    ),
    (
        "JZ-JY",
        "负责指导全市教育系统各级党组织开展主题教育",
        [],
        "邵红梅",
        "0571-87009012",
    ),
    (
        "JZ-WJ",
        "负责指导全市卫生健康系统各级党组织开展主题教育",
        [],
        "蒋文斌",
        "0571-87003456",
    ),
]

PUBLICITY_TASK = "开展主题教育“微宣讲”活动"


@transaction.atomic
def seed(*, org: DemoOrg, campaign: Campaign, today: date) -> None:
    """Running it again changes nothing."""
    for user in org.users.values():
        forget_grants(user)
    org = org.refreshed()
    office = org.users["office"]
    for order, (code, duty, workstreams, contact, phone) in enumerate(MEMBERS, start=1):
        campaign_services.group_member_set(
            actor=office,
            campaign=campaign,
            unit=org.units[code],
            duty=duty,
            workstreams=workstreams,
            contact=contact,
            phone=phone,
            order=order,
        )
    publicity = org.units["JZ-XC"]
    if not Task.objects.filter(campaign=campaign, issuer=publicity).exists():
        actor = org.users["xc_office"]
        task = campaign_services.task_create(
            actor=actor,
            campaign=campaign,
            issuer=publicity,
            workstream=Workstream.STUDY,
            objective=campaign.objectives.filter(order=1).first(),
            title=PUBLICITY_TASK,
            description="各党支部组织党员围绕主题教育开展不少于一次“微宣讲”，用身边事讲清楚大道理。",
            evidence_required="宣讲提纲、现场照片",
            due_date=min(today + timedelta(days=30), campaign.end_date),
        )
        branches = [u for u in org.units.values() if u.kind == UnitKind.BRANCH]
        campaign_services.task_deploy(actor=actor, task=task, units=branches)
    school = org.units["JZ-LS-YZ"]
    if not SupervisionVisit.objects.filter(campaign=campaign, unit=school).exists():
        supervision_services.visit_create(
            actor=org.users["jy_office"],
            campaign=campaign,
            unit=school,
            visited_on=max(today - timedelta(days=9), campaign.start_date),
            visitors="市教育局党组主题教育领导小组办公室 邵红梅",
            methods=["on_site", "talks"],
            guidance="把主题教育同县域高中质量提升结合起来，党员教师要在住校生管理中当先锋、作表率。",
        )
