"""The product's defaults for a new campaign."""

from __future__ import annotations

# The problem categories a new campaign starts with (an office may change them): the
# speech's checklist for the 检视整改 workstream.
PROBLEM_CATEGORIES = [
    "理论学习",
    "政治素质",
    "能力本领",
    "担当作为",
    "工作作风",
    "廉洁自律",
    "服务群众",
    "推动发展",
    "基层党建",
    "其他",
]
