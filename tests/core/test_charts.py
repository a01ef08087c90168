"""The server-rendered SVG charts: valid markup, numbers on hover, table rows, safe labels."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from core import charts

SVG = "{http://www.w3.org/2000/svg}"


def parse(chart: charts.Chart) -> ET.Element:
    root = ET.fromstring(str(chart.svg))
    assert root.tag == f"{SVG}svg"
    return root


def titles(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iter(f"{SVG}title")]


def luminance(hex_colour: str) -> float:
    rgb = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


@pytest.mark.parametrize("horizontal", [True, False])
def test_bar_chart(horizontal):
    chart = charts.bar_chart(
        "各单位完成率",
        [("甲县委", 50), ("乙县委", 100.0), ("丙县委", 12.5)],
        horizontal=horizontal,
        suffix="%",
        max_value=100,
        label_header="单位",
        value_header="完成率",
    )
    root = parse(chart)
    assert root.get("role") == "img" and root.get("aria-labelledby")
    assert titles(root)[0] == "各单位完成率"
    assert "甲县委：50%" in titles(root) and "丙县委：12.5%" in titles(root)
    assert chart.headers == ("单位", "完成率")
    assert list(chart.rows) == [("甲县委", "50%"), ("乙县委", "100%"), ("丙县委", "12.5%")]
    widths = [
        float(r.get("width" if horizontal else "height"))
        for r in root.iter(f"{SVG}rect")
        if r.find(f"{SVG}title") is not None
    ]
    assert widths[1] == pytest.approx(widths[0] * 2)


def test_stacked_bar_chart():
    chart = charts.stacked_bar_chart(
        "问题整改",
        ["甲县委", "乙县委"],
        [("已销号", [3, 0]), ("未销号", [1, 2])],
        label_header="单位",
    )
    root = parse(chart)
    assert {"甲县委 · 已销号：3", "甲县委 · 未销号：1", "乙县委 · 未销号：2"} <= set(titles(root))
    assert "乙县委 · 已销号：0" not in titles(root)  # an empty segment draws nothing
    assert chart.headers == ("单位", "已销号", "未销号")
    assert list(chart.rows) == [("甲县委", "3", "1"), ("乙县委", "0", "2")]


def test_line_chart_by_week():
    labels = [f"W{n}" for n in range(41, 49)]
    chart = charts.line_chart(
        "逐周趋势", labels, [("活动", [1, 2, 3, 4, 5, 6, 7, 8])], label_header="周次"
    )
    root = parse(chart)
    assert len(list(root.iter(f"{SVG}circle"))) == 8
    assert "活动 · W48：8" in titles(root)
    assert list(chart.rows)[-1] == ("W48", "8")


def test_progress_ring():
    chart = charts.progress_ring("销号率", 1, 3, done_label="已销号", rest_label="未销号")
    root = parse(chart)
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "33.3%" in texts and "1 / 3" in texts
    assert "已销号：1 / 3" in titles(root)
    assert list(chart.rows) == [("已销号", "1"), ("未销号", "2")]
    empty = parse(charts.progress_ring("空", 0, 0))
    assert "0.0%" in [t.text for t in empty.iter(f"{SVG}text")]


def test_empty_data_still_draws():
    for chart in (
        charts.bar_chart("空", []),
        charts.bar_chart("空", [], horizontal=False),
        charts.stacked_bar_chart("空", [], []),
        charts.line_chart("空", [], []),
    ):
        parse(chart)
        assert list(chart.rows) == []


def test_labels_are_escaped_and_there_is_no_script_or_style():
    evil = '<script>alert("x")</script>&"\''
    chart = charts.bar_chart(evil, [(evil, 1)])
    markup = str(chart.svg)
    assert "<script" not in markup and "style=" not in markup and "onload" not in markup
    root = parse(chart)
    assert evil in titles(root)[0]


def test_every_text_names_the_cjk_font():
    chart = charts.line_chart("趋势", ["W1", "W2"], [("甲", [1, 2]), ("乙", [2, 1])])
    root = parse(chart)
    assert "WenQuanYi Micro Hei" in root.get("font-family")
    texts = list(root.iter(f"{SVG}text"))
    assert texts and all("WenQuanYi Micro Hei" in t.get("font-family") for t in texts)


def test_text_colours_keep_4_5_to_1_on_white():
    markup = "".join(
        str(c.svg)
        for c in (
            charts.bar_chart("a", [("x", 1)]),
            charts.stacked_bar_chart("b", ["x"], [("s", [1])]),
            charts.line_chart("c", ["w"], [("s", [1])]),
            charts.progress_ring("d", 1, 2),
        )
    )
    fills = set(re.findall(r'<text[^>]* fill="(#[0-9a-f]{6})"', markup))
    assert fills
    for colour in fills:
        assert contrast(colour, "#ffffff") >= 4.5, colour
    for colour in charts.PALETTE:  # white text on a bar stays readable too
        assert contrast(colour, "#ffffff") >= 4.5, colour


def test_the_chart_renders_in_a_template():
    from django.template import Context, Template

    chart = charts.bar_chart("甲", [("乙", 1)])
    html = Template("{{ chart }}{{ chart.svg }}").render(Context({"chart": chart}))
    assert html.count("<svg") == 2 and "&lt;svg" not in html
