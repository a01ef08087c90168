"""A real Celery worker on the machine's Redis for the tests about the queue (not eager
mode): one in-process worker (solo pool) whose queue lives under a key prefix of its own,
so two test runs on one Redis, or two xdist workers of one run, never share a message."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import redis
from celery.contrib.testing.worker import start_worker
from kombu import pools as kombu_pools

from config.celery import app as celery_app

SETTINGS = ("broker_url", "task_always_eager", "broker_transport_options")


@contextmanager
def redis_worker(broker_url: str, name: str, worker_id: str) -> Iterator[Any]:
    """Point the app at ``broker_url`` under a prefix of this process, start a worker, and
    put everything back (and clear the prefix's keys) afterwards."""
    redis.Redis.from_url(broker_url, socket_connect_timeout=3).ping()  # fail loudly if down
    prefix = f"tracker-{name}-test-{os.getpid()}-{worker_id}:"
    client = redis.Redis.from_url(broker_url)
    _clear(client, prefix)  # leftovers of an interrupted run
    saved = {key: celery_app.conf[key] for key in SETTINGS}
    celery_app.conf.update(
        broker_url=broker_url,
        task_always_eager=False,
        broker_transport_options={"visibility_timeout": 3600, "global_keyprefix": prefix},
    )
    fresh_connections()
    try:
        with start_worker(
            celery_app,
            pool="solo",
            perform_ping_check=False,
            loglevel="WARNING",
            shutdown_timeout=20,
        ) as started:
            yield started
    finally:
        celery_app.conf.update(saved)
        _clear(client, prefix)  # each run has its own prefix: leave nothing behind
        if celery_app._pool is not None:
            celery_app._pool.force_close_all()
        fresh_connections()


def fresh_connections() -> None:
    """Forget pooled connections and producers so the next use takes the current settings."""
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    kombu_pools.reset()  # producer pools are kept globally, keyed by broker address


def _clear(client: Any, prefix: str) -> None:
    for key in client.scan_iter(f"{prefix}*"):
        client.delete(key)
