"""Control characters typed by anyone never break what leaves the site.

A branch secretary pasting ``bad\\x01char`` into a problem made every ledger export that
included it answer 500 (openpyxl's ``IllegalCharacterError``). Text is now cleaned where a
workbook, a PDF, an email or a robot message is written, whatever the field.
"""

from __future__ import annotations

from datetime import date
from io import BytesIO

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from core.jobs import job_create
from core.models import BackgroundJob, JobState
from rectification.models import Problem
from rectification.tasks import export_ledger_job
from tests.rectification.factories import make_campaign, make_problem
from tests.research.factories import make_project

pytestmark = pytest.mark.django_db

BAD = "bad\x01char\x0bend\x1f"
CLEAN = "badcharend"


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel("2026-11-20 10:00 +0800", tick=False):
        yield


@pytest.fixture
def campaign(tree):
    return make_campaign(tree.city)


def _cells(content: bytes) -> set[str]:
    sheet = load_workbook(BytesIO(content)).worksheets[0]
    return {c for row in sheet.iter_rows(values_only=True) for c in row if isinstance(c, str)}


def test_a_problem_typed_with_a_control_character_still_exports(client, people, tree, campaign):
    client.force_login(people.secretary_a)
    response = client.post(
        reverse("rectification:problem-create"),
        {
            "unit": tree.branch_a1.pk,
            "source": "self_review",
            "category": "理论学习",
            "description": BAD,
            "type": "ongoing",
            "discovered_on": "2026-11-20",
            "remarks": "备注\x07",
        },
    )
    assert response.status_code == 302
    assert "\x01" in Problem.objects.get().description  # kept as typed
    for who in (people.county_office, people.city_office, people.secretary_a):
        client.force_login(who)
        export = client.get(reverse("rectification:ledger-export"))
        assert export.status_code == 200
        cells = _cells(b"".join(export.streaming_content))
        assert CLEAN in cells and "备注" in cells


def test_the_background_export_too(people, tree, campaign):
    make_problem(campaign=campaign, unit=tree.branch_a1, description=BAD, measures=2)
    job = job_create(
        kind="ledger_export",
        unit=tree.county_a,
        requested_by=people.county_office,
        params={"campaign": campaign.pk, "filters": {}, "title": "台账\x02"},
        enqueue=lambda pk: None,
    )
    export_ledger_job.run(job.pk)
    job = BackgroundJob.objects.get(pk=job.pk)
    assert job.state == JobState.DONE, job.error
    with job.file.open("rb") as handle:
        assert CLEAN in _cells(handle.read())


def test_the_research_ledger_through_a_project_topic(client, people, tree, campaign):
    make_project(campaign=campaign, lead=people.leader, unit=tree.county_a, topic=BAD)
    client.force_login(people.county_office)
    response = client.get(reverse("research:ledger-export"))
    assert response.status_code == 200
    assert CLEAN in _cells(b"".join(response.streaming_content))


def test_the_weekly_pdf(people, tree, campaign):
    from reports.pdf import render_html, render_pdf
    from reports.periods import Week
    from reports.selectors import weekly_figures

    make_problem(
        campaign=campaign, unit=tree.branch_a1, description=BAD, deadline=date(2026, 11, 1)
    )
    tree.branch_a1.name = "甲一\x01支部"
    tree.branch_a1.save()
    figures = weekly_figures(campaign, tree.city, Week(2026, 47))
    html = render_html(figures)
    assert "\x01" not in html and "\x0b" not in html
    assert render_pdf(figures).page_count >= 1


def test_report_and_reminder_emails(people, tree, campaign, settings):
    from datetime import date as day

    from notifications import channels
    from notifications.models import Channel, Delivery, ItemKind, ReminderKind, ReminderLog

    delivery = Delivery.objects.create(
        channel=Channel.EMAIL,
        unit=tree.branch_a1,
        target="a@example.com",
        day=day(2026, 11, 20),
        recipient=people.secretary_a,
    )
    delivery.reminders.add(
        ReminderLog.objects.create(
            item_kind=ItemKind.PROBLEM,
            item_id=1,
            recipient=people.secretary_a,
            kind=ReminderKind.OVERDUE,
            day=day(2026, 11, 20),
            unit=tree.branch_a1,
            due_date=day(2026, 11, 19),
            title=BAD,
            link="/rectification/1/",
        )
    )
    message = channels.build_email(delivery)
    html = message.alternatives[0][0]
    for text in (message.subject, message.body, html):
        assert "\x01" not in text and "\x0b" not in text
    assert CLEAN in message.body and CLEAN in html
    message.message().as_bytes()  # serialises
