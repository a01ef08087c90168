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
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from core import platforms, robots
from core.text import printable, printable_data

from . import selectors
from .models import PERSONAL_CHANNELS, Channel, Delivery, ReminderKind, ReminderLog

WEBHOOK_TIMEOUT = 5  # seconds: a robot answers at once or not at all
ITEMS_PER_ROBOT_MESSAGE = 10
WECOM_MARKDOWN_LIMIT = 4096  # bytes of UTF-8: the WeCom robot refuses a longer markdown
# Error codes of the robots' JSON answers that mean "try again later".
ROBOT_TRANSIENT_CODES = frozenset({-1, 45009, 45033, 130101, 130102})
KIND_ORDER = [
    ReminderKind.OVERDUE,
    ReminderKind.DUE_IN_1_DAY,
    ReminderKind.DUE_IN_3_DAYS,
    ReminderKind.RESEARCH,
    ReminderKind.RESEARCH_REPORT,
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
    return list(selectors.delivery_reminders(delivery))


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
                "link": n.link,
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


def _concerned(delivery: Delivery) -> list[Any]:
    """The people a robot message is about (to @-mention them), each once."""
    people: dict[int, Any] = {}
    for n in delivery.notifications.select_related("recipient"):
        people.setdefault(n.recipient_id, n.recipient)
    for r in _reminders(delivery):
        people.setdefault(r.recipient_id, r.recipient)
    return [p for _pk, p in sorted(people.items())]


def build_webhook_payloads(delivery: Delivery) -> list[dict[str, Any]]:
    """The robot message(s) of a delivery, with the people concerned @-mentioned:
    DingTalk by phone number or user id (``at``), WeCom by user id (``<@id>``). A WeCom
    markdown longer than the robot takes (4096 bytes) is split at line ends."""
    payload = build_webhook_payload(delivery)
    flavour = robot_flavour(delivery.target)
    people = _concerned(delivery)
    if flavour == "dingtalk":
        mobiles = sorted({p.phone for p in people if p.phone and not p.dingtalk_userid})
        user_ids = sorted({p.dingtalk_userid for p in people if p.dingtalk_userid})
        if mobiles or user_ids:
            mentions = " ".join(f"@{m}" for m in [*mobiles, *user_ids])
            payload["markdown"]["text"] += f"\n\n{mentions}"
            payload["at"] = {"atMobiles": mobiles, "atUserIds": user_ids, "isAtAll": False}
        return [payload]
    if flavour == "wecom":
        user_ids = sorted({p.wecom_userid for p in people if p.wecom_userid})
        content = payload["markdown"]["content"]
        if user_ids:
            content += "\n" + "".join(f"<@{u}>" for u in user_ids)
        return [
            {"msgtype": "markdown", "markdown": {"content": part}}
            for part in split_bytes(content, WECOM_MARKDOWN_LIMIT)
        ]
    return [payload]


def split_bytes(text: str, limit: int) -> list[str]:
    """Text cut into parts of at most ``limit`` UTF-8 bytes, at line ends where possible."""
    parts: list[str] = []
    current = ""
    for line in text.splitlines(keepends=True):
        while len(line.encode("utf-8")) > limit:  # one very long line: cut by characters
            head = line.encode("utf-8")[:limit].decode("utf-8", errors="ignore")
            if current:
                parts.append(current)
                current = ""
            parts.append(head)
            line = line[len(head) :]
        if len((current + line).encode("utf-8")) > limit:
            parts.append(current)
            current = ""
        current += line
    if current.strip():
        parts.append(current)
    return [p.rstrip("\n") for p in parts if p.strip()]


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
    flavour = robots.robot_flavour(url)
    if flavour is None:
        raise PermanentDeliveryError(
            _("The address is not a WeCom or DingTalk group robot; it was not called.")
        )
    if flavour == "dingtalk":
        url = signed_dingtalk_url(url)
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


def signed_dingtalk_url(url: str) -> str:
    """A DingTalk robot address whose ``secret`` (kept with the address, never sent) signs
    the call: ``timestamp`` and ``sign`` (HMAC-SHA256 of "timestamp\\nsecret") added."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    secret = next((v for k, v in query if k == "secret"), "")
    if not secret:
        return url
    timestamp = platforms.now_ms()
    kept = [(k, v) for k, v in query if k not in {"secret", "timestamp", "sign"}]
    signed = urlencode([*kept, ("timestamp", str(timestamp))])
    signed += "&sign=" + platforms.dingtalk_sign(secret, timestamp)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, signed, ""))


def send_webhook(delivery: Delivery) -> None:
    for payload in build_webhook_payloads(delivery):
        post_webhook(delivery.target, payload)


# Personal application messages (WeCom / DingTalk) -------------------------------------


def build_card(delivery: Delivery, platform: str) -> platforms.Card:
    """One text card to one person: the items of the delivery (five at most shown), and a
    link that signs him in through the platform and opens the record (or, for several,
    the notification centre)."""
    events = _events(delivery)
    with translation.override(settings.LANGUAGE_CODE):
        if events:
            items = [(e["title"], e["link"]) for e in events]
            title = _("Theme education: %(n)s new notifications") % {"n": len(items)}
        else:
            seen: dict[tuple[str, int], tuple[str, str]] = {}
            for r in _reminders(delivery):
                label = f"{r.get_kind_display()}：{r.title}"
                seen.setdefault((r.item_kind, r.item_id), (label, r.link))
            items = list(seen.values())
            title = _("Theme education reminder: %(n)s items") % {"n": len(items)}
        lines = [f"{i}. {text}" for i, (text, _link) in enumerate(items[:5], start=1)]
        if len(items) > 5:
            lines.append(_("… and %(n)s more") % {"n": len(items) - 5})
        links = {link for _text, link in items if link}
        target = links.pop() if len(links) == 1 else reverse("notifications:list")
        via = reverse("accounts:sso-start", args=[platform]) + "?" + urlencode({"next": target})
        button = _("Open")
    return platforms.Card(
        title=printable(title),
        description=printable("\n".join(lines)),
        url=absolute(via),
        button=button,
    )


def send_personal(delivery: Delivery) -> None:
    """The delivery's text card to the person on WeCom or DingTalk (the application
    message): the platform's token is cached and fetched again once when it expired."""
    platform, _field = PERSONAL_CHANNELS[Channel(delivery.channel)]
    try:
        answer = platforms.client(platform).send_card(
            user_ids=[delivery.target], card=build_card(delivery, platform)
        )
    except platforms.NotConfigured as exc:
        raise PermanentDeliveryError(_("the platform is not set up on this site")) from exc
    except platforms.PlatformError as exc:
        detail = _("the platform refused the message (error code %(code)s)") % {
            "code": exc.code if exc.code is not None else str(exc)
        }
        if exc.transient:
            raise TransientDeliveryError(detail) from exc
        raise PermanentDeliveryError(detail) from exc
    invalid = str(answer.get("invaliduser") or "")
    if delivery.target in invalid.split("|"):
        raise PermanentDeliveryError(
            _("the platform does not know this person or he may not see the application")
        )


def split_for_robot(items: list[Any]) -> list[list[Any]]:
    return [
        items[i : i + ITEMS_PER_ROBOT_MESSAGE]
        for i in range(0, len(items), ITEMS_PER_ROBOT_MESSAGE)
    ]
