"""Event notifications: in-app at once, the actor left out, a keyed one at most once."""

from __future__ import annotations

import pytest

from notifications.events import EventKind, notify
from notifications.models import Notification
from notifications.selectors import unread_count

pytestmark = pytest.mark.django_db


def test_notify_writes_one_unread_notification_per_person(tree, people) -> None:
    n = notify(
        kind=EventKind.RETURNED,
        recipients=[people.secretary_a.pk, people.secretary_a.pk, people.member_a.pk, None],
        title="报送被退回：学习记录",
        body="请补充照片",
        link="/campaign/assignments/1/",
        unit=tree.branch_a1,
        actor=people.county_office,
    )
    assert n == 2
    assert unread_count(people.secretary_a) == 1
    row = Notification.objects.get(recipient=people.secretary_a)
    assert (row.kind, row.unit, row.actor) == ("returned", tree.branch_a1, people.county_office)


def test_the_actor_is_not_told_of_his_own_act(tree, people) -> None:
    n = notify(
        kind=EventKind.PASSED,
        recipients=[people.county_office.pk],
        title="x",
        actor=people.county_office,
    )
    assert n == 0
    assert not Notification.objects.exists()


def test_a_keyed_notification_reaches_a_person_once(tree, people) -> None:
    for _ in range(3):
        notify(
            kind=EventKind.URGED,
            recipients=[people.secretary_a.pk],
            title="催办",
            once_key=f"urge:unit:{tree.branch_a1.pk}:2026-12-01",
        )
    assert Notification.objects.filter(recipient=people.secretary_a).count() == 1
