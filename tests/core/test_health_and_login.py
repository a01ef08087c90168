import json
import subprocess
import sys

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
