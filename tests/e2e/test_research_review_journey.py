"""A township leader submits his research report; the county office returns it with a
comment (the three criteria left unticked); he reads the return in 消息, revises and submits
again; the office accepts it with 有实情、有分析、有见解 ticked; his suggestion is marked
adopted by the county's decision, and the dashboard's 成果转化 figure shows it."""

from __future__ import annotations

import re
from datetime import date

import pytest
import time_machine

from accounts.models import OrgUnit, User
from accounts.roles import Role
from demo.campaign import seed_campaign
from demo.org import DEMO_PASSWORD, seed_org
from notifications.models import EventKind, Notification
from research import services
from research.models import (
    Adoption,
    FindingKind,
    ReportState,
    ResearchMethod,
    ResearchReport,
    ReviewDecision,
)
from tests.e2e.a11y import check_a11y
from tests.e2e.conftest import DESKTOP, PHONE, login
from tests.factories import grant

pytestmark = [pytest.mark.django_db(transaction=True)]

TITLE = "东升镇便民服务“中梗阻”调研报告"
COMMENT = "缺少村民办事往返次数的调查数据，请补充实情后再报。"
SUGGESTION = "建议推行便民服务站周末轮值制度。"
DECISION = "关于推行便民服务站周末轮值的决定"


def _world():
    org = seed_org()
    campaign = seed_campaign(org, start=date(2026, 8, 1), end=date(2027, 1, 31))
    township = OrgUnit.objects.get(code="JZ-JB-DS")
    leader = User.objects.create_user(
        username="ds_leader", password=DEMO_PASSWORD, full_name="钱东升"
    )
    grant(leader, township, Role.LEADER)
    project = services.project_create(
        campaign=campaign,
        unit=township,
        lead=leader,
        actor=leader,
        topic="便民服务站运行情况蹲点调研",
        focus="obstruction",
        method=ResearchMethod.ONSITE,
        start_date=date(2026, 11, 10),
        end_date=date(2026, 11, 12),
        state="done",
        sites=["东升镇桃园村", "东升镇石桥村"],
    )
    report = services.report_create(
        campaign=campaign,
        projects=[project],
        author=leader,
        actor=leader,
        title=TITLE,
        written_on=date(2026, 11, 16),
        body="# 一、基本情况\n两个村的便民服务站工作日开放。\n\n# 二、对策建议\n推行周末轮值。",
        state=ReportState.DRAFT,
    )
    services.finding_create(
        project=project,
        actor=leader,
        kind=FindingKind.SUGGESTION,
        description=SUGGESTION,
        report=report,
    )
    services.decision_create(
        campaign=campaign,
        unit=township,
        actor=org.users["county_office"],
        title=DECISION,
        decided_on=date(2026, 11, 19),
        body="全镇便民服务站自12月起周末轮值开放。",
        reports=[report],
    )
    return report


def _context(browser, guard_network, viewport):
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    return context, guard_network(context.new_page())


def _submit(page, base, report):
    page.goto(f"{base}/research/reports/{report.pk}/edit/")
    check_a11y(page)
    page.locator("#id_state").select_option(label="已提交")
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state("networkidle")
    assert page.locator('[data-state="submitted"]').is_visible()


def _adoption_figure(page) -> str:
    return " ".join(page.locator('[data-figure="adoption"]').inner_text().split())


def test_a_report_returned_revised_accepted_and_its_suggestion_adopted(
    live_server, browser, guard_network, shot
):
    with time_machine.travel("2026-11-20 10:00 +0800", tick=True):
        report = _world()
        base = live_server.url

        # 1. The leader submits his report.
        leader_context, leader = _context(browser, guard_network, DESKTOP)
        login(leader, base, "ds_leader")
        _submit(leader, base, report)
        shot(leader, "1-leader-submitted")

        # 2. The county office finds it in its queue (the menu's 调研报告审核) and returns
        # it with a comment, none of the three criteria ticked; on a phone.
        office_context, office = _context(browser, guard_network, PHONE)
        login(office, base, "county_office")
        office.goto(f"{base}/research/reports/review/")
        row = office.locator(f'tr[data-report="{report.pk}"]')
        assert row.get_by_text(TITLE).is_visible()
        shot(office, "2-office-queue-phone")
        row.get_by_role("link", name=TITLE).click()
        office.wait_for_load_state("networkidle")
        review = office.locator("#review")
        review.scroll_into_view_if_needed()
        # returning without a comment is refused next to the field
        review.get_by_role("button", name="填写意见后退回").click()
        office.wait_for_load_state("networkidle")
        assert office.get_by_text("退回报告前，请写明作者需要改进之处。").is_visible()
        office.get_by_label("意见").fill(COMMENT)
        shot(office, "3-office-review-phone")
        assert office.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        office.locator("#review").get_by_role("button", name="填写意见后退回").click()
        office.wait_for_load_state("networkidle")
        assert office.get_by_text("报告已退回作者修改。").is_visible()
        assert office.get_by_text("暂无待审核的调研报告。").is_visible()
        check_a11y(office)
        report.refresh_from_db()
        assert report.state == ReportState.RETURNED

        # 3. The leader reads the return and its comment in 消息, opens the report from
        # there, revises it and submits it again.
        leader.goto(f"{base}/")
        leader.locator("header, nav").get_by_role("link", name=re.compile("消息")).first.click()
        leader.wait_for_load_state("networkidle")
        item = leader.locator(".list-group-item").filter(has_text="调研报告被退回")
        assert item.get_by_text(f"调研报告被退回：{TITLE}").is_visible()
        assert item.get_by_text(f"意见：{COMMENT}").is_visible()
        shot(leader, "4-leader-messages")
        item.get_by_role("button", name="查看").click()
        leader.wait_for_load_state("networkidle")
        assert leader.url.endswith(f"/research/reports/{report.pk}/")
        assert leader.locator('[data-state="returned"]').is_visible()
        assert leader.locator('[data-review="returned"]').get_by_text(COMMENT).is_visible()
        check_a11y(leader)
        leader.get_by_role("link", name="修改", exact=True).click()
        leader.wait_for_load_state("networkidle")
        check_a11y(leader)
        body = leader.locator("#id_body")
        body.fill(body.input_value() + "\n\n# 三、调查数据\n村民平均每件事往返镇里2.3次。")
        assert leader.locator("#id_state").input_value() == "submitted"  # offered again
        leader.get_by_role("button", name="保存").click()
        leader.wait_for_load_state("networkidle")
        assert leader.locator('[data-state="submitted"]').is_visible()
        assert Notification.objects.filter(
            recipient__username="ds_leader", kind=EventKind.REPORT_RETURNED
        ).exists()

        # 4. The office accepts it with the three criteria.
        office.goto(f"{base}/research/reports/review/")
        row = office.locator(f'tr[data-report="{report.pk}"]')
        assert row.get_by_text("退回后重新提交").is_visible()
        row.get_by_role("link", name=TITLE).click()
        office.wait_for_load_state("networkidle")
        office.get_by_label("有实情").check()
        office.get_by_label("有分析").check()
        office.get_by_label("有见解").check()
        office.locator("#review").get_by_role("button", name="通过").click()
        office.wait_for_load_state("networkidle")
        assert office.get_by_text("报告已审核通过。").is_visible()
        report.refresh_from_db()
        assert report.state == ReportState.ACCEPTED
        assert list(report.reviews.values_list("decision", flat=True)) == [
            ReviewDecision.ACCEPTED,
            ReviewDecision.RETURNED,
        ]
        office_context.close()

        # 5. The office's dashboard before the suggestion is adopted.
        dash_context, dash = _context(browser, guard_network, DESKTOP)
        login(dash, base, "county_office")
        dash.goto(f"{base}/dashboard/")
        before = _adoption_figure(dash)
        adopted, total = map(int, re.search(r"\((\d+)/(\d+)\)", before).groups())

        # 6. The leader marks his suggestion adopted by the township's decision.
        leader.goto(f"{base}/research/reports/{report.pk}/")
        suggestion = leader.locator("[data-suggestion]").filter(has_text=SUGGESTION)
        assert suggestion.get_by_text("尚未采纳").is_visible()
        assert leader.get_by_role("link", name="修改", exact=True).count() == 0  # accepted: closed
        suggestion.get_by_role("link", name="登记采纳").click()
        leader.wait_for_load_state("networkidle")
        check_a11y(leader)
        leader.get_by_label("采纳的决策").select_option(label=f"{DECISION}（2026-11-19）")
        leader.get_by_label("采纳日期").fill("2026-11-20")
        leader.get_by_role("button", name="保存").click()
        leader.wait_for_load_state("networkidle")
        suggestion = leader.locator("[data-suggestion]").filter(has_text=SUGGESTION)
        assert suggestion.get_by_role("link", name=DECISION).is_visible()
        assert suggestion.get_by_text("尚未采纳").count() == 0
        shot(leader, "5-leader-report-adopted")
        assert Adoption.objects.get().decision.title == DECISION
        leader_context.close()

        # 7. The dashboard's 成果转化 figure counts it.
        dash.reload()
        after = _adoption_figure(dash)
        assert f"({adopted + 1}/{total})" in after, (before, after)
        rate = round(100 * (adopted + 1) / total, 1)
        assert after.startswith(f"{rate}%")
        shot(dash, "6-dashboard-adoption")
        dash_context.close()
        assert ResearchReport.objects.get(pk=report.pk).state == ReportState.ACCEPTED
