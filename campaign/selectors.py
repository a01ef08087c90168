from __future__ import annotations

from typing import Any

from .models import Campaign


def campaigns_for(user: Any) -> list[Campaign]:
    return list(Campaign.objects.visible_to(user).select_related("root_unit"))


def current_campaign(user: Any, chosen_id: Any) -> Campaign | None:
    """The campaign chosen in the session if the user may see it, else the newest active one."""
    visible = Campaign.objects.visible_to(user).select_related("root_unit")
    if chosen_id:
        chosen = visible.filter(pk=chosen_id).first()
        if chosen is not None:
            return chosen
    return visible.filter(is_active=True).first() or visible.first()
