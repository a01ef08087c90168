"""Demo research for the leaders of the demo city: some quarters done, some missing."""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.db import transaction

from accounts.models import OrgUnit
from campaign.models import Campaign
from research import services
from research.models import (
    Decision,
    FindingKind,
    ProjectState,
    ReportState,
    ResearchFocus,
    ResearchMethod,
    ResearchProject,
)

from .org import DemoOrg

# leader, unit, topic, focus, method, sites, days before today it started, length in days,
# findings: (kind, unit code concerned, description, "problem" / "solved:how" / "")
PROJECTS: list[
    tuple[str, str, str, str, str, list[str], int, int, list[tuple[str, str, str, str]]]
] = [
    (
        "leader",
        "JZ",
        "基层党组织服务群众“最后一公里”调研",
        ResearchFocus.OBSTRUCTION,
        ResearchMethod.ONSITE,
        ["江北区河西街道滨江社区", "江北区东升镇桃园村"],
        100,
        3,
        [
            (
                FindingKind.PROBLEM,
                "JZ-JB-DS-01",
                "村级便民服务站开放时间短，群众办事仍需往返镇里。",
                "problem",
            ),
            (
                FindingKind.PROBLEM,
                "JZ-JB-HX-01",
                "社区网格员身兼多职，入户走访频次不足。",
                "solved:推行网格员专职化，按户数配齐人员，每月入户走访全覆盖。",
            ),
            (
                FindingKind.SUGGESTION,
                "JZ-JB",
                "建议建立区、街道、社区三级民生诉求快速响应机制。",
                "",
            ),
        ],
    ),
    (
        "leader",
        "JZ",
        "“两企三新”党建工作网络问卷调研",
        ResearchFocus.HOT_HARD,
        ResearchMethod.ONLINE,
        ["临山县高新园区（线上）"],
        20,
        10,
        [
            (
                FindingKind.PROBLEM,
                "JZ-LS-GX-01",
                "园区企业党组织活动阵地不足，党员流动性大。",
                "problem",
            ),
        ],
    ),
    (
        "city_leader2",
        "JZ",
        "营商环境审批“中梗阻”专题调研",
        ResearchFocus.OBSTRUCTION,
        ResearchMethod.ONSITE,
        ["市政务服务中心", "临山县高新园区"],
        30,
        5,
        [
            (
                FindingKind.PROBLEM,
                "JZ-LS-GX",
                "企业开办涉及多部门重复提交材料。",
                "solved:推行“一窗受理、一次办结”，材料共享，开办时间压缩至1个工作日。",
            ),
        ],
    ),
    (
        "jb_leader",
        "JZ-JB",
        "城中村改造群众诉求调研",
        ResearchFocus.MAJOR_ISSUE,
        ResearchMethod.ONSITE,
        ["河西街道柳岸社区", "河西街道机关"],
        95,
        2,
        [
            (
                FindingKind.PROBLEM,
                "JZ-JB-HX-02",
                "改造补偿政策宣传不到位，群众疑虑较多。",
                "problem",
            ),
        ],
    ),
    (
        "jb_leader",
        "JZ-JB",
        "农村集体经济“卡脖子”问题调研",
        ResearchFocus.CHOKEPOINT,
        ResearchMethod.FORUM,
        ["东升镇石桥村"],
        15,
        1,
        [
            (
                FindingKind.PROBLEM,
                "JZ-JB-DS-02",
                "村集体经济缺乏稳定收入来源。",
                "solved:引入农业合作社，盘活闲置厂房出租，年增收20万元。",
            ),
        ],
    ),
    (
        "nh_leader",
        "JZ-NH",
        "县域教育资源均衡配置网络调研",
        ResearchFocus.HOT_HARD,
        ResearchMethod.ONLINE,
        ["南湖县中学（线上座谈）", "青石镇山前村"],
        10,
        7,
        [
            (FindingKind.PROBLEM, "JZ-NH-ZX", "乡村学校教师结构性缺编。", ""),
        ],
    ),
]

REPORTS = [
    ("leader", 0, "关于基层党组织服务群众“最后一公里”的调研报告", ReportState.SUBMITTED),
    ("city_leader2", 2, "关于破解审批“中梗阻”优化营商环境的调研报告", ReportState.DRAFT),
    ("jb_leader", 3, "关于城中村改造群众诉求的调研报告", ReportState.SUBMITTED),
]

REPORT_BODY = """# 一、基本情况
按照主题教育安排，调研组深入基层一线，采取蹲点调研、座谈走访等方式，听取群众意见。

# 二、存在的主要问题
一是服务阵地开放时间与群众需求不匹配；
二是基层力量配备不足，工作负担较重。

# 三、对策建议
坚持问题导向，建立问题清单、责任清单和整改清单，推动调研成果转化为解决问题的实际成效。"""


@transaction.atomic
def seed(*, org: DemoOrg, campaign: Campaign, rng: random.Random, today: date) -> None:
    """Create the demo research once; running it again changes nothing."""
    if ResearchProject.objects.filter(campaign=campaign).exists():
        return
    from research.services import problem_service_ready

    with_problems = problem_service_ready()
    # read the units afresh: sorted inserts may have moved the paths of those in memory
    units = {u.code: u for u in OrgUnit.objects.filter(code__in=list(org.units))}
    projects: list[ResearchProject] = []
    for (lead_name, unit_code, topic, focus, method, sites, ago, length,
         findings) in PROJECTS:  # fmt: skip
        start = max(today - timedelta(days=ago), campaign.start_date)
        end = min(start + timedelta(days=length), today)
        project = services.project_create(
            campaign=campaign,
            unit=units[unit_code],
            lead=org.users[lead_name],
            actor=None,
            topic=topic,
            focus=focus,
            method=method,
            start_date=start,
            end_date=end,
            sites=sites,
            state=ProjectState.DONE if end < today else ProjectState.UNDER_WAY,
            notes="",
            participants=[org.users["office"]] if unit_code == "JZ" else [],
        )
        projects.append(project)
        for kind, unit_concerned, description, outcome in findings:
            finding = services.finding_create(
                project=project,
                actor=None,
                kind=kind,
                description=description,
                unit=units[unit_concerned],
            )
            if outcome == "problem" and with_problems:
                services.finding_to_problem(
                    finding=finding,
                    actor=None,
                    category=rng.choice(["服务群众", "担当作为", "推动发展"]),
                    deadline=today + timedelta(days=rng.randint(20, 80)),
                    discovered_on=end,
                )
            elif outcome.startswith("solved:"):
                services.finding_mark_solved(
                    finding=finding, actor=None, how=outcome[7:], solved_on=today
                )
    for lead_name, index, title, state in REPORTS:
        project = projects[index]
        services.report_create(
            campaign=campaign,
            projects=[project],
            author=org.users[lead_name],
            actor=None,
            title=title,
            written_on=min(project.end_date + timedelta(days=3), today),
            body=REPORT_BODY,
            state=state,
        )
    services.decision_create(
        campaign=campaign,
        unit=units["JZ"],
        actor=None,
        title="关于推行村级便民服务站延时服务的决定",
        decided_on=today - timedelta(days=rng.randint(1, 10)),
        body="根据调研发现的问题，全市村级便民服务站推行工作日延时服务和周末轮值。",
        projects=[projects[0]],
        reports=list(projects[0].reports.all()),
    )
    services.decision_create(
        campaign=campaign,
        unit=units["JZ-JB"],
        actor=None,
        title="关于调整城中村改造补偿宣传方式的决定",
        decided_on=today - timedelta(days=5),
        body="组织工作专班入户宣传补偿政策。",
        projects=[projects[3]],
    )
    if not Decision.objects.filter(campaign=campaign, projects__isnull=True).exists():
        services.decision_create(
            campaign=campaign,
            unit=units["JZ-NH"],
            actor=None,
            title="关于新建县城停车场的决定",
            decided_on=today - timedelta(days=3),
            body="在县城东区新建公共停车场一处。",
        )
