"""Reading the change history kept by django-pghistory (PostgreSQL triggers), for people.

Triggers record every insert, update and delete, bulk writes included; the request middleware
(or ``pghistory.context`` in commands and tasks) attaches who did it. Every page that shows
a record's history reads it here and renders it with ``includes/history.html``:

- times in local time (``TIME_ZONE``, Asia/Shanghai), written the Chinese way
  (2026年12月1日 17:21) — values of date and time fields too;
- the actor by name: the person's full name; without a person, "系统导入" for an import,
  "定时提醒" for the reminder jobs and "系统" for anything else (the demo's loader included);
- fields nobody reads left out: internal ids, digests, search vectors, "updated at".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db import models
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from pghistory.models import MiddlewareEvents

HIDDEN_FIELDS = {
    "id",
    "path",
    "depth",
    "numchild",
    "password",
    "search_vector",
    "summary_digest",
    "updated_at",
    "last_login",
}
HIDDEN_SUFFIXES = ("_digest", "_hash", "_token")
# commands run without a person, as their history names them
IMPORT_COMMANDS = ("import_ledger", "import_org")
REMINDER_COMMANDS = ("send_reminders", "deliver")


def is_noise(name: str) -> bool:
    return name in HIDDEN_FIELDS or name.startswith("pgh_") or name.endswith(HIDDEN_SUFFIXES)


def when(value: datetime | date) -> str:
    """A moment as people here write it: 2026年12月1日 17:21 (a day: 2026年12月1日)."""
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return format_date(value, pgettext("history time", "j M Y, H:i"))
    return format_date(value, pgettext("history date", "j M Y"))


def actor_name(context: dict[str, Any], users: dict[Any, str]) -> str:
    """Who made a change: a person by name, else what kind of job did it."""
    person = users.get(context.get("user"), "")
    command = str(context.get("command") or "")
    if command.startswith(IMPORT_COMMANDS):
        return _("%(name)s (import)") % {"name": person} if person else _("System import")
    if person:
        return person
    if command.startswith(REMINDER_COMMANDS):
        return _("Scheduled reminder")
    return _("System")


@dataclass(frozen=True)
class Change:
    field: str
    label: str
    before: Any
    after: Any


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    actor: str
    label: str
    created: bool
    changes: list[Change]
    subject: str = ""  # for a record shown within another's history (a task's notice)

    @property
    def at_display(self) -> str:
        return when(self.at)


def history_for(
    obj: models.Model, *, limit: int = 100, also: Sequence[models.Model] = ()
) -> list[HistoryEntry]:
    """Who changed what and when, newest first, with the value before each change.

    ``also``: records that belong to ``obj`` (the files attached to it) whose history is
    shown within its own, each entry naming the record."""
    entries = _history_of(obj, limit=limit)
    for part in also:
        subject = f"{part._meta.verbose_name}：{part}"
        entries += [replace(e, subject=subject) for e in _history_of(part, limit=limit)]
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries[:limit]


def _history_of(obj: models.Model, *, limit: int) -> list[HistoryEntry]:
    events = list(
        MiddlewareEvents.objects.tracks(obj).order_by("-pgh_created_at", "-pgh_id")[:limit]
    )
    user_ids = {e.pgh_context.get("user") for e in events if e.pgh_context}
    users = {
        u.pk: u.display_name
        for u in get_user_model().objects.filter(pk__in=[i for i in user_ids if i])
    }
    fields = {f.attname: f for f in obj._meta.concrete_fields}
    raw = []
    related_ids: dict[str, set[Any]] = {}
    for event in events:
        diff = {
            name: values
            for name, values in sorted((event.pgh_diff or {}).items())
            if not is_noise(name)
        }
        for name, values in diff.items():
            field = fields.get(name)
            if field is not None and field.is_relation:
                related_ids.setdefault(name, set()).update(v for v in values if v is not None)
        raw.append((event, diff))
    # One query per foreign key that changed, to show names instead of ids.
    names: dict[str, dict[Any, str]] = {}
    for name, ids in related_ids.items():
        model: Any = fields[name].related_model
        names[name] = {pk: str(o) for pk, o in model._default_manager.in_bulk(list(ids)).items()}
    entries = []
    for event, diff in raw:
        if event.pgh_label not in ("insert", "delete") and not diff:
            continue  # only fields nobody reads changed (e.g. "updated at")
        context = event.pgh_context or {}
        actor = actor_name(context, users)
        changes = [
            Change(
                field=name,
                label=str(fields[name].verbose_name) if name in fields else name,
                before=_display(fields.get(name), values[0], names.get(name)),
                after=_display(fields.get(name), values[1], names.get(name)),
            )
            for name, values in diff.items()
        ]
        entries.append(
            HistoryEntry(
                at=event.pgh_created_at,
                actor=actor,
                label=event.pgh_label,
                created=event.pgh_label == "insert",
                changes=changes,
            )
        )
    return entries


def _display(field: Any, value: Any, related: dict[Any, str] | None) -> Any:
    """A value as people read it: the label of a choice, the name of a related record."""
    if value is None or field is None:
        return value
    if related is not None:
        return related.get(value, value)
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(field, models.DateTimeField) and isinstance(value, str):
        moment = parse_datetime(value)
        return when(moment) if moment else value
    if isinstance(field, models.DateField) and isinstance(value, str):
        day = parse_date(value)
        return when(day) if day else value
    return value
