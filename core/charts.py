"""Server-rendered SVG charts for pages and PDFs.

Every chart returns a ``Chart``: the SVG markup (readable without JavaScript, a ``<title>``
on each mark so the number shows on hover, the CJK font named in every ``font-family``)
and the same numbers as table rows, so a page can show a table beside the chart.

Labels are escaped; the markup carries no script and no ``style`` attribute, so it passes
the Content-Security-Policy.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import count

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

FONT_FAMILY = "'WenQuanYi Micro Hei', 'Noto Sans CJK SC', sans-serif"
TEXT = "#212529"  # 16:1 on white
MUTED_TEXT = "#495057"  # 8.6:1 on white
GRID = "#ced4da"
TRACK = "#e9ecef"
# Fills chosen so that white text on them, and they on white, keep 4.5:1 or more.
PALETTE = ("#1f4e99", "#a4161a", "#2d6a2d", "#8a4b00", "#5a3d91", "#0f5e6e", "#6c4a00")

Number = int | float | Decimal

_ids = count(1)


@dataclass(frozen=True)
class Chart:
    title: str
    svg: SafeString
    headers: tuple[str, ...]
    rows: Sequence[tuple[str, ...]] = field(default_factory=list)

    def __html__(self) -> str:
        return str(self.svg)

    def __str__(self) -> str:
        return str(self.svg)


def _fmt(value: Number, suffix: str = "") -> str:
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, float) and not value.is_integer():
        text = f"{value:.1f}"
    else:
        text = f"{int(value)}"
    return f"{text}{suffix}"


def _attr(value: object) -> str:
    return escape(str(value))


def _text(
    x: float,
    y: float,
    content: str,
    *,
    anchor: str = "start",
    size: int = 12,
    fill: str = TEXT,
    weight: str = "normal",
    baseline: str = "middle",
) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-family="{_attr(FONT_FAMILY)}" font-size="{size}" '
        f'font-weight="{weight}" fill="{fill}" text-anchor="{anchor}" '
        f'dominant-baseline="{baseline}">{escape(content)}</text>'
    )


def _truncate(label: str, limit: int) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _svg(width: int, height: int, title: str, body: list[str]) -> SafeString:
    ident = f"chart-{next(_ids)}"
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-labelledby="{ident}" '
        f'font-family="{_attr(FONT_FAMILY)}">'
        f'<title id="{ident}">{escape(title)}</title>'
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>'
        + "".join(body)
        + "</svg>"
    )


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    exponent = math.floor(math.log10(value))
    base = 10**exponent
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * base:
            return float(step * base)
    return float(10 * base)


def bar_chart(
    title: str,
    items: Sequence[tuple[str, Number]],
    *,
    horizontal: bool = True,
    value_header: str = "",
    label_header: str = "",
    suffix: str = "",
    max_value: Number | None = None,
    width: int = 640,
) -> Chart:
    """One bar per item; ``max_value`` fixes the scale (100 for percentages)."""
    values = [float(v) for _, v in items]
    top = float(max_value) if max_value is not None else _nice_max(max(values, default=0))
    top = top or 1.0
    body: list[str] = [_text(8, 16, title, size=14, weight="bold")]
    if horizontal:
        bar_h, gap, label_w, top_y = 20, 10, 150, 34
        plot_w = width - label_w - 70
        height = top_y + max(len(items), 1) * (bar_h + gap) + 10
        for i, (label, value) in enumerate(items):
            y = top_y + i * (bar_h + gap)
            w = max(0.0, min(1.0, float(value) / top)) * plot_w
            body.append(
                _text(label_w - 8, y + bar_h / 2, _truncate(label, 10), anchor="end")
                + f'<rect x="{label_w}" y="{y}" width="{plot_w}" height="{bar_h}" '
                f'fill="{TRACK}"/>'
                f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h}" '
                f'fill="{PALETTE[0]}"><title>{escape(label)}：{escape(_fmt(value, suffix))}'
                "</title></rect>" + _text(label_w + plot_w + 6, y + bar_h / 2, _fmt(value, suffix))
            )
        if not items:
            body.append(_text(label_w, top_y + bar_h / 2, "—", fill=MUTED_TEXT))
    else:
        height, top_y, bottom = 260, 34, 60
        plot_h = height - top_y - bottom
        left = 40
        plot_w = width - left - 10
        slot = plot_w / max(len(items), 1)
        bar_w = min(48.0, slot * 0.6)
        body.append(
            f'<line x1="{left}" y1="{top_y + plot_h}" x2="{width - 10}" y2="{top_y + plot_h}" '
            f'stroke="{GRID}"/>'
        )
        for i, (label, value) in enumerate(items):
            x = left + i * slot + (slot - bar_w) / 2
            h = max(0.0, min(1.0, float(value) / top)) * plot_h
            bar_y = top_y + plot_h - h
            body.append(
                f'<rect x="{x:.1f}" y="{bar_y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                f'fill="{PALETTE[0]}"><title>{escape(label)}：{escape(_fmt(value, suffix))}'
                "</title></rect>"
                + _text(x + bar_w / 2, bar_y - 8, _fmt(value, suffix), anchor="middle", size=11)
                + _text(
                    x + bar_w / 2,
                    top_y + plot_h + 16,
                    _truncate(label, max(2, int(slot // 12))),
                    anchor="middle",
                    size=11,
                )
            )
    rows = [(label, _fmt(value, suffix)) for label, value in items]
    return Chart(title, _svg(width, height, title, body), (label_header, value_header), rows)


def stacked_bar_chart(
    title: str,
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[Number]]],
    *,
    label_header: str = "",
    width: int = 640,
) -> Chart:
    """Horizontal bars, one per category, split into the series (e.g. closed / open)."""
    totals = [sum(float(values[i]) for _, values in series) for i in range(len(categories))]
    top = _nice_max(max(totals, default=0))
    bar_h, gap, label_w, top_y = 20, 10, 150, 56
    plot_w = width - label_w - 70
    height = top_y + max(len(categories), 1) * (bar_h + gap) + 10
    body: list[str] = [_text(8, 16, title, size=14, weight="bold")]
    legend_x = 8.0
    for s, (name, _values) in enumerate(series):
        colour = PALETTE[s % len(PALETTE)]
        body.append(
            f'<rect x="{legend_x:.1f}" y="32" width="12" height="12" fill="{colour}"/>'
            + _text(legend_x + 16, 38, name, size=11)
        )
        legend_x += 28 + 13 * len(name)
    for i, category in enumerate(categories):
        y = top_y + i * (bar_h + gap)
        x = float(label_w)
        body.append(_text(label_w - 8, y + bar_h / 2, _truncate(category, 10), anchor="end"))
        for s, (name, values) in enumerate(series):
            value = float(values[i])
            w = value / top * plot_w
            if w <= 0:
                continue
            body.append(
                f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_h}" '
                f'fill="{PALETTE[s % len(PALETTE)]}"><title>{escape(category)} · '
                f"{escape(name)}：{escape(_fmt(values[i]))}</title></rect>"
            )
            x += w
        body.append(_text(x + 6, y + bar_h / 2, _fmt(totals[i])))
    headers = (label_header, *(name for name, _ in series))
    rows = [
        (category, *(_fmt(values[i]) for _, values in series))
        for i, category in enumerate(categories)
    ]
    return Chart(title, _svg(width, height, title, body), headers, rows)


def line_chart(
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[Number]]],
    *,
    label_header: str = "",
    width: int = 640,
    height: int = 240,
) -> Chart:
    """A trend: one point per label (e.g. per ISO week), one line per series."""
    values = [float(v) for _, vs in series for v in vs]
    top = _nice_max(max(values, default=0))
    left, right, top_y, bottom = 44, 16, 52, 40
    plot_w = width - left - right
    plot_h = height - top_y - bottom
    step = plot_w / max(len(labels) - 1, 1)
    body: list[str] = [_text(8, 16, title, size=14, weight="bold")]
    for fraction in (0, 0.5, 1):
        y = top_y + plot_h - fraction * plot_h
        body.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{GRID}"/>'
            + _text(left - 6, y, _fmt(top * fraction), anchor="end", size=10, fill=MUTED_TEXT)
        )
    legend_x = 8.0
    for s, (name, vs) in enumerate(series):
        colour = PALETTE[s % len(PALETTE)]
        body.append(
            f'<rect x="{legend_x:.1f}" y="28" width="12" height="12" fill="{colour}"/>'
            + _text(legend_x + 16, 34, name, size=11)
        )
        legend_x += 28 + 13 * len(name)
        points = [
            (left + i * step, top_y + plot_h - float(v) / top * plot_h) for i, v in enumerate(vs)
        ]
        if points:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            body.append(
                f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>'
            )
        for (x, y), label, v in zip(points, labels, vs, strict=False):
            body.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}">'
                f"<title>{escape(name)} · {escape(label)}：{escape(_fmt(v))}</title></circle>"
            )
    every = max(1, math.ceil(len(labels) / 8))
    for i, label in enumerate(labels):
        if i % every == 0 or i == len(labels) - 1:
            body.append(
                _text(left + i * step, top_y + plot_h + 16, label, anchor="middle", size=10)
            )
    headers = (label_header, *(name for name, _ in series))
    rows = [
        (label, *(_fmt(vs[i]) if i < len(vs) else "" for _, vs in series))
        for i, label in enumerate(labels)
    ]
    return Chart(title, _svg(width, height, title, body), headers, rows)


def progress_ring(
    title: str,
    done: Number,
    total: Number,
    *,
    done_label: str = "",
    rest_label: str = "",
    size: int = 180,
) -> Chart:
    """A donut: the share of ``done`` in ``total``, the percentage in its centre."""
    share = float(done) / float(total) if total else 0.0
    share = max(0.0, min(1.0, share))
    radius, stroke = 60.0, 18
    cx, cy = size / 2, size / 2 + 14
    circumference = 2 * math.pi * radius
    percent = f"{share * 100:.1f}%"
    body = [
        _text(8, 14, title, size=13, weight="bold"),
        f'<circle cx="{cx}" cy="{cy}" r="{radius}" fill="none" stroke="{TRACK}" '
        f'stroke-width="{stroke}"><title>{escape(rest_label)}：'
        f"{escape(_fmt(float(total) - float(done)))}</title></circle>",
    ]
    if share > 0:
        body.append(
            f'<circle cx="{cx}" cy="{cy}" r="{radius}" fill="none" stroke="{PALETTE[2]}" '
            f'stroke-width="{stroke}" stroke-dasharray="{circumference * share:.2f} '
            f'{circumference:.2f}" transform="rotate(-90 {cx} {cy})">'
            f"<title>{escape(done_label)}：{escape(_fmt(done))} / {escape(_fmt(total))}</title>"
            "</circle>"
        )
    body.append(_text(cx, cy - 6, percent, anchor="middle", size=20, weight="bold"))
    body.append(
        _text(
            cx, cy + 16, f"{_fmt(done)} / {_fmt(total)}", anchor="middle", size=11, fill=MUTED_TEXT
        )
    )
    rows = [(done_label, _fmt(done)), (rest_label, _fmt(float(total) - float(done)))]
    return Chart(title, _svg(size, size + 24, title, body), ("", ""), rows)
