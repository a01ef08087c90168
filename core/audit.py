"""Logging security-relevant events: logins, failed logins, exports, imports, downloads."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from .models import AuditEvent


def client_address(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def audit_log(
    *,
    kind: str,
    request: HttpRequest | None = None,
    actor: Any = None,
    unit: Any = None,
    **detail: Any,
) -> AuditEvent:
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    return AuditEvent.objects.create(
        kind=kind,
        actor=actor if getattr(actor, "pk", None) else None,
        username=getattr(actor, "username", "") or detail.pop("username", ""),
        unit=unit,
        ip_address=client_address(request),
        detail={k: str(v) for k, v in detail.items()},
    )


@receiver(user_logged_in)
def _logged_in(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    audit_log(kind=AuditEvent.Kind.LOGIN, request=request, actor=user)


@receiver(user_logged_out)
def _logged_out(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit_log(kind=AuditEvent.Kind.LOGOUT, request=request, actor=user)


@receiver(user_login_failed)
def _login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    audit_log(
        kind=AuditEvent.Kind.LOGIN_FAILED,
        request=request,
        username=str(credentials.get("username", ""))[:150],
    )
