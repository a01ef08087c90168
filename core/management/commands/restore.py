from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = "Restore a backup archive into the configured (empty) database and MEDIA_ROOT."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", help="archive written by `manage.py backup`")
        parser.add_argument(
            "--force",
            action="store_true",
            help="replace the objects of a database that is not empty",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        archive = Path(options["archive"])
        if not archive.exists():
            raise CommandError(f"{archive} does not exist")
        try:
            manifest = restore_backup(archive, force=options["force"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored the backup of {manifest['created_at']} "
                f"({manifest['media_files']} uploaded files)."
            )
        )
