"""``seed_demo``: the small demo city 江州市, the speech's campaign and a few months of work.

Every record is written through the product's services, as its users would, so the demo's
history reads like real use. Running it again changes nothing.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

import pghistory

from campaign.models import Campaign, Task

from . import (
    activities,
    bulletins,
    development,
    leading_group,
    meetings,
    rectification,
    research,
    study,
    supervision,
    tasks,
)
from .campaign import seed_campaign
from .org import DemoOrg, seed_org

# The campaign runs from four months before the day of the seed to three months after it.
DAYS_BEFORE = 120
DAYS_AFTER = 90


def seed_small(*, seed: int, today: date) -> tuple[DemoOrg, Campaign]:
    rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
    with pghistory.context(command="seed_demo"):
        org = seed_org()
        campaign = seed_campaign(
            org, start=today - timedelta(days=DAYS_BEFORE), end=today + timedelta(days=DAYS_AFTER)
        )
        if not Task.objects.filter(campaign=campaign).exists():
            tasks.deploy(org=org, campaign=campaign, today=today)
            activities.seed(org=org, campaign=campaign, rng=rng, today=today)
            tasks.progress(org=org, campaign=campaign, rng=rng, today=today)
            development.seed(org=org, campaign=campaign, rng=rng, today=today)
        for part in (study, research, rectification, supervision, meetings, bulletins):
            part.seed(org=org, campaign=campaign, rng=rng, today=today)
        leading_group.seed(org=org, campaign=campaign, today=today)
    return org, campaign
