"""分类指导: a task deployed to a class of units under a unit reaches exactly those."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import OrgUnit, UnitDomain, UnitKind, UnitSpecial
from campaign.models import Assignment
from tests.factories import make_unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def classes(tree):
    """County A: A1 rural, A2 a community branch, a rural general branch, and a rural branch
    below it; county B: B1 rural (outside the unit chosen)."""
    OrgUnit.objects.filter(pk=tree.branch_a1.pk).update(domain=UnitDomain.RURAL)
    OrgUnit.objects.filter(pk=tree.branch_a2.pk).update(domain=UnitDomain.COMMUNITY)
    OrgUnit.objects.filter(pk=tree.branch_b1.pk).update(domain=UnitDomain.RURAL)
    general = make_unit(tree.committee_a, kind=UnitKind.GENERAL_BRANCH, name="甲村党总支")
    deep = make_unit(general, name="甲村第一支部")
    OrgUnit.objects.filter(pk__in=[general.pk, deep.pk]).update(domain=UnitDomain.RURAL)
    two_new = make_unit(tree.committee_a, name="甲镇非公企业联合支部")
    OrgUnit.objects.filter(pk=two_new.pk).update(
        domain=UnitDomain.ENTERPRISE, special=UnitSpecial.TWO_NEW
    )
    return {"general": general, "deep": deep, "two_new": two_new}


def _deploy(client, **target):
    return client.post(
        reverse("campaign:task-create"),
        {
            "workstream": "study",
            "title": "农村党员冬训",
            "due_date": "2026-12-10",
            "recurrence": "none",
            **target,
        },
    )


def _reached(title: str) -> set[int]:
    return set(Assignment.objects.filter(task__title=title).values_list("unit_id", flat=True))


def test_every_rural_branch_under_the_county_and_only_those(
    campaign, tree, people, classes, use_campaign
):
    client = use_campaign(people.city_office)
    response = _deploy(client, target="branches", under=tree.county_a.pk, domain="rural")
    assert response.status_code == 302, response.content.decode()[:2000]
    # the rural branches of county A: not A2 (community), not the general branch (not a
    # branch), not B1 (county B), not the enterprise branch
    assert _reached("农村党员冬训") == {tree.branch_a1.pk, classes["deep"].pk}


def test_a_class_without_a_kind_reaches_every_unit_of_it(
    campaign, tree, people, classes, use_campaign
):
    client = use_campaign(people.city_office)
    _deploy(client, target="class", under=tree.city.pk, special="two_new")
    assert _reached("农村党员冬训") == {classes["two_new"].pk}


def test_a_class_must_be_named(campaign, tree, people, use_campaign):
    client = use_campaign(people.city_office)
    response = _deploy(client, target="class", under=tree.county_a.pk)
    assert response.status_code == 200
    assert not Assignment.objects.exists()
    assert "domain" in response.context["form"].errors
