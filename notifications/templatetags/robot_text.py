"""Escaping for robot messages in markdown (WeCom and DingTalk).

HTML escaping does nothing against markdown: a title ``[点此](https://evil.example)`` would
become a link in every member's group chat. ``robot_md`` turns the characters markdown
reads as syntax into their full-width forms (readable in Chinese text, inert for the
robots) and keeps a value on one line, so that it cannot start a heading or a list.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

_MARKDOWN = str.maketrans(
    {
        "[": "［",
        "]": "］",
        "(": "（",
        ")": "）",
        "<": "＜",
        ">": "＞",
        "*": "＊",
        "_": "＿",
        "`": "｀",
        "#": "＃",
        "!": "！",
        "|": "｜",
        "~": "～",
        "\\": "＼",
        "&": "＆",
    }
)


def markdown_text(value: Any) -> str:
    if isinstance(value, Iterable) and not isinstance(value, str):
        value = "、".join(str(v) for v in value)
    return " ".join(str(value).translate(_MARKDOWN).split())


@register.filter(is_safe=True)
def robot_md(value: Any) -> SafeString:
    """A value people typed, as inert markdown text (a list is joined with 、)."""
    return mark_safe(markdown_text(value))


@register.filter(is_safe=True)
def robot_url(value: Any) -> SafeString:
    """A link target that cannot close the markdown link early."""
    return mark_safe(quote(str(value), safe=":/?=&%#~+,;@"))
