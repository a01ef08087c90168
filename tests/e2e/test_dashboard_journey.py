"""The city office finds the lagging county, drills down to its worst branch, opens the
overdue problems behind the red cell, records a supervision visit there whose finding
becomes a problem, and sees it in that branch's problem list (desktop, 1366×768)."""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect

from accounts.models import UnitKind
from accounts.roles import Role
from campaign.models import AssignmentState, Campaign, Workstream
from rectification.models import ProblemState, ProblemType
from tests.dashboard.conftest import make_assignment, make_problem, make_task
from tests.e2e.conftest import DESKTOP, login
from tests.factories import UserFactory, grant, make_unit

pytestmark = [pytest.mark.django_db(transaction=True)]

NOW = datetime(2026, 11, 18, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
PASSWORD = "Journey@2026"


@pytest.fixture
def city():
    with time_machine.travel(NOW, tick=True):
        root = make_unit(None, kind=UnitKind.CITY_COMMITTEE, name="旅程市委", code="J")
        north = make_unit(root, kind=UnitKind.COUNTY_COMMITTEE, name="北县县委", code="J-N")
        south = make_unit(root, kind=UnitKind.COUNTY_COMMITTEE, name="南县县委", code="J-S")
        town = make_unit(north, kind=UnitKind.PARTY_COMMITTEE, name="北县城关镇党委", code="J-N-1")
        good = make_unit(town, name="城关镇东街支部", code="J-N-1-1")
        worst = make_unit(town, name="城关镇西街支部", code="J-N-1-2")
        southern = make_unit(south, name="南县一支部", code="J-S-1")
        campaign = Campaign.objects.create(
            name="旅程主题教育",
            root_unit=root,
            start_date=date(2026, 9, 1),
            end_date=date(2027, 2, 28),
            problem_categories=["工作作风", "服务群众", "其他"],
        )
        task = make_task(campaign, root, Workstream.STUDY, date(2026, 11, 10), "读书班")
        make_assignment(task, good, AssignmentState.ACCEPTED)
        make_assignment(task, worst, AssignmentState.PENDING)
        make_assignment(task, southern, AssignmentState.ACCEPTED)
        make_problem(campaign, good, deadline=date(2026, 12, 20), description="东街问题一")
        make_problem(campaign, worst, deadline=date(2026, 11, 1), description="西街逾期问题甲")
        make_problem(campaign, worst, deadline=date(2026, 11, 5), description="西街逾期问题乙")
        make_problem(
            campaign,
            worst,
            type=ProblemType.IMMEDIATE,
            deadline=date(2026, 11, 30),
            state=ProblemState.CLOSED,
            description="西街已销号问题",
        )
        make_problem(campaign, southern, deadline=date(2026, 12, 31), description="南县问题")
        office = UserFactory(username="journey_office", full_name="王主任")
        office.set_password(PASSWORD)
        office.save()
        grant(office, root, Role.OFFICE)
        yield {"worst": worst, "north": north, "town": town}


def test_office_drills_down_and_supervises_the_worst_branch(
    live_server, browser, guard_network, shot, city
):
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = guard_network(context.new_page())
    login(page, live_server.url, "journey_office", PASSWORD)
    assert "/dashboard/" in page.url  # the office lands on its dashboard
    expect(page.locator("h1")).to_contain_text("旅程市委")

    # which county lags: the first, red row of the ranking
    lagging = page.locator("#lagging-units tbody tr")
    expect(lagging.first).to_have_attribute("data-unit", "J-N")
    expect(lagging.first).to_have_attribute("data-rag", "red")
    shot(page, "1-city-dashboard")
    lagging.first.get_by_role("link", name="北县县委").click()
    expect(page.locator("h1")).to_contain_text("北县县委")

    # down the tree, always to the worst unit, until a single branch
    page.locator("#lagging-units tbody tr").first.get_by_role("link").first.click()
    expect(page.locator("h1")).to_contain_text("北县城关镇党委")
    worst_row = page.locator("#lagging-units tbody tr").first
    expect(worst_row).to_have_attribute("data-unit", "J-N-1-2")
    shot(page, "2-town-dashboard")

    # the red cell opens the overdue problems behind it
    red_cell = worst_row.locator('td[data-cell="overdue"]')
    expect(red_cell).to_have_class(re.compile("cell-red"))
    red_cell.get_by_role("link").click()
    expect(page.get_by_text("西街逾期问题甲")).to_be_visible()
    expect(page.get_by_text("西街逾期问题乙")).to_be_visible()
    expect(page.get_by_text("西街已销号问题")).to_have_count(0)
    shot(page, "3-overdue-problems")
    page.go_back()

    # the branch's own dashboard, and a supervision visit recorded there
    page.locator("#lagging-units tbody tr").first.get_by_role("link", name="城关镇西街支部").click()
    expect(page.locator("h1")).to_contain_text("城关镇西街支部")
    page.get_by_role("link", name="在此单位记录督导").click()
    unit = page.locator("select#id_unit")
    assert "J-N-1-2" in unit.evaluate("s => s.selectedOptions[0].text")
    page.get_by_label("督导日期").fill("2026-11-18")
    page.get_by_label("督导人员").fill("市委主题教育领导小组办公室：王主任")
    page.get_by_label("现场查看").check()
    page.get_by_label("个别谈话").check()
    page.get_by_label("指导意见").fill("逾期问题限期销号")
    page.get_by_label("回访日期").fill("2026-12-02")
    page.locator("#id_findings-0-description").fill("西街支部整改台账更新不及时")
    page.locator("#id_findings-0-deadline").fill("2026-12-20")
    shot(page, "4-visit-form")
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".alert-success")).to_contain_text("1")
    expect(page.get_by_text("西街支部整改台账更新不及时")).to_be_visible()
    shot(page, "5-visit-recorded")

    # the finding is now in that branch's problem list, as 督导发现
    page.goto(f"{live_server.url}/dashboard/?unit=J-N-1-2")
    page.locator("main").get_by_role("link", name="问题清单").first.click()
    assert f"unit={city['worst'].pk}" in page.url
    row = page.locator("tr", has_text="西街支部整改台账更新不及时")
    expect(row).to_be_visible()
    expect(row).to_contain_text("督导发现")
    expect(page.get_by_text("南县问题")).to_have_count(0)
    shot(page, "6-branch-problem-list")
    context.close()
