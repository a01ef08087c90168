"""A version per subtree of the organisation: what cached figures of one unit are keyed on.

``core.figures.data_version`` moves with any tracked write anywhere. The dashboard keeps its
figures per subtree instead (``dashboard/rollup.py``), and a subtree's figures need move
only when a record of that subtree changes. So every tracked table carries three
statement-level PostgreSQL triggers (insert, update, delete; their transition tables give
the rows written, old and new) that count the write against the unit each row belongs to,
in :class:`core.models.UnitVersion`:

- the unit is found through the path the product declares for its model (``register``:
  ``"unit"``, or through the parent record, ``"measure__problem__unit"``); an update counts
  against the old unit and the new one, so a record moved between units moves both;
- a model declared :data:`GLOBAL` (one whose rows are read across units: a task, a user), a
  row whose unit cannot be found (its parent already deleted) or a deleted unit counts
  against the row of ``unit_id`` 0, which is part of every subtree's version;
- a model may also be given a *topic* (``register``): its writes go to the unit's row of
  that topic, so a figure that reads only those tables is keyed on their topic
  (:func:`topic_versions`) while the subtree's version sums every topic;
- only the unit's own row is written (``changes + 1`` and the write's ``stamp`` from a
  sequence), never its ancestors': writes in different branches never wait for one another
  on a shared row. A subtree's version is read as ``sum(changes), max(stamp)`` over the
  rows in the range of its path (one index range scan): the sum moves with every committed
  write, whatever order transactions commit in, and the stamp keeps a version from ever
  coming back after the table was emptied.

The triggers are written from the registry by :func:`install`, which ``migrate`` runs (the
``post_migrate`` signal; ``CREATE OR REPLACE``, so it is safe to run again). Any write,
through a service, a bulk import or a raw ``UPDATE`` in the admin or a shell, moves them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import connections, transaction
from django.db.models import ForeignKey, Model
from pghistory.models import Event

from .replica import read_connection

SELF = "self"  # the model is the unit itself
GLOBAL = ""  # the model's rows are read across units
TABLE = "core_unitversion"

_paths: dict[str, str] = {}
_topics: dict[str, str] = {}
_unread: dict[str, tuple[str, ...]] = {}


def register(
    paths: dict[str, str],
    topics: dict[str, str] | None = None,
    unread: dict[str, tuple[str, ...]] | None = None,
) -> None:
    """Declare, for each tracked model (by its label, ``"rectification.Measure"``), the path
    from a row to its unit (``"unit"``, ``"problem__unit"``), :data:`SELF` or
    :data:`GLOBAL`. A tracked model left out counts as global. ``topics`` names the few
    models whose writes are also counted apart (a short word of letters), for figures that
    read those tables alone (:func:`topic_versions`)."""
    _paths.update(paths)
    for label, topic in (topics or {}).items():
        if not topic.isalpha() or len(topic) > 16:
            raise ValueError(f"{label}: a topic is a short word of letters, not {topic!r}")
        _topics[label] = topic
    # columns no figure reads, whose updates alone count for no one (a login's time)
    for label, columns in (unread or {}).items():
        if not all(c.isidentifier() for c in columns):
            raise ValueError(f"{label}: not column names: {columns!r}")
        _unread[label] = tuple(columns)


def tracked_models() -> list[type[Model]]:
    """The models whose history is kept (pghistory), in a stable order."""
    found: set[type[Model]] = {
        model.pgh_tracked_model
        for model in apps.get_models()
        if issubclass(model, Event)
        and not model._meta.proxy
        and model._meta.managed
        and getattr(model, "pgh_tracked_model", None) is not None
    }
    return sorted(found, key=lambda m: m._meta.label)


def path_of(model: type[Model]) -> str:
    return _paths.get(model._meta.label, GLOBAL)


# ---------------------------------------------------------------- the triggers


def _unit_expression(model: type[Model], path: str, rows: str) -> tuple[str, str]:
    """(FROM clause over the rows written, ``rows`` aliased ``r``; SQL of each row's unit)."""
    if path == SELF:
        return rows, "r.id"
    parts = path.split("__")
    if parts[-1] != "unit":
        raise ValueError(f"{model._meta.label}: a unit path ends in 'unit', not {path!r}")
    joins = [rows]
    alias, current = "r", model
    for i, name in enumerate(parts[:-1]):
        field = current._meta.get_field(name)
        if not isinstance(field, ForeignKey):
            raise ValueError(f"{model._meta.label}: {name!r} is not a foreign key")
        target = field.related_model
        assert isinstance(target, type)
        joins.append(
            f'LEFT JOIN "{target._meta.db_table}" t{i} ON t{i}.id = {alias}."{field.column}"'
        )
        alias, current = f"t{i}", target
    unit = current._meta.get_field("unit")
    return " ".join(joins), f'{alias}."{unit.column}"'  # type: ignore[union-attr]


def _function_sql(model: type[Model], operation: str, rows: str) -> str:
    """The body of a trigger function counting a statement's rows against their units."""
    # every name comes from the model registry, never from input
    path = path_of(model)
    topic = _topics.get(model._meta.label, "")
    if path == GLOBAL or (path == SELF and operation == "delete"):
        # a deleted unit: its path is gone with it, so the write counts for everyone
        return f"IF EXISTS (SELECT 1 FROM {rows}) THEN PERFORM core_bump_global('{topic}'); END IF;"  # noqa: S608
    source, unit = _unit_expression(model, path, rows)
    return f"PERFORM core_bump_units(ARRAY(SELECT {unit} FROM {source}), '{topic}');"  # noqa: S608


_HELPERS = """
CREATE SEQUENCE IF NOT EXISTS core_unitversion_stamp;
DROP FUNCTION IF EXISTS core_bump_global();
DROP FUNCTION IF EXISTS core_bump_units(bigint[]);
DROP FUNCTION IF EXISTS core_bump_global(text);
DROP FUNCTION IF EXISTS core_bump_units(bigint[], text);
CREATE OR REPLACE FUNCTION core_bump_global(written text) RETURNS void AS $$
BEGIN
  INSERT INTO core_unitversion (unit_id, topic, path, changes, stamp)
  VALUES (0, written, '', 1, nextval('core_unitversion_stamp'))
  ON CONFLICT ON CONSTRAINT core_unitversion_unit_topic DO UPDATE
  SET changes = core_unitversion.changes + 1, stamp = EXCLUDED.stamp;
END $$ LANGUAGE plpgsql;
CREATE OR REPLACE FUNCTION core_bump_units(ids bigint[], written text) RETURNS void AS $$
DECLARE
  n bigint;
BEGIN
  IF cardinality(ids) = 0 THEN
    RETURN;
  END IF;
  n := nextval('core_unitversion_stamp');
  -- in the order of the units' ids, so that two writers lock the rows in one order
  INSERT INTO core_unitversion (unit_id, topic, path, changes, stamp)
  SELECT u.id, written, u.path, 1, n FROM accounts_orgunit u WHERE u.id = ANY(ids) ORDER BY u.id
  ON CONFLICT ON CONSTRAINT core_unitversion_unit_topic DO UPDATE
  SET changes = core_unitversion.changes + 1, stamp = EXCLUDED.stamp, path = EXCLUDED.path;
  IF EXISTS (
    SELECT 1 FROM unnest(ids) AS i(id) LEFT JOIN accounts_orgunit u ON u.id = i.id
    WHERE u.id IS NULL
  ) THEN
    PERFORM core_bump_global(written);
  END IF;
END $$ LANGUAGE plpgsql;
"""


def triggers_sql() -> list[str]:
    """Every statement :func:`install` runs, helpers first."""
    statements = [_HELPERS]
    for model in tracked_models():
        table = model._meta.db_table
        for operation, referencing, rows in (
            ("insert", "NEW TABLE AS new_rows", "new_rows r"),
            # a row moved to another unit moves both
            (
                "update",
                "OLD TABLE AS old_rows NEW TABLE AS new_rows",
                "(SELECT * FROM old_rows UNION ALL SELECT * FROM new_rows) r",
            ),
            ("delete", "OLD TABLE AS old_rows", "old_rows r"),
        ):
            function = f"core_uv_{table}_{operation}"[:63]
            body = _function_sql(model, operation, rows)
            unread = _unread.get(model._meta.label)
            if operation == "update" and unread:
                # an update of those columns alone is no change: its rows, less them, are
                # the rows as they were
                less = "'{" + ",".join(unread) + "}'::text[]"
                body = (
                    f"IF EXISTS (SELECT to_jsonb(n) - {less} FROM new_rows n "  # noqa: S608 - registry names
                    f"EXCEPT SELECT to_jsonb(o) - {less} FROM old_rows o) THEN\n"
                    f"    {body}\n  END IF;"
                )
            statements.append(
                f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$\n"
                f"BEGIN\n  {body}\n  RETURN NULL;\nEND $$ LANGUAGE plpgsql;\n"
                f'DROP TRIGGER IF EXISTS core_unitversion_{operation} ON "{table}";\n'
                f"CREATE TRIGGER core_unitversion_{operation} "
                f'AFTER {operation.upper()} ON "{table}"\n'
                f"REFERENCING {referencing} FOR EACH STATEMENT EXECUTE FUNCTION {function}();"
            )
    return statements


def install(using: str = "default", **_: Any) -> None:
    """(Re)write the triggers (``migrate`` runs this after the migrations)."""
    connection = connections[using]
    if connection.vendor != "postgresql" or TABLE not in connection.introspection.table_names():
        return
    with connection.cursor() as cursor:
        for sql in triggers_sql():
            cursor.execute(sql)


# ---------------------------------------------------------------- reading versions


def _range(path: str) -> tuple[str, str]:
    return path, path + "~"  # "~" sorts after every character of a path (C collation)


def subtree_version(path: str) -> str:
    """The version of the subtree under ``path`` (global writes included), read where the
    figures are read (on the replica under ``reads_from_replica``): one range scan."""
    low, high = _range(path)
    with read_connection().cursor() as cursor:
        cursor.execute(
            f"SELECT coalesce(sum(changes), 0), coalesce(max(stamp), 0) FROM {TABLE} "  # noqa: S608
            "WHERE (path >= %s AND path < %s) OR unit_id = 0",
            [low, high],
        )
        row = cursor.fetchone()
    return f"{row[0]}.{row[1]}" if row else "0.0"


def scope_version(subtrees: Sequence[str], above: Iterable[str]) -> str:
    """The version of the subtrees under ``subtrees``, of the own records of the units at
    the paths ``above`` (the units above them, whose names a page shows) and of the global
    writes: what a person whose roles sit on those subtrees may see. One query."""
    ranges = [bound for path in subtrees for bound in _range(path)]
    where = " OR ".join(
        ["unit_id = 0", "path = ANY(%s)", *["(path >= %s AND path < %s)"] * len(subtrees)]
    )
    with read_connection().cursor() as cursor:
        cursor.execute(
            f"SELECT coalesce(sum(changes), 0), coalesce(max(stamp), 0) FROM {TABLE} "  # noqa: S608
            f"WHERE {where}",
            [sorted(set(above)), *ranges],
        )
        row = cursor.fetchone()
    return f"{row[0]}.{row[1]}" if row else "0.0"


GLOBAL_TOPIC = "*"  # in topic_versions: the writes that belong to no one unit, any topic


def topic_versions(path: str) -> dict[str, str]:
    """The version of the subtree under ``path`` for each topic (``""``: the records of no
    topic), and of the global writes (``GLOBAL_TOPIC``): one range scan. A figure reading
    only some tables is keyed on their topics and the global writes."""
    return {topic: f"{n}.{stamp}" for topic, (n, stamp) in versions_at(path).subtree.items()}


Version = tuple[int, int]  # (changes, stamp) of some rows


@dataclass(frozen=True)
class Versions:
    """A subtree's versions by topic (``GLOBAL_TOPIC``: the global writes) and those of the
    rows of its top unit alone (its own records), by topic."""

    subtree: dict[str, Version]
    own: dict[str, Version]

    @property
    def version(self) -> str:
        """The subtree's version over every topic, as :func:`subtree_version` reads it."""
        return combined(self.subtree.values())


def combined(versions: Iterable[Version]) -> str:
    """The version of the rows of all ``versions`` together (``"changes.stamp"``)."""
    changes, stamp = 0, 0
    for n, at in versions:
        changes, stamp = changes + n, max(stamp, at)
    return f"{changes}.{stamp}"


# Per topic of the rows in a unit's range (``u``), and whether a row is the unit's own.
_BY_TOPIC = (
    "SELECT coalesce(json_agg(json_build_array(t, own, n, s)), '[]') FROM ("  # noqa: S608
    "  SELECT CASE WHEN v.unit_id = 0 THEN '*' ELSE v.topic END AS t,"
    "  v.unit_id <> 0 AND v.path = u.path AS own, sum(v.changes) AS n, max(v.stamp) AS s"
    f"  FROM {TABLE} v"
    '  WHERE (v.path >= u.path COLLATE "C" AND v.path < (u.path || \'~\') COLLATE "C")'
    "  OR v.unit_id = 0 GROUP BY 1, 2) x"
)


def _versions(rows: list[list[Any]]) -> Versions:
    subtree: dict[str, Version] = {}
    own: dict[str, Version] = {}
    for topic, is_own, n, stamp in rows:
        for into in (subtree, own) if is_own else (subtree,):
            was = into.get(topic, (0, 0))
            into[topic] = (was[0] + int(n), max(was[1], int(stamp)))
    return Versions(subtree=subtree, own=own)


def versions_at(path: str) -> Versions:
    """The :class:`Versions` of the subtree under ``path`` (one range scan)."""
    with read_connection().cursor() as cursor:
        cursor.execute(f"SELECT ({_BY_TOPIC}) FROM (SELECT %s::varchar AS path) u", [path])  # noqa: S608
        row = cursor.fetchone()
    return _versions(_json(row[0]) if row else [])


def _json(value: Any) -> list[list[Any]]:
    return json.loads(value) if isinstance(value, str) else list(value)


def child_versions(parents: Sequence[str], depth: int) -> list[tuple[int, str, int, Versions]]:
    """The units of depth ``depth`` under the paths ``parents``, in tree order, each as
    (id, path, numchild, :class:`Versions` of its subtree): one query."""
    if not parents:
        return []
    within = " OR ".join(["u.path LIKE %s"] * len(parents))  # paths hold no wildcards
    params: list[Any] = [depth, *(parent + "%" for parent in parents)]
    sql = (
        f"SELECT u.id, u.path, u.numchild, ({_BY_TOPIC}) FROM accounts_orgunit u "  # noqa: S608
        f"WHERE u.depth = %s AND ({within}) ORDER BY u.path"
    )
    with read_connection().cursor() as cursor:
        cursor.execute(sql, params)
        return [(r[0], r[1], r[2], _versions(_json(r[3]))) for r in cursor.fetchall()]


def restart(using: str = "default") -> int:
    """Clear the units' rows (the global row stays), so that a subtree's version reads only
    the rows of the units written since: run shortly after midnight, when every cached
    figure is keyed on the new day anyway (``dashboard/warmup.py``). Without it a version
    reads one row per unit ever written, and the root's every unit of the tree.

    A version never comes back: the restart also counts a global write, so every version
    read after it has a stamp at least the restart's, above every stamp read before it;
    after it the sums only grow again. A writer still running keeps its row (the delete
    waits for its lock, or does not see a row it inserted). Returns the rows cleared."""
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE unit_id <> 0")  # noqa: S608 - a constant
        cleared = cursor.rowcount
        cursor.execute("SELECT core_bump_global('')")
    return cleared


def tidy(using: str = "default") -> None:
    """Vacuum the table after a :func:`restart` (outside a transaction only): until then
    its index still holds every deleted row, and each version read walks over them."""
    connection = connections[using]
    if connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE) {TABLE}")
