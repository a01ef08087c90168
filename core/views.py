from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles.storage import staticfiles_storage
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
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


# What every page loads: without them (no collectstatic, a stale manifest) pages answer 500.
PAGE_ASSETS = (
    "vendor/bootstrap/css/bootstrap.min.css",
    "css/app.css",
    "vendor/bootstrap/js/bootstrap.bundle.min.js",
    "js/app.js",
)
# The sweep leaves a sign of life every minute (core/tasks.py); three missed is a fault.
WORKER_SILENCE = timedelta(minutes=3)


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """What an operator needs to know, as JSON: the database, the static files every page
    needs (503 when either fails: pages would answer 500), the broker and whether a worker
    answered recently (reported: pages still work, jobs wait and start once they are back).
    """
    result: dict[str, Any] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        result["database"] = "ok"
    except Exception as exc:
        result["database"] = f"error: {exc.__class__.__name__}"
    result["static"] = _static_state()
    if settings.CELERY_TASK_ALWAYS_EAGER:
        result["broker"] = "not configured (tasks run in-process)"
        result["worker"] = "not configured (tasks run in-process)"
    else:
        result["broker"] = _broker_state()
        result["worker"] = _worker_state() if result["database"] == "ok" else "unknown"
    healthy = result["database"] == "ok" and result["static"] == "ok"
    result["status"] = "ok" if healthy else "error"
    return JsonResponse(result, status=200 if healthy else 503)


def _broker_state() -> str:
    from config.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return "ok"
    except Exception as exc:
        return f"error: {exc.__class__.__name__}"


def _worker_state() -> str:
    from .models import Liveness

    seen = Liveness.objects.filter(name="worker").values_list("at", flat=True).first()
    if seen is None:
        return "error: no worker has answered yet (is a worker and one beat running?)"
    silence = timezone.now() - seen
    if silence > WORKER_SILENCE:
        return (
            f"error: no worker has answered for {int(silence.total_seconds() // 60)} minutes "
            "(is a worker and one beat running?)"
        )
    return "ok"


def _static_state() -> str:
    """The collected files and their manifest (production storage), re-read from disk."""
    storage: Any = staticfiles_storage
    if not hasattr(storage, "load_manifest"):
        return "ok"  # DEBUG and tests serve the source tree
    try:
        manifest, _hash = storage.load_manifest()
    except Exception as exc:
        return f"error: the static manifest cannot be read ({exc.__class__.__name__})"
    missing = [name for name in PAGE_ASSETS if name not in manifest]
    if missing:
        return f"error: not collected: {', '.join(missing)} (run manage.py collectstatic)"
    gone = [name for name in PAGE_ASSETS if not storage.exists(manifest[name])]
    if gone:
        return f"error: missing in STATIC_ROOT: {', '.join(gone)} (run manage.py collectstatic)"
    return "ok"
