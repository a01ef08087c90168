"""docker-compose.yml and the Dockerfile pass the sanity check (there is no Docker here)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests import compose_check

ROOT = Path(__file__).resolve().parent.parent


def test_compose_file_passes_the_check():
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "tests" / "compose_check.py"),
            str(ROOT / "docker-compose.yml"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def load():
    return compose_check.load_yaml((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def test_the_services_and_their_commands():
    services = load()["services"]
    assert {"postgres", "redis", "web", "worker", "beat"} <= set(services)
    assert services["web"]["command"][0] == "gunicorn"
    assert services["worker"]["command"][:4] == ["celery", "-A", "config", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "config", "beat"]
    env = services["worker"]["environment"]
    assert env["CELERY_BROKER_URL"].startswith("redis://redis")


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda d: d["services"].pop("beat"), "service 'beat' is missing"),
        (lambda d: d["services"]["worker"].update(command=["celery", "worker"]), "worker: command"),
        (lambda d: d["services"]["web"]["environment"].pop("SECRET_KEY"), "SECRET_KEY is missing"),
        (lambda d: d["services"]["worker"].pop("env_file"), "worker: no env_file .env"),
        (
            lambda d: d["services"]["web"]["environment"].update(
                SECURE_COOKIES="${SECURE_COOKIES:-0}"
            ),
            "SECURE_COOKIES defaults to '0', README says '1'",
        ),
        (lambda d: d["services"]["worker"].pop("stop_grace_period"), "stop_grace_period"),
        (
            lambda d: d["services"]["worker"].update(stop_grace_period="1m"),
            "stop_grace_period",
        ),
        (
            lambda d: d["services"]["web"].update(
                command=["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000"]
            ),
            "control socket",
        ),
        (
            lambda d: d["services"]["web"]["environment"].update(SECRETKEY="x"),
            "SECRETKEY is not read",
        ),
        (lambda d: d["services"]["web"].update(volumes=[]), "MEDIA_ROOT"),
        (lambda d: d["services"]["postgres"].update(volumes=[]), "/var/lib/postgresql/data"),
        (lambda d: d["services"]["web"]["depends_on"].update(nowhere={}), "unknown service"),
        (lambda d: d["services"]["redis"].pop("healthcheck"), "redis: no healthcheck"),
        (lambda d: d["services"].update(beat2=dict(d["services"]["beat"])), "more than one beat"),
    ],
)
def test_the_check_catches_mistakes(mutate, expected):
    import copy

    data = copy.deepcopy(load())
    mutate(data)
    problems = compose_check.check_compose(data, base=ROOT)
    assert any(expected in p for p in problems), problems


def test_yaml_reader():
    text = """
x: &base
  a: 1
  b: "two # not a comment"
y:
  <<: *base
  b: three
list:
  - one
  - key: value
    other: [1, "x, y"]
"""
    data = compose_check.load_yaml(text)
    assert data["y"] == {"a": 1, "b": "three"}
    assert data["x"]["b"] == "two # not a comment"
    assert data["list"] == ["one", {"key": "value", "other": [1, "x, y"]}]


def test_dockerfile_check():
    assert compose_check.check_dockerfile(ROOT / "Dockerfile") == []
