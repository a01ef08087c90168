"""Users and roles managed by the office within its scope."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from accounts.models import RoleAssignment, User
from accounts.roles import Role
from tests.factories import UserFactory, grant

pytestmark = pytest.mark.django_db

ANONYMOUS = "anonymous"


def as_(client, people, person):
    if person != ANONYMOUS:
        client.force_login(getattr(people, person))
    return client


def shown_password(response) -> str:
    match = re.search(r"font-monospace[^>]*>([^<]+)<", response.content.decode())
    assert match, "the initial password is shown"
    return match.group(1).strip()


def test_user_list_is_scoped(client, people, tree):
    body = as_(client, people, "county_office").get(reverse("accounts:user-list"))
    text = body.content.decode()
    assert "secretary_a" in text and "leader_a" in text
    assert "secretary_b" not in text and "city_office" not in text


def test_user_list_filters_by_unit_and_role(client, people, tree):
    c = as_(client, people, "city_office")
    text = c.get(reverse("accounts:user-list"), {"unit": tree.county_b.pk}).content.decode()
    assert "secretary_b" in text and "secretary_a" not in text
    text = c.get(reverse("accounts:user-list"), {"role": Role.OFFICE}).content.decode()
    assert "county_office" in text and "secretary_a" not in text


def test_user_list_filter_out_of_scope_unit_is_refused(client, people, tree):
    c = as_(client, people, "county_office")
    text = c.get(reverse("accounts:user-list"), {"unit": tree.county_b.pk}).content.decode()
    assert "secretary_b" not in text


@pytest.mark.parametrize(
    ("person", "target", "status"),
    [
        ("county_office", "secretary_a", 200),
        ("county_office", "secretary_b", 404),
        ("secretary_a", "secretary_b", 404),
        ("secretary_a", "member_a", 200),
        ("viewer", "secretary_b", 200),
        ("outsider", "secretary_a", 404),
        (ANONYMOUS, "secretary_a", 302),
    ],
)
def test_who_sees_a_user(client, people, person, target, status):
    response = as_(client, people, person).get(
        reverse("accounts:user-detail", args=[getattr(people, target).pk])
    )
    assert response.status_code == status


@pytest.mark.parametrize(
    ("person", "target", "status"),
    [
        ("county_office", "secretary_a", 200),
        ("county_office", "secretary_b", 404),
        ("city_office", "secretary_b", 200),
        ("secretary_a", "member_a", 403),
        ("viewer", "secretary_a", 403),
        ("leader", "secretary_a", 403),
        (ANONYMOUS, "secretary_a", 302),
    ],
)
def test_who_may_edit_a_user(client, people, person, target, status):
    response = as_(client, people, person).get(
        reverse("accounts:user-edit", args=[getattr(people, target).pk])
    )
    assert response.status_code == status


def test_person_with_a_role_outside_the_office_scope_is_read_only(client, people, tree):
    both = UserFactory(username="both")
    grant(both, tree.branch_a1, Role.SECRETARY)
    grant(both, tree.branch_b1, Role.SECRETARY)
    c = as_(client, people, "county_office")
    assert c.get(reverse("accounts:user-detail", args=[both.pk])).status_code == 200
    assert c.get(reverse("accounts:user-edit", args=[both.pk])).status_code == 403
    response = c.post(reverse("accounts:user-reset-password", args=[both.pk]))
    assert response.status_code == 403


def test_office_creates_a_user_who_must_change_password(client, people, tree):
    c = as_(client, people, "county_office")
    response = c.post(
        reverse("accounts:user-create"),
        {
            "username": "new_sec",
            "full_name": "新书记",
            "phone": "13800000000",
            "title": "支部书记",
            "email": "",
            "unit": tree.branch_a2.pk,
            "role": Role.SECRETARY,
        },
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    password = shown_password(response)
    user = User.objects.get(username="new_sec")
    assert user.must_change_password
    assert RoleAssignment.objects.filter(user=user, unit=tree.branch_a2, role="secretary").exists()
    assert User.objects.get(username="new_sec").check_password(password)


def test_office_cannot_create_a_user_outside_its_scope(client, people, tree):
    c = as_(client, people, "county_office")
    response = c.post(
        reverse("accounts:user-create"),
        {"username": "x", "full_name": "某人", "unit": tree.branch_b1.pk, "role": "secretary"},
    )
    assert response.status_code == 200
    assert "id_unit_error" in response.content.decode()
    assert not User.objects.filter(username="x").exists()


def test_duplicate_username_is_refused(client, people, tree):
    c = as_(client, people, "county_office")
    response = c.post(
        reverse("accounts:user-create"),
        {
            "username": "SECRETARY_B",
            "full_name": "某人",
            "unit": tree.branch_a2.pk,
            "role": "member",
        },
    )
    assert "id_username_error" in response.content.decode()


@pytest.mark.parametrize("person", ["viewer", "secretary_a", "leader"])
def test_non_office_cannot_create_users(client, people, person):
    c = as_(client, people, person)
    assert c.get(reverse("accounts:user-create")).status_code == 403
    assert c.get(reverse("accounts:org-import")).status_code == 403


def test_edit_user_keeps_history(client, people):
    c = as_(client, people, "county_office")
    target = people.secretary_a
    response = c.post(
        reverse("accounts:user-edit", args=[target.pk]),
        {
            "username": "secretary_a",
            "full_name": "张三丰",
            "phone": "13900000000",
            "title": "书记",
            "email": "a@example.invalid",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.full_name == "张三丰" and target.phone == "13900000000"
    detail = c.get(reverse("accounts:user-detail", args=[target.pk])).content.decode()
    assert "张三丰" in detail and "<del>" in detail


def test_office_cannot_deactivate_itself(client, people):
    c = as_(client, people, "county_office")
    me = people.county_office
    response = c.post(
        reverse("accounts:user-edit", args=[me.pk]),
        {"username": me.username, "full_name": "办公室", "email": ""},
    )
    assert response.status_code == 200
    me.refresh_from_db()
    assert me.is_active


def test_password_reset_by_the_office(client, people):
    c = as_(client, people, "county_office")
    target = people.secretary_a
    response = c.post(reverse("accounts:user-reset-password", args=[target.pk]))
    assert response.status_code == 200
    password = shown_password(response)
    target.refresh_from_db()
    assert target.must_change_password
    assert not User.objects.get(username="secretary_a").check_password("pw")
    assert User.objects.get(username="secretary_a").check_password(password)


@pytest.mark.parametrize(
    ("person", "status"), [("viewer", 403), ("secretary_b", 404), ("secretary_a", 403)]
)
def test_password_reset_refused(client, people, person, status):
    c = as_(client, people, person)
    target = people.member_a
    assert c.post(reverse("accounts:user-reset-password", args=[target.pk])).status_code == status
    target.refresh_from_db()
    assert not target.must_change_password


def test_password_reset_needs_post(client, people):
    c = as_(client, people, "county_office")
    url = reverse("accounts:user-reset-password", args=[people.secretary_a.pk])
    assert c.get(url).status_code == 405


def test_role_add_within_scope(client, people, tree):
    c = as_(client, people, "county_office")
    target = people.member_a
    response = c.post(
        reverse("accounts:role-add", args=[target.pk]),
        {"unit": tree.branch_a2.pk, "role": Role.SECRETARY},
    )
    assert response.status_code == 302
    assert RoleAssignment.objects.filter(user=target, unit=tree.branch_a2).exists()


def test_role_add_outside_scope_is_refused(client, people, tree):
    c = as_(client, people, "county_office")
    target = people.member_a
    response = c.post(
        reverse("accounts:role-add", args=[target.pk]),
        {"unit": tree.branch_b1.pk, "role": Role.OFFICE},
    )
    assert response.status_code == 200
    assert "id_unit_error" in response.content.decode()
    assert not RoleAssignment.objects.filter(user=target, unit=tree.branch_b1).exists()


def test_role_add_by_viewer_is_forbidden(client, people, tree):
    c = as_(client, people, "viewer")
    response = c.post(
        reverse("accounts:role-add", args=[people.member_a.pk]),
        {"unit": tree.branch_a1.pk, "role": Role.OFFICE},
    )
    assert response.status_code == 403


def test_role_remove(client, people, tree):
    target = people.member_a
    extra = grant(target, tree.branch_a2, Role.SECRETARY)
    c = as_(client, people, "county_office")
    response = c.post(reverse("accounts:role-remove", args=[extra.pk]))
    assert response.status_code == 302
    assert not RoleAssignment.objects.filter(pk=extra.pk).exists()


def test_last_role_is_kept(client, people):
    only = RoleAssignment.objects.get(user=people.member_a)
    c = as_(client, people, "county_office")
    response = c.post(reverse("accounts:role-remove", args=[only.pk]), follow=True)
    assert RoleAssignment.objects.filter(pk=only.pk).exists()
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("person", "status"), [("secretary_b", 404), ("viewer", 403), ("secretary_a", 403)]
)
def test_role_remove_refused(client, people, tree, person, status):
    extra = grant(people.member_a, tree.branch_a1, Role.SECRETARY)
    c = as_(client, people, person)
    assert c.post(reverse("accounts:role-remove", args=[extra.pk])).status_code == status
    assert RoleAssignment.objects.filter(pk=extra.pk).exists()


@pytest.mark.parametrize("extra", [5, 80])
def test_user_list_query_count_is_fixed(client, people, tree, extra, django_assert_max_num_queries):
    for n in range(extra):
        grant(UserFactory(username=f"bulk{n}"), tree.branch_a2, Role.MEMBER)
    c = as_(client, people, "city_office")
    with django_assert_max_num_queries(14):
        response = c.get(reverse("accounts:user-list"))
    assert response.status_code == 200
