"""The work bulletin (工作简报) as an editable Word file.

The office drafts it from a period's data: the figures are those of the dashboard
(``dashboard.figures``) for the period, the typical practices are the model cases selected
in the period, the supervision notes are the visits made in it; the next steps are the
office's own words. The office edits the file in Word or WPS and uploads the final version.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from io import BytesIO
from typing import Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor
from docx.text.paragraph import Paragraph

from accounts.models import OrgUnit
from campaign.models import Campaign
from core.text import printable
from dashboard.figures.activities import activity_figures, attendance_figures
from dashboard.figures.assignments import assignment_figures
from dashboard.figures.development import development_figures
from dashboard.figures.highlights import week_highlights
from dashboard.figures.rectification import problem_figures
from dashboard.figures.research import research_figures
from dashboard.periods import Period

BODY_FONT = "仿宋_GB2312"
TITLE_FONT = "方正小标宋简体"
HEADING_FONT = "黑体"
RED = RGBColor(0xC0, 0x00, 0x00)

SECTIONS = ("一、工作动态", "二、典型做法", "三、督导情况", "四、下步打算")


@dataclass
class BulletinContent:
    unit: OrgUnit
    number: int
    period_start: date
    period_end: date
    news: list[str] = field(default_factory=list)  # 工作动态
    practices: list[tuple[str, str]] = field(default_factory=list)  # 典型做法: title, text
    supervision: list[str] = field(default_factory=list)  # 督导情况
    next_steps: list[str] = field(default_factory=list)  # 下步打算


def bulletin_content(
    *,
    campaign: Campaign,
    unit: OrgUnit,
    number: int,
    period_start: date,
    period_end: date,
    next_steps: str,
) -> BulletinContent:
    """What the bulletin says, from the period's data (a fixed number of queries)."""
    period = Period(monday=period_start, as_of=period_end)
    scope: dict[str, Any] = {"campaign": campaign, "unit": unit, "period": period}
    a = assignment_figures(**scope)
    act = activity_figures(**scope)
    att = attendance_figures(**scope)
    r = research_figures(**scope)
    p = problem_figures(**scope)
    d = development_figures(**scope)
    who = unit.name
    news = [
        f"任务落实方面，{who}累计部署任务{a.total}项，到期应完成{a.due}项，已完成{a.done}项，"
        f"完成率{a.completion_rate}%；本期完成{a.done_this_week}项，逾期未完成{a.overdue}项。",
        f"理论学习方面，本期开展学习活动{act.this_week}次、参加{act.participants_this_week}人次，"
        f"主题教育以来累计开展{act.to_date}次"
        + (
            f"；党员出勤率{att.rate}%（应到{att.expected}人次、实到{att.present}人次），"
            f"{att.makeup_owed}人次待补学。"
            if att.expected
            else "。"
        ),
        f"调查研究方面，{r.leader_count}名领导干部中{r.on_track_quarter}人本季度已牵头开展调研，"
        f"{r.with_report_this_year}人本年度已形成调研报告，全年共形成调研报告{r.reports_this_year}篇。",
        f"检视整改方面，累计查摆问题{p.total}个，已整改销号{p.closed}个，销号率{p.closure_rate}%；"
        f"本期新查摆{p.new_this_week}个、销号{p.closed_this_week}个，逾期未整改{p.overdue}个。",
        f"推动发展方面，确定发展事项{d.total}项，已完成{d.completed}项，完成率{d.completion_rate}%；"
        f"列入为民办实事项目{d.people_total}件，已办结{d.people_completed}件，"
        f"办结率{d.people_rate}%"
        + (f"，群众满意{d.people_satisfied}件" if d.people_asked else "")
        + "。",
    ]
    highlights = week_highlights(**scope)
    supervision = [
        f"{v.visited_on.month}月{v.visited_on.day}日，{v.visitors}到{v.unit.name}督导"
        + (f"：{v.guidance}" if v.guidance else "。")
        for v in highlights.visits
    ]
    return BulletinContent(
        unit=unit,
        number=number,
        period_start=period_start,
        period_end=period_end,
        news=news,
        practices=[(f"{c.unit.name}：{c.title}", c.summary) for c in highlights.cases],
        supervision=supervision,
        next_steps=[line.strip() for line in next_steps.splitlines() if line.strip()],
    )


def _font(paragraph: Paragraph, name: str, size: float, *, bold: bool = False, color=None) -> None:  # type: ignore[no-untyped-def]
    for run in paragraph.runs:
        run.font.name = name
        run.font.size = Pt(size)
        run.font.bold = bold
        if color is not None:
            run.font.color.rgb = color
        r_pr = run._element.get_or_add_rPr()
        r_pr.get_or_add_rFonts().set(qn("w:eastAsia"), name)


def _para(doc, text: str, *, indent: bool = True) -> Paragraph:  # type: ignore[no-untyped-def]
    paragraph = doc.add_paragraph(printable(text))
    if indent:
        paragraph.paragraph_format.first_line_indent = Pt(32)
    paragraph.paragraph_format.line_spacing = Pt(28)
    _font(paragraph, BODY_FONT, 16)
    return paragraph


def _heading(doc, text: str) -> None:  # type: ignore[no-untyped-def]
    heading = doc.add_heading(text, level=1)
    _font(heading, HEADING_FONT, 16, color=RGBColor(0, 0, 0))


def write_bulletin(content: BulletinContent) -> bytes:
    """The .docx of the bulletin: a section with nothing from the period says so, for the
    office to fill in or strike out."""
    doc = Document()
    title = doc.add_paragraph("主题教育工作简报")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(title, TITLE_FONT, 26, color=RED)
    issue = doc.add_paragraph(f"第{content.number}期")
    issue.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(issue, BODY_FONT, 16)
    end = content.period_end
    masthead = doc.add_paragraph(
        f"{printable(content.unit.name)}主题教育领导小组办公室\t{end.year}年{end.month}月{end.day}日"
    )
    _font(masthead, BODY_FONT, 14)
    rule = doc.add_paragraph("━" * 24)
    rule.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(rule, BODY_FONT, 14, color=RED)

    start = content.period_start
    _heading(doc, SECTIONS[0])
    _para(
        doc, f"{start.month}月{start.day}日至{end.month}月{end.day}日，主题教育各项工作扎实推进。"
    )
    for line in content.news:
        _para(doc, line)

    _heading(doc, SECTIONS[1])
    for heading, text in content.practices:
        lead = _para(doc, heading)
        _font(lead, BODY_FONT, 16, bold=True)
        _para(doc, text)
    if not content.practices:
        _para(doc, "本期暂无遴选的典型案例。")

    _heading(doc, SECTIONS[2])
    for line in content.supervision:
        _para(doc, line)
    if not content.supervision:
        _para(doc, "本期未开展督导。")

    _heading(doc, SECTIONS[3])
    for n, line in enumerate(content.next_steps, start=1):
        _para(doc, f"{n}. {line}" if len(content.next_steps) > 1 else line)
    if not content.next_steps:
        _para(doc, "（请填写下步工作打算。）")

    buffer = BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
