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
