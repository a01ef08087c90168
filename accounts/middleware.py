from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

# Set in the session by a sign-in through WeCom or DingTalk (accounts/sso_views.py).
SIGNED_IN_WITH = "signed_in_with"


class PasswordChangeRequiredMiddleware:
    """Users created by an import must choose their own password before anything else
    (not when they signed in through their work platform: they need no password then)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and getattr(user, "must_change_password", False)
            and not request.session.get(SIGNED_IN_WITH)
        ):
            allowed = {
                reverse("accounts:password-change"),
                reverse("accounts:logout"),
                reverse("healthz"),
            }
            if request.path not in allowed and not request.path.startswith(("/static/", "/i18n/")):
                return redirect("accounts:password-change")
        return self.get_response(request)
