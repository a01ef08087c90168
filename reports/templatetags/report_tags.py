"""Small formatting helpers for the weekly report."""

from __future__ import annotations

from datetime import date

from django import template

register = template.Library()


@register.filter
def signed(value: int | float) -> str:
    """+3, −2 or 0: the week's change as it is printed."""
    if not value:
        return "0"
    return f"+{value}" if value > 0 else f"−{abs(value)}"


@register.filter
def percent(value: float) -> str:
    return f"{value:.1f}%"


@register.filter
def days_before(day: date, until: date) -> int:
    """Whole days from ``day`` to ``until`` (how long an item has been overdue)."""
    return (until - day).days
