"""The closing meetings: a branch's 专题组织生活会 and a district committee's 专题民主生活会,
with their 检视剖析材料 and the problems they brought up (班子 and 个人), entered in the
units' problem lists."""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from campaign import services
from campaign.models import Campaign, ReviewMeeting
from rectification import services as problem_services
from rectification.choices import ProblemScope, ProblemSource, ProblemType

from .org import DemoOrg, keeper_of
from .rectification import EVIDENCE_PDF

BANZI, GEREN = ProblemScope.COLLECTIVE, ProblemScope.INDIVIDUAL

# unit, participants, guidance, summary, problems: (scope, member, category, text)
MEETINGS = [
    (
        "JZ-JB-HX-01",
        "赵丽华、钱建明、孙晓燕、李国强、周红梅、吴志刚、郑海燕、王德明、冯秀兰、陈立新",
        "河西街道党工委委员 周文",
        "支部班子和党员逐一开展批评和自我批评，查摆问题4个，明确整改时限。",
        [
            (BANZI, "", "基层党建", "支部主题党日活动形式单一，党员参与积极性不高"),
            (BANZI, "", "服务群众", "支部联系小区物业不够，居民反映的停车难问题推动解决慢"),
            (GEREN, "钱建明", "理论学习", "学习党的创新理论满足于读原文，联系社区实际思考不够"),
            (GEREN, "周红梅", "服务群众", "入户走访独居老人次数少，对困难群众情况掌握不全"),
        ],
    ),
    (
        "JZ-JB",
        "区委常委班子成员",
        "市委主题教育领导小组办公室 王海燕",
        "区委常委班子围绕主题教育目标要求开展对照检查，班子成员逐一发言。",
        [
            (BANZI, "", "工作作风", "调查研究统筹不够，有的街道一个月内接待调研6批次"),
            (GEREN, "李建国", "工作作风", "督促基层减负用力不够，向社区要报表的情况仍有发生"),
        ],
    ),
]


@transaction.atomic
def seed(*, org: DemoOrg, campaign: Campaign, rng: random.Random, today: date) -> None:
    if ReviewMeeting.objects.filter(campaign=campaign).exists():
        return
    org = org.refreshed()
    for code, participants, guidance, summary, problems in MEETINGS:
        unit = org.units[code]
        actor = org.users[keeper_of(code)]
        meeting = services.meeting_create(
            actor=actor,
            campaign=campaign,
            unit=unit,
            held_on=max(today - timedelta(days=rng.randint(5, 15)), campaign.start_date),
            place="党员活动室" if unit.kind == "branch" else "区委常委会议室",
            participants=participants,
            guidance=guidance,
            summary=summary,
            files=[
                SimpleUploadedFile(
                    f"{unit.name}检视剖析材料.pdf", EVIDENCE_PDF, content_type="application/pdf"
                )
            ],
            today=today,
        )
        for scope, member, category, text in problems:
            problem_services.problem_create(
                campaign=campaign,
                unit=unit,
                actor=actor,
                description=text,
                source=ProblemSource.MEETING,
                category=category
                if category in campaign.problem_categories
                else (campaign.problem_categories[0]),
                discovered_on=meeting.held_on,
                type=ProblemType.DEADLINE,
                deadline=min(meeting.held_on + timedelta(days=60), campaign.end_date),
                responsible_person_name=member,
                meeting=meeting,
                scope=scope,
            )
