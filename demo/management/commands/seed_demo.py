"""Create the demo city, the speech's campaign and the demo users (idempotent)."""

from __future__ import annotations

import importlib
import random
from datetime import timedelta
from typing import Any

import pghistory
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from demo.campaign import seed_campaign
from demo.org import DEMO_LOGINS, DEMO_PASSWORD, seed_org

# Each app may add its demo records with ``seed(org=..., campaign=..., rng=..., today=...)``.
APP_SEEDERS = [
    "demo.tasks",
    "demo.research",
    "demo.rectification",
    "demo.supervision",
]


class Command(BaseCommand):
    help = "Create demo data: a fictional city, the speech's campaign and the demo users."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", choices=["small", "city"], default="small")
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args: Any, **options: Any) -> None:
        rng = random.Random(options["seed"])  # noqa: S311 - demo data, not secrets
        today = timezone.localdate()
        if options["scale"] == "city":
            from demo.city import seed_city

            seed_city(seed=options["seed"], stdout=self.stdout)
            return
        with pghistory.context(command="seed_demo"):
            org = seed_org()
            campaign = seed_campaign(
                org, start=today - timedelta(days=120), end=today + timedelta(days=90)
            )
            for module_name in APP_SEEDERS:
                try:
                    module = importlib.import_module(module_name)
                except ModuleNotFoundError as exc:
                    if exc.name != module_name:
                        raise
                    continue
                module.seed(org=org, campaign=campaign, rng=rng, today=today)
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready: campaign “{campaign.name}” (id {campaign.pk}).")
        )
        self.stdout.write(f"Demo users (password {DEMO_PASSWORD}):")
        for username, full_name, title, unit_code, role in DEMO_LOGINS:
            self.stdout.write(f"  {username:<14} {role:<10} {full_name} · {title} ({unit_code})")
