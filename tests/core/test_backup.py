"""A backup restores into an empty database with every record and every uploaded file."""

from __future__ import annotations

import os
import uuid
from datetime import date

import psycopg
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from core.backup import BackupError, create_backup, restore_backup
from rectification.models import Measure, MeasureEvidence, Problem, ProblemSource

pytestmark = pytest.mark.django_db(transaction=True)


def _admin_connection():
    db = settings.DATABASES["default"]
    params = {
        "dbname": "postgres",
        "user": db.get("USER") or "postgres",
        "host": db.get("HOST") or None,
        "port": db.get("PORT") or None,
    }
    return psycopg.connect(**{k: v for k, v in params.items() if v}, autocommit=True)


@pytest.fixture
def empty_database():
    name = f"restore_{uuid.uuid4().hex[:10]}"
    with _admin_connection() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield {**settings.DATABASES["default"], "NAME": name}
    with _admin_connection() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_backup_restores_every_record_and_file(people, tree, tmp_path, settings, empty_database):
    settings.MEDIA_ROOT = tmp_path / "media"
    from campaign.models import Campaign

    campaign = Campaign.objects.create(
        name="测试", root_unit=tree.city, start_date=date(2026, 1, 1), end_date=date(2026, 12, 31)
    )
    problem = Problem.objects.create(
        campaign=campaign,
        unit=tree.branch_a1,
        number=1,
        category="工作作风",
        source=ProblemSource.SELF_REVIEW,
        description="会议多",
        discovered_on=date(2026, 3, 1),
    )
    measure = Measure.objects.create(problem=problem, description="精简会议")
    MeasureEvidence.objects.create(
        measure=measure,
        original_name="照片.jpg",
        file=SimpleUploadedFile("照片.jpg", b"\xff\xd8\xff" + b"0" * 100),
    )
    archive = tmp_path / "backup.tar.gz"
    manifest = create_backup(archive)
    assert manifest["media_files"] == 1

    restored_media = tmp_path / "restored-media"
    restore_backup(archive, db=empty_database, media_root=restored_media)

    counts = {}
    with psycopg.connect(
        dbname=empty_database["NAME"],
        user=empty_database["USER"],
        host=empty_database.get("HOST") or None,
        port=empty_database.get("PORT") or None,
    ) as conn:
        for table in (
            "accounts_orgunit",
            "accounts_user",
            "rectification_problem",
            "rectification_measure",
            "rectification_problemevent",
        ):
            counts[table] = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    with connection.cursor() as cursor:
        for table, restored in counts.items():
            cursor.execute(f"SELECT count(*) FROM {table}")
            assert cursor.fetchone()[0] == restored, table
    assert counts["rectification_problem"] == 1
    assert counts["rectification_problemevent"] >= 1
    evidence = MeasureEvidence.objects.get()
    assert (restored_media / evidence.file.name).read_bytes().startswith(b"\xff\xd8\xff")


def test_restore_refuses_a_database_that_is_not_empty(tree, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    archive = tmp_path / "backup.tar.gz"
    create_backup(archive)
    with pytest.raises(BackupError, match="not empty"):
        restore_backup(archive)


def _old_client_tools(directory) -> None:
    """pg_dump, pg_restore and psql of PostgreSQL 9 (any real use of them fails)."""
    for name in ("pg_dump", "pg_restore", "psql"):
        tool = directory / name
        tool.write_text(
            "#!/bin/sh\n"
            f'if [ "$1" = "--version" ]; then echo "{name} (PostgreSQL) 9.6.24"; exit 0; fi\n'
            'echo "server version mismatch" >&2; exit 1\n'
        )
        tool.chmod(0o755)


def test_the_client_tools_match_the_server_whatever_the_path_holds(
    people, tree, tmp_path, settings, monkeypatch, empty_database
):
    """Debian's client 15 next to the embedded server 18 made backups fail: the tools are
    chosen by the server's version, not by the PATH."""
    settings.MEDIA_ROOT = tmp_path / "media"
    old = tmp_path / "old-bin"
    old.mkdir()
    _old_client_tools(old)
    monkeypatch.setenv("PATH", f"{old}:{os.environ['PATH']}")
    from core import backup

    assert backup.client_major(str(old / "pg_dump")) == 9
    server = backup.server_major(settings.DATABASES["default"])
    chosen = backup.client_tool("pg_dump", server)
    assert not chosen.startswith(str(old)) and backup.client_major(chosen) >= server
    archive = tmp_path / "backup.tar.gz"
    create_backup(archive)
    restore_backup(archive, db=empty_database)


def test_without_a_matching_client_the_message_names_both_versions(tmp_path, monkeypatch):
    from core import backup

    old = tmp_path / "old-bin"
    old.mkdir()
    _old_client_tools(old)
    monkeypatch.setattr(backup, "_candidates", lambda name: [str(old / name)])
    server = backup.server_major(settings.DATABASES["default"])
    with pytest.raises(BackupError) as caught:
        create_backup(tmp_path / "backup.tar.gz")
    message = str(caught.value)
    assert f"PostgreSQL {server}" in message and "(9)" in message
    assert f"postgresql-client-{server}" in message
