"""The reminder plan, the claim and the command (no worker: deliveries are queued on commit)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.roles import Role
from campaign.models import AssignmentState
from notifications import channels, selectors, services, sources
from notifications.models import (
    Channel,
    Delivery,
    ItemKind,
    Notification,
    ReminderKind,
    ReminderLog,
)
from rectification.models import MeasureState, ProblemState
from tests.factories import UserFactory, grant

from .factories import (
    make_assignment,
    make_campaign,
    make_measure,
    make_milestone,
    make_problem,
)

TODAY = date(2026, 11, 10)  # research reminders of the quarter start on 4 December
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(datetime(2026, 11, 10, 8, 30, tzinfo=SHANGHAI), tick=False):
        yield


@pytest.fixture
def campaign(tree):
    return make_campaign(tree.city)


def d(days: int) -> date:
    return TODAY + timedelta(days=days)


def planned(day=TODAY):
    return sorted(
        (p.item.item_kind, p.item.item_id, p.recipient_id, p.kind)
        for p in selectors.plan_reminders(day)
    )


def test_sources_find_due_in_3_days_tomorrow_and_overdue(tree, people, campaign):
    person = people.secretary_a
    leader = people.leader
    due3 = make_problem(campaign, tree.branch_a1, deadline=d(3), person=person, leader=leader)
    due1 = make_measure(due3, deadline=d(1), person=person)
    late = make_assignment(campaign, tree.branch_a1, due=d(-10))
    mile = make_milestone(campaign, tree.county_a, due=d(-1), leader=leader)
    # not due on a reminder day, done, closed, submitted or in a closed campaign: nothing
    make_problem(campaign, tree.branch_a1, deadline=d(2), person=person)
    make_measure(due3, deadline=d(-5), person=person, state=MeasureState.DONE)
    make_problem(campaign, tree.branch_a1, deadline=d(-5), person=person, state=ProblemState.CLOSED)
    make_problem(
        campaign, tree.branch_a1, deadline=d(-5), person=person, state=ProblemState.SUBMITTED
    )
    make_assignment(campaign, tree.branch_a1, due=d(-3), state=AssignmentState.ACCEPTED)
    make_assignment(campaign, tree.branch_a1, due=d(-3), state=AssignmentState.SUBMITTED)
    make_milestone(campaign, tree.county_a, due=d(-3), leader=leader, done_on=d(-4))
    old = make_campaign(tree.city, active=False)
    make_problem(old, tree.branch_a1, deadline=d(1), person=person)

    assert planned() == sorted(
        [
            (ItemKind.PROBLEM, due3.pk, person.pk, ReminderKind.DUE_IN_3_DAYS),
            (ItemKind.PROBLEM, due3.pk, leader.pk, ReminderKind.DUE_IN_3_DAYS),
            (ItemKind.MEASURE, due1.pk, person.pk, ReminderKind.DUE_IN_1_DAY),
            (ItemKind.ASSIGNMENT, late.pk, people.secretary_a.pk, ReminderKind.OVERDUE),
            (ItemKind.MILESTONE, mile.pk, leader.pk, ReminderKind.OVERDUE),
        ]
    )


def test_assignment_reminds_every_secretary_of_the_unit_only(tree, people, campaign):
    second = UserFactory(username="secretary_a_2")
    grant(second, tree.branch_a1, Role.SECRETARY)
    gone = UserFactory(username="former", is_active=False)
    grant(gone, tree.branch_a1, Role.SECRETARY)
    assignment = make_assignment(campaign, tree.branch_a1, due=d(1))
    assert planned() == sorted(
        (ItemKind.ASSIGNMENT, assignment.pk, user.pk, ReminderKind.DUE_IN_1_DAY)
        for user in (people.secretary_a, second)
    )


def test_items_carry_title_unit_and_link(tree, people, campaign):
    problem = make_problem(
        campaign,
        tree.branch_a1,
        deadline=d(1),
        person=people.secretary_a,
        description="台账   不规范\n需要整改",
    )
    (item,) = list(sources.problems(TODAY))
    assert item.unit_id == tree.branch_a1.pk
    assert item.due_date == d(1)
    assert item.title == f"T-A-1-1-{problem.number} 台账 不规范 需要整改"
    assert item.link.startswith("/")


def test_overdue_is_repeated_weekly_not_daily(tree, people, campaign):
    problem = make_problem(campaign, tree.branch_a1, deadline=d(-1), person=people.secretary_a)
    with_problem = [(ItemKind.PROBLEM, problem.pk, people.secretary_a.pk, ReminderKind.OVERDUE)]
    assert planned() == with_problem
    services.send_reminders(day=TODAY)
    assert planned() == []
    for day in range(1, 7):
        assert planned(d(day)) == [], day
    assert planned(d(7)) == with_problem


def test_send_reminders_claims_once_and_creates_all_channels(
    tree, people, campaign, django_capture_on_commit_callbacks, monkeypatch
):
    queued = []
    monkeypatch.setattr(services, "dispatch", lambda **ids: queued.append(ids))
    tree.branch_a1.webhook_url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc"
    tree.branch_a1.save()
    people.leader.email = ""
    people.leader.save()
    problem = make_problem(
        campaign, tree.branch_a1, deadline=d(1), person=people.secretary_a, leader=people.leader
    )
    make_measure(problem, deadline=d(3), person=people.secretary_a)

    with django_capture_on_commit_callbacks(execute=True):
        run = services.send_reminders(day=TODAY)
    assert (run.planned, run.claimed, run.notifications) == (3, 3, 3)
    assert ReminderLog.objects.count() == 3
    assert Notification.objects.filter(recipient=people.secretary_a).count() == 2
    leader_note = Notification.objects.get(recipient=people.leader)
    assert leader_note.kind == ReminderKind.DUE_IN_1_DAY
    assert "明天到期" in leader_note.title
    assert leader_note.link
    # one email per person (the leader has no address), one robot message per unit
    email = Delivery.objects.get(channel=Channel.EMAIL)
    assert (email.recipient, email.target) == (people.secretary_a, people.secretary_a.email)
    assert selectors.delivery_reminders(email).count() == 2
    assert not email.reminders.exists()  # found by person, day and moment, not linked
    robot = Delivery.objects.get(channel=Channel.WEBHOOK)
    assert robot.unit == tree.branch_a1 and robot.reminders.count() == 3
    assert selectors.delivery_reminders(robot).count() == 3
    assert queued == [{"emails": [email.pk], "webhooks": [robot.pk]}]

    with django_capture_on_commit_callbacks(execute=True):
        again = services.send_reminders(day=TODAY)
    assert (again.planned, again.claimed) == (0, 0)
    assert ReminderLog.objects.count() == 3 and Delivery.objects.count() == 2
    assert len(queued) == 1


def test_in_app_texts_are_those_of_notification_text(tree, people, campaign):
    problem = make_problem(
        campaign, tree.branch_a1, deadline=d(-4), person=people.secretary_a, leader=people.leader
    )
    measure = make_measure(problem, deadline=d(3), person=people.member_a)
    milestone = make_milestone(campaign, tree.county_a, due=d(1), leader=people.leader)
    services.send_reminders(day=TODAY)
    notes = Notification.objects.select_related("reminder")
    assert notes.count() == 4
    for note in notes:
        log = note.reminder
        assert (note.recipient_id, note.kind, note.link) == (log.recipient_id, log.kind, log.link)
        assert (note.title, note.body) == services.notification_text(
            kind=log.kind, item_kind=log.item_kind, title=log.title, due=log.due_date.isoformat()
        )
    by_item = {(n.reminder.item_kind, n.reminder.item_id): n for n in notes}
    assert by_item[(ItemKind.MEASURE, measure.pk)].body == "截止日期为 2026-11-13，请按期完成。"
    assert "明天到期" in by_item[(ItemKind.MILESTONE, milestone.pk)].title


def test_one_email_per_person_a_day_with_all_their_items(
    tree, people, campaign, monkeypatch, settings
):
    monkeypatch.setattr(services, "dispatch", lambda **ids: None)
    leader, secretary = people.leader, people.secretary_a
    make_problem(campaign, tree.branch_a1, deadline=d(1), person=secretary, leader=leader)
    make_problem(campaign, tree.branch_a2, deadline=d(-2), leader=leader, description="学习不深入")
    make_milestone(campaign, tree.county_a, due=d(3), leader=leader)
    make_problem(campaign, tree.branch_a1, deadline=d(3), person=secretary)
    other = UserFactory(username="spread")
    make_problem(campaign, tree.branch_a2, deadline=d(1), person=other)
    make_problem(campaign, tree.branch_b1, deadline=d(1), person=other)

    run = services.send_reminders(day=TODAY)
    assert run.claimed == 7 and len(run.emails) == 3
    emails = {e.recipient: e for e in Delivery.objects.filter(channel=Channel.EMAIL)}
    assert set(emails) == {leader, secretary, other}
    # filed under the unit of the items, or the nearest unit above all of them
    assert emails[secretary].unit == tree.branch_a1
    assert emails[leader].unit == tree.county_a
    assert emails[other].unit == tree.city
    assert selectors.delivery_reminders(emails[leader]).count() == 3

    settings.SITE_URL = "https://dj.example.gov.cn"
    message = channels.build_email(emails[leader])
    assert message.subject == "【主题教育】工作提醒：3 项工作即将到期或已逾期"
    assert "以下事项请您关注（2026-11-10）" in message.body
    assert "学习不深入 · 甲二支部" in message.body and "甲县委" in message.body
    html, _mimetype = message.alternatives[0]
    assert "<th>单位</th>" in html and "<td>甲一支部</td>" in html
    single = channels.build_email(emails[secretary])
    assert "甲一支部以下事项请您关注（2026-11-10）" in single.body
    assert "<th>单位</th>" not in single.alternatives[0][0]


def test_each_email_lists_exactly_the_reminders_its_run_claimed_for_the_person(
    tree, people, campaign, monkeypatch
):
    """The digest finds its items by person, day and the run's moment: the same items as
    the person's reminders claimed by that run, no more (not another person's, not an
    earlier run's of the same day, not another day's) and no fewer."""
    monkeypatch.setattr(services, "dispatch", lambda **ids: None)
    tree.branch_a1.webhook_url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc"
    tree.branch_a1.save()
    secretary, leader = people.secretary_a, people.leader
    make_problem(campaign, tree.branch_a1, deadline=d(2), person=secretary, description="昨")
    make_problem(campaign, tree.branch_a1, deadline=d(-1), person=secretary, leader=leader)
    make_problem(campaign, tree.branch_a2, deadline=d(1), person=secretary, description="早")
    make_milestone(campaign, tree.county_a, due=d(3), leader=leader)
    services.send_reminders(day=d(-1))  # the day before: its reminders are not today's

    def claimed_by(run_reminders):
        """The straightforward way: the reminders a run inserted, by person."""
        before = set(ReminderLog.objects.values_list("pk", flat=True))
        run = run_reminders()
        by_person: dict[int, set[int]] = {}
        for pk, person in ReminderLog.objects.exclude(pk__in=before).values_list(
            "pk", "recipient_id"
        ):
            by_person.setdefault(person, set()).add(pk)
        return run, by_person

    morning, morning_claimed = claimed_by(lambda: services.send_reminders(day=TODAY))
    with time_machine.travel(datetime(2026, 11, 10, 15, 0, tzinfo=SHANGHAI), tick=False):
        make_problem(campaign, tree.branch_a1, deadline=d(3), person=secretary, description="晚")
        afternoon, afternoon_claimed = claimed_by(lambda: services.send_reminders(day=TODAY))
    assert (afternoon.claimed, len(afternoon.emails)) == (1, 1)

    for run, claimed in ((morning, morning_claimed), (afternoon, afternoon_claimed)):
        emails = Delivery.objects.filter(pk__in=run.emails)
        assert {e.recipient_id for e in emails} == set(claimed)
        for email in emails:
            found = {r.pk for r in selectors.delivery_reminders(email)}
            assert found == claimed[email.recipient_id], email.recipient
    late = Delivery.objects.get(pk=afternoon.emails[0])
    (item,) = selectors.delivery_reminders(late)
    assert item.title.endswith("晚")
    body = channels.build_email(late).body
    assert "晚" in body and "早" not in body
    assert "1 项工作" in channels.build_email(late).subject
    morning_email = Delivery.objects.get(pk__in=morning.emails, recipient=secretary)
    body = channels.build_email(morning_email).body
    assert "早" in body and "晚" not in body and "昨" not in body
    # the robot's messages are linked to their reminders, each run's own
    robots = Delivery.objects.filter(channel=Channel.WEBHOOK, day=TODAY)
    assert sorted(r.reminders.count() for r in robots) == [1, 2]


def test_an_email_linked_to_its_reminders_still_lists_them(tree, people):
    """Deliveries written before the digest found its reminders by the run's moment."""
    reminder = ReminderLog.objects.create(
        item_kind=ItemKind.PROBLEM,
        item_id=1,
        recipient=people.secretary_a,
        kind=ReminderKind.OVERDUE,
        day=TODAY,
        unit=tree.branch_a1,
        due_date=d(-2),
        title="旧的提醒",
    )
    with time_machine.travel(datetime(2026, 11, 10, 8, 31, tzinfo=SHANGHAI), tick=False):
        email = Delivery.objects.create(
            channel=Channel.EMAIL,
            unit=tree.branch_a1,
            recipient=people.secretary_a,
            target=people.secretary_a.email,
            day=TODAY,
        )
    email.reminders.add(reminder)
    assert list(selectors.delivery_reminders(email)) == [reminder]
    assert "旧的提醒" in channels.build_email(email).body


def test_the_admin_shows_the_reminders_an_email_carries(
    tree, people, campaign, monkeypatch, admin_client
):
    monkeypatch.setattr(services, "dispatch", lambda **ids: None)
    make_problem(campaign, tree.branch_a1, deadline=d(1), person=people.secretary_a)
    email = Delivery.objects.get(pk=services.send_reminders(day=TODAY).emails[0])
    page = admin_client.get(f"/admin/notifications/delivery/{email.pk}/change/")
    assert page.status_code == 200
    (reminder,) = ReminderLog.objects.all()
    assert str(reminder) in page.content.decode()


def test_a_reminder_deleted_empties_its_notification(tree, people, campaign):
    """The notification's key to its reminder is not checked by the database (both are
    written by one statement); deleting the reminder still empties it (on_delete)."""
    make_problem(campaign, tree.branch_a1, deadline=d(1), person=people.secretary_a)
    services.send_reminders(day=TODAY)
    note = Notification.objects.get()
    assert note.reminder is not None
    ReminderLog.objects.all().delete()
    note.refresh_from_db()
    assert note.reminder_id is None


def test_deliveries_are_queued_in_batches(db, monkeypatch):  # reads quiet hours
    from notifications import tasks

    queued = []
    monkeypatch.setattr(tasks.deliver_batch, "delay", lambda ids: queued.append(ids))
    monkeypatch.setitem(tasks.deliver_batch.app.conf, "task_always_eager", False)
    emails = list(range(1, services.DELIVERY_BATCH * 2 + 2))
    services.dispatch(emails=emails, webhooks=[900, 901])
    size = services.DELIVERY_BATCH
    assert queued == [emails[:size], emails[size : 2 * size], emails[2 * size :], [900, 901]]


def test_a_concurrent_claim_of_the_same_reminders_inserts_nothing(tree, people, campaign):
    make_problem(campaign, tree.branch_a1, deadline=d(1), person=people.secretary_a)
    plan = selectors.plan_reminders(TODAY)
    first = services._claim(plan, TODAY, now=timezone.now())
    # as a run that planned before the first committed
    second = services._claim(plan, TODAY, now=timezone.now())
    assert len(first) == 1 and second == []


def test_long_robot_messages_are_split(tree, people, campaign, monkeypatch):
    monkeypatch.setattr(services, "dispatch", lambda **ids: None)
    tree.branch_a1.webhook_url = "http://127.0.0.1:9/robot"
    tree.branch_a1.save()
    for _ in range(23):
        make_problem(campaign, tree.branch_a1, deadline=d(3), person=people.secretary_a)
    services.send_reminders(day=TODAY)
    robots = Delivery.objects.filter(channel=Channel.WEBHOOK)
    assert sorted(r.reminders.count() for r in robots) == [3, 10, 10]


def _queries_for(n: int, tree, people, campaign) -> int:
    for _ in range(n):
        problem = make_problem(
            campaign, tree.branch_a1, deadline=d(1), person=people.secretary_a, leader=people.leader
        )
        make_measure(problem, deadline=d(-2), person=people.member_a)
        make_assignment(campaign, tree.branch_a1, due=d(3))
        make_milestone(campaign, tree.county_a, due=d(1), leader=people.leader)
    with CaptureQueriesContext(connection) as ctx:
        services.send_reminders(day=TODAY)
    return len(ctx.captured_queries)


def test_the_run_is_batched(tree, people, campaign, monkeypatch):
    monkeypatch.setattr(services, "dispatch", lambda **ids: None)
    small = _queries_for(2, tree, people, campaign)
    ReminderLog.objects.all().delete()
    large = _queries_for(40, tree, people, campaign)
    assert large == small
    assert small <= 25


def test_dry_run_prints_and_writes_nothing(tree, people, campaign):
    make_problem(
        campaign,
        tree.branch_a1,
        deadline=d(3),
        person=people.secretary_a,
        description="会议记录不完整",
    )
    out = StringIO()
    call_command("send_reminders", "--dry-run", "--date", "2026-11-10", stdout=out)
    text = out.getvalue()
    assert "secretary_a" in text and "会议记录不完整" in text and "due_3" in text
    assert "1 reminder(s) would go out" in text
    assert not ReminderLog.objects.exists()
    assert not Notification.objects.exists()
    assert not Delivery.objects.exists()


def test_command_sends_for_the_given_day(tree, people, campaign, monkeypatch):
    monkeypatch.setattr(services, "dispatch", lambda **ids: None)
    make_problem(campaign, tree.branch_a1, deadline=date(2026, 11, 20), person=people.secretary_a)
    out = StringIO()
    call_command("send_reminders", "--date", "2026-11-19", stdout=out)
    assert "1 reminder(s) sent" in out.getvalue()
    assert ReminderLog.objects.get().day == date(2026, 11, 19)


def test_command_rejects_a_bad_date(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("send_reminders", "--date", "2026/12/01")


def test_beat_runs_daily_at_half_past_eight_shanghai_time(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["send-daily-reminders"]
    assert entry["task"] == "notifications.send_daily_reminders"
    assert entry["schedule"].hour == {8} and entry["schedule"].minute == {30}
    assert settings.CELERY_TIMEZONE == "Asia/Shanghai"


def _project(campaign, unit, lead, *, method, state, start):
    from research.models import ResearchFocus, ResearchProject

    return ResearchProject.objects.create(
        campaign=campaign,
        unit=unit,
        lead=lead,
        topic="基层减负情况调研",
        focus=ResearchFocus.choices[0][0],
        method=method,
        state=state,
        start_date=start,
        end_date=start + timedelta(days=5),
    )


def test_research_reminders_from_four_weeks_before_the_quarter_ends(tree, people, campaign):
    from research.models import ProjectState, ResearchMethod

    busy = UserFactory(username="leader_b")
    grant(busy, tree.county_b, Role.LEADER)
    _project(
        campaign,
        tree.county_b,
        busy,
        method=ResearchMethod.ONSITE,
        state=ProjectState.UNDER_WAY,
        start=date(2026, 10, 15),
    )
    planned_only = UserFactory(username="leader_city")
    grant(planned_only, tree.city, Role.LEADER)
    _project(
        campaign,
        tree.city,
        planned_only,
        method=ResearchMethod.ONLINE,
        state=ProjectState.PLANNED,
        start=date(2026, 11, 15),
    )
    branch_leader = UserFactory(username="leader_branch")
    grant(branch_leader, tree.branch_a1, Role.LEADER)  # not a city or county leader

    # the fourth quarter ends on 31 December: reminders start on 4 December
    assert planned(date(2026, 12, 3)) == []
    expected = sorted(
        (ItemKind.RESEARCH, user.pk, user.pk, ReminderKind.RESEARCH)
        for user in (people.leader, planned_only)
    )
    assert planned(date(2026, 12, 4)) == expected
    (item,) = [i for i in sources.research(date(2026, 12, 4)) if i.item_id == people.leader.pk]
    assert item.unit_id == tree.county_a.pk
    assert item.due_date == date(2026, 12, 31)
    assert item.title == "2026年第4季度调研"
    assert item.link == "/research/new/"

    services.send_reminders(day=date(2026, 12, 4))
    note = Notification.objects.get(recipient=people.leader)
    assert note.title == "调研提醒：2026年第4季度调研"
    assert "2026-12-31" in note.body
    for day in range(5, 11):
        assert planned(date(2026, 12, day)) == [], day
    assert planned(date(2026, 12, 11)) == expected  # once a week
    assert planned(date(2027, 1, 5)) == []  # a new quarter, far from its end


def test_a_batch_out_of_time_hands_the_rest_to_its_retry(monkeypatch):
    from celery.exceptions import SoftTimeLimitExceeded

    from notifications import channels as channel_module

    tried = []

    def attempt(*, delivery_id, final, mail_connection):
        tried.append(delivery_id)
        if delivery_id == 2:
            raise channel_module.TransientDeliveryError("HTTP 502")
        if delivery_id == 4:
            raise SoftTimeLimitExceeded
        if delivery_id == 3:
            raise RuntimeError("a bug: recorded on the row, the batch goes on")
        return "sent"

    monkeypatch.setattr(services, "attempt_delivery", attempt)
    assert services.attempt_deliveries(delivery_ids=[1, 2, 3, 4, 5, 6], final=False) == [2, 4, 5, 6]
    assert tried == [1, 2, 3, 4]


def test_a_batch_the_broker_refuses_is_failed_for_the_office(tree, people, monkeypatch):
    from notifications import tasks
    from notifications.models import DeliveryState

    refused, queued = [], []

    def delay(ids):
        if not refused:
            refused.append(ids)
            raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
        queued.append(ids)

    monkeypatch.setattr(tasks.deliver_batch, "delay", delay)
    monkeypatch.setitem(tasks.deliver_batch.app.conf, "task_always_eager", False)
    monkeypatch.setattr(services, "DELIVERY_BATCH", 1)
    deliveries = [
        Delivery.objects.create(
            channel=Channel.EMAIL,
            unit=tree.branch_a1,
            recipient=person,
            target=person.email,
            day=TODAY,
        )
        for person in (people.secretary_a, people.leader)
    ]
    services.dispatch(emails=[d.pk for d in deliveries], webhooks=[])
    assert refused == [[deliveries[0].pk]] and queued == [[deliveries[1].pk]]
    failed, waiting = (Delivery.objects.get(pk=d.pk) for d in deliveries)
    assert failed.state == DeliveryState.FAILED
    assert failed.last_error.startswith("not queued: ConnectionError")
    assert waiting.state == DeliveryState.PENDING
