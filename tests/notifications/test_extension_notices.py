"""Extension requests (延期申请) of both kinds: the office above learns in its 消息 that one
waits for its answer (one line a day, as submissions do); the requesting unit's people
learn the answer, with the office's comment."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import time_machine
from django.urls import reverse

from campaign import services as campaign_services
from notifications.models import EventKind, Notification
from rectification import services as rect_services
from rectification.models import ProblemType
from tests.notifications.test_event_flows import SHANGHAI, deployed, mine
from tests.rectification.factories import make_campaign, make_problem

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(datetime(2026, 12, 1, 9, 0, tzinfo=SHANGHAI), tick=False):
        yield


@pytest.fixture
def campaign(tree):
    return make_campaign(tree.city)


QUEUE = reverse("rectification:verify-queue")


def test_an_assignment_request_waits_for_the_office_and_its_answer_reaches_the_unit(
    campaign, tree, people, client
):
    assignment = deployed(campaign, tree, people)
    extension = campaign_services.extension_request(
        actor=people.secretary_a,
        assignment=assignment,
        new_due_date=date(2026, 12, 28),
        reason="换届选举",
    )
    [note] = mine(people.county_office, EventKind.WAITING)
    assert note.title == "您有1项延期申请待审批" and note.link == QUEUE
    assert not mine(people.city_office, EventKind.WAITING)  # the nearest office only
    assert not mine(people.secretary_a, EventKind.EXTENSION)

    campaign_services.extension_decide(
        actor=people.county_office, extension=extension, approve=True, comment="同意，抓紧落实"
    )
    [answer] = mine(people.secretary_a, EventKind.EXTENSION)
    assert answer.title == "延期申请已批准：专题读书班"
    assert "2026-12-28" in answer.body and "同意，抓紧落实" in answer.body
    assert answer.link == reverse("campaign:assignment-detail", args=[assignment.pk])
    assert not mine(people.county_office, EventKind.EXTENSION)  # not told of his own act

    # the secretary reads it in 消息
    client.force_login(people.secretary_a)
    page = client.get(reverse("notifications:list")).content.decode()
    assert "延期申请已批准" in page and "同意，抓紧落实" in page


def test_a_refused_assignment_request_says_why(campaign, tree, people):
    assignment = deployed(campaign, tree, people)
    extension = campaign_services.extension_request(
        actor=people.secretary_a,
        assignment=assignment,
        new_due_date=date(2026, 12, 28),
        reason="换届选举",
    )
    campaign_services.extension_decide(
        actor=people.county_office, extension=extension, approve=False, comment="时间充裕"
    )
    [answer] = mine(people.secretary_a, EventKind.EXTENSION)
    assert answer.title == "延期申请未获批准：专题读书班"
    assert "时限不变" in answer.body and "时间充裕" in answer.body


def test_a_problem_request_waits_for_the_office_and_its_answer_reaches_the_unit(
    campaign, tree, people
):
    problem = make_problem(campaign=campaign, unit=tree.branch_a1, actor=people.secretary_a)
    rect_services.problem_start(problem=problem, actor=people.secretary_a)
    request = rect_services.extension_request(
        problem=problem,
        actor=people.secretary_a,
        new_type=ProblemType.DEADLINE,
        new_deadline=date(2027, 1, 20),
        reason="需跨部门协调",
    )
    [note] = mine(people.county_office, EventKind.WAITING)
    assert note.title == "您有1项延期申请待审批" and note.link == QUEUE

    rect_services.extension_decide(
        request=request, actor=people.county_office, approve=False, comment="请按期完成"
    )
    [answer] = mine(people.secretary_a, EventKind.EXTENSION)
    assert answer.title.startswith("延期申请未获批准：")
    assert "请按期完成" in answer.body
    assert answer.link == reverse("rectification:problem-detail", args=[problem.pk])
    assert Notification.objects.filter(kind=EventKind.EXTENSION).count() >= 1
