"""The demo research: leaders with some quarters missing; running it twice changes nothing."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from demo import research as demo
from demo.campaign import seed_campaign
from demo.org import seed_org
from research.models import Decision, Finding, ResearchProject, ResearchReport
from research.selectors import compliance_matrix

pytestmark = pytest.mark.django_db


def test_demo_seed_is_idempotent_and_leaves_some_leaders_behind():
    today = date(2026, 11, 20)
    org = seed_org()
    campaign = seed_campaign(org, start=today - timedelta(days=120), end=today + timedelta(days=90))
    demo.seed(org=org, campaign=campaign, rng=random.Random(1), today=today)
    counts = (
        ResearchProject.objects.count(),
        ResearchReport.objects.count(),
        Finding.objects.count(),
        Decision.objects.count(),
    )
    demo.seed(org=org, campaign=campaign, rng=random.Random(1), today=today)
    assert counts == (
        ResearchProject.objects.count(),
        ResearchReport.objects.count(),
        Finding.objects.count(),
        Decision.objects.count(),
    )
    assert Finding.objects.filter(problem__isnull=False).exists()
    assert Finding.objects.filter(solved_on__isnull=False).exists()
    assert Decision.objects.filter(projects__isnull=True, reports__isnull=True).exists()
    matrix = compliance_matrix(
        user=org.users["office"], campaign=campaign, year=today.year, today=today
    )
    usernames = {line.leader.username for line in matrix.lines}
    assert usernames == {"leader", "city_leader2", "jb_leader", "nh_leader", "ls_leader"}
    behind = {line.leader.username for line in matrix.behind}
    assert "ls_leader" in behind and "leader" not in behind
