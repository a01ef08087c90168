"""Mixed load of logged-in users on loopback (run by tests/bench/loadtest.sh).

Secretaries read their to-do and lists and log activities; the office reads dashboards,
problem lists and exports a county's ledger. Users come from the city data set.
"""

from __future__ import annotations

import itertools
import os
import random
import re

from locust import HttpUser, between, task

PASSWORD = "Demo@2026"
SECRETARIES = itertools.count()
OFFICES = itertools.count()
EXPORT_UNIT = os.environ.get("LOAD_EXPORT_UNIT", "")
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def login(user: HttpUser, username: str) -> None:
    page = user.client.get("/accounts/login/", name="login page")
    token = CSRF.search(page.text)
    user.client.post(
        "/accounts/login/",
        {
            "username": username,
            "password": PASSWORD,
            "csrfmiddlewaretoken": token.group(1) if token else "",
        },
        headers={"Referer": f"{user.host}/accounts/login/"},
        name="login",
    )


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
    def log_form(self) -> None:
        self.client.get("/campaign/activities/new/", name="activity form")


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
