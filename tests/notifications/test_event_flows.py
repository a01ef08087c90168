"""Events reach the people concerned: a submission passed or returned, a task deployed, a
problem returned at 销号, what waits in an office's queue, a follow-up due, a 催办."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campaign import services as campaign_services
from campaign.models import Workstream
from notifications import services
from notifications.models import Channel, Delivery, EventKind, Notification, Urge
from rectification import services as rect_services
from rectification.models import MeasureState
from supervision.models import SupervisionVisit
from tests.rectification.factories import make_campaign, make_problem
from tests.rectification.test_workflow import png

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(datetime(2026, 12, 1, 9, 0, tzinfo=SHANGHAI), tick=False):
        yield


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def campaign(tree):
    return make_campaign(tree.city)


def deployed(campaign, tree, people, *, due=date(2026, 12, 15)):
    task = campaign_services.task_create(
        actor=people.county_office,
        campaign=campaign,
        issuer=tree.county_a,
        workstream=Workstream.STUDY,
        title="专题读书班",
        due_date=due,
    )
    campaign_services.task_deploy(actor=people.county_office, task=task, units=[tree.branch_a1])
    return task.assignments.get(unit=tree.branch_a1)


def submitted(campaign, tree, people, **kw):
    assignment = deployed(campaign, tree, people, **kw)
    return campaign_services.assignment_submit(
        actor=people.secretary_a, assignment=assignment, note="已组织专题学习"
    )


def mine(user, kind):
    return list(Notification.objects.filter(recipient=user, kind=kind))


def test_a_task_deployed_tells_the_unit_with_a_link_to_its_part(campaign, tree, people):
    assignment = deployed(campaign, tree, people)
    [note] = mine(people.secretary_a, EventKind.DEPLOYED)
    assert note.title == "新任务：专题读书班"
    assert note.link == reverse("campaign:assignment-detail", args=[assignment.pk])
    assert note.unit == tree.branch_a1 and note.actor == people.county_office
    assert not mine(people.secretary_b, EventKind.DEPLOYED)
    assert not mine(people.county_office, EventKind.DEPLOYED)  # not of his own act


def test_the_secretary_sees_the_return_and_its_reason_in_messages(
    campaign, tree, people, login, django_assert_max_num_queries
):
    assignment = submitted(campaign, tree, people)
    campaign_services.assignment_return(
        actor=people.county_office, assignment=assignment, reason="缺少活动照片，请补充"
    )
    [note] = mine(people.secretary_a, EventKind.RETURNED)
    assert note.title == "报送被退回：专题读书班"
    assert note.body == "退回原因：缺少活动照片，请补充"

    client = login(people.secretary_a)
    page = client.get(reverse("notifications:list")).content.decode()
    assert "报送被退回：专题读书班" in page and "缺少活动照片，请补充" in page
    unread = Notification.objects.filter(recipient=people.secretary_a, read_at=None).count()
    assert f'aria-label="{unread} 条未读">{unread}</span>' in page
    # The header's count and the list cost the same few queries however many there are.
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("notifications:list"))
    for _ in range(30):
        submitted_again = campaign_services.assignment_submit(
            actor=people.secretary_a, assignment=assignment, note="已补充"
        )
        campaign_services.assignment_return(
            actor=people.county_office, assignment=submitted_again, reason="仍缺照片"
        )
    with django_assert_max_num_queries(len(few)):
        client.get(reverse("notifications:list"))


def test_a_pass_tells_the_unit(campaign, tree, people):
    assignment = submitted(campaign, tree, people)
    campaign_services.assignment_accept(
        actor=people.county_office, assignment=assignment, comment="材料齐全"
    )
    [note] = mine(people.secretary_a, EventKind.PASSED)
    assert (note.title, note.body) == ("报送已通过：专题读书班", "材料齐全")


def test_submissions_waiting_make_one_line_per_office_and_day(campaign, tree, people):
    submitted(campaign, tree, people)
    [note] = mine(people.county_office, EventKind.WAITING)
    assert note.title == "您有1项报送待审核" and note.link == reverse("campaign:review-queue")
    Notification.objects.filter(pk=note.pk).update(read_at=note.created)
    task2 = campaign_services.task_create(
        actor=people.county_office,
        campaign=campaign,
        issuer=tree.county_a,
        workstream=Workstream.STUDY,
        title="二次学习",
        due_date=date(2026, 12, 20),
    )
    campaign_services.task_deploy(
        actor=people.county_office, task=task2, units=[tree.branch_a1, tree.branch_a2]
    )
    for a in task2.assignments.filter(unit=tree.branch_a1):
        campaign_services.assignment_submit(actor=people.secretary_a, assignment=a, note="完成")
    [note] = mine(people.county_office, EventKind.WAITING)
    assert note.title == "您有2项报送待审核" and note.count == 2 and note.read_at is None
    assert not mine(people.city_office, EventKind.WAITING)  # the nearest office only


def test_a_problem_returned_at_closing_tells_the_unit_and_the_office_was_told(
    campaign, tree, people
):
    problem = make_problem(campaign=campaign, unit=tree.branch_a1, actor=people.secretary_a)
    rect_services.problem_start(problem=problem, actor=people.secretary_a)
    for measure in problem.measures.all():
        rect_services.measure_set_state(
            measure=measure, actor=people.secretary_a, state=MeasureState.DONE
        )
        rect_services.evidence_add(measure=measure, actor=people.secretary_a, upload=png())
    rect_services.problem_submit_for_closing(problem=problem, actor=people.secretary_a)
    [waiting] = mine(people.county_office, EventKind.WAITING)
    assert waiting.title == "您有1个问题待销号核验"
    rect_services.problem_return(problem=problem, actor=people.county_office, reason="佐证不足")
    [note] = mine(people.secretary_a, EventKind.CLOSE_RETURNED)
    assert note.title.startswith("销号被退回：") and note.body == "退回原因：佐证不足"
    assert note.link == reverse("rectification:problem-detail", args=[problem.pk])


def test_follow_ups_due_tell_the_unit_once(campaign, tree, people):
    visit = SupervisionVisit.objects.create(
        campaign=campaign,
        unit=tree.branch_a1,
        visited_on=date(2026, 11, 20),
        follow_up_on=date(2026, 12, 2),
    )
    assert services.notify_follow_ups(day=date(2026, 12, 1)) == 1
    services.notify_follow_ups(day=date(2026, 12, 1))
    [note] = mine(people.secretary_a, EventKind.FOLLOW_UP)
    assert "2026-12-02" in note.title and str(visit.pk) in note.link


def test_events_go_out_by_email_batched_one_message_per_person(
    campaign, tree, people, django_capture_on_commit_callbacks
):
    people.secretary_a.email = "a@example.cn"
    people.secretary_a.save()
    assignment = submitted(campaign, tree, people)
    campaign_services.assignment_return(
        actor=people.county_office, assignment=assignment, reason="请补充照片"
    )
    with django_capture_on_commit_callbacks(execute=True):
        batch = services.send_event_batches()
    # The deployment and the return in one email to the secretary (the office has its own).
    [delivery] = Delivery.objects.filter(pk__in=batch.emails, recipient=people.secretary_a)
    assert delivery.channel == Channel.EMAIL and delivery.notifications.count() == 2
    [message] = [m for m in mail.outbox if m.to == ["a@example.cn"]]
    assert "报送被退回：专题读书班" in message.body and "请补充照片" in message.body
    assert message.subject == "【主题教育】您有2条新消息"
    sent = len(mail.outbox)
    again = services.send_event_batches()
    assert again.notifications == 0 and len(mail.outbox) == sent


# 催办 --------------------------------------------------------------------------------


def test_an_office_urges_an_overdue_assignment_once_a_day_and_it_is_logged(
    campaign, tree, people, login
):
    assignment = deployed(campaign, tree, people, due=date(2026, 11, 25))
    url = reverse("notifications:urge", args=["assignment", assignment.pk])
    client = login(people.county_office)
    response = client.post(url, follow=True)
    assert "已催办" in response.content.decode()
    [note] = mine(people.secretary_a, EventKind.URGED)
    assert note.title == "催办：专题读书班" and "甲县委" in note.body
    response = client.post(url, follow=True)
    page = response.content.decode()
    assert "今日已催办" in page and "明天" in page
    assert len(mine(people.secretary_a, EventKind.URGED)) == 1
    [urge] = Urge.objects.all()
    assert (urge.actor, urge.unit, urge.recipients) == (people.county_office, tree.branch_a1, 1)
    detail = client.get(reverse("campaign:assignment-detail", args=[assignment.pk]))
    assert "data-urge-panel" in detail.content.decode()
    assert people.county_office.display_name in detail.content.decode()
    assert "已通知1人" in detail.content.decode()


def test_only_an_office_above_urges_and_only_what_is_overdue(campaign, tree, people, login):
    late = deployed(campaign, tree, people, due=date(2026, 11, 25))
    url = reverse("notifications:urge", args=["assignment", late.pk])
    assert login(people.secretary_a).post(url).status_code == 403
    assert login(people.secretary_b).post(url).status_code == 404
    task = campaign_services.task_create(
        actor=people.county_office,
        campaign=campaign,
        issuer=tree.county_a,
        workstream=Workstream.STUDY,
        title="按期任务",
        due_date=date(2026, 12, 20),
    )
    campaign_services.task_deploy(actor=people.county_office, task=task, units=[tree.branch_a1])
    on_time = task.assignments.get()
    client = login(people.county_office)
    client.post(reverse("notifications:urge", args=["assignment", on_time.pk]))
    assert not Urge.objects.exists()


def test_an_office_urges_a_lagging_unit(campaign, tree, people, login):
    client = login(people.city_office)
    url = reverse("notifications:urge", args=["unit", tree.county_a.pk])
    client.post(url, {"next": "/dashboard/"})
    [note] = mine(people.county_office, EventKind.URGED)
    assert "甲县委" in note.title
    assert (
        login(people.county_office)
        .post(reverse("notifications:urge", args=["unit", tree.county_a.pk]))
        .status_code
        == 403
    )  # never on its own unit
