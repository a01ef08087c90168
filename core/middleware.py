"""Responses to a logged-in person are never stored by a browser or a proxy."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers, patch_cache_control


class NoStoreForLoggedInMiddleware:
    """``Cache-Control: no-store`` on every page and download served to a logged-in user.

    Pages and files hold the scope of the person who asked: a shared computer's cache or
    a proxy must not keep them for the next person. Static files are answered before this
    middleware runs (whitenoise) and keep their long cache.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
            patch_cache_control(response, no_store=True, private=True)
        return response
