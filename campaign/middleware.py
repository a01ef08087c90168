from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject

from .selectors import campaigns_for, current_campaign

SESSION_KEY = "campaign_id"


class CurrentCampaignMiddleware:
    """Puts the campaigns the user can see (``request.campaigns``, the header's switcher)
    and the one he chose or the newest (``request.campaign``) on the request, both read
    from one query when first used."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        visible = SimpleLazyObject(lambda: campaigns_for(request.user))
        request.campaigns = visible  # type: ignore[attr-defined]
        request.campaign = SimpleLazyObject(  # type: ignore[attr-defined]
            lambda: current_campaign(list(visible), request.session.get(SESSION_KEY))
        )
        return self.get_response(request)
