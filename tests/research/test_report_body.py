"""A report's text under the page's h1: headings start at h2 and never skip a level."""

from __future__ import annotations

import re

from research.templatetags.research_tags import report_body


def levels(html: str) -> list[int]:
    return [int(n) for n in re.findall(r"<h(\d)", html)]


def test_headings_start_at_h2():
    assert levels(report_body("# 一、基本情况\n正文\n## （一）做法\n# 二、问题")) == [2, 3, 2]


def test_a_deeper_heading_goes_down_one_level_only():
    assert levels(report_body("## 小节\n### 细目\n# 一、\n### 跳过一级")) == [2, 3, 2, 3]


def test_text_is_escaped():
    html = report_body("# <b>标题</b>\n<script>x</script>")
    assert "<b>" not in html and "<script>" not in html
