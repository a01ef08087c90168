"""A real Celery worker on the machine's Redis (db 6) for the ``queue`` tests.

The worker runs in a thread of the test process (so it shares the frozen clock and the
mail outbox) and reads the same test database; tests using it need
``django_db(transaction=True)``. Each pytest-xdist process gets its own key prefix, so two
processes never take each other's tasks. Redis must be up: the fixture fails, not skips.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

import notifications.tasks  # noqa: F401  (registers the tasks)
from tests.notifications.factories import without_the_yearly_report_reminder
from tests.queue_worker import redis_worker

BROKER_URL = "redis://127.0.0.1:6379/6"


@pytest.fixture(autouse=True)
def _without_the_yearly_report_reminder(monkeypatch: pytest.MonkeyPatch) -> None:
    """These worlds lie in November and December, when every city and county leader
    without a research report for the year is reminded (``sources.research_reports``);
    their tests are about the other reminders, whose plans they count exactly, so that
    source is left out here. It has its own tests: tests/research/test_report_reminder.py
    (through the same daily run)."""
    without_the_yearly_report_reminder(monkeypatch)


@pytest.fixture
def celery_worker_redis(worker_id: str) -> Iterator[Any]:
    with redis_worker(BROKER_URL, "notify", worker_id) as started:
        yield started


def wait_for(condition: Callable[[], Any], timeout: float = 30.0, message: str = "") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {message or condition}")


class Robot:
    """A group robot behind the intranet relay: records each POST, answers from a script
    of statuses. Every robot of a test has its own path on one relay server (127.0.0.1),
    the origin the settings allow (``ROBOT_RELAY_URL``)."""

    def __init__(self, path: str, statuses: list[int] | None = None, delay: float = 0.0):
        self.path = path
        self.posts: list[dict[str, Any]] = []
        self.statuses = list(statuses or [])
        self.delay = delay
        self.origin = ""

    @property
    def url(self) -> str:
        return f"{self.origin}{self.path}/cgi-bin/webhook/send?key=test"


class RelayServer:
    def __init__(self) -> None:
        self.robots: dict[str, Robot] = {}
        relay = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length).decode("utf-8"))
                robot = relay.robots["/" + self.path.split("/")[1]]
                robot.posts.append(
                    {
                        "path": self.path,
                        "json": body,
                        "content_type": self.headers.get("Content-Type"),
                    }
                )
                if robot.delay:
                    time.sleep(robot.delay)
                status = robot.statuses.pop(0) if robot.statuses else 200
                answer = {"errcode": 0, "errmsg": "ok"} if status == 200 else {"errcode": -1}
                data = json.dumps(answer).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def add(self, statuses: list[int] | None, delay: float) -> Robot:
        robot = Robot(f"/robot{len(self.robots) + 1}", statuses, delay)
        robot.origin = self.origin
        self.robots[robot.path] = robot
        return robot

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def robot_factory(settings) -> Iterator[Callable[..., Robot]]:
    relay = RelayServer()
    settings.ROBOT_RELAY_URL = relay.origin

    def make(statuses: list[int] | None = None, delay: float = 0.0) -> Robot:
        return relay.add(statuses, delay)

    yield make
    relay.close()
