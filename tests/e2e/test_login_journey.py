"""Every demo user logs in on a phone and on a desktop and lands on the home of his role."""

from __future__ import annotations

import pytest

from accounts.demo import DEMO_LOGINS, seed_org
from tests.e2e.conftest import DESKTOP, PHONE, login

pytestmark = [pytest.mark.django_db(transaction=True)]

# username -> a fragment of the home page's URL
EXPECTED_HOME = {
    "office": "/",
    "county_office": "/",
    "leader": "/",
    "secretary": "/",
    "viewer": "/",
}


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_each_demo_user_logs_in(live_server, browser, guard_network, shot, viewport):
    seed_org()
    for username, _full_name, _title, _unit, _role in DEMO_LOGINS:
        context = browser.new_context(viewport=viewport, locale="zh-CN")
        page = guard_network(context.new_page())
        login(page, live_server.url, username)
        assert "/accounts/login/" not in page.url, f"{username} could not log in"
        assert page.locator("h1").first.is_visible()
        shot(page, f"{username}-home")
        context.close()
