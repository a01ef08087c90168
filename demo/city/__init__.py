"""``seed_demo --scale city``: a whole city's worth of data, generated in bulk.

``seed_demo --scale province`` builds ten of these under a province committee
(``demo.city.province``).

About 1 city, 12 counties, 60 departments, 600 party committees, 6,000 branches,
8,000 users, 60,000 assignments, 150,000 activities, 1,500 research projects and
30,000 problems with 75,000 measures (DESIGN.md "Budgets"). Deterministic for a seed.
Rows are written in large batches with ``demo.bulk.bulk_create_with_history``, which also
writes the history rows of every insert.
"""

from __future__ import annotations

import random
import resource
import time
from collections.abc import Callable
from datetime import date
from typing import IO, Any

import pghistory
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import OrgUnit

from . import campaign, org, rectification, research
from .base import CITY_CODE, CityData

__all__ = ["CITY_CODE", "CityData", "seed_city"]

# The parts of the data set, in the order they are built. Each takes the CityData.
SECTIONS: list[tuple[str, Callable[[CityData], None]]] = [
    ("organisation tree", org.seed_org),
    ("users and roles", org.seed_users),
    ("campaign", org.seed_campaign),
    ("tasks and assignments", campaign.seed_tasks),
    ("activities", campaign.seed_activities),
    ("development items", campaign.seed_development),
    ("research", research.seed_research),
    ("problems and measures", rectification.seed_problems),
]


def seed_city(*, seed: int, stdout: IO[str] | Any, today: date | None = None) -> CityData:
    """Create the city data set; refuses to run twice into the same database."""
    if OrgUnit.objects.filter(code=CITY_CODE).exists():
        stdout.write(f"The city data set (unit {CITY_CODE}) already exists; nothing to do.\n")
        raise SystemExit(0)
    data = CityData(rng=random.Random(seed), today=today or timezone.localdate())  # noqa: S311
    started = time.monotonic()
    with pghistory.context(command="seed_demo --scale city"), transaction.atomic():
        for name, function in SECTIONS:
            t0 = time.monotonic()
            function(data)
            stdout.write(f"  {name}: {time.monotonic() - t0:.1f} s\n")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    stdout.write(
        f"City data set ready in {time.monotonic() - started:.1f} s, peak memory "
        f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB "
        f"(campaign id {data.campaign.pk if data.campaign else '-'}).\n"
    )
    return data
