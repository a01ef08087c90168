"""Demo supervision visits and model cases for the demo city (idempotent)."""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.db import transaction

from campaign.models import Campaign
from supervision import services
from supervision.models import Case, SupervisionVisit

from .org import DemoOrg, keeper_of
from .photos import case_photo

# The speech: 市、县两级不组建指导组 — the leadership-group office guides and supervises.
# unit code, days ago, office that visits, visitors, methods, guidance, follow-up in days
# (or None), findings
VISITS: list[tuple[str, int, str, str, list[str], str, int | None, list[tuple[str, str]]]] = [
    (
        "JZ-JB-HX-01",
        20,
        "office",
        "市委主题教育领导小组办公室：王海燕、陈立、胡晓雯",
        ["on_site", "documents", "talks"],
        "对照问题清单逐项建立整改台账，明确责任人和时限，做到整改一项、销号一项。",
        10,
        [
            ("“三会一课”记录不规范，部分会议记录内容简单、流于形式", "基层党建"),
            ("社区停车难问题群众反映强烈，尚未形成解决方案", "服务群众"),
        ],
    ),
    (
        "JZ-JB-DS-02",
        12,
        "county_office",
        "江北区委主题教育领导小组办公室：李建国、杜鹏",
        ["briefing", "masses"],
        "走访群众要深入，聚焦村道维修等民生实事，防止调研走过场。",
        18,
        [("村道维修项目推进缓慢，群众意见较大", "推动发展")],
    ),
    (
        "JZ-NH-QS-01",
        8,
        "nh_office",
        "南湖县委主题教育领导小组办公室：孙伟、蒋丽",
        ["on_site", "talks"],
        "理论学习要联系实际，读书班要有研讨成果。",
        None,
        [("理论学习与业务工作结合不紧，研讨发言照本宣科", "理论学习")],
    ),
]

# unit code, title, summary, body, where the review ends, the scenes of its photos
CASES: list[tuple[str, str, str, str, str, list[str]]] = [
    (
        "JZ-JB-HX-01",
        "“支部+网格”打通服务群众最后一米",
        "把党支部建在网格上，党员认领网格，群众诉求在网格内解决。",
        "滨江社区将辖区划为 12 个网格，每个网格由一名党员骨干担任网格长，"
        "每周走访住户，群众诉求当天登记、三天答复、一周办结。",
        "selected",
        ["street", "meeting"],
    ),
    (
        "JZ-NH-ZX-01",
        "“小课堂”讲好大道理",
        "教师党员结合学科特点开设理论微课堂。",
        "学校党支部组织教师党员每月开设一次 15 分钟的理论微课堂，结合学科内容讲授党的创新理论。",
        "submitted",
        ["classroom"],
    ),
    (
        "JZ-LS-GX-01",
        "企业党建与生产经营深度融合",
        "以党建引领企业攻坚克难。",
        "联合党支部组织党员攻关小组，围绕生产难题开展技术攻关。",
        "returned",
        ["workshop", "meeting"],
    ),
]


@transaction.atomic
def seed(*, org: DemoOrg, campaign: Campaign, rng: random.Random, today: date) -> None:
    office = org.users["office"]
    categories = list(campaign.problem_categories or ["其他"])
    if not SupervisionVisit.objects.filter(campaign=campaign).exists():
        for code, days_ago, visitor, visitors, methods, guidance, follow_up, findings in VISITS:
            visited_on = max(today - timedelta(days=days_ago), campaign.start_date)
            services.visit_create(
                actor=org.users[visitor],
                campaign=campaign,
                unit=org.units[code],
                visited_on=visited_on,
                visitors=visitors,
                methods=methods,
                guidance=guidance,
                follow_up_on=visited_on + timedelta(days=follow_up) if follow_up else None,
                findings=[
                    services.FindingInput(
                        description=text,
                        category=category if category in categories else categories[-1],
                        deadline=today + timedelta(days=rng.randint(20, 60)),
                    )
                    for text, category in findings
                ],
            )
    if not Case.objects.filter(campaign=campaign).exists():
        for code, title, summary, body, state, scenes in CASES:
            unit = org.units[code]
            case = services.case_submit(
                actor=org.users[keeper_of(code)],
                campaign=campaign,
                unit=unit,
                title=title,
                summary=summary,
                body=body,
                photos=[case_photo(title, unit.name, scene) for scene in scenes],
            )
            if state == "selected":
                services.case_select(actor=office, case=case)
            elif state == "returned":
                services.case_return(
                    actor=office, case=case, reason="请补充具体成效数据和群众评价。"
                )
        # a person put forward beside the practices (先进个人)
        person = services.case_submit(
            actor=org.users[keeper_of("JZ-JB-HX-01")],
            campaign=campaign,
            unit=org.units["JZ-JB-HX-01"],
            title="扎根社区十八年的“暖心网格员”",
            summary="走遍网格内1200余户，帮助独居老人解决急难愁盼问题80余件。",
            body=(
                "孙晓燕同志担任滨江社区网格员十八年，坚持每天入户走访，建立独居老人"
                "联系卡，牵头组建党员志愿服务队，主题教育期间推动解决加装电梯、楼道照明等"
                "群众身边问题12件，群众称她为“暖心网格员”。"
            ),
            kind="person",
            person_name="孙晓燕",
            person_title="滨江社区网格员",
        )
        services.case_select(actor=office, case=person)
