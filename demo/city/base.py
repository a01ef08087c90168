"""What every part of the city data set shares: the data being built, names, dates."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from accounts.models import OrgUnit
from campaign.models import Campaign

CITY_CODE = "SZ"
PLACE_A = list("东西南北上下新老清白青红金银石松柏桃李杏梅兰竹菊荷柳杨枫花溪河湖塘山岭岗坪坝")
PLACE_B = list("安宁平和丰乐兴旺福寿康泰昌盛源泉林田园庄湾桥口头沟岙埠集铺")
SURNAMES = list(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = list(
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红建国文辉力斌波宁鹏飞云峰海燕婷雪梅琳晶慧颖俊凯浩然子涵宇轩欣怡思远志刚德明春生秋菊冬梅"
)


@dataclass
class CityData:
    rng: random.Random
    today: date
    # Where the city sits: a root of its own (``--scale city``) or one of a province's
    # cities, with its own unit code and user-name prefix.
    code: str = CITY_CODE
    name: str = "中共苏州湾市委员会"
    user_prefix: str = ""
    parent: OrgUnit | None = None
    position: int = 0
    campaign: Campaign | None = None
    city: OrgUnit | None = None
    counties: list[OrgUnit] = field(default_factory=list)
    committees: list[OrgUnit] = field(default_factory=list)
    branches: list[OrgUnit] = field(default_factory=list)
    secretaries: dict[int, int] = field(default_factory=dict)  # branch id -> user id
    leaders: list[tuple[int, int]] = field(default_factory=list)  # (user id, unit id)
    office_users: list[int] = field(default_factory=list)
    users_by_unit: dict[int, list[int]] = field(default_factory=dict)
    names: dict[int, str] = field(default_factory=dict)  # user id -> full name


def county_prefix(city: OrgUnit, path: str) -> str:
    """The path of the county (or department) of the city that ``path`` lies under."""
    return path[: len(city.path) + OrgUnit.steplen]


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def place_name(rng: random.Random) -> str:
    return rng.choice(PLACE_A) + rng.choice(PLACE_B)


def day_between(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, max(0, (end - start).days)))
