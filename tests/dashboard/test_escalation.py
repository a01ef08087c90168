"""第一责任人: a unit red two weeks running is escalated to its first responsible person."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from accounts.models import OrgUnit
from campaign.models import AssignmentState, Workstream
from dashboard.escalation import escalate_lagging
from notifications.models import Notification
from tests.dashboard.conftest import TODAY, make_assignment, make_campaign, make_task
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(tree, frozen):
    """Committee A names its first responsible person; A1 has only overdue work (red this
    week and last), A2 finished all of its (green); B1 is red but answers to nobody."""
    campaign = make_campaign(tree.city)
    person = UserFactory(username="first_responsible", full_name="甲镇党委书记")
    OrgUnit.objects.filter(pk=tree.committee_a.pk).update(first_responsible=person)
    late = make_task(campaign, tree.city, Workstream.STUDY, date(2026, 10, 1), "早已到期")
    make_assignment(late, tree.branch_a1, AssignmentState.PENDING)
    make_assignment(late, tree.branch_b1, AssignmentState.PENDING)
    for n in range(3):
        done = make_task(campaign, tree.city, Workstream.STUDY, date(2026, 10, 1), f"已完成{n}")
        make_assignment(done, tree.branch_a2, AssignmentState.ACCEPTED)
    return {"campaign": campaign, "person": person}


def test_the_red_unit_reaches_its_first_responsible_person_once_a_week(tree, scene):
    escalate_lagging(today=TODAY)
    notes = list(Notification.objects.all())
    assert [(n.recipient_id, n.unit_id) for n in notes] == [(scene["person"].pk, tree.branch_a1.pk)]
    assert tree.branch_a1.name in notes[0].title
    # the same week again: nothing new
    escalate_lagging(today=TODAY)
    assert Notification.objects.count() == 1


def test_red_one_week_only_is_not_escalated(tree, scene):
    # A1 finished one task and its other fell due only this week: amber last week (half
    # done, nothing late), red this week (half late)
    from campaign.models import Assignment

    Assignment.objects.filter(unit=tree.branch_a1).update(due_date=date(2026, 11, 16))
    done = make_task(scene["campaign"], tree.city, Workstream.STUDY, date(2026, 10, 1), "已完成")
    make_assignment(done, tree.branch_a1, AssignmentState.ACCEPTED)
    escalate_lagging(today=TODAY)
    assert not Notification.objects.exists()


def test_the_unit_page_and_the_ledger_name_the_first_responsible_person(
    client, tree, people, scene
):
    from rectification.ledger_export import ledger_title

    client.force_login(people.county_office)
    response = client.get(reverse("accounts:unit-detail", args=[tree.branch_a1.pk]))
    assert "甲镇党委书记" in response.content.decode()
    title = ledger_title(campaign=scene["campaign"], unit=tree.branch_a1)
    assert "甲镇党委书记" in title
