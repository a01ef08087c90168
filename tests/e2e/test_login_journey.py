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


def test_the_menu_in_english_fits_a_desktop_on_one_line(live_server, browser, guard_network, shot):
    """English words are longer than Chinese ones: the menu of every demo user, with English
    switched on, still holds on one line of a 1366 px screen, without a word of Chinese."""
    seed_campaign(seed_org(), start=date(2026, 9, 1), end=date(2027, 2, 28))
    for username, _full_name, _title, _unit, _role in DEMO_LOGINS:
        context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
        page = guard_network(context.new_page())
        login(page, live_server.url, username)  # the login page is read in Chinese
        context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
        page.reload()
        assert page.locator("html").get_attribute("lang") == "en"
        menu = page.locator("#mainnav")
        assert menu.is_visible(), f"{username}: the menu is folded on a desktop"
        items = menu.locator(":scope > ul > li")
        tops = {round(box["y"]) for box in (item.bounding_box() for item in items.all()) if box}
        assert len(tops) == 1, f"{username}: the menu breaks onto {len(tops)} lines"
        navbar = page.locator("nav.app-navbar").bounding_box()
        assert navbar and navbar["height"] < 70, f"{username}: menu {navbar}"
        text = menu.inner_text()
        assert not any("\u4e00" <= ch <= "\u9fff" for ch in text.replace(_full_name, "")), text
        assert page.evaluate("document.documentElement.scrollWidth") <= DESKTOP["width"]
        if username == DEMO_LOGINS[0][0]:
            shot(page, f"{username}-home-english")
        context.close()
