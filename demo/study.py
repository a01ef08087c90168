"""The branches' members' rolls and, for each branch, a recent 三会一课 with its roll ticked:
most present, a few away with their reasons, some of whom have since made up (补学)."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction

from accounts import services as account_services
from accounts.models import PartyMember, UnitKind
from campaign import services
from campaign.models import ActivityKind, Campaign

from .org import DemoOrg, keeper_of

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
GIVEN = [
    "建国", "秀英", "志强", "桂兰", "海燕", "立新", "红梅", "德明", "丽娟", "文华",
    "国庆", "玉兰", "春生", "晓燕", "永刚", "淑珍", "俊杰", "雪梅", "振华", "慧敏",
    "明辉", "凤英", "长青", "静怡", "家豪", "翠花", "宏伟", "美玲", "世杰", "冬梅",
]  # fmt: skip
REASONS = [
    "在外地务工",
    "住院治疗",
    "外出参加培训",
    "照顾生病家属",
    "单位值班",
    "出差在外",
    "年老体弱行动不便",
]
MAKEUP_NOTES = ["支部书记上门带学", "观看会议录像并交流心得", "参加下一次集中学习时补学"]
TOPICS = [
    "学习党章和《中国共产党支部工作条例》",
    "学习习近平总书记关于主题教育的重要讲话精神",
    "对照检视问题清单，开展批评和自我批评",
    "通报问题整改进展，讨论下一步整改措施",
]


def _roll(rng: random.Random, size: int) -> list[str]:
    names: set[str] = set()
    while len(names) < size:
        names.add(rng.choice(SURNAMES) + rng.choice(GIVEN))
    return sorted(names)


@transaction.atomic
def seed(*, org: DemoOrg, campaign: Campaign, rng: random.Random, today: date) -> None:
    if PartyMember.objects.exists():
        return
    org = org.refreshed()
    branches = sorted(
        (u for u in org.units.values() if u.kind == UnitKind.BRANCH), key=lambda u: u.code
    )
    for n, unit in enumerate(branches):
        secretary = org.users[keeper_of(unit.code)]
        roll = [
            account_services.member_add(actor=secretary, unit=unit, name=name)
            for name in _roll(rng, rng.randint(9, 16))
        ]
        held_on = max(today - timedelta(days=rng.randint(3, 12)), campaign.start_date)
        absent = {m.pk: rng.choice(REASONS) for m in rng.sample(roll, rng.randint(0, 3))}
        topic = TOPICS[n % len(TOPICS)]
        activity = services.activity_create(
            actor=secretary,
            campaign=campaign,
            unit=unit,
            kind=ActivityKind.THREE_MEETINGS,
            held_on=held_on,
            place=f"{unit.name.split('党')[0]}党员活动室",
            host=secretary.display_name,
            recorder=roll[0].name,
            hours=Decimal("2"),
            summary=f"{unit.name}召开支部党员大会，{topic}，{len(roll) - len(absent)}名党员参加。",
            attendance=[
                services.Presence(m, m.pk not in absent, absent.get(m.pk, "")) for m in roll
            ],
            today=today,
        )
        for line in activity.attendance.filter(present=False).order_by("pk")[:1]:
            if held_on + timedelta(days=2) <= today:
                services.makeup_record(
                    actor=secretary,
                    line=line,
                    done_on=held_on + timedelta(days=2),
                    note=rng.choice(MAKEUP_NOTES),
                    today=today,
                )
