"""Human-paced users added step by step until the site slows (run by tests/bench/loadtest.sh).

Secretaries read their to-do and lists and log activities with a phone photo; the offices
read dashboards, problem lists and the compliance matrix and export a party committee's
ledger. Each person opens a page every 10–30 s, as someone reading and typing does.

Users arrive in steps (``LOAD_STEPS``, e.g. ``250,500,750,1000``), each held for
``LOAD_STEP_SECONDS``; the first ``LOAD_SETTLE_SECONDS`` of a step, while its new users
arrive, are left out of its figures. After a step whose p95 passes 500 ms or that had an
error, the test stops: the ceiling is the last step that held. Per-step figures go to
``$LOAD_OUT/steps.json`` for the report. Before the first step, ``LOAD_WARMUP_SECONDS`` of
a few users warm every web process; they are not counted.
"""

from __future__ import annotations

import datetime
import io
import itertools
import json
import os
import random
import re
import time
from collections import defaultdict
from http.cookiejar import Cookie
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from locust import FastHttpUser, LoadTestShape, between, events, task

PASSWORD = "Demo@2026"
OUT = Path(os.environ.get("LOAD_OUT", "var/loadtest"))
EXPORT_UNIT = os.environ.get("LOAD_EXPORT_UNIT", "")
STEPS = [int(n) for n in os.environ.get("LOAD_STEPS", "250,500,750,1000,1500,2000,2500").split(",")]
STEP_SECONDS = int(os.environ.get("LOAD_STEP_SECONDS", "90"))
SETTLE_SECONDS = int(os.environ.get("LOAD_SETTLE_SECONDS", "20"))
# a few users first warm every web process (imports, translations, caches), not counted
WARMUP_SECONDS = int(os.environ.get("LOAD_WARMUP_SECONDS", "30"))
WARMUP_USERS = 50
# people who log in with their password during the test (the rest are signed in already)
PASSWORD_LOGINS = int(os.environ.get("LOAD_PASSWORD_LOGINS", "10"))
BUDGET_MS = 500
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# the unit field: hidden for a secretary of one branch, a list for one of several
UNIT = re.compile(r'name="unit" value="(\d+)"|<select name="unit"[^>]*>\s*<option value="(\d+)"')

SESSIONS: dict[str, Any] = json.loads((OUT / "sessions.json").read_text(encoding="utf-8"))
SECRETARIES = itertools.count()
OFFICES = itertools.count()
LOGINS = itertools.count()


def _photo() -> bytes:
    """A phone photo: 2,000 × 1,500 pixels of JPEG with real detail (about 1 MB)."""
    from PIL import Image

    rng = random.Random(2026)
    small = Image.new("RGB", (200, 150))
    small.putdata(
        [(rng.randrange(256), rng.randrange(256), rng.randrange(256)) for _ in range(200 * 150)]
    )
    buffer = io.BytesIO()
    small.resize((2000, 1500), Image.Resampling.BICUBIC).save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


PHOTO = _photo()


class Steps:
    """The figures of each step, from the requests locust reports."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.samples: dict[int, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
        self.failures: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.logins: list[float] = []
        self.done: list[dict[str, Any]] = []

    def position(self) -> tuple[int, float]:
        """The step running now and the seconds into it (step -1: the warm-up)."""
        elapsed = time.perf_counter() - self.started - WARMUP_SECONDS
        if elapsed < 0:
            return -1, 0.0
        return int(elapsed // STEP_SECONDS), elapsed % STEP_SECONDS

    def add(self, name: str, ms: float, failed: bool) -> None:
        if name in {"login", "login page"}:
            if name == "login":
                self.logins.append(ms)
            if not failed:
                return
        step, into = self.position()
        if not 0 <= step < len(STEPS):
            return
        if failed:
            self.failures[step][name] += 1  # an error counts wherever it falls
        elif into >= SETTLE_SECONDS:
            self.samples[step][name].append(ms)

    def summary(self, step: int) -> dict[str, Any]:
        pages = self.samples[step]
        every = sorted(ms for times in pages.values() for ms in times)
        failures = sum(self.failures[step].values())
        window = STEP_SECONDS - SETTLE_SECONDS
        return {
            "users": STEPS[step],
            "requests": len(every),
            "per_second": round(len(every) / window, 1),
            "failures": failures,
            "failed_pages": dict(self.failures[step]),
            "p50": _percentile(every, 0.50),
            "p95": _percentile(every, 0.95),
            "p99": _percentile(every, 0.99),
            "held": bool(every) and _percentile(every, 0.95) <= BUDGET_MS and failures == 0,
            "pages": {
                name: {
                    "requests": len(times),
                    "p50": _percentile(sorted(times), 0.50),
                    "p95": _percentile(sorted(times), 0.95),
                }
                for name, times in sorted(pages.items())
            },
        }

    def write(self) -> None:
        OUT.mkdir(parents=True, exist_ok=True)
        data = {
            "step_seconds": STEP_SECONDS,
            "settle_seconds": SETTLE_SECONDS,
            "steps": self.done,
            "logins": self.logins,
        }
        (OUT / "steps.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def _percentile(ordered: list[float], share: float) -> float:
    if not ordered:
        return 0.0
    return round(ordered[min(len(ordered) - 1, int(len(ordered) * share))], 1)


STATS = Steps()


@events.request.add_listener
def _record(name: str, response_time: float, exception: Any, **_: Any) -> None:
    STATS.add(name, response_time, exception is not None)


@events.quitting.add_listener
def _write(**_: Any) -> None:
    step, _into = STATS.position()
    for finished in range(len(STATS.done), min(step, len(STEPS))):
        STATS.done.append(STATS.summary(finished))
    STATS.write()


class StepShape(LoadTestShape):
    """Hold each step for STEP_SECONDS; stop after the first step that did not hold."""

    def tick(self) -> tuple[int, float] | None:
        step, _into = STATS.position()
        while len(STATS.done) < min(step, len(STEPS)):
            STATS.done.append(STATS.summary(len(STATS.done)))
            STATS.write()
            if not STATS.done[-1]["held"]:
                return None
        if step >= len(STEPS):
            return None
        if step < 0:
            return min(STEPS[0], WARMUP_USERS), 100
        return STEPS[step], 100


def _arrive(user: FastHttpUser, session_key: str | None, username: str) -> None:
    """People of a step come in over its first seconds, not all in the same instant."""
    time.sleep(random.uniform(0, SETTLE_SECONDS * 0.75))
    if session_key is None:
        login(user, username)
    else:
        user.client.cookiejar.set_cookie(_session_cookie(user, session_key))


def _session_cookie(user: FastHttpUser, session_key: str) -> Cookie:
    """The session cookie as the site's login would have set it for this host."""
    return Cookie(
        version=0,
        name=SESSIONS["cookie"],
        value=session_key,
        port=None,
        port_specified=False,
        domain=urlsplit(user.host).hostname or "",
        domain_specified=False,
        domain_initial_dot=False,
        path="/",
        path_specified=True,
        secure=False,
        expires=None,
        discard=True,
        comment=None,
        comment_url=None,
        rest={"HttpOnly": ""},
    )


def login(user: FastHttpUser, username: str) -> None:
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


class Secretary(FastHttpUser):
    weight = 9
    wait_time = between(10, 30)

    def on_start(self) -> None:
        n = next(SECRETARIES)
        sessions = SESSIONS["secretaries"]
        by_password = next(LOGINS) < PASSWORD_LOGINS
        # the password logins use branches no session was made for
        _arrive(
            self,
            None if by_password else sessions[n % len(sessions)],
            f"b{(len(sessions) + n) * 7 % 6000:05d}",
        )

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
        # filling the form in takes a person a while
        time.sleep(random.uniform(20, 40))
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
            files={"attachments": ("现场照片.jpg", PHOTO, "image/jpeg")},
            headers={"Referer": f"{self.host}/campaign/activities/new/"},
            name="log an activity (POST)",
            allow_redirects=False,
            catch_response=True,
        ) as saved:
            if saved.status_code != 302:
                saved.failure(f"not saved: HTTP {saved.status_code}")


class Office(FastHttpUser):
    weight = 1
    wait_time = between(10, 30)

    def on_start(self) -> None:
        sessions = SESSIONS["offices"]
        _arrive(self, sessions[next(OFFICES) % len(sessions)], "")

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
        # a party committee's ledger (its id is found by loadtest.sh): the job is queued
        # for the worker and the page that follows it is shown
        self.client.get(f"/rectification/ledger/export/?unit={EXPORT_UNIT}", name="ledger export")
