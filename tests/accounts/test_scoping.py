import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts.models import OrgUnit
from accounts.permissions import can
from accounts.roles import Action
from accounts.scoping import get_object_for_user


def codes(qs):
    return sorted(qs.values_list("code", flat=True))


def test_secretary_sees_own_subtree_only(people, tree):
    assert codes(OrgUnit.objects.visible_to(people.secretary_a)) == ["T-A-1-1"]


def test_county_office_sees_county_subtree(people, tree):
    assert codes(OrgUnit.objects.visible_to(people.county_office)) == [
        "T-A",
        "T-A-1",
        "T-A-1-1",
        "T-A-1-2",
    ]


def test_city_office_and_viewer_see_everything(people, tree):
    assert OrgUnit.objects.visible_to(people.city_office).count() == 7
    assert OrgUnit.objects.visible_to(people.viewer).count() == 7


def test_member_sees_own_unit_only(people, tree):
    assert codes(OrgUnit.objects.visible_to(people.member_a)) == ["T-A-1-1"]


def test_outsider_and_anonymous_see_nothing(people, tree):
    from django.contrib.auth.models import AnonymousUser

    assert not OrgUnit.objects.visible_to(people.outsider).exists()
    assert not OrgUnit.objects.visible_to(AnonymousUser()).exists()


def test_out_of_scope_lookup_is_404(people, tree):
    with pytest.raises(Http404):
        get_object_for_user(OrgUnit, people.secretary_a, tree.branch_b1.pk)
    with pytest.raises(Http404):
        get_object_for_user(OrgUnit, people.county_office, tree.county_b.pk)
    assert get_object_for_user(OrgUnit, people.county_office, tree.branch_a2.pk) == tree.branch_a2


def test_read_only_role_gets_403_on_write(people, tree):
    with pytest.raises(PermissionDenied):
        get_object_for_user(OrgUnit, people.viewer, tree.branch_a1.pk, action=Action.LOG)


@pytest.mark.parametrize(
    ("person", "action", "unit", "allowed"),
    [
        ("secretary_a", Action.LOG, "branch_a1", True),
        ("secretary_a", Action.LOG, "branch_a2", False),
        ("secretary_a", Action.DEPLOY, "branch_a1", False),
        ("secretary_a", Action.EXPORT, "branch_a1", True),
        ("secretary_b", Action.LOG, "branch_a1", False),
        ("county_office", Action.DEPLOY, "branch_a1", True),
        ("county_office", Action.CLOSE, "branch_a2", True),
        ("county_office", Action.DEPLOY, "branch_b1", False),
        ("county_office", Action.MANAGE, "committee_a", True),
        ("city_office", Action.MANAGE, "branch_b1", True),
        ("leader", Action.RESEARCH, "county_a", True),
        ("leader", Action.DEPLOY, "county_a", False),
        ("viewer", Action.VIEW, "branch_b1", True),
        ("viewer", Action.EXPORT, "branch_b1", True),
        ("viewer", Action.LOG, "branch_b1", False),
        ("member_a", Action.VIEW, "branch_a1", True),
        ("member_a", Action.LOG, "branch_a1", False),
        ("member_a", Action.EXPORT, "branch_a1", False),
        ("outsider", Action.VIEW, "city", False),
    ],
)
def test_permission_table(people, tree, person, action, unit, allowed):
    assert can(getattr(people, person), action, getattr(tree, unit)) is allowed


def test_grants_are_read_once_per_user_object(people, tree, django_assert_num_queries):
    user = people.county_office
    OrgUnit.objects.visible_to(user)
    with django_assert_num_queries(2):  # the two lists; the grants are not read again
        list(OrgUnit.objects.visible_to(user))
        list(OrgUnit.objects.visible_to(user, Action.DEPLOY))
