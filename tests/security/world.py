"""A small world of records: the same set in branch A1 and in branch B1.

Every record kind that a URL of the project points at exists once per branch, so a test
can ask for the A1 record as someone of B1 (out of scope) and the other way round.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.models import OrgUnit, PartyMember, RoleAssignment, User
from campaign.models import (
    Activity,
    ActivityAttachment,
    ActivityKind,
    Assignment,
    AssignmentExtension,
    Attendance,
    Campaign,
    DevelopmentAttachment,
    DevelopmentCategory,
    DevelopmentItem,
    DevelopmentMilestone,
    Task,
    TaskNotice,
    Workstream,
)
from core.models import BackgroundJob, JobState
from notifications.models import Delivery, Notification, ReminderLog
from rectification.models import (
    Measure,
    MeasureEvidence,
    Mechanism,
    PlanMilestone,
    Problem,
    ProblemSource,
    ProblemState,
    SpecialPlan,
)
from reports.models import WeeklyReport
from research.models import (
    Decision,
    Finding,
    FindingKind,
    ProjectAttachment,
    ReportDocument,
    ResearchFocus,
    ResearchMethod,
    ResearchProject,
    ResearchReport,
)
from supervision.models import Case, CasePhoto, SupervisionVisit

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
    b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _file(name: str, content: bytes) -> ContentFile:
    return ContentFile(content, name=name)


@dataclass
class Side:
    """The records of one branch, by the keys the permission table uses."""

    unit: OrgUnit
    records: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Any:
        return self.records[key]


@dataclass
class World:
    campaign: Campaign
    a: Side
    b: Side


def _side(campaign: Campaign, unit: OrgUnit, secretary: User, n: int) -> Side:
    side = Side(unit)
    r = side.records
    r["unit"] = unit
    r["user"] = secretary
    r["role"] = RoleAssignment.objects.get(user=secretary, unit=unit)
    task = Task.objects.create(
        campaign=campaign,
        issuer=unit,
        workstream=Workstream.STUDY,
        title=f"任务{n}",
        due_date=date(2026, 12, 15),
    )
    r["task"] = task
    r["assignment"] = Assignment.objects.create(task=task, unit=unit, due_date=date(2026, 12, 15))
    r["assignment_extension"] = AssignmentExtension.objects.create(
        assignment=r["assignment"],
        old_due_date=date(2026, 12, 15),
        new_due_date=date(2026, 12, 31),
        reason="需要延期",
        requested_by=secretary,
    )
    r["task_notice"] = TaskNotice.objects.create(
        task=task, file=_file("notice.pdf", PDF), original_name="notice.pdf", size=len(PDF)
    )
    activity = Activity.objects.create(
        campaign=campaign,
        unit=unit,
        kind=ActivityKind.GROUP_STUDY,
        held_on=date(2026, 11, 10),
        place="党群服务中心",
        participants=10,
        hours=Decimal("2.0"),
        summary=f"集中学习{n}",
    )
    r["activity"] = activity
    member = PartyMember.objects.create(unit=unit, name=f"党员{n}")
    r["party_member"] = member
    r["attendance"] = Attendance.objects.create(
        activity=activity, person=member, present=False, absence_reason="外出务工"
    )
    r["activity_attachment"] = ActivityAttachment.objects.create(
        activity=activity, file=_file("photo.png", PNG), original_name="photo.png", size=len(PNG)
    )
    item = DevelopmentItem.objects.create(
        campaign=campaign,
        unit=unit,
        category=DevelopmentCategory.LIVELIHOOD,
        title=f"民生实事{n}",
        target="年内完成",
        due_date=date(2026, 12, 31),
    )
    r["development"] = item
    r["development_milestone"] = DevelopmentMilestone.objects.create(
        item=item, title="节点", due_on=date(2026, 11, 30)
    )
    r["development_attachment"] = DevelopmentAttachment.objects.create(
        item=item, file=_file("plan.pdf", PDF), original_name="plan.pdf", size=len(PDF)
    )
    from campaign.models import MeetingAttachment, ReviewMeeting
    from reports.models import Bulletin

    r["member"] = member
    meeting = ReviewMeeting.objects.create(
        campaign=campaign,
        unit=unit,
        kind="organisational_life",
        held_on=date(2026, 11, 12),
        participants="全体党员",
    )
    r["meeting"] = meeting
    r["meeting_attachment"] = MeetingAttachment.objects.create(
        meeting=meeting, file=_file("review.pdf", PDF), original_name="review.pdf", size=len(PDF)
    )
    bulletin = Bulletin(
        campaign=campaign,
        unit=unit,
        number=1,
        period_start=date(2026, 11, 9),
        period_end=date(2026, 11, 15),
        final_name="final.pdf",
    )
    bulletin.draft.save("draft.docx", ContentFile(PDF), save=False)
    bulletin.final.save("final.pdf", ContentFile(PDF), save=False)
    bulletin.save()
    r["bulletin"] = bulletin
    project = ResearchProject.objects.create(
        campaign=campaign,
        unit=unit,
        lead=secretary,
        topic=f"调研{n}",
        focus=ResearchFocus.OBSTRUCTION,
        method=ResearchMethod.ONSITE,
        start_date=date(2026, 10, 10),
        end_date=date(2026, 10, 12),
    )
    r["project"] = project
    r["project_attachment"] = ProjectAttachment.objects.create(
        project=project, file=_file("notes.pdf", PDF), original_name="notes.pdf", size=len(PDF)
    )
    report = ResearchReport.objects.create(
        campaign=campaign,
        unit=unit,
        title=f"调研报告{n}",
        author=secretary,
        written_on=date(2026, 11, 1),
    )
    report.projects.add(project)
    r["research_report"] = report
    r["report_document"] = ReportDocument.objects.create(
        report=report, file=_file("report.pdf", PDF), original_name="report.pdf", size=len(PDF)
    )
    r["finding"] = Finding.objects.create(
        project=project, unit=unit, kind=FindingKind.PROBLEM, description="便民服务站开放时间短"
    )
    r["suggestion"] = Finding.objects.create(
        project=project,
        report=report,
        unit=unit,
        kind=FindingKind.SUGGESTION,
        description="建议推行周末轮值",
    )
    r["decision"] = Decision.objects.create(
        campaign=campaign,
        unit=unit,
        title="决定",
        decided_on=date(2026, 11, 10),
        body="推行延时服务",
    )
    problem = Problem.objects.create(
        campaign=campaign,
        unit=unit,
        number=n,
        category="理论学习",
        source=ProblemSource.SELF_REVIEW,
        description="理论学习流于形式",
        discovered_on=date(2026, 11, 1),
        deadline=date(2026, 12, 31),
        state=ProblemState.DRAFT,
    )
    r["problem"] = problem
    measure = Measure.objects.create(problem=problem, description="建立学习台账")
    r["measure"] = measure
    r["evidence"] = MeasureEvidence.objects.create(
        measure=measure,
        file=_file("evidence.pdf", PDF),
        original_name="evidence.pdf",
        size=len(PDF),
    )
    plan = SpecialPlan.objects.create(campaign=campaign, unit=unit, title="专项整治", goal="目标")
    r["plan"] = plan
    from rectification.models import ExtensionRequest, SatisfactionCheck
    from supervision.models import GuidanceNote

    r["extension"] = ExtensionRequest.objects.create(
        problem=problem,
        old_type=problem.type,
        old_deadline=problem.deadline,
        new_type=problem.type,
        new_deadline=date(2027, 1, 31),
        reason="需要延期",
        requested_by=secretary,
    )
    check = SatisfactionCheck(
        problem=problem,
        method=SatisfactionCheck._meta.get_field("method").choices[0][0],
        result=SatisfactionCheck._meta.get_field("result").choices[0][0],
    )
    check.document.save("survey.pdf", ContentFile(PDF), save=False)
    check.document_name = "survey.pdf"
    check.save()
    r["satisfaction"] = check
    guidance = GuidanceNote(campaign=campaign, unit=unit, given_on=date(2026, 11, 12), text="意见")
    guidance.document.save("guidance.pdf", ContentFile(PDF), save=False)
    guidance.document_name = "guidance.pdf"
    guidance.save()
    r["guidance"] = guidance
    plan.document.save("plan.pdf", ContentFile(PDF), save=False)
    plan.document_name = "plan.pdf"
    plan.save()
    r["plan_milestone"] = PlanMilestone.objects.create(plan=plan, title="节点")
    r["mechanism"] = Mechanism.objects.create(
        campaign=campaign,
        unit=unit,
        title="制度",
        kind=Mechanism._meta.get_field("kind").choices[0][0],
        issued_on=date(2026, 11, 20),
    )
    mechanism = r["mechanism"]
    mechanism.document.save("mechanism.pdf", ContentFile(PDF), save=False)
    mechanism.document_name = "mechanism.pdf"
    mechanism.save()
    visit = SupervisionVisit.objects.create(
        campaign=campaign, unit=unit, visited_on=date(2026, 11, 5), visitors="督导组"
    )
    r["visit"] = visit
    case = Case.objects.create(
        campaign=campaign,
        unit=unit,
        title="案例",
        summary="摘要",
        body="正文",
        submitted_at=timezone.make_aware(datetime(2026, 11, 20, 10)),
    )
    r["case"] = case
    r["case_photo"] = CasePhoto.objects.create(
        case=case, file=_file("case.png", PNG), original_name="case.png", size=len(PNG)
    )
    r["notification"] = Notification.objects.create(
        recipient=secretary, title="提醒", kind=Notification._meta.get_field("kind").choices[0][0]
    )
    reminder = ReminderLog.objects.create(
        item_kind=ReminderLog._meta.get_field("item_kind").choices[0][0],
        item_id=problem.pk,
        recipient=secretary,
        kind=ReminderLog._meta.get_field("kind").choices[0][0],
        day=date(2026, 11, 25),
        unit=unit,
        due_date=date(2026, 12, 31),
        title="提醒",
    )
    delivery = Delivery.objects.create(
        channel=Delivery._meta.get_field("channel").choices[0][0],
        unit=unit,
        target="13800000000",
        day=date(2026, 11, 25),
    )
    delivery.reminders.add(reminder)
    r["delivery"] = delivery
    job = BackgroundJob.objects.create(
        kind="ledger_export",
        unit=unit,
        requested_by=secretary,
        state=JobState.DONE,
        file_name="台账.xlsx",
    )
    job.file.save("ledger.xlsx", ContentFile(b"PK\x03\x04xlsx"), save=True)
    r["job"] = job
    r["import_job"] = BackgroundJob.objects.create(
        kind="ledger_import",
        unit=unit,
        requested_by=secretary,
        state=JobState.DONE,
        params={"campaign": campaign.pk, "file_name": "台账.xlsx", "upload": ""},
        result={"ok": True, "written": False, "error_count": 0, "errors": [],
                "problem_count": 1, "measure_count": 1, "linked_count": 0, "problems": []},
    )  # fmt: skip
    weekly = WeeklyReport.objects.create(
        campaign=campaign, unit=unit, week="2026-W48", state=JobState.DONE
    )
    weekly.file.save("weekly.pdf", ContentFile(PDF), save=True)
    r["weekly_report"] = weekly
    return side


def build_world(tree: Any, people: Any) -> World:
    campaign = Campaign.objects.create(
        name="主题教育",
        root_unit=tree.city,
        start_date=date(2026, 9, 1),
        end_date=date(2027, 1, 31),
        problem_categories=["理论学习", "工作作风", "其他"],
    )
    world = World(
        campaign=campaign,
        a=_side(campaign, tree.branch_a1, people.secretary_a, 1),
        b=_side(campaign, tree.branch_b1, people.secretary_b, 2),
    )
    # An organisation import is its office's own: A's by the county office, B's by the city.
    for side, unit, office in (
        (world.a, tree.county_a, people.county_office),
        (world.b, tree.city, people.city_office),
    ):
        side.records["org_job"] = BackgroundJob.objects.create(
            kind="org_import",
            unit=unit,
            requested_by=office,
            state=JobState.DONE,
            params={"file_name": "org.xlsx", "upload": "", "private": True},
            result={"ok": True, "error_count": 0, "errors": [], "units_created": 1},
        )
    return world
