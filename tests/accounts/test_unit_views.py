"""The permission table for units: who sees and who may change what."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import OrgUnit, UnitKind
from tests.factories import make_unit

pytestmark = pytest.mark.django_db

ANONYMOUS = "anonymous"


def client_for(client, people, person):
    if person != ANONYMOUS:
        client.force_login(getattr(people, person))
    return client


@pytest.mark.parametrize(
    ("person", "unit", "status"),
    [
        ("secretary_a", "branch_a1", 200),
        ("secretary_a", "branch_a2", 404),
        ("secretary_b", "branch_a1", 404),
        ("secretary_b", "branch_b1", 200),
        ("county_office", "branch_a1", 200),
        ("county_office", "county_a", 200),
        ("county_office", "county_b", 404),
        ("county_office", "city", 404),
        ("city_office", "branch_b1", 200),
        ("viewer", "branch_a1", 200),
        ("member_a", "branch_a1", 200),
        ("member_a", "committee_a", 404),
        ("outsider", "branch_a1", 404),
        (ANONYMOUS, "branch_a1", 302),
    ],
)
def test_who_sees_a_unit(client, people, tree, person, unit, status):
    response = client_for(client, people, person).get(
        reverse("accounts:unit-detail", args=[getattr(tree, unit).pk])
    )
    assert response.status_code == status
    if status == 302:
        assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize(
    ("person", "unit", "status"),
    [
        ("secretary_a", "branch_a1", 403),
        ("secretary_b", "branch_a1", 404),
        ("county_office", "branch_a1", 200),
        ("county_office", "county_b", 404),
        ("city_office", "branch_a1", 200),
        ("viewer", "branch_a1", 403),
        ("leader", "branch_a1", 403),
        ("member_a", "branch_a1", 403),
        ("outsider", "branch_a1", 404),
        (ANONYMOUS, "branch_a1", 302),
    ],
)
def test_who_may_edit_a_unit(client, people, tree, person, unit, status):
    c = client_for(client, people, person)
    pk = getattr(tree, unit).pk
    assert c.get(reverse("accounts:unit-edit", args=[pk])).status_code == status
    assert c.get(reverse("accounts:unit-create", args=[pk])).status_code == status


@pytest.mark.parametrize("person", ["secretary_a", "viewer", "leader"])
def test_read_only_roles_cannot_post_changes(client, people, tree, person):
    c = client_for(client, people, person)
    response = c.post(
        reverse("accounts:unit-edit", args=[tree.branch_a1.pk]),
        {"name": "改名", "kind": UnitKind.BRANCH},
    )
    assert response.status_code == 403
    tree.branch_a1.refresh_from_db()
    assert tree.branch_a1.name == "甲一支部"


def test_unit_list_shows_the_scope_only(client, people, tree):
    text = client_for(client, people, "county_office").get(reverse("accounts:unit-list"))
    body = text.content.decode()
    assert "甲县委" in body and "甲二支部" in body
    assert "乙县委" not in body and "测试市委" not in body
    body = client_for(client, people, "secretary_a").get(reverse("accounts:unit-list"))
    body = body.content.decode()
    assert "甲一支部" in body and "甲二支部" not in body


def test_unit_list_search(client, people, tree):
    c = client_for(client, people, "city_office")
    body = c.get(reverse("accounts:unit-list"), {"q": "乙"}).content.decode()
    assert "乙一支部" in body and "甲一支部" not in body
    body = c.get(reverse("accounts:unit-list"), {"q": "T-A-1-2"}).content.decode()
    assert "甲二支部" in body and "甲一支部" not in body


def test_unit_list_anonymous_goes_to_login(client, tree):
    response = client.get(reverse("accounts:unit-list"))
    assert response.status_code == 302


def test_county_office_adds_a_branch(client, people, tree):
    c = client_for(client, people, "county_office")
    response = c.post(
        reverse("accounts:unit-create", args=[tree.committee_a.pk]),
        {"code": "T-A-1-3", "name": "甲三支部", "kind": UnitKind.BRANCH, "is_active": "on"},
    )
    assert response.status_code == 302
    unit = OrgUnit.objects.get(code="T-A-1-3")
    tree.committee_a.refresh_from_db()
    assert unit.is_within(tree.committee_a)
    assert unit.depth == tree.committee_a.depth + 1


def test_duplicate_code_is_refused_next_to_the_field(client, people, tree):
    c = client_for(client, people, "county_office")
    response = c.post(
        reverse("accounts:unit-create", args=[tree.committee_a.pk]),
        {"code": "T-B-1", "name": "重复", "kind": UnitKind.BRANCH},
    )
    assert response.status_code == 200
    assert "id_code_error" in response.content.decode()
    assert OrgUnit.objects.filter(name="重复").count() == 0


def test_edit_unit_keeps_history(client, people, tree):
    c = client_for(client, people, "county_office")
    url = reverse("accounts:unit-edit", args=[tree.branch_a2.pk])
    response = c.post(
        url,
        {
            "name": "甲二支部（新）",
            "kind": UnitKind.BRANCH,
            "webhook_url": "https://oapi.dingtalk.com/robot/send?access_token=x",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    tree.branch_a2.refresh_from_db()
    assert tree.branch_a2.name == "甲二支部（新）"
    assert tree.branch_a2.webhook_url.startswith("https://oapi.dingtalk.com/")
    detail = c.get(reverse("accounts:unit-detail", args=[tree.branch_a2.pk])).content.decode()
    assert "<del>甲二支部</del>" in detail


def test_bad_webhook_is_refused(client, people, tree):
    c = client_for(client, people, "county_office")
    response = c.post(
        reverse("accounts:unit-edit", args=[tree.branch_a2.pk]),
        {"name": "甲二支部", "kind": UnitKind.BRANCH, "webhook_url": "not a url"},
    )
    assert response.status_code == 200
    assert "id_webhook_url_error" in response.content.decode()


def test_office_cannot_deactivate_its_own_unit(client, people, tree):
    c = client_for(client, people, "county_office")
    response = c.post(
        reverse("accounts:unit-edit", args=[tree.county_a.pk]),
        {"name": "甲县委", "kind": UnitKind.COUNTY_COMMITTEE},
    )
    assert response.status_code == 200
    assert "id_is_active_error" in response.content.decode()
    tree.county_a.refresh_from_db()
    assert tree.county_a.is_active


def test_city_office_may_deactivate_a_county(client, people, tree):
    c = client_for(client, people, "city_office")
    response = c.post(
        reverse("accounts:unit-edit", args=[tree.county_b.pk]),
        {"name": "乙县委", "kind": UnitKind.COUNTY_COMMITTEE},
    )
    assert response.status_code == 302
    tree.county_b.refresh_from_db()
    assert not tree.county_b.is_active


@pytest.mark.parametrize("extra", [5, 60])
def test_unit_list_query_count_is_fixed(client, people, tree, extra, django_assert_max_num_queries):
    for _ in range(extra):
        make_unit(tree.committee_a)
    c = client_for(client, people, "city_office")
    with django_assert_max_num_queries(12):
        response = c.get(reverse("accounts:unit-list"))
    assert response.status_code == 200


@pytest.mark.parametrize("extra", [5, 60])
def test_unit_detail_query_count_is_fixed(
    client, people, tree, extra, django_assert_max_num_queries
):
    for _ in range(extra):
        make_unit(tree.committee_a)
    c = client_for(client, people, "city_office")
    with django_assert_max_num_queries(16):
        response = c.get(reverse("accounts:unit-detail", args=[tree.committee_a.pk]))
    assert response.status_code == 200


def test_the_office_sets_a_units_classes_and_first_responsible_person(client, people, tree):
    c = client_for(client, people, "county_office")
    url = reverse("accounts:unit-edit", args=[tree.committee_a.pk])
    response = c.post(
        url,
        {
            "name": "甲镇党委",
            "kind": UnitKind.PARTY_COMMITTEE,
            "is_active": "on",
            "level": "township",
            "domain": "rural",
            "special": "",
            "first_responsible": people.leader.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    tree.committee_a.refresh_from_db()
    assert (tree.committee_a.level, tree.committee_a.domain) == ("township", "rural")
    assert tree.committee_a.first_responsible == people.leader
    # someone outside the unit's line cannot be named
    response = c.post(
        url,
        {
            "name": "甲镇党委",
            "kind": UnitKind.PARTY_COMMITTEE,
            "first_responsible": people.secretary_b.pk,
        },
    )
    assert response.status_code == 200
    assert "first_responsible" in response.context["form"].errors
    # the branches below show him
    page = c.get(reverse("accounts:unit-detail", args=[tree.branch_a1.pk])).content.decode()
    assert people.leader.display_name in page
