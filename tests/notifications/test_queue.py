"""Reminders through a real Celery worker on Redis: exactly once, retries, failing channels."""

from __future__ import annotations

import socket
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from notifications import channels
from notifications.models import Channel, Delivery, DeliveryState, Notification, ReminderLog
from notifications.tasks import send_daily_reminders

from . import backends
from .conftest import wait_for
from .factories import make_assignment, make_campaign, make_measure, make_problem

pytestmark = [pytest.mark.queue, pytest.mark.django_db(transaction=True)]

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def frozen():
    # The beat fires at 08:30 Shanghai time on 1 December; the clock keeps moving so the
    # worker's timers and retry countdowns work.
    with time_machine.travel(datetime(2026, 12, 1, 8, 30, tzinfo=SHANGHAI), tick=True):
        yield


def _settled() -> bool:
    return not Delivery.objects.exclude(state=DeliveryState.SENT).exists()


def test_duplicate_beat_ticks_send_each_reminder_once(
    tree, people, celery_worker_redis, robot_factory, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    robot = robot_factory()
    tree.branch_a1.webhook_url = robot.url
    tree.branch_a1.save()
    campaign = make_campaign(tree.city)
    problem = make_problem(
        campaign,
        tree.branch_a1,
        deadline=date(2026, 12, 4),
        person=people.secretary_a,
        leader=people.leader,
        description="谈心谈话开展不够经常",
    )
    make_measure(
        problem,
        deadline=date(2026, 12, 2),
        person=people.secretary_a,
        description="每月开展一次谈心谈话",
    )
    make_assignment(campaign, tree.branch_a1, due=date(2026, 11, 20), title="报送学习计划")

    # the beat's message delivered twice (a duplicate tick) and a third run a bit later
    first, second = send_daily_reminders.delay(), send_daily_reminders.delay()
    assert first.id != second.id
    wait_for(lambda: Delivery.objects.count() == 3 and _settled(), message="deliveries sent")
    send_daily_reminders.delay()
    wait_for(lambda: len(robot.posts) >= 1, message="robot post")

    logs = ReminderLog.objects.all()
    assert logs.count() == 4  # problem ×2 people, measure, assignment
    assert {log.day for log in logs} == {date(2026, 12, 1)}
    assert Notification.objects.count() == 4
    # one email per person: the secretary (three items) and the leader (one)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [people.secretary_a.email, people.leader.email]
    )
    secretary_mail = next(m for m in mail.outbox if m.to == [people.secretary_a.email])
    assert secretary_mail.subject == "【主题教育】工作提醒：3 项工作即将到期或已逾期"
    assert "谈心谈话开展不够经常" in secretary_mail.body and "报送学习计划" in secretary_mail.body
    html, mimetype = secretary_mail.alternatives[0]
    assert mimetype == "text/html" and "已逾期" in html
    # one robot message for the unit, in the text format both WeCom and DingTalk accept
    wait_for(lambda: Delivery.objects.filter(state=DeliveryState.SENT).count() == 3)
    assert len(robot.posts) == 1
    post = robot.posts[0]
    assert post["content_type"].startswith("application/json")
    assert post["json"]["msgtype"] == "text"
    content = post["json"]["text"]["content"]
    assert "主题教育工作提醒" in content and "甲一支部" in content
    assert "已逾期" in content and "报送学习计划" in content


def test_a_retried_delivery_is_sent_once(
    tree, people, celery_worker_redis, robot_factory, settings
):
    settings.EMAIL_BACKEND = "tests.notifications.backends.FlakyBackend"
    backends.FAILURES["left"] = 1  # the SMTP connection drops once
    robot = robot_factory(statuses=[500])  # the robot answers 500 once
    tree.branch_a1.webhook_url = robot.url
    tree.branch_a1.save()
    campaign = make_campaign(tree.city)
    make_problem(campaign, tree.branch_a1, deadline=date(2026, 12, 2), person=people.secretary_a)

    send_daily_reminders.delay()
    wait_for(
        lambda: Delivery.objects.count() == 2 and _settled(),
        timeout=60,
        message="both deliveries sent after a retry",
    )

    assert ReminderLog.objects.count() == 1
    assert Notification.objects.count() == 1
    assert len(mail.outbox) == 1
    assert len(robot.posts) == 2  # the failed post and its retry
    assert robot.posts[0]["json"] == robot.posts[1]["json"]
    for delivery in Delivery.objects.all():
        assert delivery.attempts == 2, delivery.channel
        assert delivery.last_error  # the fault is kept for the office
    email = Delivery.objects.get(channel=Channel.EMAIL)
    assert "SMTPServerDisconnected" in email.last_error
    assert "HTTP 500" in Delivery.objects.get(channel=Channel.WEBHOOK).last_error


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_smtp_down_and_a_broken_robot_do_not_block_the_other_channels(
    tree, people, celery_worker_redis, robot_factory, settings, monkeypatch
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = _closed_port()  # nothing listens: connection refused
    settings.EMAIL_TIMEOUT = 2
    monkeypatch.setattr(channels, "WEBHOOK_TIMEOUT", 1)
    slow = robot_factory(delay=3)  # answers after the timeout
    broken = robot_factory(statuses=[500] * 50)
    good = robot_factory()
    tree.branch_a1.webhook_url = slow.url
    tree.branch_a1.save()
    tree.branch_a2.webhook_url = broken.url
    tree.branch_a2.save()
    tree.branch_b1.webhook_url = good.url
    tree.branch_b1.save()
    campaign = make_campaign(tree.city)
    for unit, person in (
        (tree.branch_a1, people.secretary_a),
        (tree.branch_a2, people.leader),
        (tree.branch_b1, people.secretary_b),
    ):
        make_problem(campaign, unit, deadline=date(2026, 12, 4), person=person)

    send_daily_reminders.delay()

    wait_for(
        lambda: Delivery.objects.filter(
            channel=Channel.WEBHOOK, state=DeliveryState.SENT, target=good.url
        ).exists(),
        timeout=60,
        message="the good robot served",
    )
    wait_for(
        lambda: Delivery.objects.filter(attempts__gte=2).count() == 5,
        timeout=90,
        message="the failing channels retried",
    )

    assert len(good.posts) == 1
    assert Notification.objects.count() == 3  # in the app, whatever the other channels do
    emails = Delivery.objects.filter(channel=Channel.EMAIL)
    assert emails.count() == 3
    for delivery in emails:
        assert delivery.state in (DeliveryState.RETRYING, DeliveryState.PENDING)
        assert "Connection refused" in delivery.last_error or "Errno" in delivery.last_error
    slow_delivery = Delivery.objects.get(target=slow.url)
    assert slow_delivery.state != DeliveryState.SENT
    assert "超时" in slow_delivery.last_error
    broken_delivery = Delivery.objects.get(target=broken.url)
    assert broken_delivery.state != DeliveryState.SENT
    assert "HTTP 500" in broken_delivery.last_error
    assert len(mail.outbox) == 0


def test_a_batch_retries_only_its_failed_deliveries(tree, people, celery_worker_redis, settings):
    settings.EMAIL_BACKEND = "tests.notifications.backends.FlakyBackend"
    backends.FAILURES["left"] = 1  # the first email of the batch meets a dropped connection
    campaign = make_campaign(tree.city)
    make_problem(campaign, tree.branch_a1, deadline=date(2026, 12, 2), person=people.secretary_a)
    make_problem(campaign, tree.branch_b1, deadline=date(2026, 12, 2), person=people.secretary_b)

    send_daily_reminders.delay()
    wait_for(
        lambda: Delivery.objects.count() == 2 and _settled(),
        timeout=60,
        message="both emails sent, one after a retry",
    )

    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [people.secretary_a.email, people.secretary_b.email]
    )
    assert sorted(Delivery.objects.values_list("attempts", flat=True)) == [1, 2]
    retried = Delivery.objects.get(attempts=2)
    assert "SMTPServerDisconnected" in retried.last_error
