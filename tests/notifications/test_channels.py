"""Message formats of the channels and how their faults are classified."""

from __future__ import annotations

import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from notifications import channels, services
from notifications.models import (
    Channel,
    Delivery,
    DeliveryState,
    ItemKind,
    ReminderKind,
    ReminderLog,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(datetime(2026, 12, 1, 8, 30, tzinfo=SHANGHAI), tick=False):
        yield


@pytest.fixture
def delivery(tree, people):
    def make(url="http://127.0.0.1:9/robot", channel=Channel.WEBHOOK):
        d = Delivery.objects.create(
            channel=channel,
            unit=tree.branch_a1,
            target=url,
            day=date(2026, 12, 1),
            recipient=people.secretary_a if channel == Channel.EMAIL else None,
        )
        for kind, item_id, title in (
            (ReminderKind.OVERDUE, 1, "T-A-1-1-1 学习记录不全"),
            (ReminderKind.DUE_IN_3_DAYS, 2, "T-A-1-1-2 制度不健全"),
        ):
            d.reminders.add(
                ReminderLog.objects.create(
                    item_kind=ItemKind.PROBLEM,
                    item_id=item_id,
                    recipient=people.secretary_a,
                    kind=kind,
                    day=date(2026, 12, 1),
                    unit=tree.branch_a1,
                    due_date=date(2026, 12, 4),
                    title=title,
                    link=f"/rectification/{item_id}/",
                )
            )
        return d

    return make


def test_wecom_markdown(delivery, settings):
    settings.SITE_URL = "https://dj.example.gov.cn"
    payload = channels.build_webhook_payload(
        delivery("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k")
    )
    assert payload["msgtype"] == "markdown"
    content = payload["markdown"]["content"]
    assert content.startswith("### 主题教育工作提醒")
    assert "**已逾期**" in content and "**3天后到期**" in content
    assert content.index("已逾期") < content.index("3天后到期")
    assert "[T-A-1-1-1 学习记录不全](https://dj.example.gov.cn/rectification/1/)" in content
    assert len(content.encode()) < 4096


def test_dingtalk_markdown(delivery):
    payload = channels.build_webhook_payload(
        delivery("https://oapi.dingtalk.com/robot/send?access_token=t")
    )
    assert payload["msgtype"] == "markdown"
    assert payload["markdown"]["title"] == "主题教育工作提醒"
    assert "甲一支部" in payload["markdown"]["text"]


def test_the_relay_gets_the_text_message_both_robots_accept(delivery, settings):
    settings.ROBOT_RELAY_URL = "http://robot.intranet"
    payload = channels.build_webhook_payload(delivery("http://robot.intranet/send"))
    assert set(payload) == {"msgtype", "text"}
    assert payload["msgtype"] == "text"
    assert "学习记录不全" in payload["text"]["content"]
    json.dumps(payload)


def test_email_is_chinese_text_and_html(delivery, settings):
    settings.SITE_URL = "https://dj.example.gov.cn"
    message = channels.build_email(delivery(channel=Channel.EMAIL))
    assert message.subject == "【主题教育】工作提醒：2 项工作即将到期或已逾期"
    assert message.body.startswith("用户")  # the person's name
    assert "https://dj.example.gov.cn/rectification/2/" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert '<a href="https://dj.example.gov.cn/rectification/1/">' in html
    assert "请勿直接回复" in html


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (b'{"errcode": 0, "errmsg": "ok"}', None),
        (b"ok", None),
        (b'{"errcode": 45009, "errmsg": "api freq out of limit"}', channels.TransientDeliveryError),
        (b'{"errcode": 93000, "errmsg": "invalid webhook url"}', channels.PermanentDeliveryError),
    ],
)
def test_robot_answers(answer, expected):
    if expected is None:
        channels._check_robot_answer(answer)
    else:
        with pytest.raises(expected):
            channels._check_robot_answer(answer)


def test_a_bad_address_fails_for_good_at_once(delivery, monkeypatch):
    d = delivery("ftp://robot.intranet/send")
    assert services.attempt_delivery(delivery_id=d.pk, final=False) == "failed"
    d.refresh_from_db()
    assert (d.state, d.attempts) == (DeliveryState.FAILED, 1)
    assert "企业微信或钉钉" in d.last_error


def test_the_last_retry_marks_the_delivery_failed(delivery, settings):
    settings.ROBOT_RELAY_URL = "http://127.0.0.1:9"
    d = delivery("http://127.0.0.1:9/robot")  # discard port: connection refused
    with pytest.raises(channels.TransientDeliveryError):
        services.attempt_delivery(delivery_id=d.pk, final=False)
    d.refresh_from_db()
    assert d.state == DeliveryState.RETRYING
    with pytest.raises(channels.TransientDeliveryError):
        services.attempt_delivery(delivery_id=d.pk, final=True)
    d.refresh_from_db()
    assert (d.state, d.attempts) == (DeliveryState.FAILED, 2)


def test_a_sent_delivery_is_not_sent_again(delivery):
    d = delivery()
    Delivery.objects.filter(pk=d.pk).update(state=DeliveryState.SENT)
    assert services.attempt_delivery(delivery_id=d.pk, final=False) == "skipped"


def test_without_a_broker_a_failing_channel_gives_up_without_raising(delivery, settings):
    # the demo runs tasks in-process: one attempt, the failure kept for the office
    assert settings.CELERY_TASK_ALWAYS_EAGER
    settings.ROBOT_RELAY_URL = "http://127.0.0.1:9"
    d = delivery("http://127.0.0.1:9/robot")
    services.dispatch(emails=[], webhooks=[d.pk])
    d.refresh_from_db()
    assert d.state == DeliveryState.FAILED
    assert d.attempts == 1
    assert "连接被拒绝" in d.last_error
