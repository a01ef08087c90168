"""Every research page through the permission table: out of scope 404, read-only 403,
anonymous to the login page; bad input shown next to the field; list pages in a fixed
number of queries."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import Role
from rectification.models import Problem, ProblemSource
from research.models import (
    Decision,
    Finding,
    ProjectAttachment,
    ResearchProject,
    ResearchReport,
)
from tests.factories import UserFactory, grant
from tests.research.factories import make_decision, make_finding, make_project, make_report

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def records(campaign, tree, people):
    project = make_project(campaign=campaign, lead=people.leader, unit=tree.county_a)
    report = make_report(project=project)
    finding = make_finding(project=project, unit=tree.branch_a1)
    decision = make_decision(campaign=campaign, unit=tree.county_a, projects=[project])
    attachment = ProjectAttachment.objects.create(
        project=project,
        file=SimpleUploadedFile("photo.pdf", PDF),
        original_name="photo.pdf",
        size=len(PDF),
    )
    other_leader = UserFactory(username="leader_a2")
    grant(other_leader, tree.county_a, Role.LEADER)
    return {
        "project": project,
        "report": report,
        "finding": finding,
        "decision": decision,
        "attachment": attachment,
        "other_leader": other_leader,
    }


READ_PAGES = [
    ("research:project-detail", "project"),
    ("research:report-detail", "report"),
    ("research:finding-detail", "finding"),
    ("research:decision-detail", "decision"),
    ("research:attachment-download", "attachment"),
]
EDIT_PAGES = [
    ("research:project-edit", "project"),
    ("research:finding-create", "project"),
    ("research:report-edit", "report"),
    ("research:finding-problem", "finding"),
    ("research:finding-solve", "finding"),
    ("research:decision-edit", "decision"),
]
LIST_PAGES = [
    "research:project-list",
    "research:report-list",
    "research:decision-list",
    "research:solved-list",
    "research:compliance",
]

# who -> expected status for (read pages, edit pages)
TABLE = {
    "city_office": (200, 200),
    "county_office": (200, 200),
    "leader": (200, 200),  # his own project, report and finding (the decision: office's)
    "viewer": (200, 403),
    "secretary_a": (404, 404),  # branch A1 does not see county A's records
    "secretary_b": (404, 404),
    "member_a": (404, 404),
    "outsider": (404, 404),
}


def _who(people, records, name):
    return records["other_leader"] if name == "other_leader" else getattr(people, name)


@pytest.mark.parametrize("who", sorted(TABLE))
def test_permission_table_for_every_page(client, people, records, who):
    user = _who(people, records, who)
    client.force_login(user)
    read, edit = TABLE[who]
    for name, key in READ_PAGES:
        response = client.get(reverse(name, args=[records[key].pk]))
        assert response.status_code == read, (who, name)
    for name, key in EDIT_PAGES:
        expected = edit
        if who == "leader" and name == "research:decision-edit":
            expected = 403  # the decision was recorded by the office, not by him
        response = client.get(reverse(name, args=[records[key].pk]))
        assert response.status_code == expected, (who, name)
    for name in LIST_PAGES:
        assert client.get(reverse(name)).status_code == 200, (who, name)


def test_another_leader_reads_but_does_not_edit(client, people, records):
    client.force_login(records["other_leader"])
    assert (
        client.get(reverse("research:project-detail", args=[records["project"].pk])).status_code
        == 200
    )
    for name, key in EDIT_PAGES:
        assert client.get(reverse(name, args=[records[key].pk])).status_code == 403, name
    response = client.post(
        reverse("research:project-attach", args=[records["project"].pk]),
        {"file": SimpleUploadedFile("a.pdf", PDF)},
    )
    assert response.status_code == 403


def test_create_pages(client, people, records):
    for who, expected in [
        ("leader", 200), ("county_office", 200), ("viewer", 403), ("secretary_a", 403),
        ("outsider", 404),
    ]:  # fmt: skip
        client.force_login(getattr(people, who))
        for name in ("research:project-create", "research:decision-create"):
            assert client.get(reverse(name)).status_code == expected, (who, name)
    client.force_login(people.viewer)
    assert client.get(reverse("research:report-create")).status_code == 403


def test_anonymous_goes_to_login(client, records):
    urls = [reverse(n, args=[records[k].pk]) for n, k in READ_PAGES + EDIT_PAGES]
    urls += [reverse(n) for n in LIST_PAGES]
    urls += [reverse("research:project-create"), reverse("research:ledger-export")]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_leader_records_a_project_and_bad_dates_are_shown_next_to_the_field(
    client, people, tree, campaign
):
    client.force_login(people.leader)
    data = {
        "unit": tree.county_a.pk,
        "lead": people.leader.pk,
        "topic": "蹲点调研",
        "focus": "chokepoint",
        "method": "onsite",
        "sites": "甲镇\n甲一村",
        "start_date": "2026-11-10",
        "end_date": "2026-11-09",
        "state": "done",
    }
    response = client.post(reverse("research:project-create"), data)
    assert response.status_code == 200
    assert "不能早于开始日期" in response.content.decode()
    assert 'id="id_end_date_error"' in response.content.decode()
    assert not ResearchProject.objects.exists()
    data["end_date"] = "2026-11-12"
    response = client.post(reverse("research:project-create"), data)
    project = ResearchProject.objects.get()
    assert response.status_code == 302 and project.site_list == ["甲镇", "甲一村"]
    # a leader cannot slip in someone else as lead
    other = UserFactory(username="leader_a3")
    grant(other, tree.county_a, Role.LEADER)
    response = client.post(reverse("research:project-create"), {**data, "lead": other.pk})
    assert response.status_code == 200 and ResearchProject.objects.count() == 1


def test_report_form_has_no_author_field_and_refuses_future_dates(client, people, records):
    client.force_login(people.leader)
    url = reverse("research:report-create") + f"?project={records['project'].pk}"
    page = client.get(url).content.decode()
    assert 'name="author"' not in page
    data = {
        "title": "报告",
        "projects": [records["project"].pk],
        "written_on": "2026-11-21",
        "state": "submitted",
        "body": "# 一、情况\n内容<script>alert(1)</script>",
    }
    response = client.post(url, data)
    assert "报告日期不能晚于今天" in response.content.decode()
    assert ResearchReport.objects.count() == 1
    data["written_on"] = "2026-11-20"
    response = client.post(url, data)
    report = ResearchReport.objects.latest("pk")
    assert report.author == people.leader
    page = client.get(reverse("research:report-detail", args=[report.pk])).content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert "一、情况</h2>" in page  # the page title is the h1


def test_office_writes_the_report_in_the_leads_name(client, people, records):
    client.force_login(people.county_office)
    response = client.post(
        reverse("research:report-create"),
        {"title": "报告", "projects": [records["project"].pk], "written_on": "2026-11-20",
         "state": "draft", "body": "内容"},
    )  # fmt: skip
    assert response.status_code == 302
    assert ResearchReport.objects.latest("pk").author == people.leader


def test_finding_into_problem_through_the_page_once(client, people, records, tree):
    finding = records["finding"]
    client.force_login(people.leader)
    url = reverse("research:finding-problem", args=[finding.pk])
    response = client.post(
        url, {"category": "服务群众", "type": "deadline", "deadline": "2026-12-31"}
    )
    assert response.status_code == 302
    finding.refresh_from_db()
    problem = Problem.objects.get()
    assert finding.problem == problem and problem.source == ProblemSource.RESEARCH
    assert problem.unit == tree.branch_a1
    response = client.post(url, {"category": "服务群众", "type": "deadline"}, follow=True)
    assert "只能转一次" in response.content.decode()
    assert Problem.objects.count() == 1
    detail = client.get(reverse("research:finding-detail", args=[finding.pk])).content.decode()
    assert reverse("rectification:problem-detail", args=[problem.pk]) in detail


def test_mark_solved_appears_in_the_solved_list(client, people, records):
    finding = records["finding"]
    client.force_login(people.leader)
    response = client.post(
        reverse("research:finding-solve", args=[finding.pk]), {"how": "", "solved_on": "2026-11-20"}
    )
    assert (
        response.status_code == 200 and not Finding.objects.filter(solved_on__isnull=False).exists()
    )
    client.post(
        reverse("research:finding-solve", args=[finding.pk]),
        {"how": "延长开放时间", "solved_on": "2026-11-20"},
    )
    page = client.get(reverse("research:solved-list")).content.decode()
    assert "延长开放时间" in page


def test_decision_without_research_is_flagged_and_outside_research_refused(
    client, people, records, campaign, tree
):
    bare = make_decision(campaign=campaign, unit=tree.county_a, title="无依据的决定")
    client.force_login(people.county_office)
    listing = client.get(reverse("research:decision-list")).content.decode()
    assert listing.count("不调研不决策、先调研后决策") >= 2  # the note and the flag
    detail = client.get(reverse("research:decision-detail", args=[bare.pk])).content.decode()
    assert "不调研不决策、先调研后决策" in detail
    cited = client.get(reverse("research:decision-detail", args=[records["decision"].pk]))
    assert "flag-red" not in cited.content.decode()
    leader_b = UserFactory(username="leader_b")
    grant(leader_b, tree.county_b, Role.LEADER)
    outside = make_project(campaign=campaign, lead=leader_b, unit=tree.county_b)
    response = client.post(
        reverse("research:decision-create"),
        {"unit": tree.county_a.pk, "title": "决定", "decided_on": "2026-11-20", "body": "内容",
         "projects": [outside.pk]},
    )  # fmt: skip
    assert response.status_code == 200
    assert "只能引用您管理范围内的调研成果" in response.content.decode()
    assert Decision.objects.count() == 2


def test_attachment_upload_checks_the_content(client, people, records):
    client.force_login(people.leader)
    url = reverse("research:project-attach", args=[records["project"].pk])
    client.post(url, {"file": SimpleUploadedFile("fake.pdf", b"<html>not a pdf</html>")})
    assert ProjectAttachment.objects.count() == 1
    client.post(url, {"file": SimpleUploadedFile("notes.pdf", PDF)})
    assert ProjectAttachment.objects.count() == 2


def test_history_is_shown(client, people, records):
    client.force_login(people.county_office)
    page = client.get(reverse("research:project-detail", args=[records["project"].pk]))
    assert 'id="history-heading"' in page.content.decode()


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("name", LIST_PAGES)
def test_list_pages_answer_in_a_fixed_number_of_queries(client, people, campaign, tree, name):
    client.force_login(people.city_office)
    project = make_project(campaign=campaign, lead=people.leader, unit=tree.county_a)
    make_report(project=project)
    finding = make_finding(project=project)
    finding.solved_on, finding.solved_how = date(2026, 11, 1), "已解决"
    finding.save()
    make_decision(campaign=campaign, unit=tree.county_a)
    url = reverse(name)
    few = _queries(client, url)
    for n in range(12):
        leader = UserFactory(username=f"lq{n}")
        grant(leader, tree.county_b, Role.LEADER)
        project = make_project(campaign=campaign, lead=leader, unit=tree.county_b)
        make_report(project=project)
        finding = make_finding(project=project, focus="chokepoint")
        finding.solved_on, finding.solved_how = date(2026, 11, 1), "已解决"
        finding.save()
        make_decision(campaign=campaign, unit=tree.county_b, projects=[project])
    assert _queries(client, url) == few


def test_a_project_page_lists_only_the_decisions_and_reports_in_scope(
    client, people, campaign, tree
):
    project = make_project(campaign=campaign, lead=people.leader, unit=tree.county_a)
    make_decision(campaign=campaign, unit=tree.county_a, projects=[project], title="甲县的决定")
    make_decision(campaign=campaign, unit=tree.county_b, projects=[project], title="乙县的决定")
    client.force_login(people.county_office)
    page = client.get(reverse("research:project-detail", args=[project.pk])).content.decode()
    assert "甲县的决定" in page
    assert "乙县的决定" not in page
    client.force_login(people.city_office)
    page = client.get(reverse("research:project-detail", args=[project.pk])).content.decode()
    assert "甲县的决定" in page and "乙县的决定" in page
