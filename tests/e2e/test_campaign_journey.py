"""Tried as a new user would: a branch secretary logs a study session with a photo on her
phone and submits her assignment with it; the county office returns it with a reason; she
reads the reason, fixes and resubmits; the office accepts.

The browser keeps the live server's cookies by the machine's clock, so the records are
placed relative to the server's today rather than under a frozen clock.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from campaign import services
from campaign.models import Activity, Assignment, AssignmentState, Workstream
from demo.campaign import seed_campaign
from demo.org import seed_org
from tests.e2e.a11y import check_a11y
from tests.e2e.conftest import DESKTOP, PHONE, login

pytestmark = [pytest.mark.django_db(transaction=True)]


def _photo() -> bytes:
    """A small real JPEG, as a phone camera would send (smaller)."""
    from io import BytesIO

    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (64, 48), (164, 22, 26)).save(buffer, format="JPEG")
    return buffer.getvalue()


TASK_TITLE = "开展“学思想、强党性”集中学习研讨"


@pytest.fixture
def deployed():
    today = timezone.localdate()
    org = seed_org()
    campaign = seed_campaign(org, start=today - timedelta(days=60), end=today + timedelta(days=90))
    from accounts.models import OrgUnit
    from accounts.permissions import forget_grants

    office = org.users["county_office"]
    forget_grants(office)
    county = OrgUnit.objects.get(code="JZ-JB")
    task = services.task_create(
        actor=office,
        campaign=campaign,
        issuer=county,
        workstream=Workstream.STUDY,
        title=TASK_TITLE,
        description="围绕主题教育开展一次集中学习研讨，党员逐一交流发言。",
        evidence_required="现场照片、研讨纪要",
        due_date=today + timedelta(days=10),
    )
    services.task_deploy(
        actor=office,
        task=task,
        units=OrgUnit.objects.filter(path__startswith=county.path, kind="branch"),
    )
    return Assignment.objects.get(task=task, unit__code="JZ-JB-HX-01")


def _page(browser, guard_network, viewport):
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    return context, guard_network(context.new_page())


def test_log_submit_return_resubmit_accept(live_server, browser, guard_network, shot, deployed):
    base = live_server.url
    assignment = deployed

    # 1. The secretary, on her phone, logs a study session with a photo as evidence.
    context, page = _page(browser, guard_network, PHONE)
    login(page, base, "secretary")
    assert "/campaign/" in page.url
    page.get_by_role("link", name="登记活动").first.click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_label("日期").input_value() == timezone.localdate().isoformat()
    page.get_by_label("类型").select_option(label="集中学习研讨")
    page.get_by_label("地点").fill("社区党群服务中心")
    page.get_by_label("参加人数").fill("18")
    page.get_by_label("学时").fill("2")
    page.get_by_label("内容摘要").fill("集中学习《习近平著作选读》，8名党员交流发言，查找差距3条。")
    page.get_by_label("照片和文件").set_input_files(
        files=[{"name": "学习现场.jpg", "mimeType": "image/jpeg", "buffer": _photo()}]
    )
    page.get_by_label(TASK_TITLE).check()
    shot(page, "1-secretary-logs-activity-phone")
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state("networkidle")
    # Logged for one assignment, she lands on it with the activity attached.
    assert f"/campaign/assignments/{assignment.pk}/" in page.url
    assert page.get_by_text("活动已登记").is_visible()
    activity = Activity.objects.get(unit__code="JZ-JB-HX-01")
    assert activity.attachments.count() == 1
    assert page.get_by_label(re.compile("集中学习研讨")).is_checked()
    page.locator("form[action$='/submit/'] button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("已提交审核").is_visible()
    assignment.refresh_from_db()
    assert assignment.state == AssignmentState.SUBMITTED
    shot(page, "2-secretary-submitted-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    context.close()

    # 2. The county office, on a desktop, returns it with a reason.
    context, page = _page(browser, guard_network, DESKTOP)
    login(page, base, "county_office")
    page.goto(f"{base}/campaign/review/")
    check_a11y(page)
    page.get_by_role("link", name=TASK_TITLE).click()
    page.wait_for_load_state("networkidle")
    # The evidence is one click away; its photo comes through the scoped download view.
    page.get_by_role("link", name=re.compile("集中学习研讨")).first.click()
    page.wait_for_load_state("networkidle")
    assert page.locator("img.img-thumbnail").first.evaluate("img => img.naturalWidth") == 64
    check_a11y(page)
    page.go_back()
    page.wait_for_load_state("networkidle")
    page.get_by_role("button", name="退回").click()  # no reason: refused, said next to it
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("请填写退回理由。").is_visible()
    page.get_by_label("退回理由").fill("缺少研讨纪要，请补充党员交流发言情况后重新提交。")
    shot(page, "3-office-returns-desktop")
    page.get_by_role("button", name="退回").click()
    page.wait_for_load_state("networkidle")
    assert "/campaign/review/" in page.url
    assignment.refresh_from_db()
    assert assignment.state == AssignmentState.RETURNED
    context.close()

    # 3. The secretary sees why on her home page, fixes and resubmits.
    context, page = _page(browser, guard_network, PHONE)
    login(page, base, "secretary")
    assert page.get_by_text("被退回：请修改后重新提交").is_visible()
    assert page.get_by_text("缺少研讨纪要").first.is_visible()
    shot(page, "4-secretary-sees-reason-phone")
    page.get_by_role("link", name=TASK_TITLE).first.click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("alert").filter(has_text="缺少研讨纪要").is_visible()
    page.get_by_label("完成情况").fill(
        "已补充研讨纪要：8名党员逐一发言，围绕为民服务查找差距3条，明确整改措施。"
    )
    page.get_by_role("button", name="重新提交").click()
    page.wait_for_load_state("networkidle")
    assignment.refresh_from_db()
    assert assignment.state == AssignmentState.SUBMITTED
    context.close()

    # 4. The office accepts.
    context, page = _page(browser, guard_network, DESKTOP)
    login(page, base, "county_office")
    page.goto(f"{base}/campaign/assignments/{assignment.pk}/")
    assert page.locator("dd").filter(has_text="已补充研讨纪要").is_visible()
    page.get_by_role("button", name="通过").click()
    page.wait_for_load_state("networkidle")
    assignment.refresh_from_db()
    assert assignment.state == AssignmentState.ACCEPTED
    page.goto(f"{base}/campaign/assignments/{assignment.pk}/")
    shot(page, "5-office-accepted-desktop")
    # The history tells the whole story.
    history = page.locator(".history").inner_text()
    assert "缺少研讨纪要" in history
    context.close()
