"""The city's research: projects by its leaders, reports, findings and decisions."""

from __future__ import annotations

from datetime import date, timedelta

from demo.bulk import bulk_create_with_history
from research.models import (
    Decision,
    Finding,
    FindingKind,
    ProjectState,
    ReportState,
    ResearchFocus,
    ResearchMethod,
    ResearchProject,
    ResearchReport,
)

from .base import CityData, county_prefix, day_between

# topic, what the research found, what it proposes, what was decided on it
RESEARCH_TOPICS: list[tuple[str, str, str, str]] = [
    (
        "村级集体经济发展路径",
        "部分村集体经济收入依赖土地租金，缺少稳定的经营性收入，产业项目同质化。",
        "盘活闲置资产，推行村企联建，一村一策发展特色产业。",
        "设立村级集体经济发展引导资金，支持薄弱村发展特色产业。",
    ),
    (
        "营商环境优化",
        "企业办事仍需多头跑，涉企检查频次偏高，政策兑现慢。",
        "推行涉企事项一窗通办，统筹涉企检查，政策免申即享。",
        "建立涉企检查统筹备案制度，同一企业同一年度检查原则上不超过两次。",
    ),
    (
        "老旧小区改造",
        "改造项目居民参与不足，加装电梯协调难，改造后缺少长效管理。",
        "改造前逐户征求意见，成立居民议事会，引入物业或居民自治管理。",
        "将老旧小区改造与加装电梯、物业管理同步规划、同步实施。",
    ),
    (
        "基层减负",
        "村（社区）承担的报表台账多，重复填报，督查检查考核频次高。",
        "建立村（社区）工作事项准入制度，精简台账报表，统筹督查检查。",
        "出台村（社区）工作事项清单，清单外事项一律不得转嫁。",
    ),
    (
        "农村人居环境整治",
        "部分村庄垃圾清运不及时，生活污水收集率低，长效管护机制缺失。",
        "落实村庄保洁网格责任，分片推进污水管网建设，建立管护经费保障机制。",
        "将农村人居环境整治纳入乡镇年度考核，实行月度通报。",
    ),
    (
        "民营企业融资难",
        "小微企业缺少抵押物，贷款审批周期长，转贷资金成本高。",
        "扩大政府性融资担保覆盖面，设立应急转贷资金，推广信用贷款。",
        "设立中小微企业应急转贷资金池，降低转贷成本。",
    ),
    (
        "义务教育资源配置",
        "城区学校大班额与乡村学校生源流失并存，乡村教师结构性缺编。",
        "优化学校布局，推行集团化办学，实行教师县管校聘和城乡交流。",
        "推进城乡学校结对集团化办学，城区骨干教师每年到乡村学校交流。",
    ),
    (
        "基层医疗服务能力",
        "乡镇卫生院专业人才不足，常见病诊疗能力弱，群众看病往县城跑。",
        "推进县域医共体建设，上级医院专家下沉坐诊，定向培养基层医生。",
        "县级医院每周派专家到乡镇卫生院坐诊，纳入绩效考核。",
    ),
    (
        "重点项目审批提速",
        "重点项目审批环节多、串联审批时间长，部门间材料重复提交。",
        "推行并联审批和容缺受理，建立重点项目审批专班。",
        "对重点项目实行审批专班全程代办，承诺时限内办结。",
    ),
    (
        "产业园区招商引资",
        "园区主导产业不突出，招商项目落地慢，配套设施不完善。",
        "聚焦主导产业链精准招商，完善标准厂房和人才公寓配套。",
        "制定园区主导产业链招商图谱，建立签约项目落地跟踪机制。",
    ),
    (
        "城乡供水一体化",
        "部分农村供水管网老化，水质保障不稳定，夏季高峰时段断水。",
        "推进城乡供水管网互联互通，实行农村供水统一运维管理。",
        "将农村供水工程纳入城乡供水一体化统一运维。",
    ),
    (
        "信访积案化解",
        "部分信访积案涉及历史遗留问题，责任主体不清，化解周期长。",
        "实行领导包案，一案一专班，依法分类处理并跟踪回访。",
        "对信访积案实行县级领导包案化解，每月调度进展。",
    ),
]
# planted for the office dashboard's panel: the last decision of the first few counties
# cites no research
DECISIONS_WITHOUT_RESEARCH = 4


def report_body(project: ResearchProject, found: str, proposed: str) -> str:
    sites = "、".join(project.site_list)
    return (
        f"# 一、基本情况\n调研组于{project.start_date:%Y年%m月%d日}至"
        f"{project.end_date:%Y年%m月%d日}到{sites}，围绕{project.topic[2:-3]}"
        "同基层干部群众座谈，查阅有关台账资料。\n\n"
        f"# 二、存在的主要问题\n{found}\n\n# 三、对策建议\n{proposed}"
    )


def seed_research(data: CityData) -> None:
    rng = data.rng
    campaign = data.campaign
    assert campaign is not None and data.city is not None
    foci = [f for f, _ in ResearchFocus.choices]
    projects: list[ResearchProject] = []
    themes: list[int] = []  # index into RESEARCH_TOPICS, one per project
    quarters: list[tuple[date, date]] = []
    start = campaign.start_date
    while start <= data.today:
        end = min(start + timedelta(days=80), data.today)
        quarters.append((start, end))
        start = start + timedelta(days=91)
    # a leader visits the branches of his own county (a city leader: any)
    branches_under: dict[str, list[str]] = {}
    for branch in data.branches:
        branches_under.setdefault(county_prefix(data.city, branch.path), []).append(branch.name)
    unit_paths = {u.pk: u.path for u in data.counties}
    all_branches = [b.name for b in data.branches]
    # 1,500 projects over 108 leaders: about 14 each, some quarters left empty
    per_leader = max(1, 1500 // max(1, len(data.leaders)))
    for user_id, unit_id in data.leaders:
        nearby = branches_under.get(unit_paths.get(unit_id, ""), all_branches)
        for k in range(per_leader):
            q_start, q_end = quarters[k % len(quarters)]
            if rng.random() < 0.08:
                continue
            begin = day_between(rng, q_start, q_end)
            theme = rng.randrange(len(RESEARCH_TOPICS))
            themes.append(theme)
            projects.append(
                ResearchProject(
                    campaign=campaign,
                    unit_id=unit_id,
                    lead_id=user_id,
                    topic=f"关于{RESEARCH_TOPICS[theme][0]}的调研",
                    focus=rng.choice(foci),
                    method=rng.choices(
                        [
                            ResearchMethod.ONSITE,
                            ResearchMethod.ONLINE,
                            ResearchMethod.FORUM,
                            ResearchMethod.SURVEY,
                        ],
                        weights=[5, 3, 1, 1],
                    )[0],
                    sites="\n".join(rng.sample(nearby, 2)),
                    start_date=begin,
                    end_date=begin + timedelta(days=rng.randint(1, 7)),
                    state=ProjectState.DONE
                    if begin < data.today - timedelta(days=7)
                    else ProjectState.UNDER_WAY,
                    created_by_id=user_id,
                )
            )
    bulk_create_with_history(ResearchProject, projects)
    reports = []
    findings = []
    # a report on every third project that is done
    reported = [
        (project, theme)
        for project, theme in zip(projects, themes, strict=True)
        if project.state == ProjectState.DONE
    ][::3]
    for project, theme in reported:
        _topic, found, proposed, _decided = RESEARCH_TOPICS[theme]
        reports.append(
            ResearchReport(
                campaign=campaign,
                unit_id=project.unit_id,
                title=f"{project.topic}报告",
                body=report_body(project, found, proposed),
                author_id=project.lead_id,
                written_on=min(project.end_date + timedelta(days=5), data.today),
                state=ReportState.SUBMITTED,
                created_by_id=project.lead_id,
            )
        )
    bulk_create_with_history(ResearchReport, reports)
    for project, theme in zip(projects[::2], themes[::2], strict=True):
        findings.append(
            Finding(
                project=project,
                unit_id=project.unit_id,
                kind=FindingKind.PROBLEM,
                focus=project.focus,
                description=RESEARCH_TOPICS[theme][1],
                created_by_id=project.lead_id,
            )
        )
    bulk_create_with_history(Finding, findings)
    # each county decides on what its own leaders researched
    by_unit: dict[int, list[tuple[ResearchProject, int]]] = {}
    for project, theme in zip(projects, themes, strict=True):
        by_unit.setdefault(project.unit_id, []).append((project, theme))
    decisions: list[Decision] = []
    cited: list[ResearchProject | None] = []
    for c, county in enumerate(data.counties):
        own = by_unit.get(county.pk, [])
        for n in range(5):
            planted = c < DECISIONS_WITHOUT_RESEARCH and n == 4
            basis: ResearchProject | None = None
            if own and not planted:
                basis, theme = rng.choice(own)
            else:
                theme = rng.randrange(len(RESEARCH_TOPICS))
            topic, _found, _proposed, decided = RESEARCH_TOPICS[theme]
            since = min(basis.end_date, data.today) if basis else campaign.start_date
            decisions.append(
                Decision(
                    campaign=campaign,
                    unit=county,
                    title=f"{county.name.removeprefix('中共')}关于{topic}的决定",
                    decided_on=day_between(rng, since, data.today),
                    body=decided,
                )
            )
            cited.append(basis)
    bulk_create_with_history(Decision, decisions)
    through = ResearchReport.projects.through
    through.objects.bulk_create(
        through(researchreport_id=report.pk, researchproject_id=project.pk)
        for report, (project, _theme) in zip(reports, reported, strict=True)
    )
    decision_through = Decision.projects.through
    decision_through.objects.bulk_create(
        decision_through(decision_id=decision.pk, researchproject_id=basis.pk)
        for decision, basis in zip(decisions, cited, strict=True)
        if basis is not None
    )
