"""A worker killed mid-job and a broker that goes away, with real processes.

The worker is a separate process (``celery -A config worker``) on the test database; the
broker is a Redis server of the test's own (``redis-server`` on a free port), so that it
can be stopped and started again. Nothing here may be skipped: the tools are required.

- ``kill -9`` of the worker while a weekly report is being built: the row stays
  "running"; once its lease runs out the sweep (the beat's job) queues it again and a new
  worker builds it.
- the broker stopped: asking for a report and a large ledger export answers at once with
  a page saying the job will start shortly (no 500); when the broker is back, the sweep
  sends both and the worker, which reconnected by itself, does them.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import redis
from django.conf import settings
from django.db import connection
from django.urls import reverse
from kombu import pools as kombu_pools

from config.celery import app as celery_app
from core.models import BackgroundJob, JobState
from core.tasks import sweep_jobs
from rectification import ledger_views
from reports.models import WeeklyReport
from tests.reports.conftest import build_data_set

pytestmark = [pytest.mark.queue, pytest.mark.django_db(transaction=True)]

CELERY = Path(sys.executable).parent / "celery"
WEEK = "2026-W47"
ROOT = Path(settings.BASE_DIR)


def wait_for(condition: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RedisServer:
    """A Redis of this test only, which can be stopped and started on the same port."""

    def __init__(self, workdir: Path) -> None:
        assert shutil.which("redis-server"), "redis-server is required (Debian: redis-server)"
        self.port = _free_port()
        self.workdir = workdir
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url, socket_connect_timeout=1)
        wait_for(lambda: self._answers(client), 20, "redis-server to start")

    @staticmethod
    def _answers(client: redis.Redis) -> bool:
        try:
            return bool(client.ping())
        except redis.exceptions.ConnectionError:
            return False

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)


class Worker:
    """``celery -A config worker`` in its own process, on the test database."""

    def __init__(self, broker_url: str, log: Path) -> None:
        db = connection.settings_dict
        host = quote(db["HOST"] or "", safe="") if str(db["HOST"]).startswith("/") else db["HOST"]
        password = f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else ""
        port = f":{db['PORT']}" if db.get("PORT") else ""
        env = {
            **os.environ,
            "DATABASE_URL": f"postgresql://{db['USER']}{password}@{host}{port}/{db['NAME']}",
            "CELERY_BROKER_URL": broker_url,
            "SECRET_KEY": "worker-fault-test-secret-key-0123456789abcdefghijklmnopqrstuvwx",
            "TESTING": "1",
            "DEBUG": "0",
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "JOB_HEARTBEAT_SECONDS": "1",
            "JOB_LEASE_SECONDS": "3",
        }
        self.log = log
        with log.open("ab") as out:
            self.process = subprocess.Popen(
                [
                    str(CELERY),
                    "-A",
                    "config",
                    "worker",
                    "--pool=solo",
                    "--loglevel=INFO",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                    "-n",
                    f"fault-test-{uuid.uuid4().hex[:8]}@%h",
                ],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def kill(self) -> None:
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path)
    server.start()
    keys = ("broker_url", "task_always_eager", "broker_transport_options")
    saved = {key: celery_app.conf[key] for key in keys}
    celery_app.conf.update(
        broker_url=server.url, task_always_eager=False, broker_transport_options={}
    )
    _fresh_connections()
    try:
        yield server
    finally:
        celery_app.conf.update(saved)
        _fresh_connections()
        server.stop()


@pytest.fixture
def workers(tmp_path: Path, broker: RedisServer) -> Iterator[Callable[[], Worker]]:
    started: list[Worker] = []

    def start() -> Worker:
        started.append(Worker(broker.url, tmp_path / f"worker-{len(started)}.log"))
        return started[-1]

    yield start
    for worker in started:
        worker.stop()


def _fresh_connections() -> None:
    if celery_app._pool is not None:
        celery_app._pool.force_close_all()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    kombu_pools.reset()


@pytest.fixture
def data(tree, people):
    return build_data_set(tree, people)


def test_a_killed_worker_leaves_no_job_running_forever(
    client, tree, people, data, workers, settings
):
    settings.JOB_LEASE_SECONDS = 3
    first = workers()
    client.force_login(people.county_office)
    response = client.post(
        reverse("reports:request"), {"unit": tree.county_a.pk, "week": "2026-W47"}
    )
    assert response.status_code == 302
    report = WeeklyReport.objects.get()

    def running() -> bool:
        report.refresh_from_db()
        return report.state == JobState.RUNNING

    wait_for(running, 90, f"the worker to start the build\n{first.output()}")
    first.kill()  # kill -9 in the middle of the build
    time.sleep(1)
    report.refresh_from_db()
    assert report.state == JobState.RUNNING and report.attempts == 1, first.output()
    status = client.get(reverse("reports:status", args=[report.pk])).json()
    assert not status["done"]  # the page would spin: until the lease runs out

    time.sleep(settings.JOB_LEASE_SECONDS + 0.5)
    assert sweep_jobs()["rerun"] == 1  # what beat runs every minute
    report.refresh_from_db()
    assert report.state == JobState.QUEUED

    second = workers()

    def built() -> bool:
        report.refresh_from_db()
        return report.state in (JobState.DONE, JobState.FAILED)

    wait_for(built, 120, f"a new worker to build the report\n{second.output()}")
    assert report.state == JobState.DONE, report.error
    assert report.attempts == 2 and report.file
    page = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert reverse("reports:download", args=[report.pk]) in page


def test_a_broker_outage_gives_no_500_and_the_jobs_run_when_it_is_back(
    client, tree, people, data, workers, broker, monkeypatch
):
    worker = workers()
    monkeypatch.setattr(ledger_views, "SMALL_EXPORT", 0)
    client.force_login(people.county_office)
    broker.stop()
    _fresh_connections()

    started = time.monotonic()
    response = client.post(
        reverse("reports:request"), {"unit": tree.county_a.pk, "week": "2026-W47"}
    )
    assert response.status_code == 302
    report = WeeklyReport.objects.get()
    assert report.waiting_for_queue
    page = client.get(response["Location"]).content.decode()
    assert "服务恢复后将很快自动开始" in page

    export = client.get(reverse("rectification:ledger-export"), follow=True)
    assert export.status_code == 200
    job = BackgroundJob.objects.get()
    assert job.waiting_for_queue
    assert "任务将很快开始" in export.content.decode()
    assert time.monotonic() - started < 30  # the requests did not hang on the broker
    assert sweep_jobs()["resent"] == 0  # still down: nothing sent, nothing lost

    broker.start()  # the broker is back, on the same address
    _fresh_connections()
    assert sweep_jobs()["resent"] == 2

    def finished() -> bool:
        report.refresh_from_db()
        job.refresh_from_db()
        return report.is_finished and job.is_finished

    wait_for(finished, 180, f"the worker to reconnect and run both jobs\n{worker.output()}")
    assert report.state == JobState.DONE, report.error
    assert job.state == JobState.DONE, job.error
