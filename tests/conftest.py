"""The people of the permission table, on a small tree:

city
├── county A ── committee A ── branch A1, branch A2
└── county B ── branch B1
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from accounts.models import OrgUnit, UnitKind, User
from accounts.roles import Role
from tests.factories import UserFactory, grant, make_unit


@dataclass
class Tree:
    city: OrgUnit
    county_a: OrgUnit
    committee_a: OrgUnit
    branch_a1: OrgUnit
    branch_a2: OrgUnit
    county_b: OrgUnit
    branch_b1: OrgUnit


@dataclass
class People:
    secretary_a: User  # secretary of branch A1
    secretary_b: User  # secretary of branch B1
    county_office: User  # office of county A
    city_office: User
    leader: User  # leader on county A
    viewer: User  # viewer on the city
    member_a: User  # member of branch A1
    outsider: User  # no role anywhere


@pytest.fixture
def tree(db) -> Tree:
    city = make_unit(None, kind=UnitKind.CITY_COMMITTEE, name="测试市委", code="T")
    county_a = make_unit(city, kind=UnitKind.COUNTY_COMMITTEE, name="甲县委", code="T-A")
    committee_a = make_unit(county_a, kind=UnitKind.PARTY_COMMITTEE, name="甲镇党委", code="T-A-1")
    branch_a1 = make_unit(committee_a, name="甲一支部", code="T-A-1-1")
    branch_a2 = make_unit(committee_a, name="甲二支部", code="T-A-1-2")
    county_b = make_unit(city, kind=UnitKind.COUNTY_COMMITTEE, name="乙县委", code="T-B")
    branch_b1 = make_unit(county_b, name="乙一支部", code="T-B-1")
    for unit in (city, county_a, committee_a, branch_a1, branch_a2, county_b, branch_b1):
        unit.refresh_from_db()
    return Tree(city, county_a, committee_a, branch_a1, branch_a2, county_b, branch_b1)


@pytest.fixture
def people(tree: Tree) -> People:
    def person(username: str, unit: OrgUnit | None, role: str | None) -> User:
        user = UserFactory(username=username)
        if unit is not None and role is not None:
            grant(user, unit, role)
        return user

    return People(
        secretary_a=person("secretary_a", tree.branch_a1, Role.SECRETARY),
        secretary_b=person("secretary_b", tree.branch_b1, Role.SECRETARY),
        county_office=person("county_office", tree.county_a, Role.OFFICE),
        city_office=person("city_office", tree.city, Role.OFFICE),
        leader=person("leader_a", tree.county_a, Role.LEADER),
        viewer=person("viewer", tree.city, Role.VIEWER),
        member_a=person("member_a", tree.branch_a1, Role.MEMBER),
        outsider=person("outsider", None, None),
    )


@pytest.fixture
def login(client):
    def _login(user: User):
        client.force_login(user)
        return client

    return _login
