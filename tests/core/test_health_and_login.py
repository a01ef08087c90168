import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse


def test_healthz_reports_database_and_broker(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = json.loads(response.content)
    assert body["database"] == "ok"
    assert "broker" in body


def test_login_page_is_chinese(client, db):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    text = response.content.decode()
    assert 'name="username"' in text and 'name="password"' in text
    assert "登录" in text


def test_anonymous_is_sent_to_login(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_login_with_username_and_password(client, people):
    response = client.post(
        "/accounts/login/", {"username": "secretary_a", "password": "pw"}, follow=False
    )
    assert response.status_code == 302


def test_forced_password_change(client, people):
    user = people.secretary_a
    user.must_change_password = True
    user.save()
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password-change")


@pytest.mark.parametrize(
    ("name", "value"),
    [("DATABASE_URL", "nonsense"), ("DEBUG", "maybe"), ("CELERY_BROKER_URL", "nowhere")],
)
def test_malformed_setting_stops_start_up(name, value):
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/unused",
        "DEBUG": "1",
        name: value,
    }
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert name in result.stderr


def test_production_settings_pass_the_deploy_check():
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/unused",
        "SECRET_KEY": "k" * 20 + "-production-secret-key-for-the-deploy-check-0123456789",
        "ALLOWED_HOSTS": "tracker.example.gov.cn",
        "DEBUG": "0",
        "SECURE_SSL_REDIRECT": "1",
        "SECURE_HSTS_SECONDS": "31536000",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/unused",
        "DEBUG": "0",
    }
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_security_headers_and_csp(client, db):
    response = client.get("/accounts/login/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


# Production's storage less the compression (the same manifest, a faster collectstatic).
MANIFEST_STORAGE = "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"


def _production_static(settings, root) -> None:
    settings.STATIC_ROOT = str(root)
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": MANIFEST_STORAGE},
    }


def test_healthz_is_503_when_pages_would_fail_for_want_of_static_files(
    client, db, settings, tmp_path
):
    """collectstatic never run: every page answers 500, so the health check says so."""
    from django.core.management import call_command

    _production_static(settings, tmp_path / "static")
    response = client.get("/healthz")
    assert response.status_code == 503
    body = json.loads(response.content)
    assert body["database"] == "ok" and body["status"] == "error"
    assert "collectstatic" in body["static"]
    call_command("collectstatic", interactive=False, verbosity=0)
    response = client.get("/healthz")
    assert response.status_code == 200, response.content
    assert json.loads(response.content)["static"] == "ok"


def test_healthz_reports_whether_a_worker_answered_recently(client, db, settings):
    from datetime import timedelta

    from django.utils import timezone

    from core.models import Liveness
    from core.tasks import sweep_jobs

    settings.CELERY_TASK_ALWAYS_EAGER = False
    body = json.loads(client.get("/healthz").content)
    assert body["worker"].startswith("error: no worker has answered yet")
    sweep_jobs()  # what a worker runs every minute for beat
    response = client.get("/healthz")
    assert json.loads(response.content)["worker"] == "ok"
    Liveness.objects.update(at=timezone.now() - timedelta(minutes=10))
    response = client.get("/healthz")
    body = json.loads(response.content)
    assert body["worker"].startswith("error: no worker has answered for 10 minutes")
    assert response.status_code == 200  # pages still work; the jobs wait for a worker


def test_healthz_reports_a_dead_broker_without_failing(client, db, settings):
    from config.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = False
    saved = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    app._pool = None
    try:
        response = client.get("/healthz")
    finally:
        app.conf.broker_url = saved
        app._pool = None
    body = json.loads(response.content)
    assert body["broker"].startswith("error") and response.status_code == 200


def test_beat_keeps_its_schedule_outside_the_checkout(settings):
    from pathlib import Path

    schedule = Path(settings.CELERY_BEAT_SCHEDULE_FILENAME).resolve()
    assert Path(settings.BASE_DIR).resolve() not in schedule.parents
    from config.celery import app

    assert app.conf.beat_schedule_filename == settings.CELERY_BEAT_SCHEDULE_FILENAME


def test_the_health_check_is_not_redirected_to_https(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    assert client.get("/accounts/login/").status_code == 301
