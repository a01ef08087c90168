"""The weekly report as a PDF: an HTML template laid out by WeasyPrint.

The template names the CJK font (WenQuanYi Micro Hei) in every ``font-family``; fonts are
subset, never embedded whole. The only resources the renderer may fetch are the project's
own static files: everything else is refused.
"""

from __future__ import annotations

import logging
import mimetypes
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from core import charts
from core.text import printable
from dashboard.figures.units import UnitLine

from .selectors import WeeklyFigures

BASE_URL = "file:///"
# The renderer logs every step at INFO; keep the worker's log for what matters.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
TEMPLATE = "reports/pdf/weekly.html"
CHART_UNITS = 15  # units shown in the per-unit charts (the table lists them all)


class StaticOnlyFetcher(URLFetcher):
    """Serves ``/static/…`` from the static files finders and refuses any other URL."""

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        parts = urlsplit(url)
        static_prefix = "/" + settings.STATIC_URL.strip("/") + "/"
        path = unquote(parts.path)
        if parts.scheme != "file" or parts.netloc or not path.startswith(static_prefix):
            raise ValueError(f"refused: {url}")
        relative = path[len(static_prefix) :]
        if ".." in Path(relative).parts:
            raise ValueError(f"refused: {url}")
        found = finders.find(relative)
        if not found or isinstance(found, list):
            raise ValueError(f"not a static file: {url}")
        mime, _encoding = mimetypes.guess_type(found)
        return URLFetcherResponse(
            url,
            Path(found).read_bytes(),
            {"Content-Type": mime or "application/octet-stream"},
        )


@dataclass(frozen=True)
class RenderedReport:
    content: bytes
    page_count: int


def build_charts(figures: WeeklyFigures) -> dict[str, charts.Chart]:
    rows = figures.units[:CHART_UNITS]
    unit_names = [row.unit.name for row in rows]
    return {
        "assignment_ring": charts.progress_ring(
            _("Assignments completed"),
            figures.assignments.done,
            figures.assignments.due,
            done_label=_("Done"),
            rest_label=_("Not done"),
        ),
        "problem_ring": charts.progress_ring(
            _("Problems closed"),
            figures.problems.closed,
            figures.problems.total,
            done_label=_("Closed"),
            rest_label=_("Not closed"),
        ),
        "research_ring": charts.progress_ring(
            _("Leaders on track this quarter"),
            figures.research.on_track_quarter,
            figures.research.leader_count,
            done_label=_("On track"),
            rest_label=_("Not yet"),
        ),
        "unit_completion": charts.bar_chart(
            _("Assignment completion rate by unit"),
            [(row.unit.name, row.assignments.completion_rate) for row in rows],
            horizontal=True,
            suffix="%",
            max_value=100,
            label_header=_("Unit"),
            value_header=_("Completion rate"),
        ),
        "unit_problems": charts.stacked_bar_chart(
            _("Problems by unit"),
            unit_names,
            [
                (_("Closed"), [row.problems.closed for row in rows]),
                (_("Not closed"), [row.problems.open for row in rows]),
            ],
            label_header=_("Unit"),
        ),
        "trend": charts.line_chart(
            _("Trend by week"),
            [week.short_label for week, _a, _p in figures.trend],
            [
                (_("Activities held"), [a for _w, a, _p in figures.trend]),
                (_("Problems closed"), [p for _w, _a, p in figures.trend]),
            ],
            label_header=_("Week"),
        ),
    }


def percent(value: float) -> str:
    return f"{value:.1f}%"


def _change(value: int) -> str:
    if value > 0:
        return _("%(n)s more than last week") % {"n": value}
    if value < 0:
        return _("%(n)s fewer than last week") % {"n": -value}
    return _("as many as last week")


def lagging_names(figures: WeeklyFigures) -> list[str]:
    """The units one level down that the dashboard colours red among its lagging units
    (the same score, ``dashboard.figures.units.UnitLine``), worst first."""
    lines = [UnitLine.of(row) for row in figures.units]
    red = sorted((line for line in lines if line.rag == "red"), key=lambda line: -line.score)
    return [line.unit.name for line in red]


def summary_sentences(figures: WeeklyFigures) -> list[str]:
    """The report's opening paragraph: a few sentences written from the same figures as
    the tables below it."""
    a, act, p, r = figures.assignments, figures.activities, figures.problems, figures.research
    sentences = [
        _(
            "This week %(held)s activities were held with %(people)s participations, "
            "%(change)s; %(total)s activities have been held so far."
        )
        % {
            "held": act.this_week,
            "people": act.participants_this_week,
            "change": _change(act.change),
            "total": act.to_date,
        },
        _(
            "Of %(due)s assignments due so far %(done)s are done, a completion rate of "
            "%(rate)s; %(overdue)s are overdue and %(week)s were accepted this week."
        )
        % {
            "due": a.due,
            "done": a.done,
            "rate": percent(a.completion_rate),
            "overdue": a.overdue,
            "week": a.done_this_week,
        },
        _(
            "%(new)s problems were found and %(closed_week)s closed this week; of %(total)s "
            "problems %(closed)s are closed (%(rate)s) and %(overdue)s are overdue."
        )
        % {
            "new": p.new_this_week,
            "closed_week": p.closed_this_week,
            "total": p.total,
            "closed": p.closed,
            "rate": percent(p.closure_rate),
            "overdue": p.overdue,
        },
    ]
    if r.leader_count:
        sentences.append(
            _("%(on_track)s of %(leaders)s city and county leaders are on track this quarter.")
            % {"on_track": r.on_track_quarter, "leaders": r.leader_count}
        )
    if figures.units:
        lagging = lagging_names(figures)
        if lagging:
            sentences.append(
                _("%(n)s units lag behind: %(names)s.")
                % {"n": len(lagging), "names": _(", ").join(lagging)}
            )
        else:
            sentences.append(_("No unit lags behind."))
    return sentences


def _css_string(text: str) -> str:
    """A CSS string literal; names typed by users cannot close it or the style element."""
    escaped = (
        text.replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("<", "\\3C ")
        .replace(">", "\\3E ")
        .replace("\n", " ")
    )
    return f'"{escaped}"'


def page_counter_content() -> str:
    """The CSS ``content`` of the page number box: 第 n 页 / 共 N 页."""
    pattern = _("Page {page} of {pages}")
    before, _sep, rest = pattern.partition("{page}")
    middle, _sep, after = rest.partition("{pages}")
    return (
        f"{_css_string(before)} counter(page) {_css_string(middle)} "
        f"counter(pages) {_css_string(after)}"
    )


def render_html(figures: WeeklyFigures) -> str:
    """The report's HTML, cleaned of characters a document cannot hold (``core.text``):
    names and descriptions are typed by people and may carry control characters."""
    header = f"{figures.campaign.name} · {figures.unit.name} · {figures.week.label}"
    html = render_to_string(
        TEMPLATE,
        {
            "f": figures,
            "summary": summary_sentences(figures),
            "charts": build_charts(figures),
            "generated_at": timezone.localtime(),
            "page_counter": mark_safe(page_counter_content()),  # quoted by _css_string
            "page_header": mark_safe(_css_string(header)),  # quoted by _css_string
        },
    )
    return printable(html)


def render_pdf(
    figures: WeeklyFigures, *, progress: Callable[[int], None] | None = None
) -> RenderedReport:
    """Lay out the report; ``progress`` hears 50 (HTML ready) and 90 (pages laid out)."""
    with translation.override(settings.LANGUAGE_CODE):
        html = render_html(figures)
    if progress:
        progress(50)
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=StaticOnlyFetcher()).render()
    if progress:
        progress(90)
    content = document.write_pdf()
    assert content is not None
    return RenderedReport(content=content, page_count=len(document.pages))
