"""The development items (为民办实事 and the like) the branches take on, with milestones."""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from campaign import services
from campaign.models import Campaign, DevelopmentCategory

from .org import DemoOrg, keeper_of, leader_over, office_above
from .rectification import EVIDENCE_PDF

# unit, category, title, target, milestones
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
        "JZ-NH-QS-01",
        DevelopmentCategory.GAP,
        "山前村村集体经济“消薄”攻坚",
        "村集体经营性收入突破10万元，摘掉集体经济薄弱村帽子。",
        ["盘活闲置校舍发展民宿", "光伏发电项目并网", "年度收入核算"],
    ),
    (
        "JZ-JB-HX-02",
        DevelopmentCategory.LIVELIHOOD,
        "柳岸社区“一老一小”服务站建设",
        "建成社区老年食堂和四点半课堂，服务居民300人次以上。",
        ["选定场地", "老年食堂开餐"],
    ),
    (
        "JZ-HB",
        DevelopmentCategory.ECOLOGY,
        "城区黑臭水体整治",
        "年内消除城区2条黑臭水体，水质达到考核要求。",
        ["完成排口排查", "完成截污纳管工程", "第三方水质检测达标"],
    ),
]


@transaction.atomic
def seed(*, org: DemoOrg, campaign: Campaign, rng: random.Random, today: date) -> None:
    org = org.refreshed()
    for code, category, title, target, milestones in DEVELOPMENT_ITEMS:
        unit = org.units[code]
        actor = org.users[keeper_of(code)]
        due = min(today + timedelta(days=rng.randint(-10, 80)), campaign.end_date)
        item = services.development_create(
            actor=actor,
            campaign=campaign,
            unit=unit,
            category=category,
            title=title,
            target=target,
            due_date=max(due, campaign.start_date),
            responsible_leader=org.users[leader_over(code)],
            # the branches' matters for the people are their 为民办实事 list
            for_the_people=unit.kind == "branch" and category != DevelopmentCategory.INDUSTRY,
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
        item.refresh_from_db()
        if item.completed_on is None and code == "JZ-JB-HX-02":
            # a matter finished, asked about and closed (销号) by the office above
            for milestone in item.milestones.filter(done_on__isnull=True):
                services.milestone_set_done(
                    actor=actor,
                    milestone=milestone,
                    done_on=min(milestone.due_on, today),
                    today=today,
                )
            item.refresh_from_db()
        if item.completed_on is not None and item.for_the_people:
            services.development_set_verdict(
                actor=actor, item=item, verdict=rng.choice(["satisfied", "satisfied", "fairly"])
            )
            services.development_add_evidence(
                actor=actor,
                item=item,
                files=[
                    SimpleUploadedFile(
                        f"{title}验收材料.pdf", EVIDENCE_PDF, content_type="application/pdf"
                    )
                ],
            )
            services.development_close(actor=org.users[office_above(code)], item=item, today=today)
