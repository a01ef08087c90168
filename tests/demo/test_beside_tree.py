"""The demo city's lines of responsibility: 行业系统, 分管, the leading group, classes."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import OrgUnit
from accounts.selectors import units_of_class
from demo.small import seed_small
from tests.demo.conftest import TODAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    org, campaign = seed_small(seed=2026, today=TODAY)
    return org, campaign


def _codes(qs) -> set[str]:
    return set(qs.values_list("code", flat=True))


def test_the_education_bureaus_office_sees_the_schools_of_every_county_and_nothing_else(
    demo, client
):
    org, _campaign = demo
    office = org.users["jy_office"]
    schools = {"JZ-JB-SX", "JZ-NH-ZX", "JZ-NH-ZX-01", "JZ-LS-YZ"}
    bureau = {"JZ-JY", "JZ-JY-01"}  # its own department, as before
    assert _codes(OrgUnit.objects.visible_to(office)) == schools | bureau
    client.force_login(office)
    response = client.get(reverse("dashboard:scope"))
    assert response.status_code == 200
    listed = {line.unit.code for line in response.context["board"].lines}
    # the bureau's own units are in the sector too; the schools of all three counties
    assert listed >= {"JZ-JB-SX", "JZ-NH-ZX", "JZ-LS-YZ"}
    assert listed <= schools | bureau
    # another county's village is not his
    assert client.get(reverse("dashboard:office") + "?unit=JZ-NH-QS-01").status_code == 404


def test_the_vice_mayor_sees_the_departments_in_his_charge(demo, client):
    org, _campaign = demo
    vice = org.users["vice_mayor"]
    assert _codes(OrgUnit.objects.visible_to(vice)) == {
        "JZ-ZF",
        "JZ-JT",
        "JZ-JT-01",
        "JZ-HB",
        "JZ-HB-01",
    }
    client.force_login(vice)
    response = client.get(reverse("dashboard:scope"))
    assert {line.unit.code for line in response.context["board"].lines} == {"JZ-JT", "JZ-HB"}
    response = client.get(reverse("dashboard:leader"))
    assert response.status_code == 200
    assert {line.unit.code for line in response.context["portfolio"].lines} == {"JZ-JT", "JZ-HB"}


def test_the_leading_group_page_lists_its_member_units_with_what_each_did(demo, client):
    org, _campaign = demo
    client.force_login(org.users["office"])
    response = client.get(reverse("dashboard:leading-group"))
    assert response.status_code == 200
    lines = {line.member.unit.code: line for line in response.context["lines"]}
    assert list(lines) == ["JZ-XC", "JZ-JW", "JZ-JY", "JZ-WJ"]
    assert lines["JZ-XC"].tasks == 1  # its 微宣讲 task, to every branch of the city
    assert lines["JZ-JY"].visits >= 1  # its visit to 临山县第一中学
    assert "负责理论学习的组织指导和宣传引导" in response.content.decode()


def test_every_rural_branch_under_jiangbei(demo):
    rural = units_of_class(
        OrgUnit.objects.all(),
        under=OrgUnit.objects.get(code="JZ-JB"),
        kind="branch",
        domain="rural",
    )
    assert _codes(rural) == {"JZ-JB-DS-01", "JZ-JB-DS-02"}
