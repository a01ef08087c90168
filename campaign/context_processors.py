"""The campaign switcher in the page header."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .selectors import campaigns_for


def campaign_choices(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    campaign = getattr(request, "campaign", None)
    if user is None or not user.is_authenticated or campaign is None:
        return {}
    return {"current_campaign": campaign or None, "campaign_choices": campaigns_for(user)}
