"""HTML written in Python where a template would loop over thousands of values."""

from __future__ import annotations

import html
from typing import Any


def esc(value: Any) -> str:
    """The text of ``value`` escaped as the template engine does (``conditional_escape``:
    safe strings pass unchanged), without its per-call check for lazy arguments."""
    if hasattr(value, "__html__"):
        return str(value.__html__())
    return html.escape(str(value))
