"""The notification centre and the deliveries page: scope, writes, fixed query counts."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from notifications import selectors, services
from notifications.models import Channel, Delivery, DeliveryState, Notification, ReminderKind

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(datetime(2026, 12, 1, 9, 0, tzinfo=SHANGHAI), tick=False):
        yield


def notify(user, n=1, **extra):
    return [
        Notification.objects.create(
            recipient=user,
            title=f"整改措施明天到期：第{i}项",
            body="截止日期为 2026-12-02。",
            link="/rectification/",
            kind=ReminderKind.DUE_IN_1_DAY,
            **extra,
        )
        for i in range(n)
    ]


def deliver(unit, n=1, state=DeliveryState.FAILED, channel=Channel.WEBHOOK, **extra):
    return [
        Delivery.objects.create(
            channel=channel,
            unit=unit,
            target="https://qyapi.weixin.qq.com/send?key=secret",
            day=date(2026, 12, 1),
            state=state,
            attempts=13,
            last_error="HTTP 500 Server Error",
            **extra,
        )
        for _ in range(n)
    ]


def test_anonymous_is_sent_to_login(client, db):
    for url in (reverse("notifications:list"), reverse("notifications:deliveries")):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_unread_count_in_the_header(people, login):
    notify(people.secretary_a, 3)
    notify(people.secretary_b, 1)
    assert selectors.unread_count(people.secretary_a) == 3
    response = login(people.secretary_a).get(reverse("notifications:list"))
    assert response.context["unread_notifications"] == 3
    assert '">3</span>' in response.content.decode()


def test_list_shows_own_notifications_only(people, login):
    mine = notify(people.secretary_a)[0]
    other = notify(people.secretary_b)[0]
    response = login(people.secretary_a).get(reverse("notifications:list"))
    page = response.content.decode()
    assert response.status_code == 200
    assert mine.title in page
    assert list(response.context["page_obj"].object_list) == [mine]
    assert f"/notifications/{other.pk}/read/" not in page
    assert "全部标为已读" in page  # translated


@pytest.mark.parametrize("rows", [3, 60])
def test_list_query_count_is_fixed(people, login, django_assert_max_num_queries, rows):
    notify(people.secretary_a, rows)
    client = login(people.secretary_a)
    with django_assert_max_num_queries(9):
        response = client.get(reverse("notifications:list"))
    assert response.status_code == 200
    assert len(response.context["page_obj"].object_list) == min(rows, 25)


def test_unread_filter(people, login):
    read, unread = notify(people.secretary_a, 2)
    read.read_at = datetime(2026, 12, 1, 8, 0, tzinfo=SHANGHAI)
    read.save()
    response = login(people.secretary_a).get(reverse("notifications:list") + "?show=unread")
    assert list(response.context["page_obj"].object_list) == [unread]


def test_mark_read_and_open(people, login):
    note = notify(people.secretary_a)[0]
    client = login(people.secretary_a)
    assert client.get(reverse("notifications:read", args=[note.pk])).status_code == 405
    response = client.post(reverse("notifications:read", args=[note.pk]), {"open": "1"})
    assert response.status_code == 302 and response["Location"] == "/rectification/"
    note.refresh_from_db()
    assert note.read_at == datetime(2026, 12, 1, 9, 0, tzinfo=SHANGHAI)


def test_mark_read_goes_back_but_never_off_site(people, login):
    note = notify(people.secretary_a)[0]
    client = login(people.secretary_a)
    url = reverse("notifications:read", args=[note.pk])
    response = client.post(url, {"next": "https://evil.example/"})
    assert response["Location"] == reverse("notifications:list")


def test_someone_elses_notification_is_404(people, login):
    note = notify(people.secretary_b)[0]
    response = login(people.secretary_a).post(reverse("notifications:read", args=[note.pk]))
    assert response.status_code == 404
    note.refresh_from_db()
    assert note.read_at is None


def test_mark_all_read_touches_only_own(people, login):
    notify(people.secretary_a, 3)
    notify(people.secretary_b, 2)
    response = login(people.secretary_a).post(reverse("notifications:read-all"), follow=True)
    assert "全部通知已标为已读" in response.content.decode()
    assert selectors.unread_count(people.secretary_a) == 0
    assert selectors.unread_count(people.secretary_b) == 2


def test_deliveries_page_is_for_the_office(people, login):
    for user in (people.secretary_a, people.leader, people.viewer, people.outsider):
        assert login(user).get(reverse("notifications:deliveries")).status_code == 403


def test_deliveries_are_scoped_by_unit(tree, people, login):
    (mine,) = deliver(tree.branch_a1)
    (theirs,) = deliver(tree.branch_b1)
    response = login(people.county_office).get(reverse("notifications:deliveries"))
    assert list(response.context["page_obj"].object_list) == [mine]
    page = response.content.decode()
    assert "HTTP 500 Server Error" in page and "发送失败" in page
    assert "key=secret" not in page  # the robot's key is not shown
    city = login(people.city_office).get(reverse("notifications:deliveries"))
    assert set(city.context["page_obj"].object_list) == {mine, theirs}


def test_deliveries_filter_by_state(tree, people, login):
    deliver(tree.branch_a1, state=DeliveryState.SENT)
    (failed,) = deliver(tree.branch_a1)
    response = login(people.county_office).get(
        reverse("notifications:deliveries") + "?state=failed"
    )
    assert list(response.context["page_obj"].object_list) == [failed]


@pytest.mark.parametrize("rows", [2, 40])
def test_deliveries_query_count_is_fixed(tree, people, login, django_assert_max_num_queries, rows):
    deliver(tree.branch_a1, rows, channel=Channel.EMAIL, recipient=people.secretary_a)
    client = login(people.county_office)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("notifications:deliveries"))
    assert len(response.context["page_obj"].object_list) == min(rows, 25)


def test_office_sends_a_failed_delivery_again(
    tree, people, login, monkeypatch, django_capture_on_commit_callbacks
):
    queued = []
    monkeypatch.setattr(services, "dispatch", lambda **ids: queued.append(ids))
    (failed,) = deliver(tree.branch_a1)
    client = login(people.county_office)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("notifications:delivery-retry", args=[failed.pk]))
    assert response.status_code == 302
    failed.refresh_from_db()
    assert failed.state == DeliveryState.PENDING
    assert queued == [{"emails": [], "webhooks": [failed.pk]}]


def test_retry_outside_the_scope_is_404(tree, people, login):
    (theirs,) = deliver(tree.branch_b1)
    response = login(people.county_office).post(
        reverse("notifications:delivery-retry", args=[theirs.pk])
    )
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.state == DeliveryState.FAILED


def test_retry_by_a_non_office_is_403(tree, people, login):
    (failed,) = deliver(tree.branch_a1)
    response = login(people.secretary_a).post(
        reverse("notifications:delivery-retry", args=[failed.pk])
    )
    assert response.status_code == 403


def test_pages_render_on_a_phone_layout(tree, people, login):
    notify(people.county_office, 2)
    deliver(tree.branch_a1)
    client = login(people.county_office)
    for url in (reverse("notifications:list"), reverse("notifications:deliveries")):
        page = client.get(url).content.decode()
        assert 'name="viewport"' in page
        assert "style=" not in page and "<script>" not in page
    assert (
        'class="table table-sm table-stack'
        in client.get(reverse("notifications:deliveries")).content.decode()
    )
