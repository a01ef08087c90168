"""Caching of computed figures (dashboards) that is never stale.

The cache key carries a *data version*: the newest history-event id of every tracked
table, read in one query of index-only lookups. Any write to a tracked record — a form,
a bulk import, an admin change — adds a history row through the PostgreSQL triggers, so
the version moves and the next request computes afresh. No signal handlers, nothing to
invalidate by hand, and processes need not agree: a key is either current or unused.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from datetime import date
from functools import cache
from typing import Any, TypeVar

from django.apps import apps
from django.core.cache import cache as django_cache
from django.db import connections
from pghistory.models import Event

from .replica import read_connection

T = TypeVar("T")
TIMEOUT = 15 * 60


@cache
def _event_tables() -> tuple[str, ...]:
    tables = sorted(
        model._meta.db_table
        for model in apps.get_models()
        if issubclass(model, Event) and not model._meta.proxy and model._meta.managed
    )
    return tuple(tables)


@cache
def _tracked_models() -> frozenset[type[Any]]:
    return frozenset(
        model.pgh_tracked_model
        for model in apps.get_models()
        if issubclass(model, Event) and getattr(model, "pgh_tracked_model", None) is not None
    )


def is_tracked(model: type[Any]) -> bool:
    """Does every write to this model move the data version (its history is kept)?"""
    return model._meta.concrete_model in _tracked_models()


VERSION_FUNCTION = "core_data_version"


def _version_expression(conn: Any) -> str:
    quote = conn.ops.quote_name
    # table names come from the model registry, never from input
    parts = [
        f"coalesce((SELECT max(pgh_id) FROM {quote(t)}), 0)"  # noqa: S608
        for t in _event_tables()
    ]
    return "concat_ws(',', " + ", ".join(parts) + ")" if parts else "'0'"


def version_sql(conn: Any = None) -> str:
    """SQL for the data version as text: the newest history-event id of every tracked
    table, comma-separated (index-only lookups). Usable as a subquery.

    It is a call of a PL/pgSQL function (:func:`install_version_function`), not the
    expression itself: the function keeps its plan for the session, where the expression
    over some fifty tables was planned again by every query that carried it (about 6 ms
    of the database's processor each time, against 1 ms). ``STABLE``: it reads the
    snapshot of the statement that calls it, so a count beside it sees the same data."""
    return f"{VERSION_FUNCTION}()"


def install_version_function(using: str = "default", **_: Any) -> None:
    """(Re)write the data version's function from the models' history tables (``migrate``
    runs this after the migrations, so a new tracked model is counted from then on)."""
    conn = connections[using]
    if conn.vendor != "postgresql":
        return
    with conn.cursor() as cursor:
        cursor.execute(
            f"CREATE OR REPLACE FUNCTION {VERSION_FUNCTION}() RETURNS text "
            f"LANGUAGE plpgsql STABLE AS $$ BEGIN RETURN {_version_expression(conn)}; END $$"
        )


def data_version() -> str:
    # Read where the figures are read: on the replica when the caller reads from it.
    with read_connection().cursor() as cursor:
        cursor.execute("SELECT " + version_sql())
        row = cursor.fetchone()
    return hashlib.sha1(  # noqa: S324 - a cache key, not a secret
        (row[0] if row else "0").encode()
    ).hexdigest()


def cached_figures(
    name: str,
    parts: Iterable[Any],
    compute: Callable[[], T],
    *,
    today: date,
    version: str | None = None,
    timeout: int = TIMEOUT,
) -> T:
    """``compute()``, cached until the data version or the day moves.

    Pass ``version`` (from :func:`data_version`) when one request caches several layers,
    so the version is read once and the layers agree; or another version that moves with
    every write ``compute`` reads (a subtree's, a person's scope's).
    """
    version = version or data_version()
    raw = "|".join([name, today.isoformat(), version, *(str(p) for p in parts)])
    key = "figures:" + hashlib.sha1(raw.encode()).hexdigest()  # noqa: S324
    value = django_cache.get(key)
    if value is None:
        value = compute()
        django_cache.set(key, value, timeout)
    return value  # type: ignore[no-any-return]
