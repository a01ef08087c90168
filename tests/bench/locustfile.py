"""Mixed load of logged-in users on loopback (run by tests/bench/loadtest.sh).

Secretaries read their to-do and lists and log activities; the office reads dashboards,
problem lists and exports a county's ledger. Users come from the city data set.
"""

from __future__ import annotations

import datetime
import itertools
import json
import os
import random
import re
import struct
import time
import zlib
from pathlib import Path

from locust import HttpUser, between, task

PASSWORD = "Demo@2026"
SECRETARIES = itertools.count()
OFFICES = itertools.count()
EXPORT_UNIT = os.environ.get("LOAD_EXPORT_UNIT", "")
OUT = Path(os.environ.get("LOAD_OUT", "var/loadtest"))
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# the unit field: hidden for a secretary of one branch, a list for one of several
UNIT = re.compile(r'name="unit" value="(\d+)"|<select name="unit"[^>]*>\s*<option value="(\d+)"')


def _png() -> bytes:
    """A 1×1 PNG, the smallest real photo a secretary could attach."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\xff\xff")
    chunks = chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + chunks


PHOTO = _png()


LOGIN_MS: list[float] = []


def login(user: HttpUser, username: str) -> None:
    """Log in; once the last user is in, the figures start afresh (the steady mix only).

    The login times themselves go to var/loadtest/logins.json for the report.
    """
    started = time.perf_counter()
    page = user.client.get("/accounts/login/", name="login page")
    token = CSRF.search(page.text)
    with user.client.post(
        "/accounts/login/",
        {
            "username": username,
            "password": PASSWORD,
            "csrfmiddlewaretoken": token.group(1) if token else "",
        },
        headers={"Referer": f"{user.host}/accounts/login/"},
        name="login",
        allow_redirects=False,
        catch_response=True,
    ) as answer:
        if answer.status_code != 302:
            answer.failure(f"login refused for {username}: HTTP {answer.status_code}")
    LOGIN_MS.append((time.perf_counter() - started) * 1000)
    options = user.environment.parsed_options
    if options is not None and len(LOGIN_MS) == options.num_users:
        user.environment.stats.reset_all()
        OUT.mkdir(parents=True, exist_ok=True)
        (OUT / "logins.json").write_text(json.dumps(LOGIN_MS), encoding="utf-8")


class Secretary(HttpUser):
    weight = 4
    wait_time = between(1, 3)

    def on_start(self) -> None:
        login(self, f"b{next(SECRETARIES) * 7 % 6000:05d}")

    @task(4)
    def todo(self) -> None:
        self.client.get("/campaign/", name="secretary to-do")

    @task(3)
    def activities(self) -> None:
        self.client.get("/campaign/activities/", name="activity list")

    @task(2)
    def problems(self) -> None:
        self.client.get("/rectification/", name="problem list")

    @task(1)
    def log_activity(self) -> None:
        with self.client.get(
            "/campaign/activities/new/", name="activity form", catch_response=True
        ) as form:
            token, unit = CSRF.search(form.text), UNIT.search(form.text)
            if not (token and unit):
                form.failure("no activity form")
                return
        with self.client.post(
            "/campaign/activities/new/",
            {
                "csrfmiddlewaretoken": token.group(1),
                "kind": "party_day",
                "held_on": datetime.date.today().isoformat(),
                "unit": unit.group(1) or unit.group(2),
                "place": "党员活动室",
                "participants": random.randint(5, 30),
                "hours": "1.5",
                "summary": f"主题党日：集中学习党章，交流心得体会（{random.randint(1, 10**6)}）。",
            },
            files={"attachments": ("现场照片.png", PHOTO, "image/png")},
            headers={"Referer": f"{self.host}/campaign/activities/new/"},
            name="log an activity (POST)",
            allow_redirects=False,
            catch_response=True,
        ) as saved:
            if saved.status_code != 302:
                saved.failure(f"not saved: HTTP {saved.status_code}")


class Office(HttpUser):
    weight = 1
    wait_time = between(2, 5)

    def on_start(self) -> None:
        n = next(OFFICES)
        login(self, "sz_office0" if n % 3 == 0 else f"c{n % 12 + 1:02d}_office0")

    @task(4)
    def dashboard(self) -> None:
        self.client.get("/dashboard/", name="office dashboard")

    @task(3)
    def problem_list(self) -> None:
        page = random.randint(1, 20)
        self.client.get(f"/rectification/?page={page}", name="problem list (office)")

    @task(1)
    def compliance(self) -> None:
        self.client.get("/research/compliance/", name="research compliance")

    @task(1)
    def export(self) -> None:
        # a party committee's ledger (its id is found by loadtest.sh)
        self.client.get(f"/rectification/ledger/export/?unit={EXPORT_UNIT}", name="ledger export")
