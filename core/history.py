"""Reading the change history kept by django-pghistory (PostgreSQL triggers).

Triggers record every insert, update and delete, bulk writes included; the request middleware
(or ``pghistory.context`` in commands and tasks) attaches who did it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db import models
from pghistory.models import MiddlewareEvents

HIDDEN_FIELDS = {"id", "path", "depth", "numchild", "password", "search_vector", "summary_digest"}


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


def history_for(obj: models.Model, *, limit: int = 100) -> list[HistoryEntry]:
    """Who changed what and when, newest first, with the value before each change."""
    events = list(
        MiddlewareEvents.objects.tracks(obj).order_by("-pgh_created_at", "-pgh_id")[:limit]
    )
    user_ids = {e.pgh_context.get("user") for e in events if e.pgh_context}
    users = {
        u.pk: str(u) for u in get_user_model().objects.filter(pk__in=[i for i in user_ids if i])
    }
    fields = {f.attname: f for f in obj._meta.concrete_fields}
    raw = []
    related_ids: dict[str, set[Any]] = {}
    for event in events:
        diff = {
            name: values
            for name, values in sorted((event.pgh_diff or {}).items())
            if name not in HIDDEN_FIELDS and not name.startswith("pgh_")
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
        context = event.pgh_context or {}
        actor = users.get(context.get("user"), "") or context.get("command", "") or "系统"
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
        return "是" if value else "否"
    return value
