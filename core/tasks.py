"""The periodic sweep of background jobs (beat, every minute; see ``core/jobs.py``)."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from . import jobs
from .models import Liveness

SWEEP_INTERVAL = 60  # seconds (the beat entry in config/settings.py)


@shared_task(name="core.sweep_jobs", soft_time_limit=50, time_limit=60)
def sweep_jobs() -> dict[str, int]:
    """Re-run jobs whose worker died, send jobs the broker never took; and leave the sign
    of life ``/healthz`` reads (a worker ran this a moment ago)."""
    Liveness.objects.update_or_create(name="worker", defaults={"at": timezone.now()})
    result = jobs.sweep()
    return {"resent": result.resent, "rerun": result.rerun, "failed": result.failed}
