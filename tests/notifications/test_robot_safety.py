"""Group robots from the outside: which addresses are called, what is kept, what is shown.

An office types the robot address; the server POSTs to it. Only the WeCom and DingTalk
hosts over https (or the operator's relay) are accepted or called, no redirect is
followed, the robot's answer is never stored, the key is shown masked to everyone and is
not kept in the history, and a title cannot add markdown to the message.
"""

from __future__ import annotations

import json
import threading
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.urls import reverse

from accounts.models import UnitKind
from core.robots import mask_robot_url, robot_flavour
from notifications import channels, services
from notifications.models import (
    Channel,
    Delivery,
    DeliveryState,
    ItemKind,
    ReminderKind,
    ReminderLog,
)

pytestmark = pytest.mark.django_db

WECOM = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"
DINGTALK = "https://oapi.dingtalk.com/robot/send?access_token=0123456789abcdef0123456789abcdef"


class Server:
    """A local HTTP server answering every POST with a status, headers and a body."""

    def __init__(self, status: int = 200, body: bytes = b"{}", headers: dict | None = None):
        self.hits: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                server.hits.append(self.path)
                self.send_response(status)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_port}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    made: list[Server] = []

    def make(**kwargs: Any) -> Server:
        made.append(Server(**kwargs))
        return made[-1]

    yield make
    for s in made:
        s.close()


def _delivery(unit, people, url: str, title: str = "T-A-1-1-1 学习记录不全") -> Delivery:
    delivery = Delivery.objects.create(
        channel=Channel.WEBHOOK, unit=unit, target=url, day=date(2026, 12, 1)
    )
    delivery.reminders.add(
        ReminderLog.objects.create(
            item_kind=ItemKind.PROBLEM,
            item_id=1,
            recipient=people.secretary_a,
            kind=ReminderKind.OVERDUE,
            day=date(2026, 12, 1),
            unit=unit,
            due_date=date(2026, 11, 30),
            title=title,
            link="/rectification/1/",
        )
    )
    return delivery


# --- which addresses ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "flavour"),
    [
        (WECOM, "wecom"),
        (DINGTALK, "dingtalk"),
        ("https://QYAPI.weixin.qq.com:443/cgi-bin/webhook/send?key=k", "wecom"),
        ("http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k", None),  # not https
        ("https://qyapi.weixin.qq.com:8443/cgi-bin/webhook/send?key=k", None),
        ("https://qyapi.weixin.qq.com.evil.example/send", None),
        ("https://evil.example/qyapi.weixin.qq.com", None),
        ("https://user:pw@oapi.dingtalk.com/robot/send", None),
        ("https://x.dingtalk.com/robot/send", None),
        ("http://127.0.0.1:9999/db", None),
        ("https://169.254.169.254/latest/meta-data/", None),
        ("ftp://oapi.dingtalk.com/robot/send", None),
        ("not a url", None),
    ],
)
def test_only_the_robot_hosts_over_https(url, flavour, settings):
    settings.ROBOT_RELAY_URL = ""
    assert robot_flavour(url) == flavour


def test_the_relay_is_off_by_default_and_exact_when_set(settings):
    assert settings.ROBOT_RELAY_URL == ""
    assert robot_flavour("https://relay.intranet/send") is None
    settings.ROBOT_RELAY_URL = "https://relay.intranet"
    assert robot_flavour("https://relay.intranet/send?key=k") == "text"
    assert robot_flavour("https://relay.intranet:443/send") == "text"
    assert robot_flavour("https://relay.intranet:8443/send") is None
    assert robot_flavour("http://relay.intranet/send") is None
    assert robot_flavour("https://other.intranet/send") is None


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:9999/collect", "https://example.com/robot", "http://localhost/"],
)
def test_the_unit_form_refuses_other_addresses(client, people, tree, url):
    client.force_login(people.county_office)
    response = client.post(
        reverse("accounts:unit-edit", args=[tree.branch_a2.pk]),
        {"name": "甲二支部", "kind": UnitKind.BRANCH, "webhook_url": url, "is_active": "on"},
    )
    assert response.status_code == 200
    assert "企业微信或钉钉" in response.content.decode()
    tree.branch_a2.refresh_from_db()
    assert tree.branch_a2.webhook_url == ""


def test_the_service_refuses_them_too(people, tree):
    from django.core.exceptions import ValidationError

    from accounts import services as unit_services

    with pytest.raises(ValidationError):
        unit_services.unit_update(
            unit=tree.branch_a2,
            actor=people.county_office,
            name="甲二支部",
            kind=UnitKind.BRANCH,
            sector=None,
            webhook_url="http://127.0.0.1:9999/",
            is_active=True,
        )


# --- what is called, and what is kept ----------------------------------------------------


def test_an_address_stored_before_is_never_called(tree, people, server, settings):
    local = server()
    delivery = _delivery(tree.branch_a1, people, f"{local.origin}/collect")
    assert services.attempt_delivery(delivery_id=delivery.pk, final=False) == "failed"
    delivery.refresh_from_db()
    assert local.hits == []
    assert delivery.state == DeliveryState.FAILED
    assert "企业微信或钉钉" in delivery.last_error


def test_redirects_are_not_followed(tree, people, server, settings):
    inside = server(body=b"db_password=hunter2")
    relay = server(status=302, headers={"Location": f"{inside.origin}/secret"})
    settings.ROBOT_RELAY_URL = relay.origin
    delivery = _delivery(tree.branch_a1, people, f"{relay.origin}/send?key=k")
    assert services.attempt_delivery(delivery_id=delivery.pk, final=False) == "failed"
    delivery.refresh_from_db()
    assert relay.hits and inside.hits == []
    assert delivery.state == DeliveryState.FAILED
    assert delivery.last_error.startswith("HTTP 302")


@pytest.mark.parametrize("status", [200, 400, 500])
def test_the_robots_answer_is_never_stored(tree, people, server, settings, status):
    body = json.dumps({"errcode": 40001, "errmsg": "db_password=hunter2"}).encode()
    relay = server(status=status, body=body if status == 200 else b"db_password=hunter2")
    settings.ROBOT_RELAY_URL = relay.origin
    delivery = _delivery(tree.branch_a1, people, f"{relay.origin}/send")
    try:
        services.attempt_delivery(delivery_id=delivery.pk, final=True)
    except channels.TransientDeliveryError:
        pass
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.FAILED
    assert "hunter2" not in delivery.last_error and "db_password" not in delivery.last_error
    assert ("40001" if status == 200 else f"HTTP {status}") in delivery.last_error


def test_a_silent_robot_times_out_quickly(tree, people, settings, monkeypatch):
    import socket

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)  # accepts, never answers
    monkeypatch.setattr(channels, "WEBHOOK_TIMEOUT", 0.5)
    settings.ROBOT_RELAY_URL = f"http://127.0.0.1:{listener.getsockname()[1]}"
    delivery = _delivery(tree.branch_a1, people, f"{settings.ROBOT_RELAY_URL}/send")
    with pytest.raises(channels.TransientDeliveryError):
        services.attempt_delivery(delivery_id=delivery.pk, final=False)
    listener.close()
    delivery.refresh_from_db()
    assert "超时" in delivery.last_error


def test_the_timeout_is_short():
    assert channels.WEBHOOK_TIMEOUT <= 5


# --- what is shown ------------------------------------------------------------------------


def test_mask_keeps_the_host_and_hides_the_key():
    masked = mask_robot_url(WECOM)
    assert masked.startswith("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=")
    assert "693a91f6" not in masked and masked.endswith("5aaa")
    assert "0123456789abcdef0123" not in mask_robot_url(DINGTALK)


@pytest.mark.parametrize(
    "who", ["member_a", "secretary_a", "viewer", "leader", "county_office", "city_office"]
)
def test_nobody_sees_the_key_on_the_unit_page(client, people, tree, who):
    tree.branch_a1.webhook_url = WECOM
    tree.branch_a1.save()
    client.force_login(getattr(people, who))
    page = client.get(reverse("accounts:unit-detail", args=[tree.branch_a1.pk])).content.decode()
    assert "qyapi.weixin.qq.com" in page
    assert "693a91f6-7xxx" not in page


def test_the_key_is_kept_out_of_the_history(client, people, tree):
    client.force_login(people.county_office)
    url = reverse("accounts:unit-edit", args=[tree.branch_a1.pk])
    data = {"name": "甲一支部", "kind": UnitKind.BRANCH, "is_active": "on"}
    assert client.post(url, {**data, "webhook_url": WECOM}).status_code == 302
    assert (
        client.post(url, {**data, "name": "甲一支部（改）", "webhook_url": DINGTALK}).status_code
        == 302
    )
    from pghistory.models import Events

    events = list(Events.objects.tracks(tree.branch_a1).values_list("pgh_data", flat=True))
    assert events and all("webhook_url" not in data for data in events)
    for who in (people.county_office, people.member_a):
        client.force_login(who)
        page = client.get(reverse("accounts:unit-detail", args=[tree.branch_a1.pk]))
        text = page.content.decode()
        assert "甲一支部（改）" in text
        assert "693a91f6" not in text and "0123456789abcdef0123" not in text


def test_the_edit_form_shows_the_mask_and_keeps_the_key(client, people, tree):
    tree.branch_a1.webhook_url = WECOM
    tree.branch_a1.save()
    client.force_login(people.county_office)
    url = reverse("accounts:unit-edit", args=[tree.branch_a1.pk])
    form = client.get(url).content.decode()
    assert "693a91f6-7xxx" not in form and mask_robot_url(WECOM) in form
    response = client.post(
        url,
        {
            "name": "甲一支部",
            "kind": UnitKind.BRANCH,
            "is_active": "on",
            "webhook_url": mask_robot_url(WECOM),
        },
    )
    assert response.status_code == 302
    tree.branch_a1.refresh_from_db()
    assert tree.branch_a1.webhook_url == WECOM


def test_the_deliveries_page_masks_the_key(client, people, tree):
    delivery = _delivery(tree.branch_a1, people, WECOM)
    Delivery.objects.filter(pk=delivery.pk).update(state=DeliveryState.FAILED)
    client.force_login(people.county_office)
    page = client.get(reverse("notifications:deliveries")).content.decode()
    assert "qyapi.weixin.qq.com" in page and "693a91f6-7xxx" not in page


# --- what is said -------------------------------------------------------------------------


@pytest.mark.parametrize("url", [WECOM, DINGTALK])
def test_a_title_cannot_add_markdown(tree, people, url):
    title = "[点此领取](https://evil.example/)\n# 紧急通知 **加粗** <font>"
    payload = channels.build_webhook_payload(_delivery(tree.branch_a1, people, url, title=title))
    content = payload["markdown"].get("content") or payload["markdown"]["text"]
    assert "evil.example" in content  # the text is there, as text
    assert "](https://evil" not in content and "[点此领取]" not in content
    assert "\n# " not in content and "**加粗**" not in content and "<font>" not in content
    assert "(/rectification/1/)" in content  # our own link is still a link


def test_control_characters_never_reach_the_robot(tree, people, server, settings):
    received: list[bytes] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append(self.rfile.read(int(self.headers["Content-Length"])))
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    settings.ROBOT_RELAY_URL = f"http://127.0.0.1:{httpd.server_port}"
    try:
        delivery = _delivery(
            tree.branch_a1, people, f"{settings.ROBOT_RELAY_URL}/send", title="bad\x01char\x0b"
        )
        assert services.attempt_delivery(delivery_id=delivery.pk, final=True) == "sent"
    finally:
        httpd.shutdown()
        httpd.server_close()
    content = json.loads(received[0])["text"]["content"]
    assert "badchar" in content and "\x01" not in content and "\x0b" not in content
