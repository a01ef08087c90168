"""The office's review of a research report (有实情、有分析、有见解): who may review, the
three criteria, the comment a return needs, the states, the history, the author's unit
told, and the queue (in scope, paginated, in a fixed number of queries)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import Action, Role
from notifications.models import EventKind, Notification
from research import selectors, services
from research.models import ReportReview, ReportState, ReviewDecision
from tests.factories import UserFactory, grant
from tests.research.factories import make_project, make_report

pytestmark = pytest.mark.django_db

ALL_THREE = {"has_facts": True, "has_analysis": True, "has_insight": True}
NONE = {"has_facts": False, "has_analysis": False, "has_insight": False}


@pytest.fixture
def report(campaign, tree, people):
    """A county A leader's submitted report: of county A, reviewed by the city's office."""
    project = make_project(campaign=campaign, lead=people.leader, unit=tree.county_a)
    return make_report(project=project, state=ReportState.SUBMITTED)


@pytest.fixture
def branch_leader(tree):
    """A leader of the township committee below county A: county A's office reviews him."""
    user = UserFactory(username="township_leader")
    grant(user, tree.committee_a, Role.LEADER)
    return user


def test_only_an_office_above_the_reports_unit_may_review(report, people, tree):
    assert services.may_review(people.city_office, report)
    # the county's own office is not above its own unit; no one else reviews
    for user in (people.county_office, people.leader, people.viewer, people.secretary_a):
        assert not services.may_review(user, report)
        with pytest.raises(PermissionDenied):
            services.report_review(report=report, actor=user, accept=True, **ALL_THREE)
    assert report.reviews.count() == 0


def test_accepting_needs_all_three_criteria(report, people):
    with pytest.raises(ValidationError) as exc:
        services.report_review(
            report=report,
            actor=people.city_office,
            accept=True,
            has_facts=True,
            has_analysis=True,
            has_insight=False,
        )
    assert set(exc.value.message_dict) == {"has_insight"}
    assert "有实情、有分析、有见解" in exc.value.message_dict["has_insight"][0]
    review = services.report_review(
        report=report, actor=people.city_office, accept=True, **ALL_THREE
    )
    report.refresh_from_db()
    assert report.state == ReportState.ACCEPTED
    assert review.decision == ReviewDecision.ACCEPTED and review.reviewer == people.city_office
    assert report.counts_for_the_year and not report.is_editable


def test_returning_needs_a_comment_and_the_author_resubmits(report, people, campaign):
    with pytest.raises(ValidationError) as exc:
        services.report_review(report=report, actor=people.city_office, accept=False, **NONE)
    assert "comment" in exc.value.message_dict
    services.report_review(
        report=report,
        actor=people.city_office,
        accept=False,
        comment="缺少数据支撑，请补充调研数据。",
        has_facts=True,
        has_analysis=False,
        has_insight=False,
    )
    report.refresh_from_db()
    assert report.state == ReportState.RETURNED
    assert not report.counts_for_the_year
    assert selectors.review_queue(user=people.city_office, campaign=campaign).count() == 0
    # a second review of a returned report is refused
    with pytest.raises(ValidationError):
        services.report_review(report=report, actor=people.city_office, accept=True, **ALL_THREE)
    # saved as a draft it stays returned; submitted again it is back in the queue
    fields = {
        "title": report.title,
        "written_on": report.written_on,
        "body": report.body + "\n\n补充数据。",
        "projects": list(report.projects.all()),
    }
    services.report_update(report=report, actor=people.leader, state=ReportState.DRAFT, **fields)
    report.refresh_from_db()
    assert report.state == ReportState.RETURNED
    services.report_update(
        report=report, actor=people.leader, state=ReportState.SUBMITTED, **fields
    )
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED
    [waiting] = selectors.review_queue(user=people.city_office, campaign=campaign)
    assert waiting.pk == report.pk and waiting.returned_before == 1
    services.report_review(report=report, actor=people.city_office, accept=True, **ALL_THREE)
    assert list(report.reviews.values_list("decision", flat=True)) == ["accepted", "returned"]
    # an accepted report is closed to changes
    with pytest.raises(ValidationError):
        services.report_update(
            report=report, actor=people.leader, state=ReportState.SUBMITTED, **fields
        )


def test_the_history_keeps_every_review_and_state(report, people):
    services.report_review(
        report=report, actor=people.city_office, accept=False, comment="请补充", **NONE
    )
    review = ReportReview.objects.get()
    assert review.events.count() == 1  # pghistory: the review's own history
    states = list(report.events.order_by("pgh_id").values_list("state", flat=True))
    assert states[-1] == ReportState.RETURNED


def test_the_authors_unit_and_the_author_are_told_with_the_comment(
    campaign, tree, people, branch_leader
):
    secretary = UserFactory(username="township_secretary")
    grant(secretary, tree.committee_a, Role.SECRETARY)
    project = make_project(campaign=campaign, lead=branch_leader, unit=tree.committee_a)
    report = make_report(project=project, state=ReportState.SUBMITTED)
    assert services.may_review(people.county_office, report)
    # the office above is told that a report waits in its queue (one line a day)
    waiting = Notification.objects.get(kind=EventKind.WAITING)
    assert waiting.recipient == people.county_office
    assert waiting.title == "1篇调研报告待您审核"
    assert waiting.link == reverse("research:review-queue")
    services.report_review(
        report=report,
        actor=people.county_office,
        accept=False,
        comment="对策建议不够具体",
        **NONE,
    )
    notes = Notification.objects.filter(kind=EventKind.REPORT_RETURNED)
    assert set(notes.values_list("recipient_id", flat=True)) == {secretary.pk, branch_leader.pk}
    note = notes.get(recipient=branch_leader)
    assert note.title == "调研报告被退回：调研报告"
    assert note.body == "意见：对策建议不够具体"
    assert note.link == reverse("research:report-detail", args=[report.pk])
    services.report_update(
        report=report,
        actor=branch_leader,
        title=report.title,
        written_on=report.written_on,
        body=report.body,
        state=ReportState.SUBMITTED,
        projects=[project],
    )
    assert Notification.objects.get(kind=EventKind.WAITING).count == 2  # submitted again
    services.report_review(report=report, actor=people.county_office, accept=True, **ALL_THREE)
    accepted = Notification.objects.get(kind=EventKind.REPORT_ACCEPTED, recipient=branch_leader)
    assert accepted.title == "调研报告已通过：调研报告"


# ---------------------------------------------------------------- pages


def test_the_review_block_accepts_and_returns(client, report, people):
    url = reverse("research:report-detail", args=[report.pk])
    client.force_login(people.leader)
    assert 'id="review"' not in client.get(url).content.decode()
    client.force_login(people.city_office)
    page = client.get(url).content.decode()
    assert 'id="review"' in page and "有实情" in page
    review_url = reverse("research:report-review", args=[report.pk])
    # returning without a comment: the message next to the field, nothing stored
    response = client.post(review_url, {"decision": "return"})
    assert response.status_code == 200
    assert "退回报告前，请写明作者需要改进之处。" in response.content.decode()
    # accepting with two criteria: refused next to the third
    response = client.post(
        review_url, {"decision": "accept", "has_facts": "on", "has_analysis": "on"}
    )
    assert "有实情、有分析、有见解才能通过" in response.content.decode()
    assert not ReportReview.objects.exists()
    response = client.post(review_url, {"decision": "return", "comment": "请补充数据"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.state == ReportState.RETURNED
    page = client.get(url).content.decode()
    assert "请补充数据" in page and 'data-review="returned"' in page


def test_only_the_office_above_may_post_a_review(client, report, people):
    review_url = reverse("research:report-review", args=[report.pk])
    client.force_login(people.county_office)  # the report's own unit
    assert client.post(review_url, {"decision": "accept", **ALL_THREE}).status_code == 403
    leader_b = UserFactory(username="leader_b")
    client.force_login(leader_b)  # no role: the report is not even there
    assert client.post(review_url, {"decision": "accept"}).status_code == 404
    assert not ReportReview.objects.exists()


def test_the_queue_lists_the_reports_in_scope_in_fixed_queries(
    client, campaign, tree, people, branch_leader
):
    project = make_project(campaign=campaign, lead=branch_leader, unit=tree.committee_a)
    mine = make_report(project=project, state=ReportState.SUBMITTED, title="甲镇调研报告")
    make_report(project=project, state=ReportState.DRAFT, title="甲镇草稿")
    county = make_project(campaign=campaign, lead=people.leader, unit=tree.county_a)
    make_report(project=county, state=ReportState.SUBMITTED, title="甲县调研报告")
    url = reverse("research:review-queue")
    client.force_login(people.county_office)
    page = client.get(url).content.decode()
    assert "甲镇调研报告" in page
    assert "甲镇草稿" not in page and "甲县调研报告" not in page  # a draft; its own unit
    client.force_login(people.city_office)
    page = client.get(url).content.decode()
    assert "甲镇调研报告" in page and "甲县调研报告" in page

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    few = queries()
    for n in range(8):
        leader = UserFactory(username=f"rq{n}")
        grant(leader, tree.county_b, Role.LEADER)
        other = make_project(campaign=campaign, lead=leader, unit=tree.county_b)
        make_report(project=other, state=ReportState.SUBMITTED)
    assert queries() == few
    assert mine.pk in [
        r.pk for r in selectors.review_queue(user=people.city_office, campaign=campaign)
    ]


def test_the_queue_is_for_offices_and_in_the_menu(client, people):
    url = reverse("research:review-queue")
    client.force_login(people.leader)
    assert client.get(url).status_code == 403
    assert url not in client.get(reverse("research:report-list")).content.decode()
    client.force_login(people.city_office)
    assert url in client.get(reverse("research:report-list")).content.decode()


def test_the_review_rule_is_the_permission_tables(tree, people):
    from accounts import permissions

    assert permissions.can(people.county_office, Action.REVIEW, tree.committee_a)
    assert not permissions.can(people.county_office, Action.REVIEW, tree.county_a)
    assert not permissions.can(people.county_office, Action.REVIEW, tree.branch_b1)
    assert permissions.can(people.city_office, Action.REVIEW, tree.county_a)
