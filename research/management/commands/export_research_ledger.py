"""Write a unit's research ledger (调研台账) to an Excel file."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import OrgUnit
from campaign.models import Campaign
from research.ledger import write_research_ledger


class Command(BaseCommand):
    help = "Export the research ledger of a unit and its subtree to an .xlsx file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--campaign", type=int, required=True, help="campaign id")
        parser.add_argument("--unit", required=True, help="unit code")
        parser.add_argument("--output", required=True, help="path of the .xlsx file")

    def handle(self, *args: Any, **options: Any) -> None:
        campaign = (
            Campaign.objects.select_related("root_unit").filter(pk=options["campaign"]).first()
        )
        if campaign is None:
            raise CommandError(f"No campaign with id {options['campaign']}.")
        unit = OrgUnit.objects.filter(code=options["unit"]).first()
        if unit is None:
            raise CommandError(f"No unit with code {options['unit']!r}.")
        output = options["output"]
        if not output.lower().endswith(".xlsx"):
            raise CommandError("The output file must end in .xlsx.")
        count = write_research_ledger(campaign=campaign, unit=unit, target=output)
        self.stdout.write(f"{count} research project(s) written to {output}.")
