"""The activities the demo's branches log: each branch writes about its own place and work.

A summary names the branch and what it is busy with (its streets, its village's peaches,
its school), so no two branches write the same words, as in a real city. The office
dashboard's formalism panel then shows only what is planted here on purpose:

- one copied summary: 石桥村 enters 桃园村's account of a 主题党日, word for word;
- one deadline rush: 荷塘村 enters four activities of the past weeks on the evening its
  last task fell due.

Each activity is given the time it was entered: the evening it was held or within two days,
never more than two a day for a branch, except in the planted rush.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import OrgUnit, UnitKind
from campaign import services
from campaign.models import Activity, ActivityKind, Assignment, Campaign

from .bulk import set_entered_at
from .org import DemoOrg, keeper_of


@dataclass(frozen=True)
class Profile:
    places: tuple[str, ...]
    topics: tuple[str, ...]  # what the branch is working on
    deeds: tuple[str, ...]  # things its members did for the people around them
    site: str  # where it goes to learn the Party's history


_JB_SITE = "江北区革命烈士纪念馆"
_NH_SITE = "南湖县新四军纪念馆"
_LS_SITE = "临山县红色教育基地"
_CITY_SITE = "江州市革命历史纪念馆"

PROFILES: dict[str, Profile] = {
    "JZ-JB-HX-01": Profile(
        ("滨江社区党群服务中心", "滨江社区新时代文明实践站"),
        ("老旧小区加装电梯", "网格化服务", "小区停车难治理"),
        ("为滨江小区协调维修路灯12盏", "为独居老人上门理发、测量血压"),
        _JB_SITE,
    ),
    "JZ-JB-HX-02": Profile(
        ("柳岸社区党员活动室", "柳岸社区居民议事厅"),
        ("城中村改造政策宣传", "社区台账精简", "垃圾分类"),
        ("入户宣讲城中村改造补偿政策，解答居民疑问30余个", "清理柳岸路沿线卫生死角8处"),
        _JB_SITE,
    ),
    "JZ-JB-HX-03": Profile(
        ("河西街道机关三楼会议室", "河西街道便民服务中心"),
        ("数字化便民服务", "机关作风建设", "为基层减负"),
        ("在便民服务中心设立党员示范岗，帮群众在网上办理社保", "编印线上办事图解指引500份"),
        _JB_SITE,
    ),
    "JZ-JB-DS-01": Profile(
        ("桃园村村委会议室", "桃园村文化广场"),
        ("桃产业链延伸", "村集体经济发展", "村务公开"),
        ("帮助果农联系电商平台，直播销售鲜桃2000余斤", "清理灌溉沟渠1.5公里"),
        _JB_SITE,
    ),
    "JZ-JB-DS-02": Profile(
        ("石桥村党员活动室", "石桥村村委会议室"),
        ("饮用水管网改造", "闲置厂房盘活", "村级小微工程监督"),
        ("协调供水公司抢修主管网，当天恢复全村供水", "走访困难群众12户，送去米油"),
        _JB_SITE,
    ),
    "JZ-NH-QS-01": Profile(
        ("山前村党群服务站", "山前村村委会议室"),
        ("土地流转矛盾调处", "村干部包片联户", "高标准农田建设"),
        ("调处土地流转纠纷3起，当场签订调解协议", "帮助缺劳力农户抢收晚稻"),
        _NH_SITE,
    ),
    "JZ-NH-QS-02": Profile(
        ("荷塘村党员活动室", "荷塘村文化礼堂"),
        ("人居环境整治", "通组道路硬化", "美丽庭院创建"),
        ("清理荷塘周边垃圾，整治房前屋后环境", "为通组道路施工协调临时便道"),
        _NH_SITE,
    ),
    "JZ-NH-ZX-01": Profile(
        ("南湖县中学党员活动室", "南湖县中学阶梯教室"),
        ("理论学习与课堂教学结合", "理论微课堂", "师德师风建设"),
        ("为留守学生开展周末免费辅导", "家访学生家庭20户"),
        _NH_SITE,
    ),
    "JZ-LS-GX-01": Profile(
        ("高新园区党群服务中心", "园区企业职工书屋"),
        ("党建与生产经营融合", "生产线技术攻关", "流动党员管理"),
        ("帮企业排除一条生产线的故障", "为新入职员工解答租房和子女入学问题"),
        _LS_SITE,
    ),
    "JZ-LS-GX-02": Profile(
        ("高新园区管委会会议室", "园区企业服务中心"),
        ("企业诉求限时办结", "营商环境优化", "机关作风转变"),
        ("走访园区企业15家，收集诉求21条并建立台账", "在企业服务中心设立党员先锋岗"),
        _LS_SITE,
    ),
    "JZ-JB-SX": Profile(
        ("江北区实验小学党员活动室", "江北区实验小学报告厅"),
        ("课后服务提质", "师德师风建设", "家校共育"),
        ("为双职工家庭学生延长课后托管一小时", "组织党员教师结对帮扶学困生12名"),
        _JB_SITE,
    ),
    "JZ-LS-YZ": Profile(
        ("临山县第一中学党员活动室", "临山县第一中学图书馆"),
        ("理论学习与课堂教学结合", "县域高中质量提升", "住校生管理"),
        ("为住校生开通周末返校专车", "党员教师利用晚自习开展免费答疑"),
        _LS_SITE,
    ),
    "JZ-JY-01": Profile(
        ("市教育局五楼会议室", "市教育局党员活动室"),
        ("课后服务提质", "城乡教育资源均衡", "机关服务学校"),
        ("到城郊学校查看课后服务开展情况", "到乡村学校开展送教活动"),
        _CITY_SITE,
    ),
    "JZ-WJ-01": Profile(
        ("市卫健委会议室", "市第一人民医院门诊大厅"),
        ("分时段预约诊疗", "检查结果互认", "基层医疗服务能力"),
        ("在医院门诊引导患者使用分时段预约", "组织党员医生到社区义诊"),
        _CITY_SITE,
    ),
    "JZ-JT-01": Profile(
        ("市交通运输局会议室", "城乡公交枢纽站"),
        ("城乡公交一体化", "农村客运班线", "道路运输安全"),
        ("乘坐新开通的农村客运班线，听取沿线群众意见", "到客运站开展安全检查"),
        _CITY_SITE,
    ),
    "JZ-HB-01": Profile(
        ("市生态环境局会议室", "城郊河道治理现场"),
        ("黑臭水体治理", "河长巡河", "执法与服务企业并重"),
        ("随河长巡河，记下排污口问题6处", "组织党员志愿者清理河道漂浮物"),
        _CITY_SITE,
    ),
}

# kind -> templates; {unit} the branch, {topic} {place} {deed} {site} from its profile
TEMPLATES: dict[str, tuple[str, ...]] = {
    ActivityKind.READING_CLASS: (
        "{unit}在{place}举办专题读书班，采取集中学习、个人自学、专题辅导相结合的方式学习"
        "《习近平著作选读》，结合{topic}撰写心得体会。",
        "{unit}专题读书班在{place}开班，原原本本学习《习近平新时代中国特色社会主义思想专题摘编》，"
        "围绕{topic}分组研讨。",
    ),
    ActivityKind.GROUP_STUDY: (
        "{unit}组织党员集中学习，围绕“以学铸魂、以学增智”交流体会，对照{topic}查找差距。",
        "{unit}在{place}召开集中学习研讨会，学习党的二十大报告有关论述，党员结合{topic}逐一发言。",
    ),
    ActivityKind.PARTY_LECTURE: (
        "{unit}书记以《锤炼政治品格 强化对党忠诚》为题讲专题党课，结合{topic}讲清楚学了什么、"
        "悟到什么、要做什么。",
        "{unit}书记讲专题党课，用身边推进{topic}的事例讲理论，党员现场交流。",
    ),
    ActivityKind.PARTY_DAY: (
        "{unit}开展主题党日，在{place}重温入党誓词，随后{deed}。",
        "{unit}开展“学思想、办实事”主题党日，党员分组行动，{deed}。",
    ),
    ActivityKind.THREE_MEETINGS: (
        "{unit}召开支部党员大会，传达主题教育部署要求，研究{topic}的任务分工。",
        "{unit}召开支委会，研究推进{topic}的具体措施，明确责任人和完成时限。",
    ),
    ActivityKind.EXCHANGE: (
        "{unit}与结对共建单位在{place}开展交流研讨，围绕{topic}交流经验做法。",
        "{unit}邀请群众代表座谈，围绕{topic}听取意见建议，形成问题清单。",
    ),
    ActivityKind.VISIT: (
        "{unit}组织党员赴{site}参观见学，接受红色教育，回来后结合{topic}交流感悟。",
        "{unit}党员到{site}重温党的光辉历程，现场开展“学英烈、比奉献”讨论。",
    ),
    ActivityKind.SERVE_PEOPLE: (
        "{unit}聚焦{topic}为民办实事，{deed}。",
        "{unit}党员走访群众，{deed}，群众满意度明显提升。",
    ),
    ActivityKind.OTHER: (
        "{unit}组织党员观看主题教育专题片，结合{topic}开展学习交流。",
        "{unit}开展“我为群众办实事”意见征集，收集关于{topic}的意见建议。",
    ),
}

# Planted: a summary copied word for word from another branch (the copy keeps its name).
COPIED = {"JZ-JB-DS-01": 12, "JZ-JB-DS-02": 9}  # unit -> held so many days ago
COPIED_TEXT = (
    "东升镇桃园村党支部开展“学思想、办实事”主题党日，在桃园村文化广场重温入党誓词，"
    "随后帮助果农联系电商平台，直播销售鲜桃2000余斤。"
)
# Planted: a branch entering a batch of past activities the evening its task fell due.
RUSH_UNIT = "JZ-NH-QS-02"
RUSH_RECORDS = 4
MAX_ENTRIES_A_DAY = 2


def summary_for(unit: OrgUnit, kind: str, rng: random.Random, used: set[str]) -> str:
    """A summary the branch has not written yet, in its own words."""
    profile = PROFILES[unit.code]
    options = [
        template.format(unit=unit.name, topic=topic, place=place, deed=deed, site=profile.site)
        for template in TEMPLATES[kind]
        for topic in profile.topics
        for place in profile.places
        for deed in profile.deeds
    ]
    fresh = sorted(set(options) - used) or options
    text = rng.choice(fresh)
    used.add(text)
    return text


@transaction.atomic
def seed(*, org: DemoOrg, campaign: Campaign, rng: random.Random, today: date) -> None:
    org = org.refreshed()
    tz = ZoneInfo(settings.TIME_ZONE)
    now = timezone.now()
    kinds = [k for k in ActivityKind.values if k != ActivityKind.CENTRAL_GROUP]  # committees'
    span = max((today - campaign.start_date).days - 1, 0)
    entered: dict[int, datetime] = {}
    branches = [u for u in org.units.values() if u.kind == UnitKind.BRANCH]

    def log(unit: OrgUnit, kind: str, held_on: date, summary: str, participants: int) -> int:
        profile = PROFILES[unit.code]
        activity = services.activity_create(
            actor=org.users[keeper_of(unit.code)],
            campaign=campaign,
            unit=unit,
            kind=kind,
            held_on=held_on,
            place=rng.choice(profile.places) if kind != ActivityKind.VISIT else profile.site,
            participants=participants,
            hours=Decimal(rng.choice(["1", "1.5", "2", "3"])),
            summary=summary,
            today=today,
        )
        return activity.pk

    rush_day = _rush_day(campaign=campaign, unit=org.units[RUSH_UNIT], today=today)
    for unit in sorted(branches, key=lambda u: u.code):
        used: set[str] = set()
        per_day: Counter[date] = Counter()
        if unit.code == RUSH_UNIT and rush_day is not None:
            for n in range(RUSH_RECORDS):
                held_on = max(rush_day - timedelta(days=18 - 5 * n), campaign.start_date)
                kind = kinds[(n * 3) % len(kinds)]
                pk = log(unit, kind, held_on, summary_for(unit, kind, rng, used), 20 + n)
                entered[pk] = datetime.combine(rush_day, time(21, 5 + 11 * n), tzinfo=tz)
                per_day[rush_day] += 1
        if unit.code in COPIED:
            # held within the dashboard's 30-day window, entered the next morning
            held_on = max(today - timedelta(days=COPIED[unit.code]), campaign.start_date)
            pk = log(unit, ActivityKind.PARTY_DAY, held_on, COPIED_TEXT, 26)
            day = min(held_on + timedelta(days=1), today)
            entered[pk] = min(datetime.combine(day, time(9, 30), tzinfo=tz), now)
            per_day[day] += 1
        for _ in range(rng.randint(3, 6)):
            kind = rng.choice(kinds)
            held_on = campaign.start_date + timedelta(days=rng.randint(0, span))
            pk = log(unit, kind, held_on, summary_for(unit, kind, rng, used), rng.randint(8, 45))
            day = _entry_day(held_on, rng.randint(0, 2), per_day, today)
            per_day[day] += 1
            at = datetime.combine(day, time(19), tzinfo=tz) + timedelta(minutes=rng.randint(0, 200))
            entered[pk] = min(at, now)
    set_entered_at(Activity, entered)


def _rush_day(*, campaign: Campaign, unit: OrgUnit, today: date) -> date | None:
    """The last deadline of the branch in the past month (None if it had none)."""
    return (
        Assignment.objects.filter(
            task__campaign=campaign,
            unit=unit,
            due_date__lt=today,
            due_date__gte=max(today - timedelta(days=30), campaign.start_date + timedelta(days=20)),
        )
        .order_by("-due_date")
        .values_list("due_date", flat=True)
        .first()
    )


def _entry_day(held_on: date, delay: int, per_day: Counter[date], today: date) -> date:
    """The day an activity is entered: ``delay`` days after it was held, or the next day
    with room, at most ``MAX_ENTRIES_A_DAY`` a day (so no rush appears by chance)."""
    day = min(held_on + timedelta(days=delay), today)
    candidates = [day + timedelta(days=i) for i in range((today - day).days + 1)]
    candidates += [day - timedelta(days=i) for i in range(1, (day - held_on).days + 1)]
    return next((d for d in candidates if per_day[d] < MAX_ENTRIES_A_DAY), day)
