"""Load a city's units and users from the workbook its office keeps.

    python manage.py import_org FILE.xlsx [--dry-run] [--passwords FILE.xlsx]

Exit 0 and the counts when every row is good; otherwise exit 1, one line per bad row
(sheet, row number, column, reason), and nothing written. New users get a random
initial password each, written to the passwords workbook (never printed), and must
choose their own password at the first login.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.org_import import WorkbookRefused
from accounts.services import org_import, write_password_sheet
from core.audit import audit_log
from core.models import AuditEvent


class Command(BaseCommand):
    help = "Import units and users from an xlsx workbook (all rows or none)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="the .xlsx workbook with a units and a users sheet")
        parser.add_argument("--dry-run", action="store_true", help="check every row, write nothing")
        parser.add_argument(
            "--passwords",
            help="where to write the initial passwords of new users "
            "(default: org-passwords-YYYYMMDD-HHMMSS.xlsx next to FILE)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("%(path)s: no such file") % {"path": path})
        passwords = Path(
            options["passwords"]
            or path.with_name(f"org-passwords-{timezone.localtime():%Y%m%d-%H%M%S}.xlsx")
        )
        with path.open("rb") as fileobj:
            try:
                result = org_import(
                    fileobj=fileobj,
                    name=path.name,
                    size=path.stat().st_size,
                    actor=None,
                    dry_run=options["dry_run"],
                )
            except WorkbookRefused as exc:
                raise CommandError(f"{path}: {exc}") from None
        if result.errors:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(
                _("%(n)s bad row(s); nothing was written.") % {"n": len(result.errors)},
                returncode=1,
            )
        summary = _(
            "units: %(units_created)s new, %(units_updated)s updated; "
            "users: %(users_created)s new, %(users_updated)s updated; "
            "roles: %(roles_added)s added; members: %(members_added)s added"
        ) % {
            "units_created": result.units_created,
            "units_updated": result.units_updated,
            "users_created": result.users_created,
            "users_updated": result.users_updated,
            "roles_added": result.roles_added,
            "members_added": result.members_added,
        }
        if result.dry_run:
            self.stdout.write(
                _("Dry run, nothing written. Would import %(summary)s.") % {"summary": summary}
            )
            return
        audit_log(
            kind=AuditEvent.Kind.IMPORT,
            what="org",
            file_name=path.name,
            command="import_org",
            summary=summary,
        )
        self.stdout.write(_("Imported %(summary)s.") % {"summary": summary})
        if result.new_users:
            # Owner-only file: it holds live passwords until each user changes his own.
            fd = os.open(passwords, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as target:
                write_password_sheet(new_users=result.new_users, target=target)
            self.stdout.write(
                _(
                    "Initial passwords of the %(n)s new user(s): %(file)s (hand them out, then "
                    "delete the file; each user must change it at first login)"
                )
                % {"n": len(result.new_users), "file": passwords}
            )
