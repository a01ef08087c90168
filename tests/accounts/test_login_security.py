"""Lockout after repeated failed logins and the forced password change."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_lockout_after_repeated_failed_logins(client, people, settings):
    url = reverse("accounts:login")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post(url, {"username": "secretary_a", "password": "wrong"})
        assert response.status_code in (200, 429)
    # Even the right password is refused while the lock lasts.
    response = client.post(url, {"username": "secretary_a", "password": "pw"})
    assert response.status_code == 429
    assert "30" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_few_failures_do_not_lock(client, people, settings):
    url = reverse("accounts:login")
    for _ in range(settings.AXES_FAILURE_LIMIT - 2):
        client.post(url, {"username": "secretary_a", "password": "wrong"})
    response = client.post(url, {"username": "secretary_a", "password": "pw"})
    assert response.status_code == 302


def test_forced_password_change_blocks_every_page_until_done(client, people):
    user = people.county_office
    user.must_change_password = True
    user.save()
    client.force_login(user)
    for url in (reverse("accounts:unit-list"), reverse("accounts:user-list"), "/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == reverse("accounts:password-change")
    response = client.post(
        reverse("accounts:password-change"),
        {
            "old_password": "pw",
            "new_password1": "Qz7!long-enough",
            "new_password2": "Qz7!long-enough",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert not user.must_change_password
    assert client.get(reverse("accounts:unit-list")).status_code == 200


def test_weak_new_password_is_refused(client, people):
    user = people.secretary_a
    user.must_change_password = True
    user.save()
    client.force_login(user)
    response = client.post(
        reverse("accounts:password-change"),
        {"old_password": "pw", "new_password1": "123456", "new_password2": "123456"},
    )
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.must_change_password
