"""Reading the change history kept by django-pghistory (PostgreSQL triggers).

Triggers record every insert and update, bulk writes included; the request middleware
(or ``pghistory.context`` in commands and tasks) attaches who did it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db import models
from pghistory.models import MiddlewareEvents

HIDDEN_FIELDS = {"id", "path", "depth", "numchild", "password", "search_vector"}


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
    labels = {
        f.name: str(f.verbose_name) for f in obj._meta.get_fields() if hasattr(f, "verbose_name")
    }
    entries = []
    for event in events:
        context = event.pgh_context or {}
        actor = users.get(context.get("user"), "") or context.get("command", "") or "系统"
        diff = event.pgh_diff or {}
        changes = [
            Change(field=name, label=labels.get(name, name), before=values[0], after=values[1])
            for name, values in sorted(diff.items())
            if name not in HIDDEN_FIELDS and not name.startswith("pgh_")
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
