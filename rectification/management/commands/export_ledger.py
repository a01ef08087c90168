"""Write a unit's rectification ledger (its whole subtree) to an Excel file."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from core.audit import audit_log
from core.models import AuditEvent
from rectification.ledger_export import export_unit_ledger
from rectification.ledger_province import export_province_ledger
from rectification.management.ledger_args import campaign_and_unit


class Command(BaseCommand):
    help = "Export the rectification ledger of a unit and its subtree to an xlsx file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--campaign", required=True, help="campaign id")
        parser.add_argument("--unit", required=True, help="unit code (its subtree is exported)")
        parser.add_argument(
            "--output",
            required=True,
            help="the .xlsx file to write; a .zip: one workbook per unit of the level below",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        campaign, unit = campaign_and_unit(options["campaign"], options["unit"])
        output = options["output"]
        split = output.lower().endswith(".zip")
        if not split and not output.lower().endswith(".xlsx"):
            raise CommandError(_("The output file must end in .xlsx (or .zip for a province)."))
        try:
            if split:
                # one workbook per unit of the level below (a province: per city), zipped
                count = export_province_ledger(campaign=campaign, unit=unit, target=output)
            else:
                count = export_unit_ledger(campaign=campaign, unit=unit, target=output)
        except OSError as exc:
            raise CommandError(
                _("Cannot write %(file)s: %(error)s") % {"file": output, "error": exc}
            ) from exc
        audit_log(
            kind=AuditEvent.Kind.EXPORT,
            unit=unit,
            what="rectification_ledger",
            file_name=output.rsplit("/", 1)[-1],
            command="export_ledger",
            rows=count,
        )
        self.stdout.write(
            _("%(count)d problems written to %(file)s.") % {"count": count, "file": output}
        )
