"""The reports pages: scope, permissions, the request form, progress and download."""

from __future__ import annotations

import pytest
from django.urls import reverse

from core.models import JobState
from reports import services
from reports.models import WeeklyReport
from reports.tasks import build_weekly_report
from tests.factories import make_unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(data, tree, tmp_path, settings, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path
    with django_capture_on_commit_callbacks(execute=True):
        r = services.report_request(
            campaign=data.campaign,
            unit=tree.county_a,
            week=services.Week(2026, 48),
            requested_by=None,
            enqueue=lambda report_id: None,
        )
        services.report_build(report_id=r.pk)
    r.refresh_from_db()
    return r


def test_anonymous_goes_to_login(client, report):
    for url in (reverse("reports:list"), reverse("reports:download", args=[report.pk])):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("who", ["county_office", "leader", "viewer", "city_office"])
def test_people_in_scope_download(login, people, report, who):
    response = login(getattr(people, who)).get(reverse("reports:download", args=[report.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert "attachment" in response["Content-Disposition"]


@pytest.mark.parametrize("who", ["outsider", "secretary_b", "member_a", "secretary_a"])
def test_people_out_of_scope_get_404(login, people, report, who):
    """secretary_a's scope is his branch: the county's report covers more than his scope."""
    client = login(getattr(people, who))
    for name in ("reports:download", "reports:detail", "reports:status"):
        assert client.get(reverse(name, args=[report.pk])).status_code == 404


def test_outsider_cannot_build(login, people, tree, data):
    client = login(people.outsider)
    response = client.post(
        reverse("reports:request"), {"unit": tree.county_a.pk, "week": "2026-W48"}
    )
    assert response.status_code == 404
    assert not WeeklyReport.objects.exists()


def test_a_unit_outside_the_scope_is_404_and_a_visible_one_without_export_403(
    login, people, tree, data
):
    response = login(people.county_office).post(
        reverse("reports:request"), {"unit": tree.county_b.pk, "week": "2026-W48"}
    )
    assert response.status_code == 404
    response = login(people.member_a).post(
        reverse("reports:request"), {"unit": tree.branch_a1.pk, "week": "2026-W48"}
    )
    assert response.status_code == 403
    assert not WeeklyReport.objects.exists()


def test_the_office_asks_for_this_weeks_report_and_follows_it(
    login, people, tree, data, django_capture_on_commit_callbacks, monkeypatch
):
    queued: list[int] = []
    monkeypatch.setattr(build_weekly_report, "delay", queued.append)
    client = login(people.county_office)
    page = client.get(reverse("reports:list"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "生成报告" in html and "甲县委" in html and "乙县委" not in html
    assert (
        "2026年第48周" in html
        and "本周" in html
        and "W48" not in html.replace('value="2026-W48"', "")
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reports:request"), {"unit": tree.county_a.pk, "week": "2026-W48"}
        )
    report = WeeklyReport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:detail", args=[report.pk])
    assert queued == [report.pk]
    detail = client.get(response["Location"]).content.decode()
    status_url = reverse("reports:status", args=[report.pk])
    assert f'data-poll-url="{status_url}"' in detail
    assert client.get(reverse("reports:status", args=[report.pk])).json() == {
        "state": "queued",
        "progress": 0,
        "done": False,
        "waiting_for_queue": False,
        "error": "",
    }
    assert client.get(reverse("reports:download", args=[report.pk])).status_code == 404

    services.report_build(report_id=report.pk)
    status = client.get(reverse("reports:status", args=[report.pk])).json()
    assert status["state"] == JobState.DONE and status["done"] and status["progress"] == 100
    detail = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert reverse("reports:download", args=[report.pk]) in detail and "data-poll-url" not in detail
    assert client.get(reverse("reports:download", args=[report.pk])).status_code == 200


def test_bad_input_is_explained_next_to_the_field(login, people, data):
    client = login(people.county_office)
    response = client.post(reverse("reports:request"), {"unit": "", "week": "1999-W01"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "请选择报告的单位。" in html and "请从列出的周次中选择。" in html
    assert not WeeklyReport.objects.exists()


def test_a_member_sees_no_form_and_no_reports(login, people, report):
    html = login(people.member_a).get(reverse("reports:list")).content.decode()
    assert "生成报告" not in html and report.week not in html


def test_the_list_query_count_is_fixed(
    login, people, tree, data, report, django_assert_max_num_queries
):
    client = login(people.city_office)
    with django_assert_max_num_queries(20) as small:
        assert client.get(reverse("reports:list")).status_code == 200
    for i in range(30):
        unit = make_unit(tree.city, kind="county")
        WeeklyReport.objects.create(
            campaign=data.campaign, unit=unit, week="2026-W47", state=JobState.DONE
        )
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(reverse("reports:list"))
    assert response.status_code == 200
    assert response.context["page_obj"].paginator.count == 31
    assert len(response.context["reports"]) == 25
