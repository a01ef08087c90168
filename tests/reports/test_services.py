"""Asking for, building, replacing and mailing reports; the Monday schedule."""

from __future__ import annotations

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from accounts.roles import Role
from core.models import JobState
from reports import services, tasks
from reports.models import WeeklyReport
from tests.factories import UserFactory, grant
from tests.reports.conftest import WEEK

pytestmark = pytest.mark.django_db


def ask(data, unit, user, **kwargs):
    sent: list[int] = []
    report = services.report_request(
        campaign=data.campaign,
        unit=unit,
        week=WEEK,
        requested_by=user,
        enqueue=sent.append,
        **kwargs,
    )
    return report, sent


def test_one_report_per_campaign_unit_and_week(data, tree):
    WeeklyReport.objects.create(campaign=data.campaign, unit=tree.county_a, week="2026-W48")
    with pytest.raises(IntegrityError), transaction.atomic():
        WeeklyReport.objects.create(campaign=data.campaign, unit=tree.county_a, week="2026-W48")


def test_the_build_is_sent_on_commit(data, tree, people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        report, sent = ask(data, tree.county_a, people.county_office)
    assert sent == [] and len(callbacks) == 1
    callbacks[0]()
    assert sent == [report.pk]
    assert report.state == JobState.QUEUED and report.requested_by == people.county_office


def test_a_rerun_replaces_the_file_and_keeps_one_row(
    data, tree, people, django_capture_on_commit_callbacks, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    with django_capture_on_commit_callbacks(execute=True):
        report, _sent = ask(data, tree.county_a, people.county_office)
        services.report_build(report_id=report.pk)
    report.refresh_from_db()
    first_file = report.file.name
    assert report.state == JobState.DONE and report.page_count >= 2
    assert (tmp_path / first_file).exists()

    with django_capture_on_commit_callbacks(execute=True):
        again, _sent = ask(data, tree.county_a, people.city_office)
        assert again.pk == report.pk and again.state == JobState.QUEUED
        services.report_build(report_id=again.pk)
    again.refresh_from_db()
    assert WeeklyReport.objects.count() == 1
    assert again.file.name != first_file
    assert not (tmp_path / first_file).exists(), "the old file is deleted"
    assert (tmp_path / again.file.name).exists()
    assert again.generated_by == people.city_office


def test_a_report_being_built_is_not_queued_twice(
    data, tree, people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first, sent_first = ask(data, tree.county_a, people.county_office)
        second, sent_second = ask(data, tree.county_a, people.county_office)
    assert first.pk == second.pk
    assert sent_first == [first.pk] and sent_second == []


def test_a_build_claimed_twice_runs_once(data, tree, people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report, _sent = ask(data, tree.county_a, people.county_office)
    assert services.report_build(report_id=report.pk) is not None
    assert services.report_build(report_id=report.pk) is None  # a duplicate delivery


def test_asking_out_of_scope_is_refused(data, tree, people):
    with pytest.raises(PermissionDenied):
        ask(data, tree.county_b, people.county_office)
    with pytest.raises(PermissionDenied):
        ask(data, tree.branch_a1, people.member_a)
    assert not WeeklyReport.objects.exists()


def test_a_requester_who_lost_the_right_gets_a_failed_report(
    data, tree, people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report, _sent = ask(data, tree.county_a, people.county_office)
    people.county_office.role_assignments.all().delete()
    from accounts.permissions import forget_grants

    forget_grants(people.county_office)
    assert services.report_build(report_id=report.pk) is None
    report.refresh_from_db()
    assert report.state == JobState.FAILED and "无权" in report.error


def test_the_monday_beat_entry():
    entry = settings.CELERY_BEAT_SCHEDULE["build-weekly-reports"]
    assert entry["task"] == "reports.schedule_weekly_reports"
    assert entry["schedule"] == crontab(hour=8, minute=0, day_of_week="mon")
    assert settings.CELERY_TIMEZONE == "Asia/Shanghai"
    assert entry["task"] in tasks.schedule_weekly_reports.app.tasks


def test_the_schedule_builds_last_weeks_city_and_county_reports(
    data, tree, django_capture_on_commit_callbacks, monkeypatch
):
    built: list[int] = []
    monkeypatch.setattr(tasks.build_weekly_report, "delay", built.append)
    with django_capture_on_commit_callbacks(execute=True):
        count = tasks.schedule_weekly_reports.run()
    reports = WeeklyReport.objects.order_by("unit__path")
    assert count == 3
    assert [(r.unit.code, r.week, r.mail_requested) for r in reports] == [
        ("T", "2026-W47", True),
        ("T-A", "2026-W47", True),
        ("T-B", "2026-W47", True),
    ]
    assert sorted(built) == sorted(r.pk for r in reports)
    # a second tick of the same Monday queues nothing new
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.schedule_weekly_reports.run() == 3
    assert len(built) == 3 and WeeklyReport.objects.count() == 3


def test_a_finished_scheduled_report_is_mailed_once_to_the_units_office(
    data, tree, people, django_capture_on_commit_callbacks, monkeypatch
):
    other_office = UserFactory(username="office2", email="office2@example.invalid")
    grant(other_office, tree.county_a, Role.OFFICE)
    grant(UserFactory(username="noemail", email=""), tree.county_a, Role.OFFICE)
    mailed: list[int] = []
    monkeypatch.setattr(services, "_enqueue_mail", mailed.append)
    with django_capture_on_commit_callbacks(execute=True):
        report, _sent = ask(data, tree.county_a, None, mail=True)
        services.report_build(report_id=report.pk)
    assert mailed == [report.pk]
    assert services.report_mail(report_id=report.pk) == 2
    assert services.report_mail(report_id=report.pk) == 0  # once only
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "甲县委工作进展周报（2026年第48周）"
    assert sorted(message.to) == ["county_office@example.invalid", "office2@example.invalid"]
    assert "附件为甲县委" in message.body and "2026年11月23日至2026年11月29日" in message.body
    assert message.alternatives and "text/html" in message.alternatives[0][1]
    (name, content, mimetype) = message.attachments[0]
    assert name == "甲县委-2026年第48周-工作周报.pdf" and mimetype == "application/pdf"
    assert content.startswith(b"%PDF")
    report.refresh_from_db()
    assert report.mailed_at is not None


def test_an_english_installation_mails_its_dates_in_english(
    data, tree, people, django_capture_on_commit_callbacks, monkeypatch, settings
):
    settings.LANGUAGE_CODE = "en"
    monkeypatch.setattr(services, "_enqueue_mail", lambda _pk: None)
    with django_capture_on_commit_callbacks(execute=True):
        report, _sent = ask(data, tree.county_a, None, mail=True)
        services.report_build(report_id=report.pk)
    assert services.report_mail(report_id=report.pk) == 1
    body = mail.outbox[0].body
    assert "Period: Nov. 23, 2026 to Nov. 29, 2026" in body
    assert "年" not in body.split("Period:")[1].split(";")[0]


def test_a_failing_mail_server_makes_the_task_retry(
    data, tree, people, django_capture_on_commit_callbacks, monkeypatch
):
    import smtplib

    monkeypatch.setattr(services, "_enqueue_mail", lambda report_id: None)
    with django_capture_on_commit_callbacks(execute=True):
        report, _sent = ask(data, tree.county_a, None, mail=True)
        services.report_build(report_id=report.pk)

    def refuse(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("down")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", refuse)
    with pytest.raises(smtplib.SMTPServerDisconnected):
        services.report_mail(report_id=report.pk)
    report.refresh_from_db()
    assert report.mailed_at is None  # so that the retry sends it
    assert smtplib.SMTPException in tasks.mail_weekly_report.autoretry_for
