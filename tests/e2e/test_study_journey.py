"""A branch secretary records a 三会一课 on her phone: twelve members on the roll, all ticked
by default; she unticks the two who were away and types their reasons, photographs the
sign-in sheet and saves. Typing is paced like a person's thumbs; the whole entry, from the
form opening to the saved page, takes under 45 seconds (measured and printed). The two
absentees then owe a 补学, and the activity ledger she downloads lists them with their
reasons.
"""

from __future__ import annotations

import time
from datetime import timedelta
from io import BytesIO

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from accounts import services as account_services
from accounts.models import OrgUnit
from campaign.models import Activity, Attendance
from demo.campaign import seed_campaign
from demo.org import seed_org
from tests.e2e.conftest import PHONE, login

pytestmark = [pytest.mark.django_db(transaction=True)]

MEMBERS = [
    "赵丽华",
    "钱建明",
    "孙晓燕",
    "李国强",
    "周红梅",
    "吴志刚",
    "郑海燕",
    "王德明",
    "冯秀兰",
    "陈立新",
    "褚文静",
    "卫长青",
]
ABSENT = {"李国强": "在外地务工", "冯秀兰": "住院治疗"}
PACE_MS = 120  # between two characters typed: a careful thumb on a phone keyboard
BUDGET_SECONDS = 45


def _photo() -> bytes:
    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (80, 60), (250, 250, 245)).save(buffer, format="JPEG")
    return buffer.getvalue()


@pytest.fixture
def branch():
    today = timezone.localdate()
    org = seed_org()
    seed_campaign(org, start=today - timedelta(days=60), end=today + timedelta(days=90))
    unit = OrgUnit.objects.get(code="JZ-JB-HX-01")
    secretary = org.users["secretary"]
    for name in MEMBERS:
        account_services.member_add(actor=secretary, unit=unit, name=name)
    return unit


def test_secretary_records_a_meeting_with_absentees_on_her_phone(
    live_server, browser, guard_network, shot, branch
):
    base = live_server.url
    context = browser.new_context(viewport=PHONE, locale="zh-CN", accept_downloads=True)
    page = guard_network(context.new_page())
    login(page, base, "secretary")

    started = time.perf_counter()
    page.get_by_role("link", name="登记活动").first.click()
    page.wait_for_load_state("networkidle")
    roll = page.locator("#attendance input[type=checkbox]")
    assert roll.count() == len(MEMBERS)
    assert all(roll.nth(i).is_checked() for i in range(len(MEMBERS)))
    page.get_by_label("类型").select_option(label="三会一课")
    page.get_by_label("地点").press_sequentially("社区党群服务中心", delay=PACE_MS)
    page.get_by_label("主持人").press_sequentially("赵丽华", delay=PACE_MS)
    page.get_by_label("记录人").press_sequentially("孙晓燕", delay=PACE_MS)
    page.get_by_label("学时").fill("")
    page.get_by_label("学时").press_sequentially("2", delay=PACE_MS)
    page.get_by_label("内容摘要").press_sequentially(
        "召开支部党员大会，学习党章，开展批评与自我批评。", delay=PACE_MS
    )
    for name, reason in ABSENT.items():
        page.get_by_label(name, exact=True).uncheck()
        reason_box = page.get_by_label(f"{name}缺席原因")
        assert reason_box.is_visible()  # it appears when the member is unticked
        reason_box.press_sequentially(reason, delay=PACE_MS)
    page.get_by_label("签到表").set_input_files(
        files=[{"name": "签到表.jpg", "mimeType": "image/jpeg", "buffer": _photo()}]
    )
    shot(page, "1-roll-with-two-absentees-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state("networkidle")
    elapsed = time.perf_counter() - started
    print(f"\n三会一课 with {len(MEMBERS)} members, 2 absent: recorded in {elapsed:.1f} s")
    assert elapsed < BUDGET_SECONDS

    activity = Activity.objects.get(unit=branch)
    assert page.url.endswith(f"/campaign/activities/{activity.pk}/")
    assert activity.participants == len(MEMBERS) - len(ABSENT)
    assert (activity.host, activity.recorder) == ("赵丽华", "孙晓燕")
    assert activity.attachments.get().kind == "sign_in"
    assert {
        line.person.name: line.absence_reason
        for line in Attendance.objects.filter(activity=activity, present=False)
    } == ABSENT
    # the activity's page: 应到/实到, and each absentee flagged as needing 补学
    assert page.get_by_text("应到12人，实到10人").is_visible()
    for name in ABSENT:
        assert page.locator(f"[data-absent='{name}']").get_by_text("需补学").is_visible()
    shot(page, "2-recorded-activity-phone")

    # the 补学 list
    page.goto(f"{base}/campaign/makeup/")
    owed = page.locator("#makeup-due [data-member]")
    assert sorted(owed.evaluate_all("els => els.map(e => e.dataset.member)")) == sorted(ABSENT)
    shot(page, "3-makeup-owed-phone")

    # the activity ledger, downloaded and opened
    page.goto(f"{base}/campaign/activities/")
    shot(page, "4-activities-phone")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="活动台账（Excel）").click()
    download = download_info.value
    assert download.suggested_filename == "河西街道滨江社区党支部学习活动台账.xlsx"
    with open(download.path(), "rb") as workbook:
        sheet = load_workbook(BytesIO(workbook.read())).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    line = dict(zip(rows[1], rows[2], strict=True))
    assert (line["应到"], line["实到"]) == (12, 10)
    assert line["缺席人员及原因"] == "李国强（在外地务工）；冯秀兰（住院治疗）"
    assert line["补学情况"] == "李国强：待补学；冯秀兰：待补学"
    assert (line["主持人"], line["记录人"]) == ("赵丽华", "孙晓燕")
    context.close()
