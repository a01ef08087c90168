"""Import a unit's rectification ledger from an Excel file, all rows or none."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from accounts.models import User
from core.audit import audit_log
from core.models import AuditEvent
from rectification.ledger_import import LedgerFileError, ledger_import
from rectification.management.ledger_args import campaign_and_unit


class Command(BaseCommand):
    help = (
        "Import a rectification ledger (.xlsx) into a unit. Every row must be good: "
        "otherwise each bad row is listed and nothing is written."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the .xlsx ledger")
        parser.add_argument("--campaign", required=True, help="campaign id")
        parser.add_argument("--unit", required=True, help="code of the unit the problems belong to")
        parser.add_argument("--dry-run", action="store_true", help="check the file, write nothing")
        parser.add_argument(
            "--user", help="username recorded as the importer (names are matched in his scope)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        campaign, unit = campaign_and_unit(options["campaign"], options["unit"])
        if not unit.is_within(campaign.root_unit):
            raise CommandError(
                _("Unit %(code)s is not part of the campaign “%(campaign)s”.")
                % {"code": unit.code, "campaign": campaign.name}
            )
        user = None
        if options.get("user"):
            user = User.objects.filter(username=options["user"], is_active=True).first()
            if user is None:
                raise CommandError(_("No active user %(name)s.") % {"name": options["user"]})
        path = options["file"]
        try:
            preview = ledger_import(
                upload=path,
                campaign=campaign,
                unit=unit,
                user=user,
                dry_run=options["dry_run"],
                file_name=path.rsplit("/", 1)[-1],
            )
        except FileNotFoundError as exc:
            raise CommandError(_("No such file: %(file)s") % {"file": path}) from exc
        except LedgerFileError as exc:
            raise CommandError(str(exc)) from exc
        if preview.errors:
            for error in preview.errors:
                self.stderr.write(str(error))
            raise CommandError(
                _("%(count)d bad rows; nothing was written.") % {"count": len(preview.errors)}
            )
        for note in preview.notes:  # rows written otherwise than they read, and why
            self.stdout.write(str(note))
        counts = {"problems": len(preview.problems), "measures": preview.measure_count}
        if preview.written:
            audit_log(
                kind=AuditEvent.Kind.IMPORT,
                actor=user,
                unit=unit,
                what="rectification_ledger",
                file_name=path.rsplit("/", 1)[-1],
                command="import_ledger",
                problems=counts["problems"],
                measures=counts["measures"],
            )
        if options["dry_run"]:
            message = _(
                "All rows are good: %(problems)d problems, %(measures)d measures "
                "(dry run, nothing written)."
            )
        else:
            message = _("Imported %(problems)d problems with %(measures)d measures.")
        self.stdout.write(message % counts)
