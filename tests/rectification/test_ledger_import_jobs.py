"""The ledger import from its page: the request stores the file, background jobs read it
(streamed) and, once confirmed, write it; the page follows them."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from core.models import AuditEvent, BackgroundJob, JobState
from rectification import ledger_jobs
from rectification.models import Measure, Problem
from tests.rectification.factories import make_campaign
from tests.rectification.test_ledger_import import HEADER, good_row, xlsx

pytestmark = pytest.mark.django_db

IMPORT_URL = "rectification:ledger-import"


@pytest.fixture
def campaign(tree):
    return make_campaign(tree.city)


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """Post, then run what was queued (the jobs run in-process without a broker)."""

    def post(client, url, data=None):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data or {})

    return post


def upload(data: bytes, name: str = "台账.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def test_anonymous_goes_to_login(client, campaign):
    response = client.get(reverse(IMPORT_URL))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(("who", "status"), [("outsider", 404), ("viewer", 403), ("member_a", 403)])
def test_who_may_not_import(login, people, campaign, who, status):
    client = login(getattr(people, who))
    assert client.get(reverse(IMPORT_URL)).status_code == status
    response = client.post(reverse(IMPORT_URL), {"file": upload(b"x")})
    assert response.status_code == status
    assert not BackgroundJob.objects.exists()


def test_the_request_only_stores_the_file(login, people, tree, campaign, monkeypatch):
    read: list[int] = []
    monkeypatch.setattr("rectification.tasks.import_ledger_job.delay", read.append)
    client = login(people.secretary_a)
    data = xlsx([HEADER, good_row(1)])
    response = client.post(reverse(IMPORT_URL), {"unit": tree.branch_a1.pk, "file": upload(data)})
    job = BackgroundJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("rectification:ledger-import-job", args=[job.pk])
    assert job.kind == "ledger_import" and job.state == JobState.QUEUED
    with default_storage.open(job.params["upload"], "rb") as stored:
        assert stored.read() == data
    page = client.get(response["Location"]).content.decode()
    assert 'data-poll-url="' in page and "问题1" not in page


def test_preview_then_confirm_writes_all(login, people, tree, campaign, send):
    client = login(people.secretary_a)
    assert client.get(reverse(IMPORT_URL)).status_code == 200
    data = xlsx([["台账"], HEADER, good_row(1), good_row(1, measure="措施二"), good_row(2)])
    response = send(client, reverse(IMPORT_URL), {"unit": tree.branch_a1.pk, "file": upload(data)})
    preview = BackgroundJob.objects.get()
    assert preview.state == JobState.DONE and preview.result["ok"]
    page = client.get(response["Location"])
    text = page.content.decode()
    assert "问题1" in text and "措施二" in text and 'name="confirm"' in text
    assert not Problem.objects.exists()  # the preview writes nothing
    response = send(client, response["Location"], {"confirm": "1"})
    writing = BackgroundJob.objects.exclude(pk=preview.pk).get()
    assert response["Location"] == reverse("rectification:ledger-import-job", args=[writing.pk])
    assert writing.state == JobState.DONE and writing.result["written"], writing.error
    assert Problem.objects.filter(unit=tree.branch_a1).count() == 2
    assert Measure.objects.count() == 3
    done = client.get(reverse("rectification:ledger-import-job", args=[writing.pk]))
    assert done.status_code == 302
    assert done["Location"] == f"{reverse('rectification:problem-list')}?unit={tree.branch_a1.pk}"
    assert AuditEvent.objects.filter(kind="import", actor=people.secretary_a).exists()
    assert not default_storage.exists(writing.params["upload"])  # nothing kept once written
    # the same confirmation cannot be replayed
    send(client, reverse("rectification:ledger-import-job", args=[preview.pk]), {"confirm": "1"})
    assert Problem.objects.count() == 2 and BackgroundJob.objects.count() == 2


def test_preview_lists_every_bad_row_and_offers_no_confirm(login, people, tree, campaign, send):
    client = login(people.secretary_a)
    data = xlsx([HEADER, good_row(1, deadline="2026-02-30"), good_row(2, category="")])
    response = send(client, reverse(IMPORT_URL), {"unit": tree.branch_a1.pk, "file": upload(data)})
    job = BackgroundJob.objects.get()
    assert job.result["error_count"] == 2 and not job.result["ok"]
    page = client.get(response["Location"]).content.decode()
    assert "2026-02-30" in page and 'name="confirm"' not in page
    assert not default_storage.exists(job.params["upload"])
    send(client, response["Location"], {"confirm": "1"})
    assert not Problem.objects.exists()


def test_refusals_before_and_after_the_upload(login, people, tree, campaign, send):
    client = login(people.secretary_a)
    response = client.post(
        reverse(IMPORT_URL), {"unit": tree.branch_a1.pk, "file": upload(b"not excel", "a.xls")}
    )
    assert response.status_code == 200
    assert "xlsx" in str(response.context["form"].errors["file"])
    assert not BackgroundJob.objects.exists()
    # what only reading the rows finds is told on the job's page
    response = send(
        client, reverse(IMPORT_URL), {"unit": tree.branch_a1.pk, "file": upload(xlsx([["无表头"]]))}
    )
    job = BackgroundJob.objects.get()
    assert job.state == JobState.FAILED and "表头" in job.error
    assert "表头" in client.get(response["Location"]).content.decode()


def test_secretary_cannot_import_into_another_unit(login, people, tree, campaign):
    client = login(people.secretary_a)
    data = xlsx([HEADER, good_row(1)])
    response = client.post(reverse(IMPORT_URL), {"unit": tree.branch_b1.pk, "file": upload(data)})
    assert response.status_code == 200
    assert "unit" in response.context["form"].errors
    assert not BackgroundJob.objects.exists()


def test_nobody_else_sees_an_import(login, people, tree, campaign, send):
    client = login(people.secretary_a)
    data = xlsx([HEADER, good_row(1)])
    response = send(client, reverse(IMPORT_URL), {"unit": tree.branch_a1.pk, "file": upload(data)})
    for other in (people.county_office, people.secretary_b, people.city_office):
        client = login(other)
        assert client.get(response["Location"]).status_code == 404
        send(client, response["Location"], {"confirm": "1"})
    assert not Problem.objects.exists()


def test_the_job_rechecks_the_right_to_import(login, people, tree, campaign, send):
    from accounts.permissions import forget_grants

    client = login(people.secretary_a)
    data = xlsx([HEADER, good_row(1)])
    job = ledger_jobs.start_import(
        campaign=campaign,
        unit=tree.branch_a1,
        user=people.secretary_a,
        upload=SimpleUploadedFile("a.xlsx", data),
        file_name="a.xlsx",
    )
    people.secretary_a.role_assignments.all().delete()
    forget_grants(people.secretary_a)
    from rectification.tasks import import_ledger_job

    import_ledger_job.run(job.pk)
    job.refresh_from_db()
    assert job.state == JobState.FAILED and not default_storage.exists(job.params["upload"])
    assert client  # the page is his, but nothing was read for him


def test_a_large_ledger_is_read_with_merged_cells_carried(tree, people, campaign, send, login):
    """Read-only (streamed) parsing keeps what the normal load gave: merged cells."""
    wb = Workbook()
    ws = wb.active
    ws.append(["某支部整改台账"])
    ws.merge_cells("A1:L1")
    ws.append(HEADER)
    for n in range(1, 301):
        first = ws.max_row + 1
        ws.append(good_row(n))
        ws.append(good_row(n, measure=f"措施{n}-2", description=None, category=None))
        for col in "ABCD":
            ws.merge_cells(f"{col}{first}:{col}{first + 1}")
    out = BytesIO()
    wb.save(out)
    client = login(people.secretary_a)
    send(client, reverse(IMPORT_URL), {"unit": tree.branch_a1.pk, "file": upload(out.getvalue())})
    job = BackgroundJob.objects.get()
    assert job.result["ok"], job.result.get("errors", [])[:3] or job.error
    assert job.result["problem_count"] == 300 and job.result["measure_count"] == 600
