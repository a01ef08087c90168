"""Reads that may go to a read replica: dashboards and exports (docs/operations.md).

A request or a job marks the stretch of work whose reads may be served by the replica with
``reads_from_replica()``; everything else, and every write, uses the primary. With no replica
configured (``settings.READ_REPLICA`` is None) the marks change nothing.

The replica lags the primary by the replication delay. What is read under the mark must be
fine slightly stale: figures, ledgers and their data version (a cached figure is stored under
the version it was computed from, so a lagging replica never files new data under an old
version or the reverse).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from django.conf import settings
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper

_reading: ContextVar[bool] = ContextVar("reads_from_replica", default=False)

P = ParamSpec("P")
R = TypeVar("R")


def replica_alias() -> str | None:
    """The replica's database alias, when one is configured."""
    return getattr(settings, "READ_REPLICA", None)


def read_connection() -> BaseDatabaseWrapper:
    """The connection a raw read should use here: the replica under the mark, else the primary."""
    alias = replica_alias()
    return connections[alias if alias and _reading.get() else "default"]


@contextmanager
def reads_from_replica() -> Iterator[None]:
    """Within the block, reads go to the replica (if one is configured)."""
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)


def replica_reads(func: Callable[P, R]) -> Callable[P, R]:
    """Decorator form of ``reads_from_replica`` for a view or a job's body."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with reads_from_replica():
            return func(*args, **kwargs)

    return wrapper


class ReplicaRouter:
    """Reads under ``reads_from_replica`` to the replica; every write to the primary."""

    def db_for_read(self, model: type, **hints: Any) -> str | None:
        alias = replica_alias()
        if alias and _reading.get():
            return alias
        return "default" if alias else None

    def db_for_write(self, model: type, **hints: Any) -> str | None:
        # Explicitly the primary: a record read from the replica would otherwise be saved
        # back to the database it came from.
        return "default" if replica_alias() else None

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        return True if replica_alias() else None  # the same data on both

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        if db != "default" and db == replica_alias():
            return False  # the replica follows the primary's schema by replication
        return None
