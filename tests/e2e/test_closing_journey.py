"""What goes up the line, tried in a real browser on the demo city's organisation:

1. the district office opens its dashboard, reads the 推动发展 section and drills from a
   street down to its overdue development items (desktop);
2. a branch secretary records her branch's 专题组织生活会 on her phone and enters a member's
   own (个人) problem, which lands in the branch's problem list;
3. the city office drafts its numbered work bulletin and opens the Word file.

The browser keeps the live server's cookies by the machine's clock, so the records are
placed relative to the server's today.
"""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO

import pytest
from django.utils import timezone
from docx import Document

from accounts.permissions import forget_grants
from campaign import services
from campaign.models import ReviewMeeting
from demo.campaign import seed_campaign
from demo.org import seed_org
from rectification.models import Problem
from tests.e2e.conftest import DESKTOP, PHONE, login

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture
def city():
    today = timezone.localdate()
    org = seed_org()
    campaign = seed_campaign(org, start=today - timedelta(days=60), end=today + timedelta(days=90))
    secretary = org.users["secretary"]
    forget_grants(secretary)
    late = services.development_create(
        actor=secretary,
        campaign=campaign,
        unit=org.units["JZ-JB-HX-01"],
        category="livelihood",
        title="滨江社区老旧小区加装电梯",
        target="年内完成3个单元加装电梯",
        due_date=today - timedelta(days=3),
        for_the_people=True,
    )
    services.milestone_add(
        actor=secretary, item=late, title="完成设计方案审批", due_on=today - timedelta(days=10)
    )
    done = services.development_create(
        actor=secretary,
        campaign=campaign,
        unit=org.units["JZ-JB-HX-01"],
        category="livelihood",
        title="滨江社区楼道照明改造",
        target="更换楼道灯200盏",
        due_date=today + timedelta(days=20),
        for_the_people=True,
    )
    lamps = services.milestone_add(
        actor=secretary, item=done, title="更换完毕", due_on=today - timedelta(days=1)
    )
    services.milestone_set_done(
        actor=secretary, milestone=lamps, done_on=today - timedelta(days=1), today=today
    )
    return org, campaign


def test_development_drill_down_meeting_problems_and_a_bulletin(
    live_server, browser, guard_network, shot, city
):
    base = live_server.url

    # 1. The district office reads 推动发展 and drills down to the overdue item.
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = guard_network(context.new_page())
    login(page, base, "county_office")
    page.goto(f"{base}/dashboard/")
    section = page.locator("#development")
    assert section.locator("[data-figure=dev-total]").inner_text() == "2"
    assert section.locator("[data-figure=dev-completion]").inner_text().startswith("50.0%")
    assert section.locator("[data-figure=people]").inner_text().startswith("1 / 2")
    shot(page, "1-district-dashboard-development")
    section.locator("#development-by-unit").get_by_role(
        "link", name="中共江北区河西街道工作委员会"
    ).click()
    page.wait_for_load_state("networkidle")
    assert "unit=JZ-JB-HX" in page.url
    page.locator("#development [data-figure=dev-overdue] a").click()
    page.wait_for_load_state("networkidle")
    rows = page.locator("table tbody tr")
    assert rows.count() == 1 and "加装电梯" in rows.first.inner_text()
    shot(page, "2-overdue-development-items")
    context.close()

    # 2. The secretary records her branch's 专题组织生活会 and a member's own problem.
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = guard_network(context.new_page())
    login(page, base, "secretary")
    page.goto(f"{base}/campaign/meetings/new/")
    page.get_by_label("参加人员").fill("赵丽华、钱建明、孙晓燕、李国强、周红梅")
    page.get_by_label("上级列席指导").fill("河西街道党工委委员 周文")
    page.get_by_label("检视剖析材料").set_input_files(
        files=[
            {
                "name": "检视剖析材料.pdf",
                "mimeType": "application/pdf",
                "buffer": b"%PDF-1.4\n%%EOF\n",
            }
        ]
    )
    shot(page, "3-meeting-form-phone")
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state("networkidle")
    meeting = ReviewMeeting.objects.get()
    assert meeting.get_kind_display() == "专题组织生活会"
    page.get_by_label("问题归属").select_option(label="个人")
    page.get_by_label("党员姓名（个人问题填写）").fill("钱建明")
    page.get_by_label("问题类别").select_option(label="理论学习")
    page.locator("#id_description").fill("学习党的创新理论满足于读原文，联系社区实际思考不够")
    page.get_by_role("button", name="登记问题").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("#individual").get_by_text("钱建明：学习党的创新理论").is_visible()
    shot(page, "4-meeting-with-individual-problem-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    problem = Problem.objects.get(meeting=meeting)
    assert (problem.scope, problem.unit.code) == ("individual", "JZ-JB-HX-01")
    page.goto(f"{base}/rectification/")
    assert page.get_by_text("学习党的创新理论满足于读原文").first.is_visible()
    shot(page, "5-branch-problem-list-phone")
    context.close()

    # 3. The city office drafts its first work bulletin and opens it.
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN", accept_downloads=True)
    page = guard_network(context.new_page())
    login(page, base, "office")
    page.goto(f"{base}/reports/bulletins/")
    page.get_by_label("下步打算").fill("督促各级高质量召开专题民主生活会")
    shot(page, "6-bulletin-form")
    page.get_by_role("button", name="生成简报初稿").click()
    page.wait_for_load_state("networkidle")
    assert "第1期" in page.locator("h1").inner_text()
    with page.expect_download() as info:
        page.get_by_role("link", name="下载初稿（Word）").click()
    with open(info.value.path(), "rb") as handle:
        lines = [p.text for p in Document(BytesIO(handle.read())).paragraphs]
    assert "第1期" in lines and "四、下步打算" in lines
    assert lines[-1] == "督促各级高质量召开专题民主生活会"
    shot(page, "7-bulletin-detail")
    context.close()
