"""The two outside channels: email (Django's mail) and a unit's group robot (WeCom/DingTalk).

Senders raise ``TransientDeliveryError`` for faults worth retrying (server down, timeout,
HTTP 5xx, rate limits) and ``PermanentDeliveryError`` for those that will not go away by
themselves (address refused, robot key rejected).
"""

from __future__ import annotations

import json
import smtplib
import socket
import ssl
import urllib.error
import urllib.request
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from core import robots
from core.text import printable, printable_data

from .models import Delivery, ReminderKind, ReminderLog

WEBHOOK_TIMEOUT = 5  # seconds: a robot answers at once or not at all
ITEMS_PER_ROBOT_MESSAGE = 10
# Error codes of the robots' JSON answers that mean "try again later".
ROBOT_TRANSIENT_CODES = frozenset({-1, 45009, 45033, 130101, 130102})
KIND_ORDER = [
    ReminderKind.OVERDUE,
    ReminderKind.DUE_IN_1_DAY,
    ReminderKind.DUE_IN_3_DAYS,
    ReminderKind.RESEARCH,
]


class DeliveryError(Exception):
    pass


class TransientDeliveryError(DeliveryError):
    pass


class PermanentDeliveryError(DeliveryError):
    pass


def absolute(link: str) -> str:
    base = getattr(settings, "SITE_URL", "") or ""
    if not link or link.startswith(("http://", "https://")) or not base:
        return link
    return base.rstrip("/") + link


@dataclass(frozen=True)
class Group:
    kind: str
    label: str
    reminders: list[Any]


def grouped(reminders: list[ReminderLog]) -> list[Group]:
    """Reminders by kind (overdue first), each item once, with the people told about it."""
    by_kind: dict[str, dict[tuple[str, int], Any]] = defaultdict(dict)
    for r in sorted(reminders, key=lambda r: (r.due_date, r.title, r.pk)):
        key = (r.item_kind, r.item_id)
        entry = by_kind[r.kind].get(key)
        if entry is None:
            entry = by_kind[r.kind][key] = {
                "title": r.title,
                "item_kind": r.get_item_kind_display(),
                "due_date": r.due_date,
                "url": absolute(r.link),
                "unit": r.unit.name,
                "people": [],
            }
        entry["people"].append(r.recipient.display_name)
    labels = dict(ReminderKind.choices)
    return [
        Group(kind, str(labels[kind]), list(by_kind[kind].values()))
        for kind in KIND_ORDER
        if by_kind.get(kind)
    ]


def _reminders(delivery: Delivery) -> list[ReminderLog]:
    return list(delivery.reminders.select_related("recipient", "unit").order_by("pk"))


# Email ------------------------------------------------------------------------------


def _events(delivery: Delivery) -> list[dict[str, Any]]:
    """The event notifications a batch delivery carries, each once, oldest first."""
    seen: dict[tuple[str, str, str], dict[str, Any]] = {}
    for n in delivery.notifications.select_related("unit").order_by("created", "pk"):
        seen.setdefault(
            (n.kind, n.title, n.link),
            {
                "title": n.title,
                "body": n.body,
                "kind": n.get_kind_display(),
                "url": absolute(n.link),
                "unit": n.unit.name if n.unit else "",
                "created": n.created,
            },
        )
    return list(seen.values())


def _render_message(delivery: Delivery, context: dict[str, Any], name: str) -> tuple[str, str, str]:
    subject = render_to_string(f"notifications/email/{name}_subject.txt", context)
    text = render_to_string(f"notifications/email/{name}.txt", context)
    html = render_to_string(f"notifications/email/{name}.html", context)
    return subject, text, html


def build_email(delivery: Delivery) -> EmailMultiAlternatives:
    """The day's digest to one person: all their items, of every unit, grouped by kind;
    or a batch of events (what happened to their work since the last batch)."""
    events = _events(delivery)
    if events:
        with translation.override(settings.LANGUAGE_CODE):
            site = absolute("/notifications/") if getattr(settings, "SITE_URL", "") else ""
            context: dict[str, Any] = {
                "recipient": delivery.recipient,
                "events": events,
                "count": len(events),
                "site_url": site,
            }
            subject, text, html = _render_message(delivery, context, "events")
        return _message(delivery, subject, text, html)
    reminders = _reminders(delivery)
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "recipient": delivery.recipient,
            "unit": delivery.unit,
            "several_units": len({r.unit_id for r in reminders}) > 1,
            "day": delivery.day,
            "groups": grouped(reminders),
            "count": len({(r.item_kind, r.item_id, r.kind) for r in reminders}),
            "site_url": absolute("/notifications/") if getattr(settings, "SITE_URL", "") else "",
        }
        subject, text, html = _render_message(delivery, context, "reminder")
    return _message(delivery, subject, text, html)


def _message(delivery: Delivery, subject: str, text: str, html: str) -> EmailMultiAlternatives:
    # Whatever the items' titles hold, the message carries no control characters.
    message = EmailMultiAlternatives(
        subject=" ".join(printable(subject).split()),
        body=printable(text),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[delivery.target],
    )
    message.attach_alternative(printable(html), "text/html")
    return message


def send_email(delivery: Delivery, *, connection: Any = None) -> None:
    """Send the delivery's email, over ``connection`` when given (one kept open by a batch)."""
    message = build_email(delivery)
    try:
        if connection is not None:
            connection.open()  # at most once: it stays open for the next emails
            message.connection = connection
        message.send(fail_silently=False)
    except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused) as exc:
        raise PermanentDeliveryError(f"{type(exc).__name__}: {exc}") from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise TransientDeliveryError(f"{type(exc).__name__}: {exc}") from exc


# Group robot ------------------------------------------------------------------------


def robot_flavour(url: str) -> str:
    """wecom / dingtalk markdown, or text (an intranet relay; both robots accept it)."""
    return robots.robot_flavour(url) or robots.RELAY_FLAVOUR


def build_webhook_payload(delivery: Delivery) -> dict[str, Any]:
    """The JSON body: markdown in the robot's own flavour, plain text for a relay.

    ``{"msgtype": "text", "text": {"content": ...}}`` is accepted by both WeCom and DingTalk.
    The markdown template escapes every value people typed (``robot_md``), so a title
    cannot add links or headings to the message.
    """
    events = _events(delivery)
    name = "events" if events else "reminder"
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Theme education news") if events else _("Theme education reminder")
        context = {
            "title": title,
            "unit": delivery.unit,
            "day": delivery.day,
            "events": events,
            "groups": [] if events else grouped(_reminders(delivery)),
        }
        flavour = robot_flavour(delivery.target)
        if flavour == "text":
            content = render_to_string(f"notifications/webhook/{name}.txt", context).strip()
            return {"msgtype": "text", "text": {"content": content}}
        content = render_to_string(f"notifications/webhook/{name}.md", context).strip()
    if flavour == "wecom":
        return {"msgtype": "markdown", "markdown": {"content": content}}
    return {"msgtype": "markdown", "markdown": {"title": title, "text": content}}


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A robot answers, it never sends us elsewhere: a redirect is an error, not followed."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def post_webhook(url: str, payload: dict[str, Any]) -> None:
    """POST the message to an allowed robot address; never follows a redirect.

    Errors are described in our own words (the status code and what kind of fault it is):
    the robot's answer is never stored or shown, whatever it says.
    """
    if robots.robot_flavour(url) is None:
        raise PermanentDeliveryError(
            _("The address is not a WeCom or DingTalk group robot; it was not called.")
        )
    body = json.dumps(printable_data(payload), ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(  # noqa: S310 (an allowed https robot, checked above)
        url,
        data=body,
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    try:
        with _opener.open(request, timeout=WEBHOOK_TIMEOUT) as response:
            answer = response.read(65536)
    except urllib.error.HTTPError as exc:
        exc.close()
        raise _http_error(exc.code) from None
    except TimeoutError as exc:
        raise TransientDeliveryError(_timed_out()) from exc
    except urllib.error.URLError as exc:
        raise _network_error(exc.reason) from None
    except OSError as exc:
        raise _network_error(exc) from None
    _check_robot_answer(answer)


def _timed_out() -> str:
    return _("no answer within %(seconds)s seconds (timed out)") % {"seconds": WEBHOOK_TIMEOUT}


def _http_error(status: int) -> DeliveryError:
    if 300 <= status < 400:
        return PermanentDeliveryError(
            _("HTTP %(status)s: the robot address sends elsewhere; redirects are not followed")
            % {"status": status}
        )
    if status >= 500:
        return TransientDeliveryError(
            _("HTTP %(status)s: the robot's server failed") % {"status": status}
        )
    if status in (408, 429):
        return TransientDeliveryError(
            _("HTTP %(status)s: the robot asked to wait") % {"status": status}
        )
    return PermanentDeliveryError(
        _("HTTP %(status)s: the robot refused the message; check the address") % {"status": status}
    )


def _network_error(reason: Any) -> DeliveryError:
    if isinstance(reason, TimeoutError | socket.timeout):
        return TransientDeliveryError(_timed_out())
    if isinstance(reason, ssl.SSLError | ssl.CertificateError):
        return TransientDeliveryError(_("the secure connection to the robot failed (TLS)"))
    if isinstance(reason, socket.gaierror):
        return TransientDeliveryError(_("the robot's host name was not found (DNS)"))
    if isinstance(reason, ConnectionRefusedError):
        return TransientDeliveryError(_("the robot could not be reached (connection refused)"))
    return TransientDeliveryError(_("the robot could not be reached (network error)"))


def _check_robot_answer(body: bytes) -> None:
    """A robot answers 200 with ``errcode``; only the code is kept, never its message."""
    try:
        answer = json.loads(body.decode("utf-8") or "{}")
    except (UnicodeDecodeError, json.JSONDecodeError):
        return  # not a robot's JSON answer: a 2xx is success
    if not isinstance(answer, dict):
        return
    code = answer.get("errcode", 0)
    if code in (0, None):
        return
    if not isinstance(code, int):
        code = "?"
    detail = _("the robot refused the message (error code %(code)s)") % {"code": code}
    if code in ROBOT_TRANSIENT_CODES:
        raise TransientDeliveryError(detail)
    raise PermanentDeliveryError(detail)


def send_webhook(delivery: Delivery) -> None:
    post_webhook(delivery.target, build_webhook_payload(delivery))


def split_for_robot(items: list[Any]) -> list[list[Any]]:
    return [
        items[i : i + ITEMS_PER_ROBOT_MESSAGE]
        for i in range(0, len(items), ITEMS_PER_ROBOT_MESSAGE)
    ]
