"""The daily forms, tried at a person's pace: typing about 100 ms a character with short
pauses between fields.

- a secretary new to the product logs a 主题党日 with a photo on a 375 px phone and ticks it
  as evidence: timed, under 45 s;
- a refused form keeps the chosen photo, and 参加人数 starts empty and refuses 0;
- the office's 下发范围 shows readable choices and only the chosen one's control; its units
  are a tree, and part of a branch's name finds the branch under its county and party
  committee;
- the supervision form opens on today's date and finds the unit by name.
"""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import OrgUnit
from campaign import services
from campaign.models import Activity, Assignment, Task, Workstream
from demo.campaign import seed_campaign
from demo.org import seed_org
from tests.e2e.a11y import check_a11y
from tests.e2e.conftest import DESKTOP, PHONE, login

pytestmark = [pytest.mark.django_db(transaction=True)]

TASK_TITLE = "开展“学思想、强党性”主题党日活动"
KEY_DELAY_MS = 100  # a person typing on a phone
PAUSE_S = 0.6  # reading the next label, moving the thumb


def _photo() -> bytes:
    from io import BytesIO

    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (64, 48), (164, 22, 26)).save(buffer, format="JPEG")
    return buffer.getvalue()


PHOTO = {"name": "主题党日.jpg", "mimeType": "image/jpeg", "buffer": b""}


def _type(locator, text: str) -> None:
    """Tap the field, type at a person's pace, pause before the next one."""
    locator.click()
    locator.press_sequentially(text, delay=KEY_DELAY_MS)
    time.sleep(PAUSE_S)


@pytest.fixture
def deployed():
    today = timezone.localdate()
    org = seed_org()
    campaign = seed_campaign(org, start=today - timedelta(days=60), end=today + timedelta(days=90))
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
        description="组织党员重温入党誓词，交流学习体会。",
        evidence_required="现场照片",
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


def test_secretary_logs_a_party_day_with_a_photo_in_under_45_seconds(
    live_server, browser, guard_network, shot, deployed
):
    base = live_server.url
    context, page = _page(browser, guard_network, PHONE)
    page.goto(f"{base}/accounts/login/")
    check_a11y(page)
    started = time.monotonic()  # from the login page to the saved activity
    _type(page.get_by_label("用户名"), "secretary")
    _type(page.get_by_label("密码"), "Demo@2026")
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state("networkidle")
    page.get_by_role("link", name="登记活动").first.click()
    page.wait_for_load_state("networkidle")
    # Today's date is there already; nothing starts at a meaningless 0.
    assert page.get_by_label("日期").input_value() == timezone.localdate().isoformat()
    assert page.get_by_label("参加人数").input_value() == ""
    assert page.get_by_label("学时").input_value() == ""
    page.get_by_label("类型").select_option(label="主题党日")
    time.sleep(PAUSE_S)
    _type(page.get_by_label("地点"), "社区党群服务中心")
    _type(page.get_by_label("参加人数"), "12")
    _type(page.get_by_label("学时"), "2")
    _type(page.get_by_label("内容摘要"), "重温入党誓词，12名党员交流学习体会。")
    page.get_by_label("照片和文件").set_input_files(files=[{**PHOTO, "buffer": _photo()}])
    time.sleep(PAUSE_S)
    page.get_by_label(TASK_TITLE).check()
    time.sleep(PAUSE_S)
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state("networkidle")
    assert f"/campaign/assignments/{deployed.pk}/" in page.url
    assert page.get_by_text("活动已登记").is_visible()
    elapsed = time.monotonic() - started
    print(f"\nsecretary logged a 主题党日 with a photo as evidence in {elapsed:.1f} s")
    assert elapsed < 45, f"took {elapsed:.1f} s"
    activity = Activity.objects.get(unit__code="JZ-JB-HX-01")
    assert activity.kind == "party_day" and activity.attachments.count() == 1
    assert deployed.evidence.filter(pk=activity.pk).exists()
    # Checked after the clock stopped: the pages the journey went through.
    shot(page, "1-assignment-with-evidence-phone")
    page.goto(f"{base}/")
    check_a11y(page)
    page.goto(f"{base}/campaign/activities/new/")
    shot(page, "0-activity-form-phone")
    context.close()


def test_a_refused_form_keeps_the_photo_and_refuses_zero_people(
    live_server, browser, guard_network, shot, deployed
):
    base = live_server.url
    context, page = _page(browser, guard_network, PHONE)
    login(page, base, "secretary")
    page.goto(f"{base}/campaign/activities/new/")
    page.get_by_label("类型").select_option(label="主题党日")
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    page.get_by_label("日期").fill(tomorrow)  # refused by the server, not by the browser
    page.get_by_label("参加人数").fill("0")
    page.get_by_label("学时").fill("1.5")
    page.get_by_label("地点").fill("村委会会议室")
    page.get_by_label("内容摘要").fill("重温入党誓词。")
    page.get_by_label("照片和文件").set_input_files(files=[{**PHOTO, "buffer": _photo()}])
    # 0 people: the browser asks first and nothing is sent.
    page.get_by_role("button", name="保存").click()
    assert page.get_by_label("参加人数").evaluate("e => e.validity.rangeUnderflow")
    assert page.get_by_role("button", name="保存").is_enabled()
    assert not Activity.objects.exists()
    page.get_by_label("参加人数").fill("9")
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state("networkidle")
    # The date is refused next to the field; the photo is still chosen.
    assert page.get_by_text("不能登记未来日期的活动").is_visible()
    assert page.get_by_text("已选择：主题党日.jpg").is_visible()
    shot(page, "1-refused-keeps-photo-phone")
    page.get_by_label("日期").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("活动已登记").is_visible()
    activity = Activity.objects.get()
    assert activity.participants == 9
    assert [a.original_name for a in activity.attachments.all()] == ["主题党日.jpg"]
    # 学时 and 地点 are shown where the activity is.
    assert page.locator("dd").filter(has_text="村委会会议室").is_visible()
    assert page.locator("dd").filter(has_text=re.compile(r"^1\.5$")).is_visible()
    shot(page, "2-activity-detail-phone")
    page.goto(f"{base}/campaign/activities/")
    row = page.locator("tbody tr").first
    assert "村委会会议室" in row.inner_text() and "1.5" in row.inner_text()
    shot(page, "3-activity-list-phone")
    context.close()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_office_deploys_with_only_the_chosen_scope_shown(
    live_server, browser, guard_network, shot, deployed, viewport
):
    base = live_server.url
    context, page = _page(browser, guard_network, viewport)
    login(page, base, "county_office")
    page.goto(f"{base}/campaign/tasks/new/")
    scope = page.get_by_role("group", name="下发范围")
    # Each choice reads on one line, as wide as its words.
    for label in ("我选择的单位", "某单位下的所有党支部", "某单位下某一类型的所有单位"):
        radio_label = scope.locator("label", has_text=label)
        assert radio_label.is_visible()
        box = radio_label.bounding_box()
        assert box["width"] > 60 and box["height"] < 40, (label, box)
    # The default (every branch under a unit): only 所属单位, on the issuing unit.
    assert page.get_by_label("所属单位", exact=True).is_visible()
    assert not page.get_by_label("单位", exact=True).is_visible()
    assert not page.get_by_label("单位类型").is_visible()
    scope.get_by_label("我选择的单位").check()
    assert page.get_by_label("单位", exact=True).is_visible()
    assert not page.get_by_label("所属单位", exact=True).is_visible()
    shot(page, "1-deploy-scope")
    # The units are a tree: the first two levels open, the branches below closed.
    tree = page.get_by_role("tree", name="单位")
    county = tree.get_by_role("treeitem", name=re.compile("江北区委员会"))
    street = tree.get_by_role("treeitem", name=re.compile("河西街道工作委员会"))
    branch = tree.get_by_role("treeitem", name=re.compile("柳岸社区党支部"))
    expect(county).to_have_attribute("aria-expanded", "true")
    expect(street).to_have_attribute("aria-expanded", "false")
    expect(branch).to_be_hidden()
    # a unit's own units open and close from the keyboard
    street.focus()
    page.keyboard.press("ArrowRight")
    expect(branch).to_be_visible()
    page.keyboard.press("ArrowLeft")
    expect(branch).to_be_hidden()
    # Part of a branch's name finds it under its county and party committee.
    page.get_by_role("searchbox", name=re.compile("查找单位")).first.fill("柳岸")
    found = tree.get_by_role("treeitem")
    expect(found).to_have_count(3)
    assert [
        (row.get_attribute("aria-level"), row.locator(".unit-picker-name").inner_text())
        for row in found.all()
    ] == [
        ("1", "中共江州市江北区委员会（JZ-JB）"),
        ("2", "中共江北区河西街道工作委员会（JZ-JB-HX）"),
        ("3", "河西街道柳岸社区党支部（JZ-JB-HX-02）"),
    ]
    shot(page, "2-unit-tree-found")
    branch.click()
    expect(branch).to_have_attribute("aria-selected", "true")
    expect(county).to_have_attribute("aria-selected", "false")
    assert page.locator("select#id_units").evaluate(
        "s => [...s.selectedOptions].map(o => o.value)"
    ) == [str(OrgUnit.objects.get(code="JZ-JB-HX-02").pk)]
    expect(page.locator(".field-units .unit-picker-chosen")).to_contain_text("柳岸社区党支部")
    shot(page, "3-unit-tree-chosen")
    page.get_by_label("标题").fill("开展集中学习")
    page.get_by_label("截止日期").fill((timezone.localdate() + timedelta(days=7)).isoformat())
    # While the request runs the button cannot be tapped again: the submit is held back
    # here (after the page's own handler ran), as a slow network would.
    deploy = page.get_by_role("button", name="下发")
    page.evaluate(
        "window.hold = e => e.preventDefault(); window.addEventListener('submit', window.hold)"
    )
    deploy.click()
    expect(deploy).to_be_disabled()
    # Back to the page (the back button): usable again.
    page.evaluate(
        "window.removeEventListener('submit', window.hold);"
        "window.dispatchEvent(new PageTransitionEvent('pageshow', {persisted: true}))"
    )
    expect(deploy).to_be_enabled()
    deploy.click()
    page.wait_for_load_state("networkidle")
    page.wait_for_url(re.compile(r"/campaign/tasks/\d+/$"))
    task = Task.objects.get(title="开展集中学习")
    assert [a.unit.code for a in task.assignments.all()] == ["JZ-JB-HX-02"]
    check_a11y(page)
    context.close()


def test_the_other_daily_forms_ask_what_they_need(
    live_server, browser, guard_network, shot, deployed
):
    base = live_server.url
    # A secretary enters a problem on her phone: the unit is hers (not asked), the
    # responsible leader is marked as needed before starting, her own people come first.
    context, page = _page(browser, guard_network, PHONE)
    login(page, base, "secretary")
    page.goto(f"{base}/rectification/problems/new/")
    assert page.locator("#id_unit").get_attribute("type") == "hidden"
    leader = page.locator("#id_responsible_leader")
    assert page.get_by_text("开始整改前必填").is_visible()
    groups = leader.locator("optgroup").evaluate_all("gs => gs.map(g => g.label)")
    assert groups[0] == "本单位人员"
    assert page.get_by_label("或填写责任领导姓名").is_visible()
    assert page.get_by_label("内容").get_attribute("required") is not None
    shot(page, "1-problem-form-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    context.close()

    # The city office records a supervision visit: today's date is in the box, the unit
    # is found by typing its name.
    context, page = _page(browser, guard_network, DESKTOP)
    login(page, base, "office")
    page.goto(f"{base}/supervision/visits/new/")
    assert page.get_by_label("督导日期").input_value() == timezone.localdate().isoformat()
    page.get_by_role("searchbox", name=re.compile("查找单位")).fill("滨江社区")
    unit = page.locator("select#id_unit")
    assert "JZ-JB-HX-01" in unit.evaluate("s => s.selectedOptions[0].text")
    shot(page, "2-visit-form-desktop")
    context.close()

    # A leader records research: the form says which methods count for the quarter.
    context, page = _page(browser, guard_network, PHONE)
    login(page, base, "leader")
    page.goto(f"{base}/research/new/")
    assert page.get_by_text("只有蹲点调研、网络调研计入每季度调研要求").is_visible()
    shot(page, "3-research-form-phone")
    context.close()
