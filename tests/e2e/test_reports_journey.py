"""The county office asks for this week's county report, watches it build, downloads it,
and reads a correct Chinese report with charts.

A real Celery worker (Redis db 8) runs in a thread of the test process, so the page really
shows the build queued and in progress before the file is ready.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from reports.models import WeeklyReport
from tests.e2e.conftest import DESKTOP, PHONE, login
from tests.reports.conftest import build_data_set, frozen_ticking  # noqa: F401
from tests.reports.test_queue import worker  # noqa: F401  (the worker fixture)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.queue]


def pdf_text(path: Path) -> str:
    done = subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
    )
    return re.sub(r"\s+", " ", done.stdout.decode("utf-8"))


def test_county_office_builds_and_downloads_the_weekly_report(
    live_server,
    browser,
    guard_network,
    shot,
    tree,
    people,
    frozen_ticking,  # noqa: F811
    worker,  # noqa: F811
    tmp_path,
):
    build_data_set(tree, people)
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN", accept_downloads=True)
    page = guard_network(context.new_page())
    login(page, live_server.url, "county_office", password="pw")

    page.goto(f"{live_server.url}/reports/")
    assert page.get_by_role("heading", name="周报", exact=True).is_visible()
    assert page.get_by_text("暂无报告。").is_visible()
    unit = page.get_by_label("单位")
    assert unit.locator("option").all_inner_texts() == ["甲县委"]
    assert "2026年第48周" in page.get_by_label("周次").locator("option:checked").inner_text()
    shot(page, "reports-list")

    # a second tap while the request runs sends nothing: the button is disabled at once
    state = page.evaluate(
        """() => {
          const form = document.querySelector("form.report-request");
          form.requestSubmit();
          const button = form.querySelector("button[type=submit]");
          const first = button.disabled;
          form.requestSubmit();  // the second tap
          return {disabled: first, text: button.textContent};
        }"""
    )
    assert state == {"disabled": True, "text": "正在提交…"}
    page.wait_for_url(re.compile(r"/reports/\d+/$"))
    assert WeeklyReport.objects.count() == 1
    # the build is followed on the page until the file is ready
    assert page.get_by_role("heading", name="甲县委 · 2026年第48周").is_visible()
    download_link = page.get_by_role("link", name="下载 PDF")
    if not download_link.is_visible():
        assert page.get_by_role("progressbar").is_visible()
        shot(page, "report-building")
    download_link.wait_for(state="visible", timeout=60_000)
    assert page.get_by_text("报告已生成。").is_visible()
    shot(page, "report-ready")

    with page.expect_download() as info:
        download_link.click()
    download = info.value
    assert download.suggested_filename == "甲县委-2026年第48周-工作周报.pdf"
    target = tmp_path / "report.pdf"
    download.save_as(target)
    text = pdf_text(target)
    for heading in (
        "工作进展周报",
        "一、主要指标",
        "二、各单位进展",
        "三、逾期事项",
        "四、调查研究落实情况",
        "五、问题整改销号情况",
    ):
        assert heading in text, heading
    assert "甲县委" in text and "2026年第48周" in text
    assert re.search(r"完成率 50\.0%", text) and re.search(r"销号率 33\.3%", text)
    assert re.search(r"甲镇党委 2 1 1 50\.0% 2 3 1 1 33\.3%", text)
    assert "各单位任务完成率" in text and "逐周趋势" in text  # the charts

    # the report is now listed with its download link
    page.goto(f"{live_server.url}/reports/")
    row = page.locator("tbody tr").first
    assert "2026年第48周" in row.inner_text() and "甲县委" in row.inner_text()
    assert row.get_by_role("link", name="下载 PDF").is_visible()
    shot(page, "reports-list-done")
    detail_path = row.get_by_role("link", name="2026年第48周").get_attribute("href")
    context.close()

    # the same pages read on a 375-px phone, without sideways scrolling
    phone = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = guard_network(phone.new_page())
    login(page, live_server.url, "county_office", password="pw")
    for path in ("/reports/", detail_path):
        page.goto(f"{live_server.url}{path}")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.get_by_role("link", name="下载 PDF").is_visible()
    shot(page, "report-phone")
    phone.close()
