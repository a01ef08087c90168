"""Nobody is left uninformed: the county office returns a branch's submission with a
reason; the secretary, on her phone, sees the unread count in the header, reads the
return and its reason in 消息, opens the record from there and marks the rest read. The
office presses 催办 on an overdue assignment: once a day, logged on the record.

The browser keeps the live server's cookies by the machine's clock, so the records are
placed relative to the server's today rather than under a frozen clock.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from campaign import services
from campaign.models import Assignment, AssignmentState, Workstream
from demo.campaign import seed_campaign
from demo.org import seed_org
from notifications.models import EventKind, Notification, Urge
from tests.e2e.a11y import check_a11y
from tests.e2e.conftest import DESKTOP, PHONE, login

pytestmark = [pytest.mark.django_db(transaction=True)]

TASK_TITLE = "开展“学思想、强党性”集中学习研讨"
LATE_TITLE = "报送第一阶段学习心得"
REASON = "缺少研讨纪要，请补充党员交流发言情况后重新提交。"


@pytest.fixture
def submitted():
    from accounts.models import OrgUnit
    from accounts.permissions import forget_grants

    today = timezone.localdate()
    org = seed_org()
    campaign = seed_campaign(org, start=today - timedelta(days=60), end=today + timedelta(days=90))
    office, secretary = org.users["county_office"], org.users["secretary"]
    forget_grants(office)
    county = OrgUnit.objects.get(code="JZ-JB")
    branch = OrgUnit.objects.get(code="JZ-JB-HX-01")
    made = {}
    for title, due in ((TASK_TITLE, 10), (LATE_TITLE, -3)):
        task = services.task_create(
            actor=office,
            campaign=campaign,
            issuer=county,
            workstream=Workstream.STUDY,
            title=title,
            due_date=today + timedelta(days=due),
        )
        services.task_deploy(actor=office, task=task, units=[branch])
        made[title] = Assignment.objects.get(task=task, unit=branch)
    services.assignment_submit(
        actor=secretary, assignment=made[TASK_TITLE], note="已组织集中学习研讨。"
    )
    return made


def _page(browser, guard_network, viewport):
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    return context, guard_network(context.new_page())


def _badge(page) -> str:
    link = page.locator("header, nav").get_by_role("link", name=re.compile("消息"))
    return link.first.inner_text()


def test_a_returned_submission_reaches_the_secretary_in_messages(
    live_server, browser, guard_network, shot, submitted
):
    base = live_server.url
    assignment = submitted[TASK_TITLE]

    # 1. The county office returns the submission with a reason.
    context, page = _page(browser, guard_network, DESKTOP)
    login(page, base, "county_office")
    assert re.search(r"消息\s*\d+", _badge(page))  # told that a submission waits
    page.goto(f"{base}/campaign/assignments/{assignment.pk}/")
    check_a11y(page)
    page.get_by_label("退回理由").fill(REASON)
    page.get_by_role("button", name="退回").click()
    page.wait_for_load_state("networkidle")
    check_a11y(page)  # back on the review queue
    assignment.refresh_from_db()
    assert assignment.state == AssignmentState.RETURNED
    context.close()

    # 2. The secretary, on her phone, sees the count and the reason.
    unread = Notification.objects.filter(
        recipient__username="secretary", read_at__isnull=True
    ).count()
    assert unread == 3  # two new tasks and the return
    context, page = _page(browser, guard_network, PHONE)
    login(page, base, "secretary")
    toggler = page.locator(".navbar-toggler")
    if toggler.is_visible():
        toggler.click()
    badge = page.get_by_label(f"{unread} 条未读")
    assert badge.first.inner_text() == str(unread)
    page.get_by_role("link", name=re.compile("^消息")).first.click()
    page.wait_for_load_state("networkidle")
    item = page.locator(".list-group-item").filter(has_text="报送被退回")
    assert item.get_by_text(f"报送被退回：{TASK_TITLE}").is_visible()
    assert item.get_by_text(f"退回原因：{REASON}").is_visible()
    assert item.get_by_text("新增").first.is_visible()  # marked unread
    shot(page, "1-secretary-reads-the-return-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # Opening it marks it read and lands on the record.
    item.get_by_role("button", name="查看").click()
    page.wait_for_load_state("networkidle")
    assert f"/campaign/assignments/{assignment.pk}/" in page.url
    check_a11y(page)
    assert Notification.objects.get(
        recipient__username="secretary", kind=EventKind.RETURNED
    ).read_at
    page.goto(f"{base}/notifications/")
    page.get_by_role("button", name="全部标为已读").click()
    page.wait_for_load_state("networkidle")
    check_a11y(page)
    assert page.get_by_label(re.compile(r"\d+ 条未读")).count() == 0
    assert not Notification.objects.filter(
        recipient__username="secretary", read_at__isnull=True
    ).exists()
    context.close()


def test_the_office_urges_an_overdue_assignment_once_a_day(
    live_server, browser, guard_network, shot, submitted
):
    base = live_server.url
    late = submitted[LATE_TITLE]
    context, page = _page(browser, guard_network, DESKTOP)
    login(page, base, "county_office")
    page.goto(f"{base}/campaign/assignments/{late.pk}/")
    check_a11y(page)
    page.get_by_role("button", name="催办", exact=True).click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text(re.compile(r"已催办.*已通知\d+人")).first.is_visible()
    panel = page.locator("[data-urge-panel]")
    assert "李建国" in panel.inner_text() and "已通知1人" in panel.inner_text()
    shot(page, "2-office-urged-desktop")
    page.get_by_role("button", name="今日已催办").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text(re.compile("今日已催办（.*），明天可再次催办")).is_visible()
    assert Urge.objects.count() == 1
    assert (
        Notification.objects.filter(recipient__username="secretary", kind=EventKind.URGED).count()
        == 1
    )
    context.close()
