from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.cache import never_cache

from accounts import permissions
from accounts.roles import Action


@login_required
def home(request: HttpRequest) -> HttpResponse:
    role = permissions.home_role(request.user)
    page = permissions.home_page(request.user)
    if page is not None:
        try:
            return redirect(reverse(page))
        except NoReverseMatch:
            pass
    grants = permissions.acting_grants(request.user, Action.VIEW)
    return render(request, "core/home.html", {"role": role, "grants": grants})


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Database and broker state. 200 when the database answers; the broker is reported."""
    result: dict[str, Any] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        result["database"] = "ok"
    except Exception as exc:
        result["database"] = f"error: {exc.__class__.__name__}"
    if settings.CELERY_TASK_ALWAYS_EAGER:
        result["broker"] = "not configured (tasks run in-process)"
    else:
        result["broker"] = _broker_state()
    status = 200 if result["database"] == "ok" else 503
    result["status"] = "ok" if status == 200 else "error"
    return JsonResponse(result, status=status)


def _broker_state() -> str:
    from config.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return "ok"
    except Exception as exc:
        return f"error: {exc.__class__.__name__}"
