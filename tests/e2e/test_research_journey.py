"""A city leader records a 蹲点调研 with two sites, writes his report and turns one finding
into a problem for the unit concerned; the office sees his quarter turn green."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from demo.campaign import seed_campaign
from demo.org import seed_org
from rectification.models import Problem, ProblemSource
from research.models import Finding, ResearchProject, ResearchReport
from tests.e2e.a11y import check_a11y
from tests.e2e.conftest import DESKTOP, PHONE, login

pytestmark = [pytest.mark.django_db(transaction=True)]


def _leader_cell(page, quarter: int):
    return page.locator(f'tr[data-leader="leader"] td[data-quarter="{quarter}"]')


def test_city_leader_research_journey(live_server, browser, guard_network, shot):
    with time_machine.travel("2026-11-20 10:00 +0800", tick=True):
        org = seed_org()
        seed_campaign(org, start=date(2026, 8, 1), end=date(2027, 1, 31))
        base = live_server.url

        office_context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
        office = guard_network(office_context.new_page())
        login(office, base, "office")
        office.goto(f"{base}/research/compliance/")
        assert _leader_cell(office, 4).get_attribute("data-status") == "due"
        shot(office, "office-before")

        context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
        page = guard_network(context.new_page())
        login(page, base, "leader")
        page.goto(f"{base}/research/")
        check_a11y(page)
        page.get_by_role("link", name="登记调研").click()
        # his one unit (中共江州市委员会) is chosen for him, not asked
        assert page.locator("#id_unit").get_attribute("type") == "hidden"
        page.locator("#id_topic").fill("基层便民服务“中梗阻”蹲点调研")
        page.locator("#id_focus").select_option(label="中梗阻问题")
        page.locator("#id_method").select_option(label="蹲点调研")
        page.locator("#id_sites").fill("江北区东升镇桃园村\n南湖县青石镇山前村")
        page.locator("#id_start_date").fill("2026-11-16")
        page.locator("#id_end_date").fill("2026-11-18")
        page.locator("#id_state").select_option(label="已完成")
        shot(page, "leader-project-form")
        page.get_by_role("button", name="保存").click()
        page.wait_for_load_state("networkidle")
        assert page.get_by_text("调研项目已登记").is_visible()
        assert page.get_by_text("江北区东升镇桃园村").is_visible()
        assert page.get_by_text("南湖县青石镇山前村").is_visible()
        check_a11y(page)

        page.get_by_role("link", name="登记调研发现").click()
        check_a11y(page)
        page.locator("#id_kind").select_option(label="问题")
        page.locator("#id_description").fill("桃园村便民服务站开放时间短，群众办事仍需往返镇里。")
        page.locator("#id_unit").select_option(label="东升镇桃园村党支部")
        page.get_by_role("button", name="保存").click()
        page.wait_for_load_state("networkidle")
        page.get_by_role("link", name="登记调研发现").click()
        page.locator("#id_kind").select_option(label="建议")
        page.locator("#id_description").fill("建议推行便民服务站周末轮值。")
        page.get_by_role("button", name="保存").click()
        page.wait_for_load_state("networkidle")

        page.get_by_role("link", name="撰写调研报告").click()
        check_a11y(page)
        assert page.locator('[name="author"]').count() == 0
        page.locator("#id_state").select_option(label="已提交")
        page.locator("#id_body").fill(
            "# 一、基本情况\n调研组到两个村蹲点三天。\n\n# 二、主要问题\n便民服务站开放时间短。"
        )
        page.get_by_role("button", name="保存").click()
        page.wait_for_load_state("networkidle")
        assert page.get_by_role("heading", name="一、基本情况").is_visible()
        shot(page, "leader-report")

        page.get_by_role("link", name="基层便民服务“中梗阻”蹲点调研").click()
        page.get_by_role("link", name="转为整改问题").first.click()
        check_a11y(page)
        page.locator("#id_category").select_option(label="服务群众")
        page.locator("#id_deadline").fill("2026-12-31")
        page.get_by_role("button", name="登记问题").click()
        page.wait_for_load_state("networkidle")
        assert page.get_by_text("JZ-JB-DS-01-1").first.is_visible()
        shot(page, "leader-finding-problem")
        context.close()

        project = ResearchProject.objects.get()
        assert project.site_list == ["江北区东升镇桃园村", "南湖县青石镇山前村"]
        assert ResearchReport.objects.get().author.username == "leader"
        finding = Finding.objects.get(problem__isnull=False)
        problem = Problem.objects.get()
        assert problem.finding == finding
        assert problem.unit.code == "JZ-JB-DS-01" and problem.source == ProblemSource.RESEARCH

        office.reload()
        cell = _leader_cell(office, 4)
        assert cell.get_attribute("data-status") == "ok"
        assert "cell-green" in (cell.get_attribute("class") or "")
        assert (
            office.locator('tr[data-leader="leader"] td[data-status]').last.get_attribute(
                "data-status"
            )
            == "ok"
        )
        shot(office, "office-after")
        office.set_viewport_size(PHONE)
        office.reload()
        assert _leader_cell(office, 4).is_visible()
        shot(office, "office-after-phone")
        office_context.close()
