"""专题民主生活会 / 专题组织生活会: the meeting as a record, its 班子 and 个人 problems in the
unit's problem list (through the rectification services and rules) and ledger, and the
office's view of who has held theirs."""

from __future__ import annotations

from datetime import date
from io import BytesIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from campaign import services
from campaign.models import MeetingKind, ReviewMeeting
from rectification import services as problem_services
from rectification.choices import ProblemScope, ProblemSource, ProblemState
from rectification.ledger_export import export_unit_ledger
from rectification.models import Problem

pytestmark = pytest.mark.django_db


def _material() -> SimpleUploadedFile:
    return SimpleUploadedFile("检视剖析材料.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")


@pytest.fixture(autouse=True)
def categories(campaign):
    campaign.problem_categories = ["理论学习", "工作作风", "联系群众"]
    campaign.save(update_fields=["problem_categories"])


@pytest.fixture
def meeting(campaign, tree, people):
    return services.meeting_create(
        actor=people.secretary_a,
        campaign=campaign,
        unit=tree.branch_a1,
        held_on=date(2026, 11, 18),
        participants="张建国、李秀英、王志强、刘芳",
        guidance="县委组织部 陈主任",
        files=[_material()],
        today=date(2026, 11, 20),
    )


def test_the_kind_follows_the_unit(meeting, campaign, tree, people):
    assert meeting.kind == MeetingKind.ORGANISATIONAL_LIFE
    assert meeting.attachments.get().get_kind_display() == "检视剖析材料"
    county = services.meeting_create(
        actor=people.county_office,
        campaign=campaign,
        unit=tree.county_a,
        held_on=date(2026, 11, 19),
        participants="县委常委班子成员",
        today=date(2026, 11, 20),
    )
    assert county.kind == MeetingKind.DEMOCRATIC_LIFE
    with pytest.raises(ValidationError) as excinfo:
        services.meeting_create(
            actor=people.secretary_a,
            campaign=campaign,
            unit=tree.branch_a1,
            held_on=date(2026, 11, 21),
            participants="",
            today=date(2026, 11, 20),
        )
    assert {"held_on", "participants"} <= set(excinfo.value.message_dict)
    with pytest.raises(PermissionDenied):
        services.meeting_create(
            actor=people.secretary_b,
            campaign=campaign,
            unit=tree.branch_a1,
            held_on=date(2026, 11, 18),
            participants="x",
        )


def test_individual_problems_go_through_the_rules(meeting, people):
    def enter(**fields):
        return problem_services.problem_create(
            campaign=meeting.campaign,
            unit=meeting.unit,
            actor=people.secretary_a,
            description="理论学习不够深入",
            source=ProblemSource.MEETING,
            category=meeting.campaign.problem_categories[0],
            discovered_on=meeting.held_on,
            meeting=meeting,
            **fields,
        )

    with pytest.raises(ValidationError) as excinfo:
        enter(scope=ProblemScope.INDIVIDUAL)  # whose?
    assert "responsible_person_name" in excinfo.value.message_dict
    with pytest.raises(ValidationError):
        enter(scope="")
    assert not Problem.objects.exists()
    problem = enter(scope=ProblemScope.INDIVIDUAL, responsible_person_name="王志强")
    assert (problem.state, problem.meeting, problem.number) == (ProblemState.DRAFT, meeting, 1)


def test_a_meeting_with_individual_problems_shows_them_in_the_branch_ledger(
    use_campaign, campaign, tree, people, meeting
):
    client = use_campaign(people.secretary_a)
    url = reverse("campaign:meeting-problem-add", args=[meeting.pk])
    category = campaign.problem_categories[0]
    lines = [
        ("individual", "王志强", "学习党的创新理论满足于读原文，联系实际不够"),
        ("individual", "刘芳", "联系服务群众不够经常，入户走访次数少"),
        ("collective", "", "支部组织生活质量不高，主题党日形式单一"),
    ]
    for scope, person, text in lines:
        response = client.post(
            url,
            {
                "scope": scope,
                "responsible_person_name": person,
                "category": category,
                "description": text,
                "type": "deadline",
                "deadline": "2026-12-31",
            },
        )
        assert response.status_code == 302, response.content.decode()[:2000]
    refused = client.post(
        url, {"scope": "individual", "category": category, "description": "x", "type": "deadline"}
    )
    assert refused.status_code == 400
    assert "请写明是哪位党员的问题" in refused.content.decode()

    page = client.get(reverse("campaign:meeting-detail", args=[meeting.pk])).content.decode()
    assert "王志强：学习党的创新理论" in page and "支部组织生活质量不高" in page

    problems = Problem.objects.filter(meeting=meeting).order_by("number")
    assert [(p.scope, p.responsible_person_name) for p in problems] == [
        ("individual", "王志强"),
        ("individual", "刘芳"),
        ("collective", ""),
    ]
    assert all(p.unit == tree.branch_a1 and p.source == "meeting" for p in problems)

    target = BytesIO()
    export_unit_ledger(campaign=campaign, unit=tree.branch_a1, target=target)
    sheet = load_workbook(BytesIO(target.getvalue())).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)][2:]
    header = [c.value for c in sheet[2]]
    described = {
        row[header.index("问题描述")]: (
            row[header.index("问题来源")],
            row[header.index("责任人")],
        )
        for row in rows
    }
    assert described["学习党的创新理论满足于读原文，联系实际不够"] == ("专题生活会查摆", "王志强")
    assert described["联系服务群众不够经常，入户走访次数少"] == ("专题生活会查摆", "刘芳")
    assert "支部组织生活质量不高，主题党日形式单一" in described


def test_the_office_sees_who_has_held_theirs(use_campaign, campaign, tree, people, meeting):
    client = use_campaign(people.county_office)
    page = client.get(reverse("campaign:meeting-list")).content.decode()
    assert f'data-unit="{tree.branch_a1.code}" data-held="1"' in page
    assert f'data-unit="{tree.branch_a2.code}" data-held="0"' in page
    # outside the county office's scope: not listed
    assert tree.branch_b1.code not in page
    assert ReviewMeeting.objects.visible_to(people.secretary_b).count() == 0
