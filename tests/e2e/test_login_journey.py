"""Every demo user logs in on a phone and on a desktop and lands on the home of his role."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlparse

import pytest
from django.urls import NoReverseMatch, reverse

from accounts.roles import HOME_BY_ROLE
from demo.campaign import seed_campaign
from demo.org import DEMO_LOGINS, seed_org
from tests.e2e.conftest import DESKTOP, PHONE, login

pytestmark = [pytest.mark.django_db(transaction=True)]


def expected_home(role: str) -> str:
    for candidate, name in HOME_BY_ROLE:
        if candidate == role:
            try:
                return reverse(name)
            except NoReverseMatch:
                return "/"
    return "/"


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_each_demo_user_logs_in(live_server, browser, guard_network, shot, viewport):
    seed_campaign(seed_org(), start=date(2026, 9, 1), end=date(2027, 2, 28))
    for username, _full_name, _title, _unit, role in DEMO_LOGINS:
        context = browser.new_context(viewport=viewport, locale="zh-CN")
        page = guard_network(context.new_page())
        login(page, live_server.url, username)
        assert urlparse(page.url).path == expected_home(role), f"{username} landed on {page.url}"
        heading = page.locator("h1").first
        assert heading.is_visible()
        assert any("\u4e00" <= ch <= "\u9fff" for ch in heading.inner_text()), "not Chinese"
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"] + 1, f"{username}: page wider than the screen"
        shot(page, f"{username}-home")
        context.close()
