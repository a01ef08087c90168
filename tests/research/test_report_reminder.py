"""The yearly report reminder (每年至少一篇调研报告): from 1 November each city and county
leader without a research report for the year (submitted, waiting for review or
accepted) is reminded once a week until he has one, through the daily reminder run and
its channels; the source reads in one query per campaign whatever the number of leaders."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.roles import Role
from notifications import selectors, services, sources
from notifications.models import ItemKind, Notification, ReminderKind, ReminderLog
from research import services as research_services
from research.models import ReportState
from tests.factories import UserFactory, grant
from tests.research.factories import make_project, make_report

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 8, 30, tzinfo=SHANGHAI)


def yearly(day: date) -> list[tuple[int, int]]:
    """(item, recipient) of the yearly report reminders planned for the day."""
    return sorted(
        (p.item.item_id, p.recipient_id)
        for p in selectors.plan_reminders(day)
        if p.kind == ReminderKind.RESEARCH_REPORT
    )


def test_leaders_without_a_report_are_reminded_from_1_november(campaign, tree, people):
    reported = UserFactory(username="leader_b")
    grant(reported, tree.county_b, Role.LEADER)
    accepted = make_report(
        project=make_project(campaign=campaign, lead=reported, unit=tree.county_b),
        written_on=date(2026, 3, 1),
    )
    research_services.report_review(
        report=accepted,
        actor=people.city_office,
        accept=True,
        has_facts=True,
        has_analysis=True,
        has_insight=True,
    )
    drafting = UserFactory(username="leader_city")
    grant(drafting, tree.city, Role.LEADER)
    make_report(
        project=make_project(campaign=campaign, lead=drafting, unit=tree.city),
        written_on=date(2026, 10, 1),
        state=ReportState.DRAFT,
    )
    last_year = UserFactory(username="leader_city2")
    grant(last_year, tree.city, Role.LEADER)
    make_report(
        project=make_project(
            campaign=campaign, lead=last_year, unit=tree.city, start=date(2025, 10, 1)
        ),
        written_on=date(2025, 12, 1),
    )
    township = UserFactory(username="leader_township")
    grant(township, tree.committee_a, Role.LEADER)  # not a city or county leader

    with time_machine.travel(at(date(2026, 10, 31)), tick=False):
        assert yearly(date(2026, 10, 31)) == []
    expected = sorted((u.pk, u.pk) for u in (people.leader, drafting, last_year))
    with time_machine.travel(at(date(2026, 11, 1)), tick=False):
        assert yearly(date(2026, 11, 1)) == expected
        (item,) = [
            i for i in sources.research_reports(date(2026, 11, 1)) if i.item_id == drafting.pk
        ]
        assert item.item_kind == ItemKind.RESEARCH
        assert item.due_date == date(2026, 12, 31)
        assert item.title == "2026年度调研报告"
        assert item.link == "/research/reports/new/"
        assert item.unit_id == tree.city.pk

        services.send_reminders(day=date(2026, 11, 1))
        note = Notification.objects.get(recipient=drafting, kind=ReminderKind.RESEARCH_REPORT)
        assert note.title == "调研报告提醒：2026年度调研报告"
        assert note.body == "您本年度尚未提交调研报告，本年度截至2026-12-31。"
        assert ReminderLog.objects.filter(kind=ReminderKind.RESEARCH_REPORT).count() == 3
    # once a week, not daily
    for day in range(2, 8):
        with time_machine.travel(at(date(2026, 11, day)), tick=False):
            assert yearly(date(2026, 11, day)) == [], day
    with time_machine.travel(at(date(2026, 11, 8)), tick=False):
        assert yearly(date(2026, 11, 8)) == expected


def test_a_submitted_report_stops_the_reminder_and_a_returned_one_does_not(campaign, tree, people):
    project = make_project(campaign=campaign, lead=people.leader, unit=tree.county_a)
    with time_machine.travel(at(date(2026, 11, 20)), tick=False):
        report = make_report(project=project, written_on=date(2026, 11, 18))
        assert yearly(date(2026, 11, 20)) == []
        research_services.report_review(
            report=report,
            actor=people.city_office,
            accept=False,
            comment="请补充",
            has_facts=False,
            has_analysis=False,
            has_insight=False,
        )
        assert yearly(date(2026, 11, 20)) == [(people.leader.pk, people.leader.pk)]


def test_the_source_reads_in_one_query_whatever_the_number_of_leaders(campaign, tree, people):
    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            list(sources.research_reports(date(2026, 12, 1)))
        return len(ctx.captured_queries)

    with time_machine.travel(at(date(2026, 12, 1)), tick=False):
        few = queries()
        for n in range(10):
            leader = UserFactory(username=f"yl{n}")
            grant(leader, tree.county_b, Role.LEADER)
            if n % 2:
                make_report(
                    project=make_project(campaign=campaign, lead=leader, unit=tree.county_b)
                )
        assert queries() == few == 2  # the active campaigns, then its leaders without a report
        assert len(list(sources.research_reports(date(2026, 12, 1)))) == 1 + 5
