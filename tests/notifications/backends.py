"""A mail backend for the tests: the first sends fail as a dropped SMTP connection would."""

from __future__ import annotations

import smtplib
import threading

from django.core.mail.backends.locmem import EmailBackend

FAILURES = {"left": 0}
_lock = threading.Lock()


class FlakyBackend(EmailBackend):
    def send_messages(self, messages):
        with _lock:
            if FAILURES["left"] > 0:
                FAILURES["left"] -= 1
                raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)
