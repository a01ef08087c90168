"""Demo problem list for the demo city: every state and source, measures with progress,
evidence, overdue and stale problems, problems needing a special plan (some with one),
and a few long-term mechanisms. Running it again changes nothing.

A branch's problems are kept by its secretary, who is their responsible leader; a problem
of a whole bureau (its policy, its services) is filed at the bureau's party group by its
leadership-group office, led by the bureau's head. The office on the nearest unit above
verifies (销号)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from campaign.models import Campaign
from rectification import rules, services
from rectification.models import MeasureState, MechanismKind, Problem, ProblemSource, ProblemType

from .org import DemoOrg, keeper_of, office_above

# A one-page PDF: the evidence attached to finished measures.
EVIDENCE_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


@dataclass
class DemoProblem:
    unit: str
    source: str
    category: str
    description: str
    type: str
    measures: list[str]
    # where it ends: draft, started, submitted, closed, returned, withdrawn
    end: str
    found_days_ago: int = 40
    deadline_in_days: int | None = 45
    mass_concern: bool = False
    long_unresolved: bool = False
    leader: str = ""
    person: str = ""
    progress: list[tuple[int, str]] = field(default_factory=list)  # (days ago, text)
    reason: str = ""


S = ProblemSource
T = ProblemType

PROBLEMS: list[DemoProblem] = [
    DemoProblem(
        "JZ-JB-HX-01",
        S.SELF_REVIEW,
        "理论学习",
        "支部理论学习以读文件、念报纸为主，学用脱节，结合社区治理实际研讨不够。",
        T.DEADLINE,
        ["制定支部年度学习计划，每月开展一次专题研讨", "建立党员学习笔记季度检查制度"],
        "started",
        50,
        40,
        leader="赵丽华",
        person="支部组织委员",
        progress=[(20, "已制定学习计划并开展第一次专题研讨"), (6, "完成第三季度学习笔记检查")],
    ),
    DemoProblem(
        "JZ-JB-HX-01",
        S.OPINIONS,
        "服务群众",
        "群众反映滨江小区夜间路灯损坏多处，长期无人维修，出行不便。",
        T.IMMEDIATE,
        ["联系街道城管科当日完成路灯抢修"],
        "closed",
        12,
        2,
        leader="赵丽华",
        person="社区网格员",
        progress=[(10, "已完成全部12处路灯维修")],
    ),
    DemoProblem(
        "JZ-JB-HX-01",
        S.PETITION,
        "服务群众",
        "老旧小区停车难、乱停车问题群众反映强烈，多年来反复投诉未得到根本解决。",
        T.DEADLINE,
        ["摸排小区车位和车辆底数", "协调周边单位错时共享停车位", "施划临时停车位并引入物业管理"],
        "started",
        70,
        60,
        mass_concern=True,
        long_unresolved=True,
        leader="赵丽华",
        person="社区居委会主任",
        progress=[(30, "完成车位和车辆底数摸排"), (9, "已与两家单位签订错时停车协议")],
    ),
    DemoProblem(
        "JZ-JB-HX-02",
        S.SUPERIOR,
        "工作作风",
        "会议多、文件多，基层填表报数负担重，存在以文件落实文件现象。",
        T.DEADLINE,
        ["精简社区各类台账，合并同类报表", "建立报表准入清单"],
        "submitted",
        60,
        20,
        leader="刘洋",
        person="支部副书记",
        progress=[(25, "台账由36本精简为12本"), (8, "报表准入清单已印发")],
    ),
    DemoProblem(
        "JZ-JB-HX-02",
        S.GUIDANCE_GROUP,
        "基层党建",
        "“三会一课”记录不规范，部分党员组织生活会批评与自我批评辣味不足。",
        T.ONGOING,
        ["规范组织生活记录模板", "支部书记带头开展批评与自我批评"],
        "started",
        90,
        None,
        leader="刘洋",
        person="支部组织委员",
        progress=[(52, "已统一组织生活记录模板")],
    ),
    DemoProblem(
        "JZ-JB-HX-03",
        S.SELF_REVIEW,
        "能力本领",
        "机关干部运用数字化手段服务群众的能力不足，线上办事指引不清。",
        T.DEADLINE,
        ["组织数字化办公专题培训", "编写线上办事图解指引"],
        "returned",
        55,
        25,
        leader="何静",
        person="街道党政办主任",
        progress=[(20, "完成两期专题培训"), (5, "办事指引初稿完成")],
        reason="办事指引尚未向群众公开发放，佐证材料不足，请补充后再申请销号。",
    ),
    DemoProblem(
        "JZ-JB-DS-01",
        S.RESEARCH,
        "推动发展",
        "村集体经济收入来源单一，特色桃产业链条短，带动群众增收能力弱。",
        T.DEADLINE,
        ["引进农产品加工企业延长产业链", "开设桃产品电商直播销售渠道"],
        "started",
        80,
        -5,
        leader="马春生",
        person="村委会主任",
        progress=[(40, "已与一家加工企业开展洽谈")],
    ),
    DemoProblem(
        "JZ-JB-DS-01",
        S.SUPERVISION,
        "工作作风",
        "村务公开栏内容更新不及时，部分惠民资金公示缺失。",
        T.IMMEDIATE,
        ["当日更新村务公开栏并补齐惠民资金公示"],
        "closed",
        18,
        3,
        leader="马春生",
        person="村务监督委员会主任",
        progress=[(17, "已完成更新和补充公示")],
    ),
    DemoProblem(
        "JZ-JB-DS-02",
        S.OPINIONS,
        "服务群众",
        "石桥村饮用水管网老化，夏季多次停水，群众意见大，问题已持续多年。",
        T.DEADLINE,
        ["申请农村供水管网改造项目", "分段实施管网更换"],
        "started",
        65,
        75,
        mass_concern=True,
        long_unresolved=True,
        leader="罗永红",
        person="村委会主任",
        progress=[(33, "改造项目已列入区级计划")],
    ),
    DemoProblem(
        "JZ-JB-DS-02",
        S.SELF_REVIEW,
        "廉洁自律",
        "个别村干部参与村务工程监督流于形式，工程验收把关不严。",
        T.DEADLINE,
        ["修订村级小微工程管理办法"],
        "draft",
        5,
        30,
        leader="罗永红",
        person="村务监督委员会主任",
    ),
    DemoProblem(
        "JZ-NH-QS-01",
        S.SELF_REVIEW,
        "担当作为",
        "面对乡村振兴中的土地流转矛盾，个别干部怕担责、不敢管，存在推诿现象。",
        T.DEADLINE,
        ["建立土地流转矛盾调处台账", "实行村干部包片负责制"],
        "submitted",
        45,
        15,
        leader="高德明",
        person="村党支部副书记",
        progress=[(30, "调处台账已建立，化解矛盾7起"), (7, "包片负责制已运行")],
    ),
    DemoProblem(
        "JZ-NH-QS-02",
        S.PETITION,
        "服务群众",
        "荷塘村通组道路坑洼不平，雨天泥泞，群众多年反映未能解决。",
        T.DEADLINE,
        ["争取通组道路硬化项目资金", "组织施工并验收"],
        "started",
        75,
        50,
        mass_concern=True,
        long_unresolved=True,
        leader="林秀英",
        person="村委会主任",
        progress=[(60, "已上报项目申请")],
    ),
    DemoProblem(
        "JZ-NH-QS-02",
        S.SELF_REVIEW,
        "其他",
        "村级财务报账资料归档不全。",
        T.DEADLINE,
        ["补齐近三年报账资料"],
        "withdrawn",
        30,
        30,
        leader="林秀英",
        person="村报账员",
        reason="经核实与县审计反馈问题重复，并入第1号问题整改。",
    ),
    DemoProblem(
        "JZ-NH-ZX-01",
        S.GUIDANCE_GROUP,
        "理论学习",
        "教师党员理论学习与教育教学实践结合不紧，学习成果转化不明显。",
        T.ONGOING,
        ["每月开展一次“学思想、促教学”主题党日", "建立学习成果转化案例库"],
        "started",
        100,
        None,
        leader="谢文",
        person="学校党总支组织委员",
        progress=[(45, "完成两次主题党日活动")],
    ),
    DemoProblem(
        "JZ-LS-GX-01",
        S.OPINIONS,
        "推动发展",
        "园区企业反映涉企审批事项多、流程长，营商环境有待优化。",
        T.DEADLINE,
        ["梳理涉企审批事项清单", "推行“一窗受理、并联审批”"],
        "closed",
        70,
        10,
        leader="宋佳",
        person="园区政务服务中心主任",
        progress=[(40, "审批事项由58项压减至31项"), (15, "一窗受理已上线运行")],
    ),
    DemoProblem(
        "JZ-LS-GX-02",
        S.SUPERVISION,
        "工作作风",
        "园区机关对企业诉求响应慢，部分问题“转圈圈”，办理时限超期。",
        T.DEADLINE,
        ["建立企业诉求限时办结制度"],
        "started",
        50,
        -10,
        leader="唐磊",
        person="园区办公室主任",
    ),
    DemoProblem(
        "JZ-JY-01",
        S.SELF_REVIEW,
        "基层党建",
        "支部主题党日活动形式单一，与教育业务结合不紧，部分党员参与积极性不高。",
        T.DEADLINE,
        ["每月主题党日结合一项教育民生实事确定主题", "建立党员参加组织生活情况通报制度"],
        "started",
        35,
        45,
        leader="韩冬梅",
        person="支部组织委员",
        progress=[(14, "已排出下一季度主题党日安排")],
    ),
    DemoProblem(
        "JZ-HB-01",
        S.SELF_REVIEW,
        "理论学习",
        "支部学习存在“集中学一学、会后放一放”现象，党员学习笔记内容雷同。",
        T.DEADLINE,
        ["推行学习笔记季度交流点评", "每季度开展一次学习成果分享会"],
        "closed",
        60,
        20,
        leader="董琳",
        person="支部宣传委员",
        progress=[(30, "完成首次学习笔记交流点评"), (12, "召开学习成果分享会")],
    ),
    DemoProblem(
        "JZ-JY",
        S.SUPERIOR,
        "服务群众",
        "学生课后服务内容单一，家长反映强烈，多年未有明显改进。",
        T.DEADLINE,
        ["引入社会优质资源丰富课后服务", "开展家长满意度调查"],
        "started",
        60,
        40,
        mass_concern=True,
        long_unresolved=True,
        leader="周建华",
        person="基础教育处处长",
        progress=[(20, "已遴选三家课后服务机构")],
    ),
    DemoProblem(
        "JZ-WJ",
        S.OPINIONS,
        "服务群众",
        "市民反映大医院挂号难、检查排队时间长。",
        T.DEADLINE,
        ["推行分时段预约诊疗", "检查结果互认"],
        "submitted",
        40,
        30,
        leader="徐立群",
        person="医政医管处处长",
        progress=[(20, "分时段预约已覆盖全市三甲医院"), (5, "检查结果互认项目增至46项")],
    ),
    DemoProblem(
        "JZ-JT",
        S.RESEARCH,
        "担当作为",
        "农村客运班线覆盖不足，偏远村群众出行不便。",
        T.ONGOING,
        ["推进城乡公交一体化，逐年新增农村班线"],
        "started",
        120,
        None,
        leader="梁振华",
        person="运输管理处处长",
        progress=[(70, "新增农村班线4条"), (10, "本月新开通2条农村客运班线")],
    ),
    DemoProblem(
        "JZ-HB",
        S.PETITION,
        "推动发展",
        "城郊河道黑臭问题群众多次信访，治理反复，长期未根治。",
        T.DEADLINE,
        ["截污纳管", "清淤疏浚", "建立河长巡河制度"],
        "started",
        90,
        90,
        mass_concern=True,
        long_unresolved=True,
        leader="严国平",
        person="水生态环境处处长",
        progress=[(50, "截污纳管工程已开工"), (12, "完成清淤3.2公里")],
    ),
]

PLANS = [
    (
        "JZ-JB-HX-01",
        "滨江社区老旧小区停车难专项整治方案",
        "年底前新增停车位200个以上，乱停车投诉下降80%。",
        "一、成立由支部书记任组长，社区居委会、物业公司和共建单位参加的专项工作组。"
        "\n二、摸排底数、共享车位、施划车位三步走。"
        "\n三、每两周向居民代表通报进展。",
        ["完成车位底数摸排", "签订错时共享停车协议", "施划临时停车位并验收"],
        "老旧小区停车难",
    ),
    (
        "JZ-HB",
        "城郊河道黑臭水体专项整治方案",
        "明年汛期前消除黑臭，水质稳定达到地表水Ⅴ类。",
        "一、实行一河一策。\n二、截污、清淤、生态修复同步推进。\n三、建立长效巡河机制。",
        ["截污纳管完工", "清淤疏浚完工", "第三方水质检测"],
        "河道黑臭",
    ),
]

MECHANISMS = [
    ("JZ-JB-HX-01", "社区群众诉求“接诉即办”工作机制", MechanismKind.MECHANISM, 25, "路灯"),
    ("JZ-JB-HX-02", "社区报表准入管理办法", MechanismKind.MEASURE, 8, "填表报数"),
    ("JZ-LS-GX-01", "园区涉企审批事项清单动态管理制度", MechanismKind.RULE, 14, "审批"),
    ("JZ-JY", "课后服务质量评价标准", MechanismKind.STANDARD, 10, "课后服务"),
]


def _evidence(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, EVIDENCE_PDF, content_type="application/pdf")


@transaction.atomic
def seed(*, org: DemoOrg, campaign: Campaign, rng: random.Random, today: date) -> None:
    if Problem.objects.filter(campaign=campaign, source=ProblemSource.SELF_REVIEW).exists():
        return
    org = org.refreshed()
    entered = [(spec, _problem(org, campaign, spec, rng, today)) for spec in PROBLEMS]
    by_text = {p.description: p for _spec, p in entered}
    for unit_code, title, goal, body, milestones, topic in PLANS:
        unit = org.units[unit_code]
        author = org.users[keeper_of(unit_code)]
        linked = [p for text, p in by_text.items() if topic[:4] in text or topic in text]
        plan = services.special_plan_create(
            campaign=campaign,
            unit=unit,
            actor=author,
            title=title,
            goal=goal,
            body=body,
            problems=linked,
            milestones=[
                services.MilestoneInput(title=m, due_on=today + timedelta(days=20 * (i + 1) - 30))
                for i, m in enumerate(milestones)
            ],
        )
        first = plan.milestones.order_by("due_on").first()
        if first is not None:
            services.milestone_mark_done(
                milestone=first, actor=author, done_on=today - timedelta(days=5)
            )
    for unit_code, title, kind, days_ago, topic in MECHANISMS:
        unit = org.units[unit_code]
        actor = org.users[keeper_of(unit_code)]
        linked = [
            p for text, p in by_text.items() if topic in text and p.unit.path.startswith(unit.path)
        ]
        services.mechanism_create(
            campaign=campaign,
            unit=unit,
            actor=actor,
            title=title,
            kind=kind,
            issued_on=today - timedelta(days=days_ago),
            description=f"针对“{topic}”问题建立，明确责任分工、办理时限和监督考核。",
            problems=linked,
        )
    # Plans and mechanisms first: a problem that needs one starts or closes only with it.
    for spec, problem in entered:
        _advance(org, spec, problem, rng, today)


def _problem(
    org: DemoOrg, campaign: Campaign, spec: DemoProblem, rng: random.Random, today: date
) -> Problem:
    unit = org.units[spec.unit]
    author = org.users[keeper_of(spec.unit)]
    discovered = today - timedelta(days=spec.found_days_ago)
    deadline = (
        None
        if spec.type == ProblemType.ONGOING or spec.deadline_in_days is None
        else max(discovered, today + timedelta(days=spec.deadline_in_days))
    )
    problem = services.problem_create(
        campaign=campaign,
        unit=unit,
        actor=author,
        description=spec.description,
        source=spec.source,
        category=spec.category,
        discovered_on=discovered,
        type=spec.type,
        deadline=deadline,
        responsible_leader_name=spec.leader,
        responsible_unit_name=unit.name,
        responsible_person_name=spec.person,
        mass_concern=spec.mass_concern,
        long_unresolved=spec.long_unresolved,
    )
    for text in spec.measures:
        services.measure_add(
            problem=problem,
            actor=author,
            description=text,
            responsible_person_name=spec.person,
            deadline=deadline,
        )
    return problem


def _advance(
    org: DemoOrg, spec: DemoProblem, problem: Problem, rng: random.Random, today: date
) -> Problem:
    """Take an entered problem as far as its story goes."""
    author = org.users[keeper_of(spec.unit)]
    verifier = org.users[office_above(spec.unit)]
    discovered = problem.discovered_on
    measures = list(problem.measures.order_by("order", "pk"))
    if spec.end == "draft":
        return problem
    if spec.end != "withdrawn" and rules.problem_plan_refusal(problem):
        return problem  # still waiting for its special plan (the office sees the flag)
    if spec.end == "withdrawn":
        services.problem_withdraw(problem=problem, actor=author, reason=spec.reason)
        return problem
    services.problem_start(problem=problem, actor=author)
    for days_ago, text in spec.progress:
        for measure in measures:
            services.progress_note_add(
                measure=measure,
                actor=author,
                text=text,
                noted_on=max(discovered, today - timedelta(days=days_ago)),
            )
    if spec.end == "started":
        if measures and len(measures) > 1:
            services.measure_set_state(
                measure=measures[0],
                actor=author,
                state=MeasureState.DONE,
                completed_on=today - timedelta(days=rng.randint(1, 5)),
            )
        return problem
    for number, measure in enumerate(measures, start=1):
        services.measure_set_state(
            measure=measure,
            actor=author,
            state=MeasureState.DONE,
            completed_on=today - timedelta(days=min(spec.found_days_ago, 3)),
        )
        services.evidence_add(
            measure=measure, actor=author, upload=_evidence(f"整改佐证材料{number}.pdf")
        )
    if rules.problem_mechanism_refusal(problem):
        return problem  # a 长期坚持 problem waits for its long-term mechanism
    services.problem_submit_for_closing(problem=problem, actor=author, note="各项措施已完成")
    if spec.end == "closed":
        services.problem_close(
            problem=problem,
            actor=verifier,
            note="经核查，整改到位，同意销号。",
            satisfaction=services.Satisfaction(
                method="visit", result="satisfied", note="走访相关群众，均表示满意。"
            ),
        )
    elif spec.end == "returned":
        services.problem_return(problem=problem, actor=verifier, reason=spec.reason)
    return problem
