"""Members in the study: the roll, attendance with reasons, 补学, 学时, the activity ledger
and the attendance rate on the dashboard."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from accounts import services as account_services
from campaign import selectors, services
from campaign.models import Activity, AttachmentKind, Attendance
from dashboard.figures.activities import attendance_figures
from dashboard.periods import Period

pytestmark = pytest.mark.django_db

NAMES = ["张建国", "李秀英", "王志强", "刘芳", "陈明", "杨帆"]


@pytest.fixture
def roll(tree, people):
    return [
        account_services.member_add(actor=people.secretary_a, unit=tree.branch_a1, name=name)
        for name in NAMES
    ]


def _session(campaign, tree, people, roll, absent: dict[int, str], **extra):
    return services.activity_create(
        actor=people.secretary_a,
        campaign=campaign,
        unit=tree.branch_a1,
        kind="three_meetings",
        held_on=date(2026, 11, 18),
        place="村党群服务中心",
        host="张建国",
        recorder="李秀英",
        hours=Decimal("2.0"),
        summary="学习党章第一章，交流发言。",
        attendance=[services.Presence(m, m.pk not in absent, absent.get(m.pk, "")) for m in roll],
        today=date(2026, 11, 20),
        **extra,
    )


def test_the_roll_is_kept_by_the_branch(tree, people, roll):
    assert [m.name for m in selectors.roll_of(tree.branch_a1)] == NAMES
    with pytest.raises(PermissionDenied):
        account_services.member_add(actor=people.viewer, unit=tree.branch_a1, name="赵六")
    with pytest.raises(ValidationError):
        account_services.member_add(actor=people.secretary_a, unit=tree.branch_a1, name=" ")
    account_services.member_retire(actor=people.secretary_a, member=roll[-1])
    assert len(selectors.roll_of(tree.branch_a1)) == len(NAMES) - 1


def test_an_absentee_needs_a_reason_and_nothing_is_written_without_it(campaign, tree, people, roll):
    with pytest.raises(ValidationError) as excinfo:
        _session(campaign, tree, people, roll, {roll[1].pk: "  "})
    assert f"reason_{roll[1].pk}" in excinfo.value.message_dict
    assert not Activity.objects.exists()


def test_attendance_counts_and_makeup(campaign, tree, people, roll):
    sheet = SimpleUploadedFile("签到表.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")
    activity = _session(
        campaign,
        tree,
        people,
        roll,
        {roll[2].pk: "外出务工", roll[4].pk: "生病住院"},
        sign_in_sheet=sheet,
    )
    assert activity.participants == 4
    assert activity.attachments.get().kind == AttachmentKind.SIGN_IN
    owed = selectors.makeup_due(people.secretary_a, campaign=campaign)
    assert [line.person.name for line in owed] == ["王志强", "陈明"]
    # the county office sees them too; another branch's secretary does not
    assert selectors.makeup_due(people.county_office, campaign=campaign).count() == 2
    assert not selectors.makeup_due(people.secretary_b, campaign=campaign).exists()

    line = owed[0]
    with pytest.raises(ValidationError):  # before the session
        services.makeup_record(
            actor=people.secretary_a,
            line=line,
            done_on=date(2026, 11, 17),
            today=date(2026, 11, 20),
        )
    services.makeup_record(
        actor=people.secretary_a,
        line=line,
        done_on=date(2026, 11, 19),
        note="支部书记带学",
        today=date(2026, 11, 20),
    )
    assert [m.person.name for m in selectors.makeup_due(people.secretary_a, campaign=campaign)] == [
        "陈明"
    ]
    hours = {
        row["person"].name: (row["attended"], row["absent"], row["owed"], row["hours"])
        for row in selectors.study_hours(people.secretary_a, campaign=campaign, unit=tree.branch_a1)
    }
    assert hours["张建国"] == (1, 0, 0, Decimal("2.0"))
    assert hours["王志强"] == (0, 1, 0, Decimal("2.0"))  # made up: the hours count
    assert hours["陈明"] == (0, 1, 1, Decimal("0"))

    figures = attendance_figures(
        campaign=campaign, unit=tree.county_a, period=Period.on(date(2026, 11, 20))
    )
    assert (figures.expected, figures.present, figures.makeup_owed) == (6, 4, 1)
    assert figures.rate == 66.7
    # before the 补学 day, two were owed
    before = attendance_figures(
        campaign=campaign, unit=tree.city, period=Period.on(date(2026, 11, 18))
    )
    assert before.makeup_owed == 2


def test_the_activity_ledger_lists_the_absentees(use_campaign, campaign, tree, people, roll):
    _session(campaign, tree, people, roll, {roll[2].pk: "外出务工", roll[4].pk: "生病住院"})
    client = use_campaign(people.county_office)
    response = client.get(reverse("campaign:study-ledger"), {"unit": tree.branch_a1.code})
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    header = rows[1]
    line = dict(zip(header, rows[2], strict=True))
    assert line["时间"] == "2026-11-18"
    assert (line["地点"], line["主持人"], line["记录人"]) == ("村党群服务中心", "张建国", "李秀英")
    assert (line["应到"], line["实到"]) == (6, 4)
    assert line["缺席人员及原因"] == "王志强（外出务工）；陈明（生病住院）"
    assert "待补学" in line["补学情况"]
    assert line["主要内容"] == "学习党章第一章，交流发言。"
    # a branch outside the secretary's scope is not hers to export
    other = use_campaign(people.secretary_b)
    assert (
        other.get(reverse("campaign:study-ledger"), {"unit": tree.branch_a1.code}).status_code
        == 404
    )


def test_the_form_lists_the_roll_all_ticked_and_keeps_the_reasons(
    use_campaign, campaign, tree, people, roll
):
    client = use_campaign(people.secretary_a)
    page = client.get(reverse("campaign:activity-create"))
    html = page.content.decode()
    assert html.count('class="form-check-input" name="present_') == len(NAMES)
    assert html.count(" checked>") >= len(NAMES)
    data = {
        "kind": "three_meetings",
        "held_on": "2026-11-19",
        "unit": tree.branch_a1.pk,
        "hours": "1.5",
        "summary": "学习党章",
        "host": "张建国",
        "recorder": "李秀英",
        **{f"present_{m.pk}": "on" for m in roll if m.name != "刘芳"},
    }
    refused = client.post(reverse("campaign:activity-create"), data)
    assert refused.status_code == 400
    assert "请说明刘芳缺席的原因" in refused.content.decode()
    data[f"reason_{roll[3].pk}"] = "请假陪护老人"
    done = client.post(reverse("campaign:activity-create"), data)
    assert done.status_code == 302
    activity = Activity.objects.get()
    assert activity.participants == 5
    absent = Attendance.objects.get(present=False)
    assert (absent.person.name, absent.absence_reason) == ("刘芳", "请假陪护老人")
    detail = client.get(reverse("campaign:activity-detail", args=[activity.pk])).content.decode()
    assert "需补学" in detail and "请假陪护老人" in detail
