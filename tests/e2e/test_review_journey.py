"""Tried as a county office would: five branches have submitted a 主题党日 with photos; the
office reviews them on one screen, looking at each photo there, accepting four and returning
one with its reason, never going back to the queue or into an activity; on a phone, the
queue accepts several ticked submissions at once.
"""

from __future__ import annotations

import re
from datetime import timedelta
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from campaign import services
from campaign.models import Assignment, AssignmentState, Workstream
from demo.campaign import seed_campaign
from demo.org import seed_org
from tests.e2e.conftest import ARTIFACTS, DESKTOP, PHONE, login

pytestmark = [pytest.mark.django_db(transaction=True)]

TASK_TITLE = "开展“践行初心使命”主题党日"
BRANCHES = {
    "JZ-JB-HX-01": "secretary",
    "JZ-JB-HX-02": "sec_liuan",
    "JZ-JB-HX-03": "sec_hxjg",
    "JZ-JB-DS-01": "sec_taoyuan",
    "JZ-JB-DS-02": "sec_shiqiao",
}


def _photo(colour: tuple[int, int, int]) -> SimpleUploadedFile:
    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (640, 480), colour).save(buffer, format="JPEG")
    return SimpleUploadedFile("主题党日现场.jpg", buffer.getvalue(), content_type="image/jpeg")


@pytest.fixture
def submitted(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    today = timezone.localdate()
    org = seed_org()
    campaign = seed_campaign(org, start=today - timedelta(days=60), end=today + timedelta(days=90))
    from accounts.models import OrgUnit
    from accounts.permissions import forget_grants

    office = org.users["county_office"]
    forget_grants(office)
    task = services.task_create(
        actor=office,
        campaign=campaign,
        issuer=OrgUnit.objects.get(code="JZ-JB"),
        workstream=Workstream.STUDY,
        title=TASK_TITLE,
        description="各支部开展一次主题党日活动，重温入党誓词。",
        evidence_required="现场照片",
        due_date=today + timedelta(days=10),
    )
    services.task_deploy(
        actor=office, task=task, units=OrgUnit.objects.filter(code__in=list(BRANCHES))
    )
    for n, (code, username) in enumerate(BRANCHES.items()):
        secretary = org.users[username]
        forget_grants(secretary)
        assignment = Assignment.objects.get(task=task, unit__code=code)
        activity = services.activity_create(
            actor=secretary,
            campaign=campaign,
            unit=assignment.unit,
            kind="party_day",
            held_on=today - timedelta(days=1),
            place="党群服务中心",
            summary=f"{assignment.unit.name}开展主题党日，{10 + n}名党员重温入党誓词。",
            participants=10 + n,
            hours=2,
            files=[_photo((164, 22 + 40 * n, 26))],
            today=today,
        )
        services.assignment_submit(
            actor=secretary, assignment=assignment, note="已完成。", activities=[activity]
        )
    return task


def test_office_reviews_five_submissions_on_one_screen(
    live_server, browser, guard_network, shot, submitted
):
    base = live_server.url
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = guard_network(context.new_page())
    login(page, base, "county_office")
    page.goto(f"{base}/campaign/review/")
    shot(page, "1-queue-desktop")
    assert page.locator("input[name=selected]").count() == 5
    page.get_by_role("link", name="逐条审核").click()
    page.wait_for_load_state("networkidle")

    decided = []
    for n in range(5):
        assert re.search(r"/campaign/assignments/\d+/$", page.url), page.url
        pk = int(re.findall(r"\d+", page.url)[-1])
        assignment = Assignment.objects.select_related("unit").get(pk=pk)
        assert assignment.state == AssignmentState.SUBMITTED
        # The evidence is on the page: the summary and the photo, loaded full.
        assert page.get_by_text(f"{assignment.unit.name}开展主题党日").is_visible()
        thumb = page.locator(".evidence-photo img").first
        thumb.scroll_into_view_if_needed()
        page.wait_for_function(
            "img => img.complete && img.naturalWidth > 0", arg=thumb.element_handle()
        )
        assert thumb.evaluate("img => img.naturalWidth") == 640
        if n == 0:
            shot(page, "2-review-screen-desktop")
            # The photo opens full size over the page, and closes back to it.
            page.get_by_role("link", name=re.compile("查看原图")).first.click()
            viewer = page.locator("dialog#photo-viewer")
            viewer.wait_for(state="visible")
            big = viewer.locator("img")
            page.wait_for_function(
                "img => img.complete && img.naturalWidth > 0", arg=big.element_handle()
            )
            assert big.evaluate("img => img.naturalWidth") == 640
            # (a modal leaves the page behind it out of the Tab order, as it should: the
            # page's own check ran above, so this one is a plain screenshot)
            page.screenshot(path=str(ARTIFACTS / "review-photo-full-size-desktop.png"))
            viewer.get_by_role("button", name="关闭").click()
            viewer.wait_for(state="hidden")
            assert page.url.endswith(f"/campaign/assignments/{pk}/")
        last = n == 4
        if n == 2:
            # Returned: a reason is required and asked for next to the field.
            page.get_by_role("button", name="退回并下一条").click()
            page.wait_for_load_state("networkidle")
            assert page.get_by_text("请填写退回理由。").is_visible()
            page.get_by_label("退回理由").fill(
                "照片看不清活动现场，请补充一张能看到党员重温誓词的照片。"
            )
            shot(page, "4-return-with-reason-desktop")
            page.get_by_role("button", name="退回并下一条").click()
            decided.append((pk, AssignmentState.RETURNED))
        else:
            page.get_by_role("button", name="通过" if last else "通过并下一条", exact=True).click()
            decided.append((pk, AssignmentState.ACCEPTED))
        page.wait_for_load_state("networkidle")

    # After the last decision the (now empty) queue says so.
    assert page.url.endswith("/campaign/review/")
    assert page.get_by_text("暂无待审核的提交。").is_visible()
    shot(page, "5-queue-empty-desktop")
    states = dict(Assignment.objects.filter(task=submitted).values_list("pk", "state"))
    assert states == dict(decided)
    assert list(states.values()).count(AssignmentState.ACCEPTED) == 4
    returned = Assignment.objects.get(task=submitted, state=AssignmentState.RETURNED)
    assert returned.return_reason.startswith("照片看不清")
    context.close()


def test_office_accepts_several_ticked_on_a_phone(
    live_server, browser, guard_network, shot, submitted
):
    base = live_server.url
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = guard_network(context.new_page())
    page.on("dialog", lambda dialog: dialog.accept())
    login(page, base, "county_office")
    page.goto(f"{base}/campaign/review/")
    accept = page.get_by_role("button", name="通过所选")
    assert accept.is_disabled()  # nothing ticked yet
    boxes = page.locator("input[name=selected]")
    boxes.nth(0).check()
    boxes.nth(1).check()
    boxes.nth(3).check()
    assert page.locator("[data-selected-count]").inner_text() == "3"
    shot(page, "1-queue-ticked-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    accept.click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("已通过 3 条提交。").is_visible()
    assert page.locator("input[name=selected]").count() == 2
    shot(page, "2-queue-after-phone")
    assert Assignment.objects.filter(task=submitted, state=AssignmentState.ACCEPTED).count() == 3
    # on the phone the review screen shows the photo without spilling sideways
    page.get_by_role("link", name="逐条审核").click()
    page.wait_for_load_state("networkidle")
    shot(page, "3-review-screen-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    context.close()
