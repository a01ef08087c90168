"""The rules that hold, in the browser: the branch secretary asks for a later deadline and
the county office approves it; a problem from 信访举报 is closed with the people's answer;
a closed problem comes back and is reopened (回头看); the touring guidance group's
指导意见 becomes a problem of the unit concerned."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from demo.campaign import seed_campaign
from demo.org import seed_org
from rectification import services
from rectification.models import ExtensionState, Problem, ProblemSource, ProblemState
from supervision.models import GuidanceState
from tests.e2e.a11y import check_a11y
from tests.e2e.conftest import DESKTOP, PHONE, login

pytestmark = [pytest.mark.django_db(transaction=True)]

NOW = "2026-11-27 09:00 +0800"
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _problem(campaign, org, description: str, *, source=ProblemSource.SELF_REVIEW, submit=False):
    """A problem of the 滨江社区 branch, started (and submitted for 销号 when asked)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    secretary = org.users["secretary"]
    problem = services.problem_create(
        campaign=campaign,
        unit=org.units["JZ-JB-HX-01"],
        actor=secretary,
        description=description,
        source=source,
        category=campaign.problem_categories[0],
        discovered_on=timezone.localdate() - timedelta(days=10),
        deadline=timezone.localdate() + timedelta(days=5),
        responsible_leader_name="赵丽华",
        responsible_person_name="社区网格员",
    )
    measure = services.measure_add(problem=problem, actor=secretary, description="逐户走访整改")
    services.problem_start(problem=problem, actor=secretary)
    if submit:
        services.measure_set_state(measure=measure, actor=secretary, state="done")
        services.evidence_add(
            measure=measure,
            actor=secretary,
            upload=SimpleUploadedFile("佐证.pdf", PDF, content_type="application/pdf"),
        )
        services.problem_submit_for_closing(problem=problem, actor=secretary)
    return problem


def _detail(page, base: str, problem: Problem) -> None:
    page.goto(f"{base}{reverse('rectification:problem-detail', args=[problem.pk])}")
    check_a11y(page)


def test_rules_journey(live_server, browser, guard_network, shot):
    with time_machine.travel(NOW, tick=True):
        org = seed_org()
        today = timezone.localdate()
        campaign = seed_campaign(
            org, start=today - timedelta(days=60), end=today + timedelta(days=60)
        )
        base = live_server.url
        road = _problem(campaign, org, "小区道路破损，雨天积水")
        petition = _problem(
            campaign,
            org,
            "群众信访反映菜市场噪音扰民",
            source=ProblemSource.PETITION,
            submit=True,
        )

        # 1. The branch secretary, on her phone, cannot just move the deadline: she asks.
        phone = browser.new_context(viewport=PHONE, locale="zh-CN")
        page = guard_network(phone.new_page())
        login(page, base, "secretary")
        _detail(page, base, road)
        page.get_by_text("申请调整整改时限或类型").click()
        page.locator("#id_x-new_deadline").fill("2027-01-31")
        page.locator("#id_x-reason").fill("涉及市政管网改造，需与住建部门同步施工")
        page.get_by_role("button", name="提交申请").click()
        page.wait_for_load_state("networkidle")
        check_a11y(page)
        assert page.locator(".extension[data-state=pending]").count() == 1
        shot(page, "secretary-extension-requested-phone")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        road.refresh_from_db()
        assert road.deadline == today + timedelta(days=5)  # the old deadline still counts
        phone.close()

        # 2. The county office approves it from its queue.
        desk = browser.new_context(viewport=DESKTOP, locale="zh-CN")
        page = guard_network(desk.new_page())
        login(page, base, "county_office")
        page.goto(f"{base}{reverse('rectification:verify-queue')}")
        check_a11y(page)
        assert page.locator(".extension-queue li").count() == 1
        page.locator(".extension-queue a").first.click()
        page.wait_for_load_state("networkidle")
        check_a11y(page)
        page.get_by_role("button", name="批准", exact=True).click()
        page.wait_for_load_state("networkidle")
        check_a11y(page)
        assert page.locator(".extension[data-state=approved]").count() == 1
        road.refresh_from_db()
        assert road.deadline == date(2027, 1, 31)
        assert road.extensions.get().state == ExtensionState.APPROVED

        # 3. The problem from 信访举报 is closed only with the people's answer.
        _detail(page, base, petition)
        page.get_by_role("button", name="同意销号").click()
        page.wait_for_load_state("networkidle")
        check_a11y(page)
        assert page.locator(".state-badge").inner_text() != "已销号"
        page.locator("#id_c-method").select_option(label="走访回访")
        page.locator("#id_c-result").select_option(label="满意")
        page.locator("#id_c-people_note").fill("走访菜市场周边12户居民，均表示噪音问题已解决")
        page.get_by_role("button", name="同意销号").click()
        page.wait_for_load_state("networkidle")
        check_a11y(page)
        assert page.locator(".state-badge").inner_text() == "已销号"
        assert page.locator(".satisfaction-check[data-result=satisfied]").count() == 1
        shot(page, "county-closed-with-satisfaction")

        # 4. 回头看: the noise is back; the office reopens the problem as a recurrence.
        page.get_by_text("回头看：问题复发，重新打开").click()
        page.locator("#id_ro-reason").fill("回头看发现凌晨装卸货噪音再次出现")
        page.get_by_role("button", name="重新打开").click()
        page.wait_for_load_state("networkidle")
        check_a11y(page)
        assert page.locator(".state-badge").inner_text() == "整改中"
        assert page.get_by_text("回头看发现凌晨装卸货噪音再次出现").first.is_visible()
        shot(page, "county-reopened-problem")
        petition.refresh_from_db()
        assert petition.state == ProblemState.IN_RECTIFICATION and petition.reopened_count == 1
        desk.close()

        # 5. The touring guidance group leaves its guidance on the district.
        desk = browser.new_context(viewport=DESKTOP, locale="zh-CN")
        page = guard_network(desk.new_page())
        login(page, base, "viewer")
        page.goto(f"{base}{reverse('supervision:guidance-list')}")
        check_a11y(page)
        page.get_by_text("对单位提出指导意见").click()
        page.locator("#id_unit").select_option(label=org.units["JZ-JB"].name)
        page.locator("#id_text").fill("部分社区问题清单照搬上级，检视不深不透")
        page.get_by_role("button", name="送领导小组办公室").click()
        page.wait_for_load_state("networkidle")
        check_a11y(page)
        assert page.locator(".guidance-state").get_attribute("data-state") == "open"
        desk.close()

        # 6. The county office turns it into a problem of the branch concerned.
        desk = browser.new_context(viewport=DESKTOP, locale="zh-CN")
        page = guard_network(desk.new_page())
        login(page, base, "county_office")
        page.goto(f"{base}{reverse('supervision:guidance-list')}")
        check_a11y(page)
        page.locator(".guidance-list a").first.click()
        page.wait_for_load_state("networkidle")
        check_a11y(page)
        page.locator(".guidance-to-problems input[type=checkbox]").first.uncheck()
        page.get_by_label(org.units["JZ-JB-HX-01"].name).check()
        page.get_by_role("button", name="录入问题").click()
        page.wait_for_load_state("networkidle")
        check_a11y(page)
        assert page.locator(".guidance-state").get_attribute("data-state") == "converted"
        shot(page, "county-guidance-turned-into-a-problem")
        page.locator(".guidance-problems a").first.click()
        page.wait_for_load_state("networkidle")
        check_a11y(page)
        assert page.get_by_text("来自巡回指导组的指导意见").is_visible()
        converted = Problem.objects.get(source=ProblemSource.GUIDANCE_GROUP)
        assert converted.unit == org.units["JZ-JB-HX-01"]
        assert converted.guidance_notes.get().state == GuidanceState.CONVERTED
        desk.close()
