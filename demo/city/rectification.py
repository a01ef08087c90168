"""The city's problem lists: five problems in each branch, with their measures."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from demo.bulk import bulk_create_with_history
from demo.rectification import EVIDENCE_PDF
from rectification.models import (
    Measure,
    MeasureEvidence,
    MeasureState,
    Problem,
    ProblemSource,
    ProblemState,
    ProblemType,
)

from .base import CityData, county_prefix, day_between

PROBLEM_TEXTS = [
    "理论学习不够系统深入，满足于读原文、划重点，联系实际思考不够",
    "调查研究走马观花，蹲点调研次数不足，发现问题不够精准",
    "服务群众“最后一公里”不畅通，群众办事仍需多头跑",
    "会议文件多、督查检查多，基层负担较重，存在留痕主义倾向",
    "重点项目推进缓慢，“中梗阻”问题未得到有效解决",
    "村级集体经济薄弱，产业发展缺乏长远规划",
    "老旧小区改造进度滞后，群众反映强烈",
    "农村人居环境整治不彻底，部分村庄垃圾清运不及时",
    "党支部“三会一课”制度落实不严格，组织生活质量不高",
    "干部担当作为不够，遇到难题绕着走、推着办",
    "营商环境仍有短板，审批环节多、时限长",
    "廉政风险点排查不全面，制度执行存在薄弱环节",
]
NO_EVIDENCE_PLANTED = 5
MEASURE_TEXTS = [
    "制定专题学习计划，每月开展一次集中研讨",
    "建立领导干部蹲点调研制度，每季度形成调研报告",
    "梳理办事流程，推行“一窗受理、一次办结”",
    "精简会议文件，统筹合并督查检查事项",
    "成立工作专班，实行清单化管理、挂图作战",
    "引进特色产业项目，壮大村级集体经济",
    "召开居民议事会，制定分批改造计划",
    "建立保洁长效机制，落实网格化管理责任",
    "严格执行“三会一课”制度，建立月度检查通报机制",
    "开展专项督办，限时办结并公开结果",
]


def seed_problems(data: CityData) -> None:
    rng = data.rng
    campaign = data.campaign
    assert campaign is not None
    start, today = campaign.start_date, data.today
    problems: list[Problem] = []
    # 30,000 problems: five in each branch (6,000 branches)
    sources = [s for s, _ in ProblemSource.choices]
    categories = list(campaign.problem_categories)
    # a branch's problem is led by its secretary, or taken on (领办) by a leader of its
    # county (of the city for the departments' branches)
    assert data.city is not None
    leaders_on: dict[int, list[int]] = {}
    for user_id, unit_id in data.leaders:
        leaders_on.setdefault(unit_id, []).append(user_id)
    city_leaders = leaders_on.get(data.city.pk, [])
    county_leaders = {county.path: leaders_on.get(county.pk, []) for county in data.counties}
    for branch in data.branches:
        secretary = data.secretaries.get(branch.pk)
        leader_ids = county_leaders.get(county_prefix(data.city, branch.path)) or city_leaders
        for number in range(1, 6):
            kind = rng.choices(
                [ProblemType.IMMEDIATE, ProblemType.DEADLINE, ProblemType.ONGOING],
                weights=[3, 6, 1],
            )[0]
            state = rng.choices(
                [
                    ProblemState.DRAFT,
                    ProblemState.IN_RECTIFICATION,
                    ProblemState.SUBMITTED,
                    ProblemState.CLOSED,
                    ProblemState.WITHDRAWN,
                ],
                weights=[5, 45, 10, 38, 2],
            )[0]
            discovered = day_between(rng, start, today - timedelta(days=5))
            deadline = None
            if kind == ProblemType.DEADLINE:
                deadline = discovered + timedelta(days=rng.randint(20, 150))
            elif kind == ProblemType.IMMEDIATE:
                deadline = discovered + timedelta(days=rng.randint(1, 10))
            mass = rng.random() < 0.04
            leader = rng.choice(leader_ids) if leader_ids and rng.random() < 0.3 else None
            problems.append(
                Problem(
                    campaign=campaign,
                    unit=branch,
                    number=number,
                    category=rng.choice(categories),
                    source=rng.choice(sources),
                    description=rng.choice(PROBLEM_TEXTS),
                    type=kind,
                    deadline=deadline,
                    responsible_leader_id=leader,
                    responsible_leader_name=data.names.get(leader or secretary or 0, ""),
                    responsible_person_id=secretary,
                    responsible_unit=branch,
                    mass_concern=mass,
                    long_unresolved=mass and rng.random() < 0.6,
                    discovered_on=discovered,
                    state=state,
                    reported_by_id=secretary,
                    last_progress_on=day_between(rng, discovered, today),
                )
            )
    bulk_create_with_history(Problem, problems)
    measures: list[Measure] = []
    of_problem: list[Problem] = []  # the problem of each measure
    for problem in problems:
        for order in range(1, rng.choice((2, 3)) + 1):
            if problem.state in (ProblemState.CLOSED, ProblemState.SUBMITTED):
                measure_state = MeasureState.DONE
            elif problem.state == ProblemState.DRAFT:
                measure_state = MeasureState.NOT_STARTED
            else:
                measure_state = rng.choice(
                    [MeasureState.IN_PROGRESS, MeasureState.DONE, MeasureState.NOT_STARTED]
                )
            measures.append(
                Measure(
                    problem_id=problem.pk,
                    order=order,
                    description=rng.choice(MEASURE_TEXTS),
                    responsible_person_id=problem.responsible_person_id,
                    deadline=problem.deadline,
                    state=measure_state,
                )
            )
            of_problem.append(problem)
            if len(measures) >= 75000:
                break
    bulk_create_with_history(Measure, measures)
    seed_evidence(data, list(zip(measures, of_problem, strict=True)))


def seed_evidence(data: CityData, measures: list[tuple[Measure, Problem]]) -> None:
    """The evidence of every finished measure of the problems submitted for closing or
    closed (the product asks for it before 销号), all pointing at one stored PDF. Planted
    for the dashboard's panel: a few submitted problems without any.

    Built from the records in hand: a join of the fresh tables, not yet analysed inside
    the seed's transaction, is planned as a nested loop and takes a minute."""
    tz = ZoneInfo(settings.TIME_ZONE)
    stored = default_storage.save("rectification/demo/evidence.pdf", ContentFile(EVIDENCE_PDF))
    finished = [
        (measure, problem)
        for measure, problem in measures
        if measure.state == MeasureState.DONE
        and problem.state in (ProblemState.SUBMITTED, ProblemState.CLOSED)
    ]
    submitted = sorted({p.pk for _m, p in finished if p.state == ProblemState.SUBMITTED})
    planted = set(data.rng.sample(submitted, min(NO_EVIDENCE_PLANTED, len(submitted))))
    evidence = [
        MeasureEvidence(
            measure_id=measure.pk,
            file=stored,
            original_name=f"整改佐证材料{measure.order}.pdf",
            size=len(EVIDENCE_PDF),
            uploaded_by_id=problem.reported_by_id,
            uploaded_at=datetime.combine(
                problem.last_progress_on or data.today, time(10), tzinfo=tz
            ),
        )
        for measure, problem in finished
        if problem.pk not in planted
    ]
    bulk_create_with_history(MeasureEvidence, evidence)
