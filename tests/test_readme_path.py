"""README's own-PostgreSQL path, followed as written: with DEBUG off it serves styled pages.

The steps are read from README.md itself (its section "Running against your own PostgreSQL
and Redis"), so the page and the test cannot drift apart. Then the production pieces run
for real, as separate processes on the test database: collectstatic, and gunicorn with
``config/gunicorn.py`` and a home directory it cannot write to (gunicorn 25+ would put
its control socket there); a page and its CSS are fetched over HTTP.
"""

from __future__ import annotations

import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent


def _section() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("## Running against your own PostgreSQL and Redis")
    return text[start : text.index("\n## ", start + 3)]


def _commands() -> list[str]:
    blocks = re.findall(r"```sh\n(.*?)```", _section(), re.S)
    return [line.strip() for block in blocks for line in block.splitlines() if line.strip()]


def test_the_steps_are_all_there_in_order():
    commands = _commands()
    env_file = "\n".join(commands)
    for needed in ("DATABASE_URL=", "CELERY_BROKER_URL=", "SECRET_KEY="):
        assert needed in env_file, needed
    order = [
        'set -a; . "$HOME/tracker.env"; set +a',
        ".venv/bin/python manage.py migrate",
        ".venv/bin/python manage.py compile_translations",
        ".venv/bin/python manage.py collectstatic --noinput",
        ".venv/bin/gunicorn -c config/gunicorn.py config.wsgi:application",
        ".venv/bin/celery -A config worker --loglevel=INFO",
        ".venv/bin/celery -A config beat --loglevel=INFO",
    ]
    positions = [commands.index(step) for step in order]
    assert positions == sorted(positions)
    assert "runserver" not in " ".join(commands)  # DEBUG is off on this path


def _database_url() -> str:
    db = connection.settings_dict
    host = str(db["HOST"] or "")
    host = quote(host, safe="") if host.startswith("/") else host
    password = f":{quote(str(db['PASSWORD']))}" if db.get("PASSWORD") else ""
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgresql://{db['USER']}{password}@{host}{port}/{db['NAME']}"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.django_db(transaction=True)
def test_debug_off_serves_styled_pages(tmp_path):
    port = _free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DEBUG", "TESTING", "DJANGO_SETTINGS_MODULE", "PYTEST_XDIST_WORKER")
    }
    env.update(
        DATABASE_URL=_database_url(),
        CELERY_BROKER_URL="redis://127.0.0.1:6379/15",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_COOKIES="0",
        GUNICORN_BIND=f"127.0.0.1:{port}",
        HOME="/proc/self/no-home",  # nothing can be written there
    )
    collect = subprocess.run(
        [str(VENV_BIN / "python"), "manage.py", "collectstatic", "--noinput"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert collect.returncode == 0, collect.stderr
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as out:
        web = subprocess.Popen(
            [str(VENV_BIN / "gunicorn"), "-c", "config/gunicorn.py", "config.wsgi:application"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        page = _get(f"http://127.0.0.1:{port}/accounts/login/", web, log)
        html = page.read().decode()
        assert page.status == 200 and 'name="username"' in html
        stylesheets = re.findall(r'href="(/static/[^"]+\.css)"', html)
        assert len(stylesheets) >= 2
        for href in stylesheets:
            css = _get(f"http://127.0.0.1:{port}{href}", web, log)
            assert css.status == 200 and css.headers["Content-Type"].startswith("text/css")
            assert len(css.read()) > 1000 or "app" in href
        health = _get(f"http://127.0.0.1:{port}/healthz", web, log)
        assert health.status == 200
    finally:
        web.terminate()
        web.wait(30)
    output = log.read_text(errors="replace")
    assert "control" not in output.lower() and "Traceback" not in output, output


def _get(url: str, web: subprocess.Popen[bytes], log: Path):
    deadline = time.monotonic() + 60
    while True:
        try:
            return urllib.request.urlopen(url, timeout=10)
        except OSError:
            if web.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(log.read_text(errors="replace")) from None
            time.sleep(0.3)
