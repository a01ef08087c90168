"""The demo problem list: every state and source, the flags shown, and idempotent."""

from __future__ import annotations

import random

import pytest

from demo import rectification as demo
from demo.campaign import seed_campaign
from demo.org import seed_org
from rectification import selectors
from rectification.models import Mechanism, Problem, ProblemSource, ProblemState, SpecialPlan
from tests.demo.conftest import TODAY

pytestmark = pytest.mark.django_db


def test_demo_seed_covers_the_workflow_and_is_idempotent():
    org = seed_org()
    campaign = seed_campaign(
        org, start=TODAY.replace(month=8), end=TODAY.replace(year=2027, month=2)
    )
    demo.seed(org=org, campaign=campaign, rng=random.Random(1), today=TODAY)
    count = Problem.objects.count()
    demo.seed(org=org, campaign=campaign, rng=random.Random(1), today=TODAY)
    assert Problem.objects.count() == count
    assert set(Problem.objects.values_list("state", flat=True)) == set(ProblemState.values)
    # (problems of the closing meetings come from demo/meetings.py)
    assert set(Problem.objects.values_list("source", flat=True)) == set(ProblemSource.values) - {
        ProblemSource.MEETING
    }
    office = org.users["office"]
    rows = list(selectors.problem_queryset(user=office, campaign=campaign, params={}))
    assert any(p.is_overdue for p in rows)
    assert any(p.is_stale for p in rows)
    assert any(p.needs_plan_flag for p in rows)
    assert any(p.mass_concern and p.long_unresolved and p.has_plan for p in rows)
    assert SpecialPlan.objects.count() == 2
    assert Mechanism.objects.count() == 4
    assert selectors.verify_queue(user=org.users["county_office"], campaign=campaign).exists()
