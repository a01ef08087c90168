"""A branch secretary enters three problems on her phone; the county office verifies and
closes two (the 立行立改 one the same day), returns the third with a reason, and downloads
the county's ledger."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from openpyxl import load_workbook

from demo.campaign import seed_campaign
from demo.org import seed_org
from rectification.models import Problem, ProblemState, ProblemTransition
from tests.e2e.a11y import check_a11y
from tests.e2e.conftest import DESKTOP, PHONE, login

pytestmark = [pytest.mark.django_db(transaction=True)]

NOW = "2026-11-27 09:00 +0800"
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"

PROBLEMS = [
    # description, type label, deadline, measure
    (
        "滨江小区夜间路灯损坏多处，群众出行不便",
        "立行立改",
        "2026-11-27",
        "联系街道城管科当日完成路灯抢修",
    ),
    (
        "支部理论学习以读文件为主，结合社区治理实际研讨不够",
        "限期整改",
        "2026-12-31",
        "每月开展一次专题研讨并检查学习笔记",
    ),
    (
        "社区报表台账多，基层填表报数负担重",
        "限期整改",
        "2026-12-20",
        "精简社区台账，合并同类报表",
    ),
]


def enter_problem(page, base: str, description: str, type_label: str, deadline: str, measure: str):
    page.goto(f"{base}{reverse('rectification:problem-create')}")
    check_a11y(page)
    assert page.locator("#id_unit").get_attribute("type") == "hidden"  # her one branch
    page.locator("#id_source").select_option(label="自查自纠")
    page.locator("#id_category").select_option(label="服务群众")
    page.locator("#id_description").fill(description)
    page.locator("#id_type").select_option(label=type_label)
    page.locator("#id_deadline").fill(deadline)
    page.locator("#id_responsible_leader_name").fill("赵丽华")
    page.locator("#id_responsible_person_name").fill("社区网格员")
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state("networkidle")
    assert "/rectification/problems/" in page.url, page.content()[:2000]
    page.locator("#id_m-description").fill(measure)
    page.locator("#id_m-responsible_person_name").fill("社区网格员")
    page.get_by_role("button", name="添加措施").click()
    page.wait_for_load_state("networkidle")
    page.get_by_role("button", name="开始整改").click()
    page.wait_for_load_state("networkidle")
    assert page.locator(".state-badge").inner_text() == "整改中"
    # the measure is done, with a photo of the result as evidence
    page.locator("select[name$='-state']").first.select_option(label="已完成")
    page.get_by_role("button", name="保存状态").click()
    page.wait_for_load_state("networkidle")
    page.locator("input[type=file]").first.set_input_files(
        files=[{"name": "整改佐证.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.get_by_role("button", name="上传佐证").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("整改佐证.pdf").is_visible()
    page.get_by_role("button", name="申请销号").click()
    page.wait_for_load_state("networkidle")
    assert page.locator(".state-badge").inner_text() == "已申请销号"


def test_rectification_journey(live_server, browser, guard_network, shot, tmp_path):
    with time_machine.travel(NOW, tick=True):
        org = seed_org()
        today = timezone.localdate()
        seed_campaign(org, start=today - timedelta(days=60), end=today + timedelta(days=60))
        base = live_server.url

        # 1. The branch secretary, on her phone, enters three problems.
        phone = browser.new_context(viewport=PHONE, locale="zh-CN")
        page = guard_network(phone.new_page())
        login(page, base, "secretary")
        for description, type_label, deadline, measure in PROBLEMS:
            enter_problem(page, base, description, type_label, deadline, measure)
        page.goto(f"{base}{reverse('rectification:problem-list')}")
        assert page.locator("tbody tr").count() == 3
        shot(page, "secretary-problem-list-phone")
        page_width = page.evaluate("document.documentElement.scrollWidth")
        assert page_width <= PHONE["width"], "the problem list scrolls sideways on a phone"
        phone.close()

        immediate, study, forms = (Problem.objects.get(description=d) for d, *_rest in PROBLEMS)

        # 2. The county office verifies on a desktop: closes two, returns one.
        desk = browser.new_context(viewport=DESKTOP, locale="zh-CN", accept_downloads=True)
        page = guard_network(desk.new_page())
        login(page, base, "county_office")
        page.goto(f"{base}{reverse('rectification:verify-queue')}")
        assert page.locator("tbody tr").count() == 3
        shot(page, "county-verify-queue")
        for problem in (immediate, study):
            page.goto(f"{base}{reverse('rectification:problem-detail', args=[problem.pk])}")
            page.locator("#id_c-note").fill("经核查，整改到位，同意销号。")
            page.get_by_role("button", name="同意销号").click()
            page.wait_for_load_state("networkidle")
            assert page.locator(".state-badge").inner_text() == "已销号"
        page.goto(f"{base}{reverse('rectification:problem-detail', args=[forms.pk])}")
        page.get_by_role("button", name="退回", exact=True).click()
        page.wait_for_load_state("networkidle")
        assert page.locator("#id_r-reason_error").is_visible()  # a reason is required
        check_a11y(page)
        page.locator("#id_r-reason").fill("台账精简清单未经居民代表会议审议，请补充后再申请。")
        page.get_by_role("button", name="退回", exact=True).click()
        page.wait_for_load_state("networkidle")
        assert page.locator(".state-badge").inner_text() == "整改中"
        assert page.get_by_text("台账精简清单未经居民代表会议审议").first.is_visible()
        shot(page, "county-returned-problem")

        immediate.refresh_from_db()
        study.refresh_from_db()
        forms.refresh_from_db()
        assert immediate.state == ProblemState.CLOSED
        assert (
            timezone.localtime(immediate.closed_at).date()
            == timezone.localtime(immediate.created_at).date()
        )
        assert immediate.closed_by.username == "county_office"
        assert study.state == ProblemState.CLOSED
        assert forms.state == ProblemState.IN_RECTIFICATION
        assert (
            ProblemTransition.objects.filter(problem=forms, to_state="in_rectification").count()
            == 2
        )

        # 3. The office downloads the county's ledger from the filtered list.
        try:
            reverse("rectification:ledger-export")
        except NoReverseMatch:
            desk.close()
            return
        county = org.units["JZ-JB"]
        county.refresh_from_db()
        page.goto(f"{base}{reverse('rectification:problem-list')}?unit={county.pk}")
        assert page.locator("tbody tr").count() == 3
        with page.expect_download() as info:
            page.locator("[data-export-link]").click()
        download = info.value
        target = tmp_path / download.suggested_filename
        download.save_as(target)
        assert target.suffix == ".xlsx"
        sheet = load_workbook(target).active
        text = "\n".join(str(cell.value) for row in sheet.iter_rows() for cell in row if cell.value)
        for description, *_rest in PROBLEMS:
            assert description in text
        assert sheet.page_setup.orientation == "landscape"
        assert sheet.freeze_panes is not None
        desk.close()
