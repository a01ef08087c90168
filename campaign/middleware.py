from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject

from .selectors import current_campaign

SESSION_KEY = "campaign_id"


class CurrentCampaignMiddleware:
    """Puts the campaign the user chose (or the newest one he can see) on the request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.campaign = SimpleLazyObject(  # type: ignore[attr-defined]
            lambda: current_campaign(request.user, request.session.get(SESSION_KEY))
        )
        return self.get_response(request)
