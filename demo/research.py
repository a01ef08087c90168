"""Demo research for the leaders of the demo city: some quarters done, some missing."""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.db import transaction

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

# author, index of the project, title, state, body: each report tells of its own research
REPORTS: list[tuple[str, int, str, str, str]] = [
    (
        "leader",
        0,
        "关于基层党组织服务群众“最后一公里”的调研报告",
        ReportState.SUBMITTED,
        """# 一、基本情况
按照市委主题教育安排，调研组到江北区河西街道滨江社区、东升镇桃园村蹲点三天，同社区网格员、村便民服务站工作人员和群众代表座谈，入户走访群众42户，查阅服务台账和群众诉求记录。

# 二、存在的主要问题
一是服务阵地开放时间与群众需求不匹配。桃园村便民服务站工作日白天开放，外出务工群众下班后办不成事，社保认证、证明开具等事项仍需往返镇里。
二是网格力量不足。滨江社区网格员身兼多职，入户走访频次不够，群众诉求多靠电话反映。
三是诉求办理缺少闭环。区、街道、社区之间转办的诉求没有统一台账，群众不知道办到了哪一步。

# 三、对策建议
（一）推行村级便民服务站延时服务和周末轮值，常办事项下放到村（社区）办理。
（二）按户数配齐专职网格员，每月入户走访全覆盖。
（三）建立区、街道、社区三级民生诉求快速响应机制，诉求一个台账登记、限时办结、结果公开。""",
    ),
    (
        "city_leader2",
        2,
        "关于破解审批“中梗阻”优化营商环境的调研报告",
        ReportState.DRAFT,
        """# 一、基本情况
调研组到市政务服务中心和临山县高新园区，跟踪了12家企业的开办和项目审批过程，召开企业座谈会两场，听取部门窗口和企业负责人的意见。

# 二、存在的主要问题
一是材料重复提交。企业开办涉及市场监管、税务、社保等多个部门，同一份材料平均要交三次。
二是并联审批落实不到位。项目审批名义上并联办理，实际仍按部门先后流转，环节之间等待时间长。
三是园区与部门衔接不畅。园区代办员对部门要求掌握不准，材料退补多。

# 三、对策建议
（一）推行“一窗受理、一次办结”，部门间共享企业已提交的材料，企业开办压缩至1个工作日。
（二）明确并联审批的牵头部门和时限，超时默认进入下一环节。
（三）部门业务骨干定期到园区坐班，带教代办员。""",
    ),
    (
        "jb_leader",
        3,
        "关于城中村改造群众诉求的调研报告",
        ReportState.SUBMITTED,
        """# 一、基本情况
区委调研组到河西街道柳岸社区和街道机关，召开居民代表、楼栋长座谈会三场，走访拆迁户和租户36户，梳理了近一年群众来信来电反映的改造诉求。

# 二、群众反映集中的问题
一是补偿政策宣传不到位。群众对补偿标准、安置房源和过渡期安排了解不多，疑虑较多。
二是租户和老年居民诉求关注不够。租户搬迁时间紧，老年居民担心安置房楼层和配套。
三是征求意见的渠道单一，意见反馈不及时。

# 三、对策建议
（一）组织工作专班入户宣讲补偿政策，一户一册讲清楚标准和时间表。
（二）安置房分配优先照顾高龄和行动不便居民，为租户搬迁留足过渡期。
（三）在社区设立改造意见收集点，每两周公开一次意见办理情况。""",
    ),
]


@transaction.atomic
def seed(*, org: DemoOrg, campaign: Campaign, rng: random.Random, today: date) -> None:
    """Create the demo research once; running it again changes nothing."""
    if ResearchProject.objects.filter(campaign=campaign).exists():
        return
    from research.services import problem_service_ready

    with_problems = problem_service_ready()
    units = org.refreshed().units
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
    for lead_name, index, title, state, body in REPORTS:
        project = projects[index]
        services.report_create(
            campaign=campaign,
            projects=[project],
            author=org.users[lead_name],
            actor=None,
            title=title,
            written_on=min(project.end_date + timedelta(days=3), today),
            body=body,
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
