"""The lifecycle every background job shares (core/jobs.py): sending, leases, the sweep.

The same faults with a real worker process and a real broker are in
tests/security/test_worker_faults.py.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from core import jobs
from core.models import BackgroundJob, JobState, Liveness
from core.tasks import sweep_jobs
from rectification.tasks import export_ledger_job
from reports import services as report_services
from reports.models import WeeklyReport
from reports.periods import Week
from tests.rectification.factories import make_campaign, make_problem

pytestmark = pytest.mark.django_db

WEEK = Week(2026, 47)


def _broker_down(job_id: int) -> None:
    raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


@pytest.fixture
def campaign(tree):
    return make_campaign(tree.city)


@pytest.fixture
def sent(monkeypatch):
    """The tasks handed to the broker, by name; nothing runs."""
    calls: list[tuple[str, int]] = []
    monkeypatch.setattr(
        "reports.tasks.build_weekly_report.delay", lambda pk: calls.append(("report", pk))
    )
    monkeypatch.setattr(
        "rectification.tasks.export_ledger_job.delay", lambda pk: calls.append(("export", pk))
    )
    return calls


def _export_job(tree, people, campaign, **kwargs) -> BackgroundJob:
    return jobs.job_create(
        kind="ledger_export",
        unit=tree.county_a,
        requested_by=people.county_office,
        params={"campaign": campaign.pk, "filters": {}, "title": "台账"},
        **kwargs,
    )


def _age(model, pk: int, **fields) -> None:
    model.objects.filter(pk=pk).update(**fields)


# --- the broker refuses -----------------------------------------------------------------


def test_a_refused_send_leaves_the_job_waiting_and_the_sweep_sends_it(
    tree, people, campaign, sent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = _export_job(tree, people, campaign, enqueue=_broker_down)
    job.refresh_from_db()
    assert job.state == JobState.QUEUED and job.waiting_for_queue
    result = sweep_jobs()
    assert result["resent"] == 1 and sent == [("export", job.pk)]
    job.refresh_from_db()
    assert not job.waiting_for_queue and job.queued_at is not None
    assert sweep_jobs()["resent"] == 0  # sent once is enough (until RESEND_AFTER)


def test_a_message_lost_by_the_broker_is_sent_again_later(tree, people, campaign, sent):
    job = _export_job(tree, people, campaign, enqueue=lambda pk: None)
    _age(BackgroundJob, job.pk, queued_at=timezone.now() - jobs.RESEND_AFTER - timedelta(1))
    assert sweep_jobs()["resent"] == 1 and sent == [("export", job.pk)]


def test_the_sweep_leaves_a_sign_of_life_for_the_health_check(db):
    sweep_jobs()
    assert timezone.now() - Liveness.objects.get(name="worker").at < timedelta(seconds=5)


def test_the_page_of_a_waiting_job_says_it_will_start_shortly(
    client, tree, people, campaign, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = _export_job(tree, people, campaign, enqueue=_broker_down)
    client.force_login(people.county_office)
    page = client.get(reverse("core:job-detail", args=[job.pk])).content.decode()
    assert "服务恢复后将很快自动开始" in page
    status = client.get(reverse("core:job-status", args=[job.pk])).json()
    assert status["waiting_for_queue"] and not status["done"]


# --- a worker dies ----------------------------------------------------------------------


def test_a_job_whose_worker_died_is_run_again(tree, people, campaign, sent, settings):
    make_problem(campaign=campaign, unit=tree.branch_a1)
    job = _export_job(tree, people, campaign, enqueue=lambda pk: None)
    claimed = jobs.job_claim(job_id=job.pk)
    assert claimed is not None and claimed.attempts == 1
    assert sweep_jobs()["rerun"] == 0  # its lease is fresh: left alone
    _age(BackgroundJob, job.pk, heartbeat_at=timezone.now() - timedelta(seconds=61))
    assert sweep_jobs()["rerun"] == 1
    job.refresh_from_db()
    assert job.state == JobState.QUEUED and sent == [("export", job.pk)]
    export_ledger_job.run(job.pk)  # the message the sweep sent
    job.refresh_from_db()
    assert job.state == JobState.DONE and job.attempts == 2 and job.file


def test_a_redelivered_message_takes_over_a_dead_job(tree, people, campaign):
    job = _export_job(tree, people, campaign, enqueue=lambda pk: None)
    assert jobs.job_claim(job_id=job.pk) is not None
    assert jobs.job_claim(job_id=job.pk) is None  # alive: a duplicate message does nothing
    _age(BackgroundJob, job.pk, heartbeat_at=timezone.now() - timedelta(minutes=5))
    export_ledger_job.run(job.pk)
    job.refresh_from_db()
    assert job.state == JobState.DONE and job.attempts == 2


def test_a_worker_that_lost_its_job_changes_nothing(tree, people, campaign):
    job = _export_job(tree, people, campaign, enqueue=lambda pk: None)
    first = jobs.job_claim(job_id=job.pk)
    _age(BackgroundJob, job.pk, heartbeat_at=timezone.now() - timedelta(minutes=5))
    second = jobs.job_claim(job_id=job.pk)
    assert first is not None and second is not None
    jobs.job_progress(job=first, done=9, total=10)
    assert not jobs.job_finish(job=first, content=b"old", file_name="old.xlsx")
    jobs.job_fail(job=first, error="the old worker's error")
    job.refresh_from_db()
    assert (job.state, job.progress, job.error, job.file.name) == (JobState.RUNNING, 0, "", "")
    assert jobs.job_finish(job=second, content=b"new", file_name="new.xlsx")
    job.refresh_from_db()
    assert job.state == JobState.DONE and job.file_name == "new.xlsx"


def test_after_three_dead_workers_the_job_fails_with_a_reason_people_read(
    client, tree, people, campaign, sent
):
    job = _export_job(tree, people, campaign, enqueue=lambda pk: None)
    for _ in range(jobs.MAX_ATTEMPTS):
        assert jobs.job_claim(job_id=job.pk) is not None
        _age(BackgroundJob, job.pk, heartbeat_at=timezone.now() - timedelta(minutes=5))
    assert sweep_jobs()["failed"] == 1
    job.refresh_from_db()
    assert job.state == JobState.FAILED and job.finished_at is not None
    client.force_login(people.county_office)
    status = client.get(reverse("core:job-status", args=[job.pk])).json()
    assert status["done"] and "后台进程已中断 3 次" in status["error"]
    page = client.get(reverse("core:job-detail", args=[job.pk])).content.decode()
    assert "后台进程已中断 3 次" in page


@pytest.mark.django_db(transaction=True)
def test_the_lease_is_renewed_while_the_job_runs(tree, people, campaign, settings):
    import time

    settings.JOB_HEARTBEAT_SECONDS = 0.2
    job = _export_job(tree, people, campaign, enqueue=lambda pk: None)
    claimed = jobs.job_claim(job_id=job.pk)
    assert claimed is not None
    _age(BackgroundJob, job.pk, heartbeat_at=timezone.now() - timedelta(minutes=5))
    with jobs.keep_alive(claimed):
        time.sleep(0.7)
        job.refresh_from_db()
        assert timezone.now() - job.heartbeat_at < timedelta(seconds=1)
    assert jobs.is_alive(job)


# --- weekly reports ---------------------------------------------------------------------


def test_a_stuck_report_never_makes_the_monday_schedule_skip_its_unit(
    tree, people, campaign, sent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report_services.schedule_weekly_reports(week=WEEK)
    stuck = WeeklyReport.objects.get(unit=tree.county_a)
    assert report_services.report_claim(report_id=stuck.pk) is not None  # then its worker died
    _age(WeeklyReport, stuck.pk, heartbeat_at=timezone.now() - timedelta(minutes=5))
    sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        report_services.schedule_weekly_reports(week=WEEK)  # the next tick
    stuck.refresh_from_db()
    assert stuck.state == JobState.QUEUED and ("report", stuck.pk) in sent
    # a build still alive is left to finish
    assert report_services.report_claim(report_id=stuck.pk) is not None
    sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        report_services.schedule_weekly_reports(week=WEEK)
    assert ("report", stuck.pk) not in sent


def test_a_person_asking_again_restarts_a_dead_build_at_once(
    tree, people, campaign, sent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report = report_services.report_request(
            campaign=campaign, unit=tree.county_a, week=WEEK, requested_by=people.county_office
        )
    report_services.report_claim(report_id=report.pk)
    _age(WeeklyReport, report.pk, heartbeat_at=timezone.now() - timedelta(minutes=2))
    with django_capture_on_commit_callbacks(execute=True):
        again = report_services.report_request(
            campaign=campaign, unit=tree.county_a, week=WEEK, requested_by=people.county_office
        )
    assert again.pk == report.pk and again.state == JobState.QUEUED
    assert sent.count(("report", report.pk)) == 2


def test_a_report_request_with_the_broker_down_is_not_a_500(
    client, tree, people, campaign, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr("reports.tasks.build_weekly_report.delay", _broker_down)
    client.force_login(people.county_office)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reports:request"), {"unit": tree.county_a.pk, "week": str(WEEK)}
        )
    report = WeeklyReport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:detail", args=[report.pk])
    assert report.waiting_for_queue
    page = client.get(response["Location"]).content.decode()
    assert "服务恢复后将很快自动开始" in page


def test_the_sweep_runs_every_minute(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["sweep-jobs"]
    assert entry["task"] == "core.sweep_jobs" and entry["schedule"] == 60.0
    assert settings.JOB_LEASE_SECONDS >= 3 * settings.JOB_HEARTBEAT_SECONDS


def test_files_waiting_for_a_person_are_not_kept_past_a_day(tree, people, campaign):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from core.workbooks import store_upload

    upload = store_upload(ContentFile(b"PK\x03\x04", name="a.xlsx"))
    checked = BackgroundJob.objects.create(
        kind="ledger_import",
        unit=tree.branch_a1,
        requested_by=people.secretary_a,
        state=JobState.DONE,
        params={"upload": upload},
    )
    passwords = BackgroundJob.objects.create(
        kind="org_import",
        unit=tree.county_a,
        requested_by=people.county_office,
        state=JobState.DONE,
        params={"download_once": True, "private": True},
    )
    passwords.file.save("passwords.xlsx", ContentFile(b"secret"), save=True)
    assert sweep_jobs()["resent"] == 0
    assert default_storage.exists(upload) and passwords.file  # kept for a day
    day_old = timezone.now() - jobs.UPLOAD_KEPT - timedelta(minutes=1)
    BackgroundJob.objects.filter(pk__in=[checked.pk, passwords.pk]).update(created_at=day_old)
    name = passwords.file.name
    jobs.sweep()
    checked.refresh_from_db()
    passwords.refresh_from_db()
    assert not default_storage.exists(upload) and checked.params["upload"] == ""
    assert not passwords.file and not default_storage.exists(name)


# --- a second tap -----------------------------------------------------------------------


def test_asking_again_while_a_job_runs_gives_the_same_job(tree, people, campaign, sent):
    first = _export_job(tree, people, campaign, reuse_running=True)
    again = _export_job(tree, people, campaign, reuse_running=True)
    assert again.pk == first.pk
    assert BackgroundJob.objects.count() == 1
    # running with a live lease: still the same job
    _age(BackgroundJob, first.pk, state=JobState.RUNNING, heartbeat_at=timezone.now())
    assert _export_job(tree, people, campaign, reuse_running=True).pk == first.pk
    # another question (other filters) or another person is another job
    other = jobs.job_create(
        kind="ledger_export",
        unit=tree.county_a,
        requested_by=people.county_office,
        params={"campaign": campaign.pk, "filters": {"state": "open"}, "title": "台账"},
        reuse_running=True,
    )
    assert other.pk != first.pk
    # once it has ended (or its worker died), asking again starts a new one
    _age(BackgroundJob, first.pk, state=JobState.DONE)
    assert _export_job(tree, people, campaign, reuse_running=True).pk not in (first.pk, other.pk)
