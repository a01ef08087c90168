"""Typed readers for environment variables.

Each reader fails loudly, naming the variable, when a value is present but malformed:
a deployment must never start on a silently substituted default.
"""

from __future__ import annotations

import os
from typing import Any


class ConfigurationError(RuntimeError):
    pass


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ConfigurationError(f"{name}={raw!r} is not a boolean (use 1/0, true/false, yes/no)")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigurationError(f"{name}={raw!r} is not an integer") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_database(name: str) -> dict[str, Any] | None:
    """Parse a database URL; only PostgreSQL is accepted (one engine everywhere)."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return None
    import dj_database_url

    if not raw.startswith(("postgres://", "postgresql://", "pgsql://")):
        raise ConfigurationError(
            f"{name}={raw!r} is not a PostgreSQL URL (expected postgresql://user@host:port/name)"
        )
    try:
        config = dict(dj_database_url.parse(raw, conn_max_age=60, conn_health_checks=True))
    except ValueError as exc:
        raise ConfigurationError(f"{name} is malformed: {exc}") from None
    if not config.get("NAME"):
        raise ConfigurationError(f"{name}={raw!r} names no database")
    return config


def env_broker(name: str) -> str | None:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return None
    if not raw.startswith(("redis://", "rediss://", "amqp://", "memory://")):
        raise ConfigurationError(
            f"{name}={raw!r} is not a broker URL (expected redis://host:6379/0)"
        )
    return raw


def env_email(name: str) -> dict[str, Any] | None:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return None
    import dj_email_url

    try:
        return dict(dj_email_url.parse(raw))
    except Exception as exc:
        raise ConfigurationError(f"{name}={raw!r} is malformed: {exc}") from None
