"""Celery tasks of the dashboards: thin. Their beat entries are in config/settings.py."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from . import warmup
from .escalation import escalate_lagging


@shared_task(name="dashboard.escalate_lagging")
def escalate_lagging_units() -> int:
    """Units red two weeks running, to their first responsible persons (idempotent: once
    a week per unit)."""
    return escalate_lagging(today=timezone.localdate())


@shared_task(name="dashboard.warm_dashboards")
def warm_dashboards() -> int:
    """The day's office dashboards counted and cached shortly after midnight (idempotent)."""
    return warmup.warm_dashboards(today=timezone.localdate())
