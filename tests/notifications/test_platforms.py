"""WeCom and DingTalk, against local fakes of their documented endpoints: sign-in by the
linked work id (never creating an account), personal messages (one per person, none
twice, the token refreshed once when expired), the signed DingTalk robot with its
@-mentions, and the WeCom robot's 4096-byte limit."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
import requests
import time_machine
from django.core.cache import cache
from django.urls import reverse

from accounts.models import User
from accounts.roles import Role
from notifications import channels, services
from notifications.events import notify
from notifications.models import Channel, Delivery, DeliveryState, EventKind, NotifyPreference
from tests.factories import UserFactory, grant
from tests.fakes.dingtalk import FakeDingTalk
from tests.fakes.wecom import FakeWeCom

from .factories import make_assignment, make_campaign

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 12, 1)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(datetime(2026, 12, 1, 8, 30, tzinfo=SHANGHAI), tick=True):
        yield


@pytest.fixture
def wecom(settings, people):
    fake = FakeWeCom({"zhaolihua": "赵丽华", "stranger": "无账号者"}).start()
    for name, value in fake.settings().items():
        setattr(settings, name, value)
    settings.SITE_URL = "https://dj.example.gov.cn"
    cache.clear()
    people.secretary_a.wecom_userid = "zhaolihua"
    people.secretary_a.save()
    yield fake
    fake.stop()
    cache.clear()


@pytest.fixture
def dingtalk(settings):
    fake = FakeDingTalk({"ding-zhao": "赵丽华"}).start()
    for name, value in fake.settings().items():
        setattr(settings, name, value)
    settings.ROBOT_PRIVATE_ORIGINS = {fake.base: "dingtalk"}
    cache.clear()
    yield fake
    fake.stop()
    cache.clear()


def _through_platform(client, start_url: str, person: str, **headers) -> tuple:
    """Start the sign-in, pick ``person`` on the fake's page, come back with the code."""
    response = client.get(start_url, **headers)
    assert response.status_code == 302
    platform_page = response["Location"]
    page = requests.get(platform_page, timeout=5)
    assert page.status_code == 200
    href = page.text.split(f"（{person}）")[0].rsplit('href="', 1)[1].split('"')[0]
    callback = urlsplit(href.replace("&amp;", "&"))
    query = {k: v[0] for k, v in parse_qs(callback.query).items()}
    return platform_page, client.get(callback.path, query)


# Sign-in -----------------------------------------------------------------------------


def test_the_login_page_offers_wecom_and_a_linked_person_signs_in(client, wecom, people):
    page = client.get(reverse("accounts:login")).content.decode()
    assert "使用企业微信登录" in page
    platform_page, back = _through_platform(
        client, reverse("accounts:sso-start", args=["wecom"]) + "?next=/notifications/", "zhaolihua"
    )
    assert platform_page.startswith(f"{wecom.base}/wwlogin/sso/login?")  # the QR page
    assert back.status_code == 302 and back["Location"] == "/notifications/"
    assert client.get("/notifications/").wsgi_request.user == people.secretary_a


def test_a_new_person_signed_in_by_wecom_is_not_asked_for_a_password_change(client, wecom, people):
    people.secretary_a.must_change_password = True
    people.secretary_a.save()
    _page, _back = _through_platform(
        client, reverse("accounts:sso-start", args=["wecom"]), "zhaolihua"
    )
    assert client.get(reverse("notifications:list")).status_code == 200


def test_inside_the_wecom_app_the_silent_oauth_page_is_used(client, wecom):
    platform_page, back = _through_platform(
        client,
        reverse("accounts:sso-start", args=["wecom"]),
        "zhaolihua",
        HTTP_USER_AGENT="Mozilla/5.0 (iPhone) wxwork/4.1.22 MicroMessenger/7.0.1",
    )
    assert platform_page.startswith(f"{wecom.base}/connect/oauth2/authorize?")
    assert "scope=snsapi_base" in platform_page
    assert back.status_code == 302


def test_an_unlinked_work_id_is_refused_and_no_account_is_created(client, wecom):
    users = User.objects.count()
    _page, back = _through_platform(
        client, reverse("accounts:sso-start", args=["wecom"]), "stranger"
    )
    assert back.status_code == 403
    text = back.content.decode()
    assert "您的企业微信账号（stranger）尚未关联本系统账号" in text
    assert User.objects.count() == users
    assert "_auth_user_id" not in client.session


def test_a_forged_state_is_refused(client, wecom):
    client.get(reverse("accounts:sso-start", args=["wecom"]))
    back = client.get(
        reverse("accounts:sso-callback", args=["wecom"]),
        {"code": wecom.code_for("zhaolihua"), "state": "forged"},
    )
    assert back.status_code == 400 and "_auth_user_id" not in client.session


def test_a_person_links_his_account_once_after_a_password_login(client, wecom, people):
    client.force_login(people.secretary_b)
    wecom.people["qianwei"] = "钱伟"
    _page, back = _through_platform(
        client, reverse("accounts:sso-start", args=["wecom"]) + "?link=1", "qianwei"
    )
    assert back["Location"] == reverse("accounts:linked-accounts")
    people.secretary_b.refresh_from_db()
    assert people.secretary_b.wecom_userid == "qianwei"
    # Someone else's id cannot be taken.
    client.force_login(people.county_office)
    _through_platform(client, reverse("accounts:sso-start", args=["wecom"]) + "?link=1", "qianwei")
    people.county_office.refresh_from_db()
    assert people.county_office.wecom_userid == ""


def test_dingtalk_sign_in_walks_code_union_id_and_user_id(client, dingtalk, people):
    people.secretary_a.dingtalk_userid = "ding-zhao"
    people.secretary_a.save()
    platform_page, back = _through_platform(
        client, reverse("accounts:sso-start", args=["dingtalk"]), "ding-zhao"
    )
    assert platform_page.startswith(f"{dingtalk.base}/oauth2/auth?")
    assert back.status_code == 302
    assert client.get("/").wsgi_request.user == people.secretary_a


# Personal messages --------------------------------------------------------------------


def _due_tomorrow(tree, n=1):
    campaign = make_campaign(tree.city)
    return [
        make_assignment(campaign, tree.branch_a1, due=TODAY + timedelta(days=1), title=f"读书班{i}")
        for i in range(n)
    ]


def test_a_reminder_run_sends_one_personal_message_per_person_none_twice(
    wecom, tree, people, django_capture_on_commit_callbacks
):
    [assignment] = _due_tomorrow(tree)
    with django_capture_on_commit_callbacks(execute=True):
        services.send_reminders(day=TODAY)
    [message] = wecom.messages
    assert message["touser"] == "zhaolihua" and message["msgtype"] == "textcard"
    card = message["textcard"]
    assert "读书班0" in card["description"]
    # The link signs in through WeCom and opens the record.
    link = urlsplit(card["url"])
    assert link.netloc == "dj.example.gov.cn"
    assert link.path == reverse("accounts:sso-start", args=["wecom"])
    assert parse_qs(link.query)["next"] == [
        reverse("campaign:assignment-detail", args=[assignment.pk])
    ]
    delivery = Delivery.objects.get(channel=Channel.WECOM_APP)
    assert (delivery.state, delivery.target, delivery.attempts) == (
        DeliveryState.SENT,
        "zhaolihua",
        1,
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.send_reminders(day=TODAY)
    assert len(wecom.messages) == 1
    assert wecom.tokens_issued == 1  # the token came from the cache the second time


def test_the_link_of_a_message_opens_the_record_after_sign_in(client, wecom, tree, people):
    [assignment] = _due_tomorrow(tree)
    target = reverse("campaign:assignment-detail", args=[assignment.pk])
    start = reverse("accounts:sso-start", args=["wecom"]) + f"?next={target}"
    _page, back = _through_platform(client, start, "zhaolihua")
    assert back["Location"] == target
    assert client.get(target).status_code == 200


def test_an_expired_token_is_fetched_again_once_and_the_send_retried(
    wecom, tree, people, django_capture_on_commit_callbacks
):
    _due_tomorrow(tree)
    services.send_event_batches()  # nothing yet; warms nothing
    from core.platforms import WeCom

    WeCom().token()
    assert wecom.tokens_issued == 1
    wecom.expire_tokens()  # the platform drops it before the cache does
    with django_capture_on_commit_callbacks(execute=True):
        services.send_reminders(day=TODAY)
    assert len(wecom.messages) == 1
    assert wecom.tokens_issued == 2
    assert Delivery.objects.get(channel=Channel.WECOM_APP).state == DeliveryState.SENT


def test_a_rate_limit_is_retried_later_and_an_unknown_error_fails(wecom, tree, people):
    _due_tomorrow(tree)
    run = services.send_reminders(day=TODAY)
    [pk] = [pk for pk in run.emails if Delivery.objects.get(pk=pk).channel == Channel.WECOM_APP]
    wecom.errors = [45009]
    assert services.attempt_deliveries(delivery_ids=[pk], final=False) == [pk]
    delivery = Delivery.objects.get(pk=pk)
    assert delivery.state == DeliveryState.RETRYING and "45009" in delivery.last_error
    wecom.errors = [60020]
    Delivery.objects.filter(pk=pk).update(state=DeliveryState.PENDING)
    assert services.attempt_deliveries(delivery_ids=[pk], final=False) == []
    assert Delivery.objects.get(pk=pk).state == DeliveryState.FAILED


def test_personal_messages_follow_the_persons_choice_and_quiet_hours(wecom, tree, people):
    NotifyPreference.objects.create(user=people.secretary_a, email=True, personal=False)
    _due_tomorrow(tree)
    services.send_reminders(day=TODAY)
    assert not Delivery.objects.filter(channel=Channel.WECOM_APP).exists()
    NotifyPreference.objects.filter(user=people.secretary_a).update(
        personal=True, quiet_from=time(8, 0), quiet_to=time(9, 0)
    )
    notify(
        kind=EventKind.RETURNED,
        recipients=[people.secretary_a.pk],
        title="报送被退回：读书班",
        unit=tree.branch_a1,
    )
    assert services.send_event_batches().notifications == 0  # 08:30: it waits
    with time_machine.travel(datetime(2026, 12, 1, 9, 5, tzinfo=SHANGHAI)):
        batch = services.send_event_batches()
    assert batch.notifications == 1
    assert Delivery.objects.filter(channel=Channel.WECOM_APP, recipient=people.secretary_a).exists()


# Robots -------------------------------------------------------------------------------


def test_a_dingtalk_robot_message_is_signed_and_mentions_the_secretary(
    dingtalk, tree, people, django_capture_on_commit_callbacks
):
    people.secretary_a.phone = "13800000001"
    people.secretary_a.save()
    tree.branch_a1.webhook_url = dingtalk.robot_url
    tree.branch_a1.save()
    _due_tomorrow(tree)
    with django_capture_on_commit_callbacks(execute=True):
        services.send_reminders(day=TODAY)
    assert dingtalk.robot_refusals == 0  # the fake checked timestamp and sign
    [post] = dingtalk.robot_posts
    assert post["at"]["atMobiles"] == ["13800000001"] and post["at"]["isAtAll"] is False
    assert "@13800000001" in post["markdown"]["text"]
    assert Delivery.objects.get(channel=Channel.WEBHOOK).state == DeliveryState.SENT


def test_a_wrong_robot_secret_is_refused_by_the_fake(dingtalk, tree, people):
    tree.branch_a1.webhook_url = dingtalk.robot_url.replace("SECfake", "SECwrong")
    tree.branch_a1.save()
    _due_tomorrow(tree)
    run = services.send_reminders(day=TODAY)
    services.attempt_deliveries(delivery_ids=run.webhooks, final=True)
    assert dingtalk.robot_refusals == 1
    assert "310000" in Delivery.objects.get(channel=Channel.WEBHOOK).last_error


def test_a_long_wecom_digest_is_split_within_4096_bytes(settings, tree, people):
    fake = FakeWeCom().start()
    try:
        settings.ROBOT_PRIVATE_ORIGINS = {fake.base: "wecom"}
        tree.branch_a1.webhook_url = f"{fake.base}/cgi-bin/webhook/send?key=k"
        tree.branch_a1.save()
        campaign = make_campaign(tree.city)
        for i in range(15):  # a branch with many secretaries: each is named on each line
            grant(UserFactory(full_name=f"第{i}位支部委员同志"), tree.branch_a1, Role.SECRETARY)
        for i in range(10):
            make_assignment(
                campaign, tree.branch_a1, due=TODAY + timedelta(days=1), title="长" * 120 + str(i)
            )
        run = services.send_reminders(day=TODAY)
        [webhook] = run.webhooks
        delivery = Delivery.objects.get(pk=webhook)
        payloads = channels.build_webhook_payloads(delivery)
        assert len(payloads) > 1
        assert all(len(p["markdown"]["content"].encode()) <= 4096 for p in payloads)
        services.attempt_deliveries(delivery_ids=[webhook], final=True)
        assert len(fake.robot_posts) == len(payloads)
        assert Delivery.objects.get(pk=webhook).state == DeliveryState.SENT
    finally:
        fake.stop()
