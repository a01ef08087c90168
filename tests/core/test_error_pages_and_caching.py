"""Error pages in Chinese in the site's layout; nothing a logged-in person sees is cached."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.views.defaults import server_error

from accounts.models import UnitKind
from tests.rectification.factories import make_campaign, make_problem

pytestmark = pytest.mark.django_db


def _no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


def test_404_is_chinese_in_the_layout(client, people):
    client.force_login(people.secretary_a)
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "您访问的页面不存在" in body and "app-header" in body and "返回首页" in body
    assert "Not Found" not in body


def test_404_for_a_record_outside_the_scope(client, people, tree):
    client.force_login(people.secretary_b)
    response = client.get(reverse("accounts:unit-detail", args=[tree.branch_a1.pk]))
    assert response.status_code == 404 and "您访问的页面不存在" in response.content.decode()


def test_403_is_chinese_in_the_layout(client, people, tree):
    client.force_login(people.secretary_a)
    response = client.post(
        reverse("accounts:unit-edit", args=[tree.branch_a1.pk]),
        {"name": "改名", "kind": UnitKind.BRANCH},
    )
    assert response.status_code == 403
    body = response.content.decode()
    assert "您无权进行此操作" in body and "app-header" in body


def test_500_is_chinese_in_the_layout_without_a_request(rf):
    response = server_error(rf.get("/"))
    assert response.status_code == 500
    body = response.content.decode()
    assert "系统出现了错误" in body and "app-header" in body


@pytest.mark.parametrize(
    "name", ["home", "accounts:unit-list", "notifications:list", "rectification:problem-list"]
)
def test_every_logged_in_page_is_no_store(client, people, tree, name):
    make_campaign(tree.city)
    client.force_login(people.county_office)
    response = client.get(reverse(name), follow=True)
    assert response.status_code == 200
    assert _no_store(response)
    assert "private" in response["Cache-Control"]


def test_downloads_are_no_store(client, people, tree):
    campaign = make_campaign(tree.city)
    make_problem(campaign=campaign, unit=tree.branch_a1)
    client.force_login(people.county_office)
    export = client.get(reverse("rectification:ledger-export"))
    assert export.status_code == 200 and export["Content-Disposition"].startswith("attachment")
    assert _no_store(export)
    research = client.get(reverse("research:ledger-export"))
    assert research.status_code == 200 and _no_store(research)
