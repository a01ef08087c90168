"""分管: a leader receives the overdue work of the departments in his charge in his digest."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from accounts.roles import Role
from notifications import selectors
from notifications.models import ItemKind, ReminderKind
from tests.factories import UserFactory, grant

from .factories import make_assignment, make_campaign, make_problem

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 10)


@pytest.fixture(autouse=True)
def frozen():
    tz = ZoneInfo("Asia/Shanghai")
    with time_machine.travel(datetime(2026, 11, 10, 8, 30, tzinfo=tz), tick=False):
        yield


def test_the_overdue_work_of_his_portfolio_and_nothing_else(tree):
    campaign = make_campaign(tree.city)
    vice = UserFactory(username="vice_mayor")
    grant(vice, tree.county_b, Role.LEADER)
    grant(vice, tree.committee_a, Role.IN_CHARGE)
    late = make_assignment(campaign, tree.branch_a1, due=date(2026, 11, 1))
    make_assignment(campaign, tree.branch_a2, due=date(2026, 11, 11))  # due tomorrow: not his
    late_problem = make_problem(campaign, tree.branch_a2, deadline=date(2026, 11, 5))
    make_assignment(campaign, tree.branch_b1, due=date(2026, 11, 1))  # outside the portfolio
    mine = sorted(
        (p.item.item_kind, p.item.item_id, p.kind)
        for p in selectors.plan_reminders(TODAY)
        if p.recipient_id == vice.pk
    )
    assert mine == sorted(
        [
            (ItemKind.ASSIGNMENT, late.pk, ReminderKind.OVERDUE),
            (ItemKind.PROBLEM, late_problem.pk, ReminderKind.OVERDUE),
        ]
    )
