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
    # the list the middleware chose the current campaign from (one query for both)
    choices = getattr(request, "campaigns", None)
    return {
        "current_campaign": campaign or None,
        "campaign_choices": list(choices) if choices is not None else campaigns_for(user),
    }
