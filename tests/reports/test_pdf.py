"""The PDF itself: Chinese headings and the right figures as text, a CJK font embedded."""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from pypdf import PdfReader

from core.models import JobState
from reports.models import WeeklyReport
from reports.pdf import StaticOnlyFetcher, page_counter_content, render_pdf
from reports.selectors import weekly_figures
from tests.reports.conftest import TODAY, WEEK

pytestmark = pytest.mark.django_db

HEADINGS = [
    "工作进展周报",
    "一、主要指标",
    "二、各单位进展",
    "三、逾期事项",
    "四、调查研究落实情况",
    "五、问题整改销号情况",
]


def pdf_text(content: bytes) -> str:
    done = subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", "-", "-"],
        input=content,
        capture_output=True,
        check=True,
    )
    return done.stdout.decode("utf-8")


def squeeze(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def embedded_fonts(content: bytes) -> set[str]:
    names = set()
    for page in PdfReader(io.BytesIO(content)).pages:
        fonts = page["/Resources"].get_object().get("/Font") or {}
        for ref in fonts.get_object().values():
            font = ref.get_object()
            descendants = font.get("/DescendantFonts")
            targets = [d.get_object() for d in descendants] if descendants else [font]
            for target in targets:
                descriptor = target.get("/FontDescriptor")
                if descriptor and any(
                    key in descriptor.get_object()
                    for key in ("/FontFile", "/FontFile2", "/FontFile3")
                ):
                    names.add(str(target["/BaseFont"]))
    return names


def test_county_pdf_reads_as_a_chinese_report_with_the_right_figures(data, tree):
    rendered = render_pdf(weekly_figures(data.campaign, tree.county_a, WEEK, today=TODAY))
    assert rendered.content.startswith(b"%PDF")
    text = pdf_text(rendered.content)
    flat = squeeze(text)
    for heading in [*HEADINGS, "重点措施", "累计", "本周", "上周", "增减"]:
        assert heading in text, heading
    assert "甲县委" in text and "学习贯彻主题教育" in text
    assert "2026年第48周（2026年11月23日 — 2026年11月29日）" in flat
    assert "W48" not in flat and "W47" not in flat  # weeks as people write them
    assert re.search(rf"第\s*1\s*页\s*/\s*共\s*{rendered.page_count}\s*页", flat)
    # headline figures: 2 due, 1 done, 1 overdue, 50.0%; problems 3 found, 1 closed, 33.3%
    assert re.search(r"应完成任务\s+2\b", flat)
    assert re.search(r"已完成任务\s+1\b", flat)
    assert re.search(r"逾期任务\s+1\b", flat)
    assert re.search(r"完成率\s+50\.0%", flat)
    assert re.search(r"查摆问题\s+3\s+0\b", flat)
    assert re.search(r"已销号问题\s+1\s+1\s+0\s+\+1", flat)
    assert re.search(r"销号率\s+33\.3%", flat)
    # the activities row: 3 to date, 2 this week, 1 last week, +1
    assert re.search(r"开展活动\s+3\s+2\s+1\s+\+1", flat)
    # per-unit table (committee A: 2 due, 1 done, 1 overdue, 50%, 2 activities, 3 problems …)
    assert re.search(r"甲镇党委\s+2\s+1\s+1\s+50\.0%\s+2\s+3\s+1\s+1\s+33\.3%", flat)
    # overdue lists and research compliance
    assert "学习党章" in text and "甲二支部" in text and "会议记录不完整" in text
    assert "王县长" in text and "达标" in text
    # the charts are there as vector drawings with their titles
    assert "各单位任务完成率" in text and "逐周趋势" in text


def test_a_cjk_font_is_embedded_and_subset(data, tree):
    rendered = render_pdf(weekly_figures(data.campaign, tree.city, WEEK, today=TODAY))
    fonts = embedded_fonts(rendered.content)
    assert fonts and all("WenQuanYi" in name for name in fonts), fonts
    assert all(re.match(r"^/[A-Z]{6}\+", name) for name in fonts), "fonts must be subset"
    assert len(rendered.content) < 1_000_000


def test_every_font_family_names_the_cjk_font():
    template = Path("templates/reports/pdf/weekly.html").read_text(encoding="utf-8")
    families = re.findall(r"font-family:\s*([^;]+);", template)
    assert families and all("WenQuanYi Micro Hei" in f for f in families)


def test_page_numbers_are_chinese():
    assert page_counter_content() == '"第 " counter(page) " 页 / 共 " counter(pages) " 页"'


def test_the_renderer_fetches_local_static_files_only():
    fetcher = StaticOnlyFetcher()
    assert fetcher.fetch("file:///static/css/app.css").status == 200
    for url in (
        "http://example.com/x.png",
        "https://127.0.0.1/static/css/app.css",
        "file:///etc/passwd",
        "file:///static/../config/settings.py",
        "file:///static/css/missing.css",
        "data:text/plain,hello",
    ):
        with pytest.raises(ValueError):
            fetcher.fetch(url)


def test_names_cannot_break_out_of_the_page_header(data, tree):
    tree.county_a.name = '甲县委"</style><script>x()</script>'
    tree.county_a.save(update_fields=["name"])
    from reports.pdf import render_html

    html = render_html(weekly_figures(data.campaign, tree.county_a, WEEK, today=TODAY))
    assert "<script>" not in html
    assert html.count("</style>") == 1


def test_command_writes_the_file_and_stores_one_report(data, tree, tmp_path):
    output = tmp_path / "county.pdf"
    for _ in range(2):
        call_command(
            "build_weekly_report",
            campaign=data.campaign.pk,
            unit="T-A",
            week="2026-W48",
            output=str(output),
        )
    assert "一、主要指标" in pdf_text(output.read_bytes())
    report = WeeklyReport.objects.get()
    assert (report.unit, report.week, report.state) == (tree.county_a, "2026-W48", JobState.DONE)
    assert report.page_count >= 2 and report.generated_by is None


def test_command_defaults_to_this_week_and_checks_its_arguments(data, tmp_path):
    output = tmp_path / "r.pdf"
    call_command("build_weekly_report", campaign=data.campaign.pk, unit="T", output=str(output))
    assert WeeklyReport.objects.get().week == "2026-W48"
    with pytest.raises(CommandError, match="ISO week"):
        call_command(
            "build_weekly_report",
            campaign=data.campaign.pk,
            unit="T",
            week="2026-48",
            output=str(output),
        )
    with pytest.raises(CommandError, match="no unit"):
        call_command(
            "build_weekly_report", campaign=data.campaign.pk, unit="NOPE", output=str(output)
        )
    with pytest.raises(CommandError, match="no campaign"):
        call_command("build_weekly_report", campaign=999999, unit="T", output=str(output))


def page_text(content: bytes, page: int) -> str:
    done = subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", "-f", str(page), "-l", str(page), "-", "-"],
        input=content,
        capture_output=True,
        check=True,
    )
    return squeeze(done.stdout.decode("utf-8"))


def test_page_one_opens_with_a_written_summary_and_the_headline_figures(data, tree):
    figures = weekly_figures(data.campaign, tree.county_a, WEEK, today=TODAY)
    first = page_text(render_pdf(figures).content, 1)
    assert "工作进展周报" in first and "本周综述" in first
    # sentences built from the same figures as the tables
    assert "本周新增学习活动 2 次、参加 35 人次，比上周多 1 次；累计开展 3 次。" in first
    assert "应完成任务 2 项，已完成 1 项，完成率 50.0%；逾期 1 项" in first
    assert "累计查摆问题 3 个，已销号 1 个，销号率 33.3%" in first
    assert "1 个单位滞后：甲镇党委。" in first
    # the headline figures are on page 1 too, not left to page 2
    assert "一、主要指标" in first and re.search(r"完成率\s+50\.0%", first)


def test_each_column_of_the_headline_table_holds_what_its_header_says(data, tree):
    figures = weekly_figures(data.campaign, tree.county_a, WEEK, today=TODAY)
    act = figures.activities
    assert act.participants_this_week == 35
    flat = squeeze(pdf_text(render_pdf(figures).content))
    # 参加人次: to date (累计), this week (本周), last week (上周), change (增减)
    expected = (
        rf"参加人次\s+{act.participants_to_date}\s+{act.participants_this_week}\s+"
        rf"{act.participants_last_week}\s+\+{act.participants_change}"
    )
    assert re.search(expected, flat), flat
    assert act.participants_to_date == act.participants_this_week + act.participants_last_week
    assert "本周参加人次" not in flat
