"""Fast bulk inserts that still keep history, for generated data sets.

Inserting row by row through the history triggers costs about four times a plain insert.
For a data set generated in one transaction (``seed_demo --scale city`` and the
benchmarks) triggers are switched off for the insert, and the history rows are then written
in one ``INSERT … SELECT`` per batch: the same "insert" events the triggers would write.
Foreign keys are not checked while triggers are off, so this is only for data built
consistent by construction — never for user input.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection, models


def bulk_create_with_history(
    model: type[models.Model], objs: Sequence[Any], batch_size: int = 5000
) -> None:
    if not objs:
        return
    assert connection.in_atomic_block, "bulk_create_with_history needs a transaction"
    event_model = getattr(model, "pgh_event_model", None)
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        try:
            for start in range(0, len(objs), batch_size):
                chunk = list(objs[start : start + batch_size])
                model._default_manager.bulk_create(chunk)
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
                    [[obj.pk for obj in chunk]],
                )
        finally:
            cursor.execute("SET LOCAL session_replication_role = DEFAULT")


def set_entered_at(model: type[models.Model], pks: Sequence[Any], when: Sequence[Any]) -> None:
    """Give generated records the time they were entered (``created_at``, which
    ``auto_now_add`` sets to the moment of the bulk insert), in the table and in the
    "insert" event of their history alike. For generated data sets only, as above."""
    assert connection.in_atomic_block, "set_entered_at needs a transaction"
    assert len(pks) == len(when)
    event_model = getattr(model, "pgh_event_model", None)
    targets = [(model._meta.db_table, "id")]
    if event_model is not None and any(
        f.column == "created_at" for f in event_model._meta.concrete_fields
    ):
        targets.append((event_model._meta.db_table, "pgh_obj_id"))
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        try:
            for table, key in targets:
                cursor.execute(
                    f"UPDATE {connection.ops.quote_name(table)} AS t SET created_at = v.at "  # noqa: S608
                    f"FROM unnest(%s::bigint[], %s::timestamptz[]) AS v(id, at) "
                    f"WHERE t.{connection.ops.quote_name(key)} = v.id",
                    [list(pks), list(when)],
                )
        finally:
            cursor.execute("SET LOCAL session_replication_role = DEFAULT")
