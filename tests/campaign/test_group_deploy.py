"""A member unit of the leading group deploys tasks of its duty to the campaign's units."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accounts.roles import Role
from campaign import services
from campaign.models import Assignment, Task, Workstream
from tests.factories import UserFactory, grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(campaign, tree, people):
    """County B stands for 宣传部: a member unit whose duty is theory study."""
    services.group_member_set(
        actor=people.city_office,
        campaign=campaign,
        unit=tree.county_b,
        duty="负责理论学习的组织指导和宣传引导",
        workstreams=[Workstream.STUDY],
    )
    office = UserFactory(username="publicity_office")
    grant(office, tree.county_b, Role.OFFICE)
    return office


def _task(campaign, tree, office, workstream=Workstream.STUDY):
    return services.task_create(
        actor=office,
        campaign=campaign,
        issuer=tree.county_b,
        workstream=workstream,
        objective=None,
        title="微宣讲",
        due_date=date(2026, 12, 10),
    )


def test_within_its_duty_to_units_outside_its_subtree(campaign, tree, member):
    task = _task(campaign, tree, member)
    assert services.task_deploy(actor=member, task=task, units=[tree.branch_a1]) == 1
    # the task shows who deployed it
    assert Assignment.objects.get(unit=tree.branch_a1).task.issuer == tree.county_b


def test_outside_its_duty_is_refused_with_a_reason(campaign, tree, member):
    task = _task(campaign, tree, member, workstream=Workstream.RECTIFICATION)
    with pytest.raises(ValidationError) as refused:
        services.task_deploy(actor=member, task=task, units=[tree.branch_a1])
    assert "workstream" in refused.value.message_dict
    assert not Assignment.objects.exists()


def test_a_unit_that_is_not_a_member_deploys_only_below_it(campaign, tree, people):
    task = services.task_create(
        actor=people.county_office,
        campaign=campaign,
        issuer=tree.county_a,
        workstream=Workstream.STUDY,
        objective=None,
        title="专题学习",
        due_date=date(2026, 12, 10),
    )
    with pytest.raises(PermissionDenied):
        services.task_deploy(actor=people.county_office, task=task, units=[tree.branch_b1])


def test_from_the_form_every_branch_of_the_campaign(campaign, tree, member, use_campaign):
    client = use_campaign(member)
    page = client.get(reverse("campaign:task-create"))
    assert 'id="group-duty"' in page.content.decode()
    response = client.post(
        reverse("campaign:task-create"),
        {
            "workstream": "study",
            "title": "微宣讲",
            "due_date": "2026-12-10",
            "recurrence": "none",
            "target": "branches",
            "under": tree.city.pk,
        },
    )
    assert response.status_code == 302
    reached = set(Assignment.objects.values_list("unit_id", flat=True))
    assert reached == {tree.branch_a1.pk, tree.branch_a2.pk, tree.branch_b1.pk}
    # outside its duty: refused next to the field, and no task is kept
    response = client.post(
        reverse("campaign:task-create"),
        {
            "workstream": "rectification",
            "title": "整改任务",
            "due_date": "2026-12-10",
            "recurrence": "none",
            "target": "branches",
            "under": tree.city.pk,
        },
    )
    assert response.status_code == 200
    assert "workstream" in response.context["form"].errors
    assert not Task.objects.filter(title="整改任务").exists()
