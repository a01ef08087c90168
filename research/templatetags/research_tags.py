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
    paragraph. Everything is escaped; no markup from the text reaches the page.

    The page's title is the h1, so "#" is an h2, "##" an h3 and so on; a heading never goes
    more than one level below the one before it (no "#" then "###" skipping the h3)."""
    parts: list[str] = []
    paragraph: list[str] = []
    previous = 1

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
                tag = min(level + 1, previous + 1)
                previous = tag
                parts.append(f'<h{tag} class="h{tag + 2}">{escape(title)}</h{tag}>')
        else:
            paragraph.append(line)
    flush()
    return mark_safe("\n".join(parts))


@register.filter
def quarter_label(quarter: int) -> str:
    return _("Q%(n)s") % {"n": quarter} if quarter in (1, 2, 3, 4) else ""
