"""Celery tasks: thin, take ids, idempotent. The beat entry is in config/settings.py."""

from __future__ import annotations

from datetime import date

from celery import Task, shared_task
from celery.utils.time import get_exponential_backoff_interval
from django.db import OperationalError
from django.utils import timezone

from . import services
from .channels import TransientDeliveryError

# Transient faults are retried with exponential backoff: 1 s, 2 s, 4 s … (with jitter),
# then every ten minutes at most; twelve retries span up to about forty minutes.
MAX_RETRIES = 12
BACKOFF_MAX = 600


@shared_task(
    name="notifications.send_daily_reminders",
    autoretry_for=(OperationalError,),  # the database restarting: the claim makes a rerun safe
    retry_backoff=30,
    max_retries=5,
)
def send_daily_reminders(day: str | None = None) -> dict[str, int]:
    """The daily beat job (08:30 Asia/Shanghai); ``day`` (ISO) defaults to today there."""
    the_day = date.fromisoformat(day) if day else timezone.localdate()
    run = services.send_reminders(day=the_day)
    follow_ups = services.notify_follow_ups(day=the_day)
    return {
        "follow_ups": follow_ups,
        "planned": run.planned,
        "claimed": run.claimed,
        "emails": len(run.emails),
        "webhooks": len(run.webhooks),
    }


@shared_task(
    name="notifications.send_event_batches",
    autoretry_for=(OperationalError,),
    retry_backoff=30,
    max_retries=5,
)
def send_event_batches() -> dict[str, int]:
    """Every half hour: the new events go out by email and robot, one message per person."""
    batch = services.send_event_batches()
    return {
        "notifications": batch.notifications,
        "emails": len(batch.emails),
        "webhooks": len(batch.webhooks),
    }


@shared_task(bind=True, name="notifications.deliver_batch", acks_late=True)
def deliver_batch(self: Task, delivery_ids: list[int]) -> dict[str, int]:
    """Send a batch of deliveries; the ones that failed for a transient reason are retried
    together, with the same backoff as a single delivery (their attempts are counted on
    their own rows, and the last retry marks them failed)."""
    final = self.request.retries >= MAX_RETRIES
    retry = services.attempt_deliveries(delivery_ids=delivery_ids, final=final)
    if retry and not final:
        countdown = get_exponential_backoff_interval(
            factor=1, retries=self.request.retries, maximum=BACKOFF_MAX, full_jitter=True
        )
        raise self.retry(args=(retry,), countdown=countdown, max_retries=MAX_RETRIES)
    return {"sent_or_done": len(delivery_ids) - len(retry), "failed": len(retry)}


# One delivery per task: sent so before batches, and kept for messages still queued.
@shared_task(
    bind=True,
    name="notifications.deliver_email",
    autoretry_for=(TransientDeliveryError,),
    retry_backoff=True,
    retry_backoff_max=BACKOFF_MAX,
    retry_jitter=True,
    max_retries=MAX_RETRIES,
    acks_late=True,
)
def deliver_email(self: Task, delivery_id: int) -> str:
    return services.attempt_delivery(
        delivery_id=delivery_id, final=self.request.retries >= MAX_RETRIES
    )


@shared_task(
    bind=True,
    name="notifications.deliver_webhook",
    autoretry_for=(TransientDeliveryError,),
    retry_backoff=True,
    retry_backoff_max=BACKOFF_MAX,
    retry_jitter=True,
    max_retries=MAX_RETRIES,
    acks_late=True,
)
def deliver_webhook(self: Task, delivery_id: int) -> str:
    return services.attempt_delivery(
        delivery_id=delivery_id, final=self.request.retries >= MAX_RETRIES
    )
