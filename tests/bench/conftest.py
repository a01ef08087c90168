"""Benchmarks of DESIGN.md "Budgets", run by `make bench` (never by `make test`).

They run against a dedicated database (``BENCH_DATABASE``, default ``tracker_bench``) that
holds the ``seed_demo --scale city`` data set, built once and reused by later runs. Each
benchmark records its measured value beside its budget and, where there is one, the plain
way a developer would first write it; the session prints the table and writes
docs/benchmarks.md.
"""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]
RESULTS: list[Result] = []


@dataclass
class Result:
    name: str
    budget: str
    measured: str
    passed: bool
    plain: str = ""
    ratio: str = ""
    note: str = ""


def record(
    name: str,
    *,
    budget: str,
    measured: str,
    passed: bool,
    plain: str = "",
    ratio: float | None = None,
    note: str = "",
) -> None:
    RESULTS.append(
        Result(name, budget, measured, passed, plain, f"{ratio:.1f}×" if ratio else "", note)
    )


def median_ms(fn: Callable[[], Any], *, repeat: int = 7, warmup: int = 1) -> float:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


@pytest.fixture(scope="session")
def django_db_setup(django_db_blocker):
    """Use the benchmark database as it is (no test database), seeding it once."""
    from accounts.models import OrgUnit
    from demo.city import CITY_CODE

    _ensure_database()
    with django_db_blocker.unblock():
        call_command("migrate", verbosity=0)
        if not OrgUnit.objects.filter(code=CITY_CODE).exists():
            started = time.perf_counter()
            call_command("seed_demo", scale="city", seed=2026)
            seconds = time.perf_counter() - started
            record(
                "seed_demo --scale city",
                budget="≤ 180 s",
                measured=f"{seconds:.1f} s",
                passed=seconds <= 180,
            )


def _ensure_database() -> None:
    import psycopg

    db = settings.DATABASES["default"]
    params = {
        "dbname": "postgres",
        "user": db.get("USER") or "postgres",
        "host": db.get("HOST") or None,
        "port": db.get("PORT") or None,
        "password": db.get("PASSWORD") or None,
    }
    with psycopg.connect(**{k: v for k, v in params.items() if v}, autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]]
        ).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{db["NAME"]}"')


@pytest.fixture
def city(django_db_blocker):
    from accounts.models import OrgUnit
    from campaign.models import Campaign
    from demo.city import CITY_CODE

    with django_db_blocker.unblock():
        root = OrgUnit.objects.get(code=CITY_CODE)
        campaign = Campaign.objects.get(root_unit=root)
    return root, campaign


def _machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        model = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    except (OSError, StopIteration):
        model = cpu
    memory = ""
    try:
        kb = int(
            next(
                line.split()[1]
                for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal")
            )
        )
        memory = f", {kb // 1024 // 1024} GiB"
    except (OSError, StopIteration):
        pass
    pg = ""
    try:
        pg = subprocess.run(
            ["psql", "--version"], capture_output=True, text=True, check=False
        ).stdout.strip()
    except OSError:
        pass
    return f"{os.cpu_count()} cores ({model}){memory}; Python {platform.python_version()}; {pg}"


def pytest_sessionfinish(session, exitstatus):
    if not RESULTS:
        return
    lines = [
        "| what | budget | measured | pass | plain way | ratio | note |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in RESULTS:
        lines.append(
            f"| {r.name} | {r.budget} | {r.measured} | {'✅' if r.passed else '❌'} "
            f"| {r.plain} | {r.ratio} | {r.note} |"
        )
    table = "\n".join(lines)
    print("\n\nBenchmarks\n" + table)
    target = ROOT / "docs" / "benchmarks.md"
    marker = "<!-- bench-results -->"
    text = target.read_text(encoding="utf-8") if target.exists() else marker
    head = text.split(marker)[0]
    stamp = time.strftime("%Y-%m-%d %H:%M %Z")
    target.write_text(
        f"{head}{marker}\n\nMeasured {stamp} on {_machine()}; database "
        f"`{settings.DATABASES['default']['NAME']}`.\n\n{table}\n",
        encoding="utf-8",
    )
