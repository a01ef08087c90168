"""``python manage.py send_reminders [--date YYYY-MM-DD] [--dry-run]``."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from accounts.models import OrgUnit, User
from notifications import selectors, services
from notifications.models import ItemKind, ReminderKind


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--date must be YYYY-MM-DD, not {value!r}") from None


class Command(BaseCommand):
    help = (
        "Send the deadline reminders of a day (in the app, by email, to group robots). "
        "With --dry-run, list what would go out and write nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", type=_day, default=None, help="the day, YYYY-MM-DD")
        parser.add_argument("--dry-run", action="store_true", help="show, write nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        day: date = options["date"] or timezone.localdate()
        if options["dry_run"]:
            self._dry_run(day)
            return
        run = services.send_reminders(day=day)
        self.stdout.write(
            f"{day}: {run.claimed} reminder(s) sent of {run.planned} planned; "
            f"{run.notifications} notification(s), {len(run.emails)} email(s), "
            f"{len(run.webhooks)} robot message(s) queued."
        )

    def _dry_run(self, day: date) -> None:
        plan = selectors.plan_reminders(day)
        people = dict(
            User.objects.filter(pk__in={p.recipient_id for p in plan}).values_list("pk", "username")
        )
        emails = set(
            User.objects.filter(pk__in=people.keys()).exclude(email="").values_list("pk", flat=True)
        )
        robots = dict(
            OrgUnit.objects.filter(pk__in={p.item.unit_id for p in plan}, is_active=True)
            .exclude(webhook_url="")
            .values_list("pk", "code")
        )
        kinds = dict(ReminderKind.choices)
        items = dict(ItemKind.choices)
        for p in sorted(plan, key=lambda p: (p.kind, p.item.item_kind, p.item.item_id)):
            channels = ["app"]
            if p.recipient_id in emails:
                channels.append("email")
            if p.item.unit_id in robots:
                channels.append(f"robot:{robots[p.item.unit_id]}")
            self.stdout.write(
                f"{day} {p.kind} {p.item.item_kind}#{p.item.item_id} "
                f"→ {people.get(p.recipient_id, p.recipient_id)} [{','.join(channels)}] "
                f"{kinds[p.kind]} · {items[p.item.item_kind]} · {p.item.title} "
                f"(due {p.item.due_date})"
            )
        counts = Counter(p.kind for p in plan)
        summary = ", ".join(f"{kind}={counts[kind]}" for kind in sorted(counts)) or "none"
        self.stdout.write(f"Dry run for {day}: {len(plan)} reminder(s) would go out ({summary}).")
