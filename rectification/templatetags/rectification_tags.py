"""Template helpers of the rectification pages."""

from __future__ import annotations

from django import template

from campaign.defaults import category_label as _category_label

register = template.Library()


@register.filter
def category_label(value: str) -> str:
    """A problem category in the reader's language (the default ones are translated)."""
    return _category_label(value)
