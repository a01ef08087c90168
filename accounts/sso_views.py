"""Signing in with WeCom (企业微信 / 政务微信) or DingTalk, beside the password login.

Desktop: the login page's button opens the platform's QR-code page. Inside the platform's
own browser on a phone the same address signs the person in without a tap (the silent
OAuth page). The platform sends back a one-time code; the server turns it into the person's
user id and signs in the account linked to that id. No account is ever created: an id
linked to nobody is refused with a message saying how to link it. A signed-in person links
his own id once from the "linked accounts" page (the same round trip, confirmed by the
platform).
"""

from __future__ import annotations

import logging
import secrets
from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core.platforms import PlatformError, client, platform_name, platforms_on

from . import services
from .forms import LoginForm
from .middleware import SIGNED_IN_WITH

logger = logging.getLogger(__name__)

SESSION_KEY = "sso"
# What each platform's in-app browser says of itself in its User-Agent.
IN_APP_MARKS = {"wecom": ("wxwork",), "dingtalk": ("dingtalk",)}


def _client_for(platform: str) -> Any:
    if platform not in services.WORK_ID_FIELDS:
        raise Http404
    platform_client = client(platform)
    if not platform_client.configured:
        raise Http404
    return platform_client


def _safe(request: HttpRequest, target: str) -> str:
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


@require_GET
def sso_start(request: HttpRequest, platform: str) -> HttpResponse:
    """Off to the platform: its QR code on a desktop, its silent sign-in in its own app."""
    platform_client = _client_for(platform)
    linking = bool(request.GET.get("link")) and request.user.is_authenticated
    if request.user.is_authenticated and not linking:
        return redirect(_safe(request, request.GET.get("next", "")) or reverse("home"))
    state = secrets.token_urlsafe(24)
    request.session[SESSION_KEY] = {
        "state": state,
        "platform": platform,
        "next": _safe(request, request.GET.get("next", "")),
        "link": linking,
    }
    agent = request.headers.get("User-Agent", "").lower()
    in_app = any(mark in agent for mark in IN_APP_MARKS[platform])
    callback = request.build_absolute_uri(reverse("accounts:sso-callback", args=[platform]))
    return redirect(
        platform_client.authorize_url(redirect_uri=callback, state=state, in_app=in_app)
    )


def _refuse(request: HttpRequest, message: str, status: int = 403) -> HttpResponse:
    return render(
        request,
        "accounts/login.html",
        {
            "form": LoginForm(request),
            "sso_error": message,
            "sso_platforms": platforms_on(),
            "next": "",
        },
        status=status,
    )


@require_GET
def sso_callback(request: HttpRequest, platform: str) -> HttpResponse:
    """Back from the platform with a one-time code: sign in the account linked to the
    person's id, or link it to the signed-in person, or refuse."""
    platform_client = _client_for(platform)
    pending = request.session.pop(SESSION_KEY, None) or {}
    name = platform_name(platform)
    state = request.GET.get("state", "")
    code = request.GET.get("code", "") or request.GET.get("authCode", "")
    if not pending or pending.get("platform") != platform or not state or not code:
        return _refuse(request, _("The sign-in was not completed. Please try again."), 400)
    if not secrets.compare_digest(str(pending.get("state", "")), state):
        return _refuse(request, _("The sign-in was not completed. Please try again."), 400)
    try:
        work_id = platform_client.user_id_from_code(code)
    except PlatformError as exc:
        logger.warning("%s sign-in failed: %s (code %s)", platform, exc, exc.code)
        return _refuse(
            request,
            _(
                "%(platform)s could not confirm who you are (error %(code)s). Please try again "
                "or log in with your password."
            )
            % {"platform": name, "code": exc.code or "-"},
        )
    if pending.get("link"):
        if not request.user.is_authenticated:
            return redirect("accounts:login")
        try:
            services.link_work_id(user=request.user, platform=platform, work_id=work_id)  # type: ignore[arg-type]
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
        else:
            messages.success(
                request,
                _("Your %(platform)s account is linked: you can sign in with it from now on.")
                % {"platform": name},
            )
        return redirect("accounts:linked-accounts")
    user = services.user_for_work_id(platform, work_id)
    if user is None:
        return _refuse(
            request,
            _(
                "Your %(platform)s account (%(id)s) is not linked to an account of this "
                "system. Log in once with your username and password and link it under "
                "“Linked accounts”, or ask your unit's office to enter your %(platform)s user "
                "id in the organisation workbook. No account is created by signing in."
            )
            % {"platform": name, "id": work_id},
        )
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    request.session[SIGNED_IN_WITH] = platform
    return redirect(pending.get("next") or reverse("home"))


@require_GET
@login_required
def linked_accounts(request: HttpRequest) -> HttpResponse:
    """The person's WeCom / DingTalk links: which are linked, and a button to link."""
    user: Any = request.user
    rows = [
        {
            "code": p["code"],
            "name": p["name"],
            "linked": getattr(user, services.WORK_ID_FIELDS[p["code"]]),
        }
        for p in platforms_on()
    ]
    return render(request, "accounts/linked_accounts.html", {"rows": rows})
