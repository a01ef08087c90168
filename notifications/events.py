"""Telling people that something happened to their work: the one way every app notifies.

A service that passes or returns a submission, deploys a task, returns a problem at 销号 or
urges a unit calls :func:`notify` inside its transaction. The notifications are in-app at
once (the header's unread badge counts them); the channels each person has (email, group
robot, personal messages) carry them afterwards in batches, so nobody gets a storm.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .models import EventKind, Notification

__all__ = ["EventKind", "notify"]


def notify(
    *,
    kind: str,
    recipients: Iterable[int | None],
    title: str,
    body: str = "",
    link: str = "",
    unit: Any = None,
    actor: Any = None,
    once_key: str = "",
) -> int:
    """Notify each recipient (user ids) once; the actor is never told of his own act.

    ``once_key`` names a notification a person gets at most once (for example the 催办
    of one unit on one day): a second call with the same key for the same person adds
    nothing. Returns how many recipients were asked for (after dropping the actor and
    duplicates).
    """
    actor_id = getattr(actor, "pk", None)
    ids = sorted({r for r in recipients if r is not None and r != actor_id})
    if not ids:
        return 0
    rows = [
        Notification(
            recipient_id=recipient_id,
            kind=kind,
            title=title[:255],
            body=body,
            link=link[:255],
            unit=unit,
            actor_id=actor_id,
            once_key=once_key[:100],
        )
        for recipient_id in ids
    ]
    Notification.objects.bulk_create(rows, ignore_conflicts=bool(once_key))
    return len(ids)
