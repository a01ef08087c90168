"""Celery tasks: thin, take ids, idempotent. The beat entry is in config/settings.py."""

from __future__ import annotations

from datetime import date

from celery import shared_task
from django.utils import timezone

from . import services
from .channels import TransientDeliveryError

RETRY_OPTIONS = {
    "autoretry_for": (TransientDeliveryError,),
    "retry_backoff": True,  # 1 s, 2 s, 4 s … with jitter
    "retry_backoff_max": 600,  # then every ten minutes at most
    "retry_jitter": True,
    "max_retries": 12,  # about an hour of trying in all
    "acks_late": True,
}


@shared_task(name="notifications.send_daily_reminders")
def send_daily_reminders(day: str | None = None) -> dict[str, int]:
    """The daily beat job (08:30 Asia/Shanghai); ``day`` (ISO) defaults to today there."""
    run = services.send_reminders(
        day=date.fromisoformat(day) if day else timezone.localdate()
    )
    return {
        "planned": run.planned,
        "claimed": run.claimed,
        "emails": len(run.emails),
        "webhooks": len(run.webhooks),
    }


@shared_task(bind=True, name="notifications.deliver_email", **RETRY_OPTIONS)
def deliver_email(self, delivery_id: int) -> str:
    return services.attempt_delivery(
        delivery_id=delivery_id, final=self.request.retries >= self.max_retries
    )


@shared_task(bind=True, name="notifications.deliver_webhook", **RETRY_OPTIONS)
def deliver_webhook(self, delivery_id: int) -> str:
    return services.attempt_delivery(
        delivery_id=delivery_id, final=self.request.retries >= self.max_retries
    )
