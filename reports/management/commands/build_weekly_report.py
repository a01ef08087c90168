"""build_weekly_report --campaign ID --unit CODE [--week 2026-W48] --output FILE.pdf"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import OrgUnit
from campaign.models import Campaign
from reports.periods import Week
from reports.services import report_build_now


class Command(BaseCommand):
    help = "Build the weekly progress report of a unit as a PDF (stored, and written to a file)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--campaign", type=int, required=True, help="campaign id")
        parser.add_argument("--unit", required=True, help="unit code")
        parser.add_argument("--week", help="ISO week such as 2026-W48 (default: this week)")
        parser.add_argument("--output", required=True, help="the PDF file to write")

    def handle(self, *args: Any, **options: Any) -> None:
        campaign = Campaign.objects.filter(pk=options["campaign"]).first()
        if campaign is None:
            raise CommandError(f"no campaign with id {options['campaign']}")
        unit = OrgUnit.objects.filter(code=options["unit"]).first()
        if unit is None:
            raise CommandError(f"no unit with code {options['unit']}")
        if not unit.is_within(campaign.root_unit) and not campaign.root_unit.is_within(unit):
            raise CommandError(f"unit {unit.code} is not part of campaign {campaign.pk}")
        try:
            week = Week.parse(options["week"]) if options["week"] else Week.current()
        except ValueError:
            raise CommandError(f"not an ISO week (e.g. 2026-W48): {options['week']}") from None
        output = Path(options["output"])
        if not output.parent.exists():
            raise CommandError(f"no such folder: {output.parent}")
        try:
            report = report_build_now(campaign=campaign, unit=unit, week=week)
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        with report.file.open("rb") as source:
            output.write_bytes(source.read())
        self.stdout.write(f"{output} · {unit.name} · {week} · {report.page_count} pages")
