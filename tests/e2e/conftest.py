"""Real-browser journeys: Playwright driving Debian's Chromium against the live server.

No browser is downloaded: the executable is the system's. Any request to a host other
than the live server fails the test (intranet deployments have no internet).
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.e2e import a11y
from tests.e2e.a11y import check_a11y, url_pattern

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(
    os.environ.get("E2E_ARTIFACTS", Path(__file__).resolve().parents[2] / "test-artifacts")
)
FAILURES = ARTIFACTS / "failures"
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
        # The browser's own widgets (file picker button, date fields) in Chinese, as on the
        # users' machines: Chromium on Linux takes its UI language from LANGUAGE (its --lang
        # flag is ignored there). Needs Debian's chromium-l10n, else they stay in English.
        "env": {**os.environ, "LANGUAGE": "zh_CN"},
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


PAGES = pytest.StashKey[list]()
FAILED = pytest.StashKey[bool]()


@pytest.fixture(scope="session")
def worker_id(request):
    """xdist's worker name, also when the journeys run with `-p no:xdist`."""
    return getattr(request.config, "workerinput", {}).get("workerid", "master")


@pytest.fixture(autouse=True)
def opened_pages(request, browser, monkeypatch):
    """Every page that the test's browser contexts open (for the failure artifacts), and
    every address they load: each kind of page loaded must have been checked for
    accessibility (by `shot`, `login` or `check_a11y`) before the test ends."""
    pages: list = []
    loaded: dict[str, str] = {}
    request.node.stash[PAGES] = pages
    a11y.checked.clear()
    new_context, new_page = browser.new_context, browser.new_page

    def track(page):
        pages.append(page)
        page.on("load", lambda page: loaded.setdefault(url_pattern(page.url), page.url))

    def tracked_new_context(*args, **kwargs):
        context = new_context(*args, **kwargs)
        context.on("page", track)
        return context

    def tracked_new_page(*args, **kwargs):
        page = new_page(*args, **kwargs)
        track(page)
        return page

    monkeypatch.setattr(browser, "new_context", tracked_new_context)
    monkeypatch.setattr(browser, "new_page", tracked_new_page)
    yield pages
    if request.node.stash.get(FAILED, False):
        return
    unchecked = sorted(url for pattern, url in loaded.items() if pattern not in a11y.checked)
    assert not unchecked, (
        "pages loaded but never checked for accessibility (call shot() or check_a11y() "
        f"on them): {unchecked}"
    )


@pytest.fixture
def shot(request):
    """Save a named screenshot of a key screen, then check the screen's accessibility."""
    folder = ARTIFACTS / request.node.name.replace("/", "_")

    def _shot(page, name: str, a11y_disable: tuple[str, ...] = ()) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        check_a11y(page, disable=a11y_disable)
        return path

    return _shot


def artifact_stem(nodeid: str) -> str:
    """`tests/e2e/test_x.py::test_y[phone]` → `test_x-test_y-phone`."""
    name = nodeid.removeprefix("tests/e2e/").replace(".py::", "-")
    return re.sub(r"[^\w.-]+", "-", name).strip("-")


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """On failure, keep a screenshot and the HTML of every page the test still has open."""
    outcome = yield
    report = outcome.get_result()
    if report.when != "call" or not report.failed:
        return
    item.stash[FAILED] = True
    pages = item.stash.get(PAGES, [])
    if not pages:
        return
    FAILURES.mkdir(parents=True, exist_ok=True)
    stem = artifact_stem(item.nodeid)
    saved = []
    for n, page in enumerate(pages, start=1):
        if page.is_closed():
            continue
        png, html = FAILURES / f"{stem}-{n}.png", FAILURES / f"{stem}-{n}.html"
        try:
            page.screenshot(path=str(png), full_page=True, timeout=10_000)
            saved.append(png)
        except Exception as exc:
            saved.append(f"{png} (no screenshot: {exc.__class__.__name__})")
        try:
            html.write_text(page.content(), encoding="utf-8")
            saved.append(html)
        except Exception as exc:
            saved.append(f"{html} (no HTML: {exc.__class__.__name__})")
    if saved:
        report.sections.append(("failure pages", "\n".join(str(path) for path in saved)))


def login(page, base_url: str, username: str, password: str = "Demo@2026") -> None:
    page.goto(f"{base_url}/accounts/login/")
    check_a11y(page)
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state("networkidle")
    check_a11y(page)  # the home page of the user's role
