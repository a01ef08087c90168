"""Display helpers of the research pages."""

from __future__ import annotations

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def report_body(text: str) -> SafeString:
    """Render a report's text: a line starting with # is a heading, an empty line ends a
    paragraph. Everything is escaped; no markup from the text reaches the page."""
    parts: list[str] = []
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            parts.append("<p>" + "<br>".join(escape(line) for line in paragraph) + "</p>")
            paragraph.clear()

    for raw in (text or "").splitlines():
        line = raw.strip()
        if not line:
            flush()
        elif line.startswith("#"):
            flush()
            level = min(len(line) - len(line.lstrip("#")), 3)
            title = line.lstrip("#").strip()
            if title:
                parts.append(f'<h{level + 2} class="h{level + 3}">{escape(title)}</h{level + 2}>')
        else:
            paragraph.append(line)
    flush()
    return mark_safe("\n".join(parts))


@register.filter
def quarter_label(quarter: int) -> str:
    return _("Q%(n)s") % {"n": quarter} if quarter in (1, 2, 3, 4) else ""
