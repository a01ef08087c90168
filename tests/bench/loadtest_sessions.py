"""Signed-in sessions for the load test's users (run by tests/bench/loadtest.sh).

A thousand people do not log in within one minute: they come in over the morning and
stay signed in for the day. The load test measures the day, so its users start with a
session made here the way the login view makes one (user id, backend, session hash) in
the same session store; a few users still log in with their password so the login keeps
its own line in the report.

Usage: python tests/bench/loadtest_sessions.py OUT.json SECRETARIES OFFICES
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def main(out: str, secretaries: str, offices: str) -> int:
    import django

    django.setup()
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from accounts.models import User

    store = import_module(settings.SESSION_ENGINE).SessionStore
    backend = "django.contrib.auth.backends.ModelBackend"
    # Branch secretaries spread over the city's counties; the offices of the city and of
    # each county (several people share one office account, as they share the office).
    wanted_secretaries = [f"b{n * 7 % 6000:05d}" for n in range(int(secretaries))]
    office_names = ["sz_office0", *(f"c{n:02d}_office0" for n in range(1, 13))]
    users = {
        user.username: user
        for user in User.objects.filter(
            username__in=[*wanted_secretaries, *office_names], is_active=True
        )
    }
    missing = [name for name in wanted_secretaries + office_names if name not in users]
    if missing:
        print(f"users missing from the data set: {missing[:5]}", file=sys.stderr)
        return 1

    def session_for(user: User) -> str:
        session = store()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = backend
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        return str(session.session_key)

    result = {
        "cookie": settings.SESSION_COOKIE_NAME,
        "secretaries": [session_for(users[name]) for name in wanted_secretaries],
        "offices": [
            session_for(users[office_names[n % len(office_names)]]) for n in range(int(offices))
        ],
    }
    Path(out).write_text(json.dumps(result), encoding="utf-8")
    print(f"{len(result['secretaries'])} secretaries and {len(result['offices'])} office sessions")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
