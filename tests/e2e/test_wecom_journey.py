"""Signing in through WeCom, as a branch secretary on a desktop would: the login page's
WeCom button opens the platform's page (here the local fake of WeCom's OAuth page), she
confirms, and lands on her home, signed in. A WeCom member whose id is linked to nobody
comes back to the login page with a clear Chinese message, and no account is made.
"""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from django.core.cache import cache

from accounts.models import User
from demo.org import seed_org
from tests.e2e.a11y import check_a11y
from tests.e2e.conftest import DESKTOP
from tests.fakes.wecom import FakeWeCom

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture
def wecom(settings):
    fake = FakeWeCom({"zhaolihua": "赵丽华", "wangqiang": "王强"}).start()
    for name, value in fake.settings().items():
        setattr(settings, name, value)
    cache.clear()
    yield fake
    fake.stop()
    cache.clear()


@pytest.fixture
def linked():
    org = seed_org()
    secretary = org.users["secretary"]
    secretary.wecom_userid = "zhaolihua"
    secretary.save(update_fields=["wecom_userid"])
    return secretary


def _page(browser, live_server, fake):
    """A desktop page allowed to reach the app and the fake platform, nothing else."""
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    allowed = {urlparse(live_server.url).netloc, urlparse(fake.base).netloc}
    outside: list[str] = []

    def route(route):
        if urlparse(route.request.url).netloc in allowed:
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", route)
    return context, page, outside


def test_a_secretary_signs_in_through_wecom_and_a_stranger_is_refused(
    live_server, browser, shot, wecom, linked
):
    base = live_server.url
    context, page, outside = _page(browser, live_server, wecom)
    page.goto(f"{base}/accounts/login/")
    shot(page, "1-login-with-wecom-desktop")
    page.get_by_role("link", name="使用企业微信登录（扫码）").click()
    page.wait_for_load_state("networkidle")
    assert page.url.startswith(f"{wecom.base}/wwlogin/sso/login?")
    check_a11y(page)  # the fake's page, as the platform would show it
    page.get_by_role("link", name="赵丽华（zhaolihua）").click()
    page.wait_for_load_state("networkidle")
    assert page.url.startswith(base)
    assert "/campaign/" in page.url  # a secretary's home: her to-do
    assert page.get_by_role("button", name=linked.display_name).first.is_visible()
    shot(page, "2-signed-in-home-desktop")
    context.close()

    users = User.objects.count()
    context, page, outside = _page(browser, live_server, wecom)
    page.goto(f"{base}/accounts/login/")
    page.get_by_role("link", name="使用企业微信登录（扫码）").click()
    page.wait_for_load_state("networkidle")
    page.get_by_role("link", name="王强（wangqiang）").click()
    page.wait_for_load_state("networkidle")
    alert = page.get_by_role("alert")
    assert "您的企业微信账号（wangqiang）尚未关联本系统账号" in alert.inner_text()
    assert "账号关联" in alert.inner_text()
    shot(page, "3-unlinked-refused-desktop")
    assert User.objects.count() == users
    assert not outside
    context.close()
