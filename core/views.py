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
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.roles import Role
from accounts.scoping import grants_of, user_roles
from campaign.middleware import SESSION_KEY
from campaign.models import Campaign

# The first role a user holds, in this order, decides his home page.
HOME_BY_ROLE: list[tuple[str, str]] = [
    (Role.OFFICE, "dashboard:office"),
    (Role.VIEWER, "dashboard:office"),
    (Role.LEADER, "dashboard:leader"),
    (Role.SECRETARY, "campaign:todo"),
    (Role.MEMBER, "campaign:activity-list"),
]


def home_role(user: Any) -> str | None:
    roles = set(Role.values) if user.is_superuser else user_roles(user)
    for role, _name in HOME_BY_ROLE:
        if role in roles:
            return role
    return None


@login_required
def home(request: HttpRequest) -> HttpResponse:
    role = home_role(request.user)
    for candidate, name in HOME_BY_ROLE:
        if candidate == role:
            try:
                return redirect(reverse(name))
            except NoReverseMatch:
                break
    grants = grants_of(request.user)
    return render(request, "core/home.html", {"role": role, "grants": grants})


@login_required
@require_POST
def choose_campaign(request: HttpRequest) -> HttpResponse:
    chosen = Campaign.objects.visible_to(request.user).filter(pk=request.POST.get("campaign"))
    campaign = chosen.first()
    if campaign is not None:
        request.session[SESSION_KEY] = campaign.pk
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    return redirect(target)


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
