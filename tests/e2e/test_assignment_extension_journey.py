"""An assignment's due date moves only by an approved request, in the browser: the branch
secretary asks for a later date on her phone, the county office approves it from its
queue with a comment, and the secretary reads the answer in 消息."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from campaign import services
from campaign.models import ExtensionState, Workstream
from demo.campaign import seed_campaign
from demo.org import seed_org
from tests.e2e.a11y import check_a11y
from tests.e2e.conftest import DESKTOP, PHONE, login

pytestmark = [pytest.mark.django_db(transaction=True)]

NOW = "2026-11-27 09:00 +0800"
TITLE = "专题党课：学习贯彻主题教育精神"


def test_assignment_extension_journey(live_server, browser, guard_network, shot):
    with time_machine.travel(NOW, tick=True):
        org = seed_org()
        today = timezone.localdate()
        campaign = seed_campaign(
            org, start=today - timedelta(days=60), end=today + timedelta(days=60)
        )
        office = org.users["county_office"]
        task = services.task_create(
            actor=office,
            campaign=campaign,
            issuer=org.units["JZ-JB"],
            workstream=Workstream.STUDY,
            title=TITLE,
            due_date=today + timedelta(days=3),
        )
        services.task_deploy(actor=office, task=task, units=[org.units["JZ-JB-HX-01"]])
        assignment = task.assignments.get()
        detail = f"{live_server.url}{reverse('campaign:assignment-detail', args=[assignment.pk])}"
        asked = today + timedelta(days=20)

        # 1. The branch secretary, on her phone, asks for a later due date.
        phone = browser.new_context(viewport=PHONE, locale="zh-CN")
        page = guard_network(phone.new_page())
        login(page, live_server.url, "secretary")
        page.goto(detail)
        check_a11y(page)
        page.get_by_text("申请延期").click()
        page.locator("#id_x-new_due_date").fill(asked.isoformat())
        page.locator("#id_x-reason").fill("与社区换届选举时间冲突，需顺延")
        page.get_by_role("button", name="提交申请").click()
        page.wait_for_load_state("networkidle")
        check_a11y(page)
        assert page.locator(".extension[data-state=pending]").count() == 1
        shot(page, "secretary-assignment-extension-requested-phone")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        assignment.refresh_from_db()
        assert assignment.due_date == today + timedelta(days=3)  # the old date still counts
        phone.close()

        # 2. The county office approves it from its queue, with a comment.
        desk = browser.new_context(viewport=DESKTOP, locale="zh-CN")
        page = guard_network(desk.new_page())
        login(page, live_server.url, "county_office")
        page.goto(f"{live_server.url}{reverse('rectification:verify-queue')}")
        check_a11y(page)
        assert page.locator(".assignment-extension").count() == 1
        page.locator(".assignment-extension a").first.click()
        page.wait_for_load_state("networkidle")
        check_a11y(page)
        page.locator(".extension textarea").fill("同意顺延，请按新时限完成")
        page.get_by_role("button", name="批准", exact=True).click()
        page.wait_for_load_state("networkidle")
        check_a11y(page)
        assert page.locator(".extension[data-state=approved]").count() == 1
        shot(page, "county-assignment-extension-approved")
        assignment.refresh_from_db()
        assert assignment.due_date == asked
        assert assignment.extensions.get().state == ExtensionState.APPROVED
        task.refresh_from_db()
        assert task.due_date == today + timedelta(days=3)  # the task's own date stays
        desk.close()

        # 3. The secretary reads the answer in 消息.
        phone = browser.new_context(viewport=PHONE, locale="zh-CN")
        page = guard_network(phone.new_page())
        login(page, live_server.url, "secretary")
        page.goto(f"{live_server.url}{reverse('notifications:list')}")
        check_a11y(page)
        assert page.get_by_text(f"延期申请已批准：{TITLE}").first.is_visible()
        assert page.get_by_text("同意顺延，请按新时限完成", exact=False).first.is_visible()
        shot(page, "secretary-reads-the-answer-phone")
        phone.close()
