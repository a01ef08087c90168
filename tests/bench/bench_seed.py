"""`seed_demo --scale city` into a fresh database, against its 3-minute budget."""

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


def test_seed_city_budget():
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
        subprocess.run(
            [sys.executable, "manage.py", "seed_demo", "--scale", "city", "--seed", "2026"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        seconds = time.perf_counter() - started
    finally:
        with _admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    record(
        "seed_demo --scale city",
        budget="≤ 180 s",
        measured=f"{seconds:.1f} s",
        passed=seconds <= 180,
    )
    assert seconds <= 180
