"""Real-browser journeys: Playwright driving Debian's Chromium against the live server.

No browser is downloaded: the executable is the system's. Any request to a host other
than the live server fails the test (intranet deployments have no internet).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from urllib.parse import urlparse

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(
    os.environ.get("E2E_ARTIFACTS", Path(__file__).resolve().parents[2] / "test-artifacts")
)
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1366, "height": 768}

pytestmark = pytest.mark.e2e


def pytest_configure(config):
    # Known without xdist too, so `-p no:xdist` runs under --strict-markers.
    config.addinivalue_line("markers", "xdist_group(name): run these tests on one worker")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.xdist_group("e2e"))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium package")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
        ],
    }


@pytest.fixture
def browser_context_args(browser_context_args):
    return {
        **browser_context_args,
        "locale": "zh-CN",
        "timezone_id": "Asia/Shanghai",
        "accept_downloads": True,
    }


@pytest.fixture
def guard_network(live_server):
    """Fail on any request that leaves the app."""
    allowed = urlparse(live_server.url).netloc
    outside: list[str] = []

    def attach(page):
        def route(route):
            netloc = urlparse(route.request.url).netloc
            if route.request.url.startswith(("data:", "blob:")) or netloc == allowed:
                route.continue_()
            else:
                outside.append(route.request.url)
                route.abort()

        page.route("**/*", route)
        return page

    yield attach
    assert not outside, f"pages asked for resources outside the app: {outside}"


@pytest.fixture
def shot(request):
    """Save a named screenshot of a key screen."""
    folder = ARTIFACTS / request.node.name.replace("/", "_")

    def _shot(page, name: str) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return _shot


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.failed:
        page = item.funcargs.get("page")
        if page is not None:
            folder = ARTIFACTS / "failures"
            folder.mkdir(parents=True, exist_ok=True)
            stem = item.name.replace("/", "_")
            try:
                page.screenshot(path=str(folder / f"{stem}.png"), full_page=True)
                (folder / f"{stem}.html").write_text(page.content(), encoding="utf-8")
            except Exception:
                pass


def login(page, base_url: str, username: str, password: str = "Demo@2026") -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state("networkidle")
