"""`seed_demo --scale city` (and `--scale province`) into a fresh database, against their
budgets: three minutes for a city, ten times that for the ten cities of the province."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid

import psycopg
from conftest import ROOT, record  # type: ignore[import-not-found]
from django.conf import settings


def _admin():
    db = settings.DATABASES["default"]
    params = {
        "dbname": "postgres",
        "user": db.get("USER") or "postgres",
        "host": db.get("HOST") or None,
        "port": db.get("PORT") or None,
    }
    return psycopg.connect(**{k: v for k, v in params.items() if v}, autocommit=True)


BUDGET_S = {"city": 180.0, "province": 1800.0}


def test_seed_budget(scale):
    db = settings.DATABASES["default"]
    name = f"bench_seed_{uuid.uuid4().hex[:8]}"
    with _admin() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    host = db.get("HOST") or "127.0.0.1"
    url = f"postgresql://{db.get('USER') or 'postgres'}@{host}:{db.get('PORT') or 5432}/{name}"
    env = {**os.environ, "DATABASE_URL": url}
    try:
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True
        )
        started = time.perf_counter()
        out = subprocess.run(
            [sys.executable, "manage.py", "seed_demo", "--scale", scale.name, "--seed", "2026"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        seconds = time.perf_counter() - started
    finally:
        with _admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    limit = BUDGET_S[scale.name]
    record(
        f"seed_demo --scale {scale.name}",
        scale=scale.name,
        budget="≤ 180 s for a city, ≤ 1800 s for the province",
        measured=f"{seconds:.1f} s",
        passed=seconds <= limit,
        note=out.stdout.strip().splitlines()[-1] if out.stdout.strip() else "",
        value=seconds,
        limit=limit,
        unit="s",
    )
    assert seconds <= limit
