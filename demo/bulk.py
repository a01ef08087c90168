"""Fast bulk inserts that still keep history, for generated data sets; and entry times for
records written through the services.

Inserting row by row through the history triggers costs about four times a plain insert.
For a data set generated in one transaction (``seed_demo --scale city`` and the
benchmarks) triggers are switched off for the insert, and the history rows are then written
in one ``INSERT … SELECT`` per batch: the same "insert" events the triggers would write.
Foreign keys are not checked while triggers are off, so this is only for data built
consistent by construction — never for user input.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import pgtrigger
from django.db import connection, models


def bulk_create_with_history(
    model: type[models.Model],
    objs: Sequence[Any],
    batch_size: int = 5000,
    *,
    created_at: Sequence[Any] | None = None,
) -> None:
    """Insert ``objs`` and their "insert" history events.

    ``created_at``, one per object, is the time each record was entered; it is written by
    the insert itself (``auto_now_add`` would stamp every row with the moment of the
    insert) and the events carry it too.
    """
    if not objs:
        return
    assert connection.in_atomic_block, "bulk_create_with_history needs a transaction"
    assert created_at is None or len(created_at) == len(objs)
    if created_at is not None:
        for obj, at in zip(objs, created_at, strict=True):
            obj.created_at = at
    event_model = getattr(model, "pgh_event_model", None)
    table = connection.ops.quote_name(model._meta.db_table)
    with _given_created_at(model, created_at is not None), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        try:
            for start in range(0, len(objs), batch_size):
                chunk = list(objs[start : start + batch_size])
                model._default_manager.bulk_create(chunk)
                pks = [obj.pk for obj in chunk]
                if event_model is None:
                    continue
                columns = [
                    f.column
                    for f in event_model._meta.concrete_fields
                    if not f.column.startswith("pgh_")
                ]
                quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
                cursor.execute(
                    f"INSERT INTO {connection.ops.quote_name(event_model._meta.db_table)} "  # noqa: S608
                    f"(pgh_created_at, pgh_label, pgh_obj_id, {quoted}) "
                    f"SELECT NOW(), 'insert', id, {quoted} FROM {table} WHERE id = ANY(%s)",
                    [pks],
                )
        finally:
            cursor.execute("SET LOCAL session_replication_role = DEFAULT")


@contextmanager
def _given_created_at(model: type[models.Model], given: bool) -> Iterator[None]:
    """While inserting, keep the ``created_at`` the objects carry (no ``auto_now_add``).

    The field is the model's own, shared by the process: the seed is one command that
    nothing else runs in, and the field is put back as it was whatever happens.
    """
    field = model._meta.get_field("created_at") if given else None
    if not isinstance(field, models.DateTimeField) or not field.auto_now_add:
        yield
        return
    field.auto_now_add = False
    try:
        yield
    finally:
        field.auto_now_add = True


def set_entered_at(model: type[models.Model], entered: Mapping[int, datetime]) -> None:
    """Give records written through the services the time they were entered (``created_at``,
    stamped with the moment of the seed by ``auto_now_add``), in their history too.

    The change is not an edit by anyone: the "update" history trigger is skipped for it
    (``pgtrigger.ignore``, which needs no superuser) and the record's "insert" event is
    given the same time, so the history reads as if the record was entered then.
    """
    if not entered:
        return
    assert connection.in_atomic_block, "set_entered_at needs a transaction"
    ids = list(entered)
    times = [entered[pk] for pk in ids]
    table = connection.ops.quote_name(model._meta.db_table)
    with pgtrigger.ignore(f"{model._meta.label}:update_update"), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS t SET created_at = v.at "  # noqa: S608
            "FROM unnest(%s::bigint[], %s::timestamptz[]) AS v(id, at) WHERE t.id = v.id",
            [ids, times],
        )
        event_model = getattr(model, "pgh_event_model", None)
        if event_model is not None:
            events = connection.ops.quote_name(event_model._meta.db_table)
            cursor.execute(
                f"UPDATE {events} AS e SET created_at = v.at, pgh_created_at = v.at "  # noqa: S608
                "FROM unnest(%s::bigint[], %s::timestamptz[]) AS v(id, at) "
                "WHERE e.pgh_obj_id = v.id AND e.pgh_label = 'insert'",
                [ids, times],
            )
