"""The product's defaults for a new campaign."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

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

# How the default categories read in English (the stored value stays the Chinese word an
# office may have typed; a category of its own shows as typed).
CATEGORY_LABELS = {
    "理论学习": _("Theory study"),
    "政治素质": _("Political quality"),
    "能力本领": _("Ability and skill"),
    "担当作为": _("Taking responsibility"),
    "工作作风": _("Work style"),
    "廉洁自律": _("Integrity and self-discipline"),
    "服务群众": _("Serving the people"),
    "推动发展": _("Promoting development"),
    "基层党建": _("Primary-level Party building"),
    "其他": _("Other"),
}


def category_label(value: str) -> str:
    """A problem category in the reader's language."""
    label = CATEGORY_LABELS.get(value)
    return str(label) if label is not None else value
