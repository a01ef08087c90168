"""Create the demo city, the speech's campaign and the demo users (idempotent); or, with
``--scale city`` / ``--scale province``, a whole city's or province's data set."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from demo.city import seed_city
from demo.city.province import seed_province
from demo.org import DEMO_PASSWORD, USERS
from demo.small import seed_small


class Command(BaseCommand):
    help = "Create demo data: a fictional city, the speech's campaign and the demo users."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", choices=["small", "city", "province"], default="small")
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["scale"] == "province":
            seed_province(seed=options["seed"], stdout=self.stdout)
            return
        if options["scale"] == "city":
            seed_city(seed=options["seed"], stdout=self.stdout)
            return
        org, campaign = seed_small(seed=options["seed"], today=timezone.localdate())
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready: campaign “{campaign.name}” (id {campaign.pk}).")
        )
        self.stdout.write(f"Demo users (password {DEMO_PASSWORD}):")
        for username, full_name, title, unit_code, role in USERS:
            unit = org.units[unit_code]
            self.stdout.write(
                f"  {username:<14} {role:<10} {full_name} · {title} · {unit.name} ({unit.code})"
            )
