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

from .base import CityData, day_between

RESEARCH_TOPICS = [
    "村级集体经济发展路径",
    "营商环境优化",
    "老旧小区改造",
    "基层减负",
    "农村人居环境整治",
    "民营企业融资难",
    "义务教育资源配置",
    "基层医疗服务能力",
    "重点项目审批提速",
    "产业园区招商引资",
    "城乡供水一体化",
    "信访积案化解",
]


def seed_research(data: CityData) -> None:
    rng = data.rng
    campaign = data.campaign
    assert campaign is not None
    foci = [f for f, _ in ResearchFocus.choices]
    projects = []
    quarters: list[tuple[date, date]] = []
    start = campaign.start_date
    while start <= data.today:
        end = min(start + timedelta(days=80), data.today)
        quarters.append((start, end))
        start = start + timedelta(days=91)
    # 1,500 projects over 108 leaders: about 14 each, some quarters left empty
    per_leader = max(1, 1500 // max(1, len(data.leaders)))
    for user_id, unit_id in data.leaders:
        for k in range(per_leader):
            q_start, q_end = quarters[k % len(quarters)]
            if rng.random() < 0.08:
                continue
            begin = day_between(rng, q_start, q_end)
            projects.append(
                ResearchProject(
                    campaign=campaign,
                    unit_id=unit_id,
                    lead_id=user_id,
                    topic=f"关于{rng.choice(RESEARCH_TOPICS)}的调研",
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
                    sites="\n".join(f"{rng.choice(data.branches).name}" for _ in range(2)),
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
    for project in projects[::3]:
        reports.append(
            ResearchReport(
                campaign=campaign,
                unit_id=project.unit_id,
                title=f"{project.topic}报告",
                body="一、基本情况\n\n二、存在问题\n\n三、对策建议",
                author_id=project.lead_id,
                written_on=min(project.end_date + timedelta(days=5), data.today),
                state=ReportState.SUBMITTED,
                created_by_id=project.lead_id,
            )
        )
    bulk_create_with_history(ResearchReport, reports)
    for project in projects[::2]:
        findings.append(
            Finding(
                project=project,
                unit_id=project.unit_id,
                kind=FindingKind.PROBLEM,
                focus=project.focus,
                description=f"{project.topic}中发现的突出问题",
                created_by_id=project.lead_id,
            )
        )
    bulk_create_with_history(Finding, findings)
    decisions = [
        Decision(
            campaign=campaign,
            unit=county,
            title=f"{county.name.removeprefix('中共')}关于{rng.choice(RESEARCH_TOPICS)}的决定",
            decided_on=day_between(rng, campaign.start_date, data.today),
            body="经研究决定……",
        )
        for county in data.counties
        for _ in range(5)
    ]
    bulk_create_with_history(Decision, decisions)
    through = ResearchReport.projects.through
    through.objects.bulk_create(
        through(researchreport_id=report.pk, researchproject_id=project.pk)
        for report, project in zip(reports, projects[::3], strict=True)
    )
    decision_through = Decision.projects.through
    decision_through.objects.bulk_create(
        decision_through(decision_id=decision.pk, researchproject_id=rng.choice(projects).pk)
        for decision in decisions
        if rng.random() < 0.7
    )
