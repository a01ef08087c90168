"""Benchmarks of DESIGN.md "Budgets", run by `make bench` (never by `make test`).

Every benchmark runs at two scales, each in a database of its own, built once and reused
by later runs:

- **city**: ``BENCH_DATABASE_URL`` (default ``tracker_bench``) holds ``seed_demo --scale
  city``;
- **province**: ``BENCH_PROVINCE_DATABASE_URL`` (default ``tracker_bench_province``) holds
  ``seed_demo --scale province``: ten such cities under a province committee. Pages are
  measured there for a city office inside the province (the same page as at city scale,
  with ten times the rows around it) and for the province office.

The ``scale`` fixture is parametrised by session, so pytest runs all the city
measurements, switches the connections to the province database, then runs the province
ones. Each benchmark records its measured value beside its budget (and the number behind
the pass, to print the margin); the session prints the table, writes docs/benchmarks.md
and fails (exit status 1) when a budget is missed.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]
SCALES = ("city", "province")
URLS = {
    "city": os.environ.get(
        "BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/tracker_bench"
    ),
    "province": os.environ.get(
        "BENCH_PROVINCE_DATABASE_URL",
        "postgresql://postgres@127.0.0.1:5432/tracker_bench_province",
    ),
}
# Every result of earlier runs, by line and scale: a run of a few benchmarks (``-k``)
# rewrites its own lines of the table and keeps the others as they were measured.
STORE = ROOT / "var" / "bench" / "results.json"
RESULTS: list[Result] = []


@dataclass
class Result:
    name: str
    scale: str
    budget: str
    measured: str
    passed: bool
    plain: str = ""
    ratio: str = ""
    note: str = ""
    value: float | None = None  # the figure the budget is about (ms, s, MB)
    limit: float | None = None  # the budget's bound in the same unit
    unit: str = ""
    stamp: str = ""

    @property
    def margin(self) -> str:
        """How far within (or over) the budget, in its unit and in per cent."""
        share = _left(asdict(self))
        if share is None or self.value is None or self.limit is None:
            return ""
        return f"{self.limit - self.value:+.4g} {self.unit} ({share:+.0%} of the budget)"


def record(
    name: str,
    *,
    budget: str,
    measured: str,
    passed: bool,
    plain: str = "",
    ratio: float | None = None,
    note: str = "",
    scale: str = "city",
    value: float | None = None,
    limit: float | None = None,
    unit: str = "",
) -> None:
    RESULTS.append(
        Result(
            name,
            scale,
            budget,
            measured,
            passed,
            plain,
            f"{ratio:.1f}×" if ratio else "",
            note,
            value,
            limit,
            unit,
            time.strftime("%Y-%m-%d %H:%M"),
        )
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


@dataclass
class Scale:
    """The data set a benchmark runs on, and who looks at it."""

    name: str  # "city" or "province"
    url: str
    root: Any  # the data set's top unit: the city, or the province
    campaign: Any  # the campaign over the whole data set
    city: Any  # a city: the city itself, or the first of the province's cities
    users: str  # the user-name prefix of that city's users ("" or "dh01")

    @property
    def city_office(self) -> str:
        return f"{self.users or 'sz'}_office0"

    @property
    def county_office(self) -> str:
        return f"{self.users}c01_office0"

    @property
    def secretary(self) -> str:
        return f"{self.users}b00000"

    @property
    def province_office(self) -> str | None:
        return None if self.name == "city" else f"{self.root.code.lower()}_office0"


@pytest.fixture(scope="session")
def django_db_setup():
    """No test database: the ``scale`` fixture points the connections at the benchmark
    database of each scale in turn."""


def _use_database(url: str) -> None:
    """Point every connection alias (the default one and the tests' replica, a mirror of
    it) at ``url``; child processes get it through ``DATABASE_URL``."""
    import dj_database_url
    from django.db import connections

    parsed = dj_database_url.parse(url)
    keys = ("NAME", "USER", "PASSWORD", "HOST", "PORT")
    for alias in connections:
        connection = connections[alias]
        connection.close()
        for key in keys:
            connection.settings_dict[key] = parsed.get(key) or ""
        if alias in settings.DATABASES:
            for key in keys:
                settings.DATABASES[alias][key] = parsed.get(key) or ""
    os.environ["DATABASE_URL"] = url


@pytest.fixture(scope="session", params=SCALES)
def scale(request, django_db_blocker) -> Scale:
    """The data set of one scale, seeded into its database the first time."""
    from django.core.cache import cache

    from accounts.models import OrgUnit
    from campaign.models import Campaign
    from demo.city import CITY_CODE
    from demo.city.province import PROVINCE_CODE, city_code, city_users

    name = request.param
    url = URLS[name]
    _use_database(url)
    _ensure_database()
    top = CITY_CODE if name == "city" else PROVINCE_CODE
    with django_db_blocker.unblock():
        call_command("migrate", verbosity=0)
        if not OrgUnit.objects.filter(code=top).exists():
            started = time.perf_counter()
            call_command("seed_demo", scale=name, seed=2026)
            seconds = time.perf_counter() - started
            limit = SEED_BUDGET_S[name]
            record(
                f"seed_demo --scale {name} (first run of the benchmarks)",
                scale=name,
                budget=f"≤ {limit:.0f} s",
                measured=f"{seconds:.1f} s",
                passed=seconds <= limit,
                value=seconds,
                limit=limit,
                unit="s",
            )
        # an earlier run may have stopped before its vacuum
        _vacuum()
        root = OrgUnit.objects.get(code=top)
        campaign = Campaign.objects.get(root_unit=root)
        city = root if name == "city" else OrgUnit.objects.get(code=city_code(1))
    # the cached figures are keyed by campaign and unit ids, which the two databases share
    cache.clear()
    return Scale(name, url, root, campaign, city, "" if name == "city" else city_users(1))


# The seed's budget: minutes for a city, ten cities in ten times that.
SEED_BUDGET_S = {"city": 180.0, "province": 1800.0}


@pytest.fixture
def city(scale: Scale) -> tuple[Any, Any]:
    """The city (at province scale: the province's first city) and the campaign."""
    return scale.city, scale.campaign


def _connect(dbname: str) -> Any:
    """A connection of its own to ``dbname`` on the benchmark server, outside Django's
    (and so outside a test's transaction), in autocommit."""
    import psycopg

    db = settings.DATABASES["default"]
    params = {
        "dbname": dbname,
        "user": db.get("USER") or "postgres",
        "host": db.get("HOST") or None,
        "port": db.get("PORT") or None,
        "password": db.get("PASSWORD") or None,
    }
    conninfo = psycopg.conninfo.make_conninfo(**{k: v for k, v in params.items() if v})
    return psycopg.connect(conninfo, autocommit=True)


def _ensure_database() -> None:
    db = settings.DATABASES["default"]
    with _connect("postgres") as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]]
        ).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{db["NAME"]}"')


def _vacuum() -> None:
    """Clears the rows the benchmarks wrote and rolled back, and gathers statistics: what
    autovacuum does within a minute on an installation (PostgreSQL's default). Without it,
    on a server running with autovacuum off, the pages measured after the imports read
    through some 300,000 dead rows of problems, measures and notes."""
    with _connect(settings.DATABASES["default"]["NAME"]) as conn:
        conn.execute("VACUUM (ANALYZE)")


# Benchmarks that write a large batch in a transaction and roll it back (an import, the
# reminder run): the database is vacuumed after them, before the next is measured.
ROLLED_BACK_WRITES = {"bench_excel", "bench_reminders"}


@pytest.fixture(autouse=True)
def _vacuumed_after(request: pytest.FixtureRequest) -> Any:
    yield
    if request.path.stem in ROLLED_BACK_WRITES and "scale" in request.fixturenames:
        _vacuum()


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


def _load_store() -> dict[str, dict[str, Any]]:
    try:
        return json.loads(STORE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _cell(result: dict[str, Any] | None, fresh: set[str], key: str) -> str:
    if result is None:
        return "—"
    earlier = "" if key in fresh else f" (run of {result['stamp']})"
    return f"{result['measured']}{earlier}"


# A budget counts as met with this much of it left: a figure that passes once on a warmed
# machine and misses on the next one of the same kind is not met.
MARGIN = 0.30


def _left(result: dict[str, Any]) -> float | None:
    """The share of the budget left (negative when over), or None for a pass/fail line."""
    value, limit = result.get("value"), result.get("limit")
    if value is None or not limit:
        return None
    return (limit - value) / limit


def _below_margin(result: dict[str, Any]) -> bool:
    left = _left(result)
    return left is not None and left < MARGIN


def _mark(result: dict[str, Any] | None) -> str:
    if result is None:
        return ""
    if not result["passed"]:
        return "❌"
    left = _left(result)
    if left is None:
        return "✅"
    return f"{'✅' if left >= MARGIN else '⚠️'} {left:.0%}"


def _ratio(city: dict[str, Any] | None, province: dict[str, Any] | None) -> str:
    if not city or not province or not city.get("value") or province.get("value") is None:
        return ""
    return f"{province['value'] / city['value']:.1f}×"


def pytest_sessionfinish(session, exitstatus):
    if not RESULTS:
        return
    store = _load_store()
    fresh = set()
    for r in RESULTS:
        key = f"{r.name}|{r.scale}"
        store[key] = asdict(r)
        fresh.add(key)
    STORE.parent.mkdir(parents=True, exist_ok=True)
    STORE.write_text(json.dumps(store, ensure_ascii=False, indent=1), encoding="utf-8")
    names: list[str] = []
    for key in store:
        name = key.rsplit("|", 1)[0]
        if name not in names:
            names.append(name)
    lines = [
        "| what | budget | city | pass, budget left | province | pass, budget left "
        "| province ÷ city | plain way (city) | ratio | note |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name in names:
        at_city, at_province = store.get(f"{name}|city"), store.get(f"{name}|province")
        first = at_city or at_province or {}
        notes = "; ".join(
            f"{scale}: {r['note']}" if at_city and at_province else r["note"]
            for scale, r in (("city", at_city), ("province", at_province))
            if r and r.get("note")
        )
        lines.append(
            f"| {name} | {first.get('budget', '')} "
            f"| {_cell(at_city, fresh, f'{name}|city')} | {_mark(at_city)} "
            f"| {_cell(at_province, fresh, f'{name}|province')} | {_mark(at_province)} "
            f"| {_ratio(at_city, at_province)} | {(at_city or {}).get('plain', '')} "
            f"| {(at_city or {}).get('ratio', '')} | {notes} |"
        )
    table = "\n".join(lines)
    print("\n\nBenchmarks\n" + table)
    missed = [r for r in RESULTS if not r.passed]
    thin = [r for r in RESULTS if r.passed and _below_margin(asdict(r))]
    print(f"\nMargins (budget minus measured; {MARGIN:.0%} of the budget is the margin asked):")
    for r in RESULTS:
        flag = "MISSED" if not r.passed else "THIN" if r in thin else "ok"
        print(f"  [{flag:>6}] {r.scale:<8} {r.name}: {r.margin or r.measured}")
    target = ROOT / "docs" / "benchmarks.md"
    marker = "<!-- bench-results -->"
    text = target.read_text(encoding="utf-8") if target.exists() else marker
    head, _, rest = text.partition(marker)
    # keep what follows the table (the load test's section): the table ends at the first
    # heading after the marker
    tail = ""
    heading = rest.find("\n## ")
    if heading >= 0:
        tail = rest[heading:]
    stamp = time.strftime("%Y-%m-%d %H:%M %Z")
    databases = ", ".join(f"{scale} `{URLS[scale].rsplit('/', 1)[-1]}`" for scale in SCALES)
    target.write_text(
        f"{head}{marker}\n\nMeasured {stamp} on {_machine()}; databases {databases}. "
        "A line measured in an earlier run than the others says so.\n\n"
        f"{table}\n\n{tail.lstrip(chr(10)) if tail else ''}",
        encoding="utf-8",
    )
    if missed or thin:
        print(f"\n{len(missed)} budget(s) missed, {len(thin)} met with less than the margin.")
        session.exitstatus = 1
