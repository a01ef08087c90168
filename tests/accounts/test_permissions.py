"""The one reader of roles: each rule answers the same for one unit and as a filter."""

from __future__ import annotations

import pytest

from accounts import permissions
from accounts.models import OrgUnit
from accounts.roles import PERMISSIONS, RULES, Action, Role

pytestmark = pytest.mark.django_db

PEOPLE = (
    "secretary_a",
    "secretary_b",
    "county_office",
    "city_office",
    "leader",
    "viewer",
    "member_a",
    "outsider",
)


def test_permission_table_lists_every_action_once() -> None:
    assert set(RULES) == set(Action)
    for action, rules in RULES.items():
        assert rules, action
        assert PERMISSIONS[action] == frozenset().union(*(r.roles for r in rules))


@pytest.mark.parametrize("action", list(Action))
def test_can_and_scope_filter_agree_on_every_unit(tree, people, action) -> None:
    units = list(OrgUnit.objects.all())
    for name in PEOPLE:
        user = getattr(people, name)
        q = permissions.scope_q(user, "", action)
        in_filter = set(OrgUnit.objects.filter(q).values_list("pk", flat=True))
        by_unit = {unit.pk for unit in units if permissions.can(user, action, unit)}
        assert in_filter == by_unit, (name, action)


def test_closing_is_for_an_office_strictly_above(tree, people) -> None:
    assert permissions.can(people.county_office, Action.CLOSE, tree.branch_a1)
    assert not permissions.can(people.county_office, Action.CLOSE, tree.county_a)
    assert permissions.can(people.city_office, Action.CLOSE, tree.county_a)
    assert not permissions.can(people.secretary_a, Action.CLOSE, tree.branch_a1)
    assert not permissions.can(people.county_office, Action.CLOSE, tree.branch_b1)


def test_member_covers_his_unit_alone(tree, people) -> None:
    assert permissions.can(people.member_a, Action.VIEW, tree.branch_a1)
    assert not permissions.can(people.member_a, Action.VIEW, tree.branch_a2)
    assert not permissions.can(people.member_a, Action.LOG, tree.branch_a1)


def test_units_a_user_acts_for(tree, people) -> None:
    assert permissions.home_unit(people.secretary_a) == tree.branch_a1
    assert permissions.home_unit(people.viewer) is None
    assert permissions.home_unit(people.viewer, Action.VIEW) == tree.city
    assert list(permissions.units_for(people.county_office, Action.DEPLOY)) == [tree.county_a]
    assert permissions.top_depth(people.secretary_a) == 4
    assert permissions.top_depth(people.outsider) == 1
    assert permissions.highest_within(people.county_office, tree.city) == tree.county_a
    assert permissions.highest_within(people.city_office, tree.county_a) == tree.county_a
    assert permissions.highest_within(people.secretary_b, tree.county_a) is None


def test_menus_and_home_role(people) -> None:
    assert permissions.home_role(people.city_office) == Role.OFFICE
    assert permissions.home_role(people.leader) == Role.LEADER
    assert permissions.home_role(people.outsider) is None
    assert permissions.acts_anywhere(people.viewer, Action.OVERSEE)
    assert not permissions.acts_anywhere(people.leader, Action.OVERSEE)
    assert permissions.acts_anywhere(people.leader, Action.FOLLOW_RESEARCH)
    assert not permissions.has_any_role(people.outsider)


def test_holders_and_people(tree, people) -> None:
    secretaries = permissions.holders([Role.SECRETARY], within=tree.county_a)
    assert [a.user for a in secretaries] == [people.secretary_a]
    leaders = permissions.people_holding([Role.LEADER], at_or_above=tree.branch_a1)
    assert list(leaders) == [people.leader]
    assert permissions.holds_role_on(people.leader, Role.LEADER, tree.branch_a2)
    assert not permissions.holds_role_on(people.leader, Role.LEADER, tree.branch_b1)


def test_everyones_records_or_only_his_own(tree, people) -> None:
    # the office acts on every research record of its subtree; a leader on his own only
    assert permissions.can_all(people.county_office, Action.RESEARCH, tree.branch_a1)
    assert not permissions.can_all(people.county_office, Action.RESEARCH, tree.branch_b1)
    assert permissions.can(people.leader, Action.RESEARCH, tree.county_a)
    assert not permissions.can_all(people.leader, Action.RESEARCH, tree.county_a)
    assert not permissions.can_all(people.outsider, Action.RESEARCH, tree.city)
    assert permissions.own_records_only(people.leader, Action.RESEARCH)
    assert permissions.own_records_only(people.secretary_a, Action.RESEARCH)
    assert not permissions.own_records_only(people.county_office, Action.RESEARCH)
    assert not permissions.own_records_only(people.secretary_a, Action.LOG)


def test_a_role_on_the_unit_or_below_it(tree, people) -> None:
    assert permissions.acts_within(people.county_office, Action.MANAGE, tree.county_a)
    assert permissions.acts_within(people.county_office, Action.MANAGE, tree.city)
    assert not permissions.acts_within(people.county_office, Action.MANAGE, tree.committee_a)
    assert not permissions.acts_within(people.county_office, Action.MANAGE, tree.county_b)
    assert not permissions.acts_within(people.leader, Action.MANAGE, tree.city)


def test_people_who_may_act_by_the_table(tree, people) -> None:
    near_a = permissions.related_units_q(people.secretary_a)
    assert list(permissions.people_who_may(Action.LEAD, scope=near_a)) == [people.leader]
    near_b = permissions.related_units_q(people.secretary_b)
    assert list(permissions.people_who_may(Action.LEAD, scope=near_b)) == []
    closers = permissions.people_who_may(Action.CLOSE, at_or_above=tree.branch_a1)
    assert set(closers) == {people.county_office, people.city_office}
