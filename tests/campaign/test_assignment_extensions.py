"""Extension requests for an assignment's due date (延期申请): the unit holding it asks, the
office of a unit above answers (the rule of 销号); until approved the old due date counts;
approved, the assignment's own due date moves, never the task's for every unit."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from pghistory.models import Events

from campaign import selectors, services
from campaign.models import (
    Assignment,
    AssignmentExtension,
    AssignmentState,
    ExtensionState,
    Workstream,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def assignment(campaign, tree, people):
    task = services.task_create(
        actor=people.county_office,
        campaign=campaign,
        issuer=tree.county_a,
        workstream=Workstream.STUDY,
        title="专题读书班",
        due_date=date(2026, 11, 25),
    )
    services.task_deploy(
        actor=people.county_office, task=task, units=[tree.branch_a1, tree.branch_a2]
    )
    return task.assignments.get(unit=tree.branch_a1)


def ask(assignment, people, day=date(2026, 12, 10), reason="集中学习与换届选举时间冲突"):
    return services.extension_request(
        actor=people.secretary_a, assignment=assignment, new_due_date=day, reason=reason
    )


def test_until_approved_the_old_due_date_counts_then_only_this_assignment_moves(
    assignment, people, tree
):
    extension = ask(assignment, people)
    assert extension.state == ExtensionState.PENDING
    assert extension.old_due_date == date(2026, 11, 25)
    late = date(2026, 11, 30)
    assert Assignment.objects.overdue(late).filter(pk=assignment.pk).exists()

    services.extension_decide(
        actor=people.county_office, extension=extension, approve=True, comment="同意"
    )
    assignment.refresh_from_db()
    assert assignment.due_date == date(2026, 12, 10)
    assert not Assignment.objects.overdue(late).filter(pk=assignment.pk).exists()
    # the task's date and the other unit's assignment keep theirs
    assert assignment.task.due_date == date(2026, 11, 25)
    assert assignment.task.assignments.get(unit=tree.branch_a2).due_date == date(2026, 11, 25)
    extension.refresh_from_db()
    assert (extension.state, extension.decided_by, extension.comment) == (
        ExtensionState.APPROVED,
        people.county_office,
        "同意",
    )
    # kept in the history: the request, its answer, and the due date it moved
    assert Events.objects.references(extension).count() >= 2
    dates = [e.pgh_data["due_date"] for e in Events.objects.tracks(assignment)]
    assert dates[-2:] == ["2026-11-25", "2026-12-10"]


def test_what_a_request_needs(assignment, people):
    with pytest.raises(ValidationError) as exc:
        ask(assignment, people, day=date(2026, 11, 20), reason=" ")
    assert set(exc.value.message_dict) == {"new_due_date", "reason"}
    with pytest.raises(ValidationError) as exc:
        ask(assignment, people, day=date(2027, 6, 30))  # after the campaign
    assert "new_due_date" in exc.value.message_dict
    ask(assignment, people)
    with pytest.raises(ValidationError) as exc:
        ask(assignment, people, day=date(2026, 12, 20))
    assert "等待审批" in " ".join(exc.value.messages)


def test_accepted_work_asks_for_nothing(assignment, people):
    services.assignment_submit(actor=people.secretary_a, assignment=assignment, note="完成")
    services.assignment_accept(actor=people.county_office, assignment=assignment)
    with pytest.raises(ValidationError):
        ask(assignment, people)


def test_who_asks_and_who_answers(assignment, people):
    with pytest.raises(PermissionDenied):
        services.extension_request(
            actor=people.viewer,
            assignment=assignment,
            new_due_date=date(2026, 12, 10),
            reason="理由",
        )
    extension = ask(assignment, people)
    for not_above in (people.secretary_a, people.viewer, people.secretary_b):
        with pytest.raises(PermissionDenied):
            services.extension_decide(actor=not_above, extension=extension, approve=True)
    assert not selectors.extension_queue(user=people.secretary_a, campaign=assignment.task.campaign)
    queue = selectors.extension_queue(user=people.city_office, campaign=assignment.task.campaign)
    assert list(queue) == [extension]  # any office above the unit


def test_a_refusal_needs_a_comment_and_keeps_the_date(assignment, people):
    extension = ask(assignment, people)
    with pytest.raises(ValidationError):
        services.extension_decide(actor=people.county_office, extension=extension, approve=False)
    services.extension_decide(
        actor=people.county_office, extension=extension, approve=False, comment="时间充裕"
    )
    assignment.refresh_from_db()
    assert assignment.due_date == date(2026, 11, 25)
    with pytest.raises(ValidationError):  # answered once
        services.extension_decide(actor=people.county_office, extension=extension, approve=True)
    ask(assignment, people)  # a new request may follow a refusal


def test_the_pages(assignment, people, use_campaign):
    detail = reverse("campaign:assignment-detail", args=[assignment.pk])
    client = use_campaign(people.secretary_a)
    page = client.get(detail).content.decode()
    assert reverse("campaign:assignment-extension-request", args=[assignment.pk]) in page
    response = client.post(
        reverse("campaign:assignment-extension-request", args=[assignment.pk]),
        {"x-new_due_date": "2026-11-01", "x-reason": "理由"},
    )
    assert response.status_code == 400
    assert "申请的完成时限须晚于当前时限" in response.content.decode()
    response = client.post(
        reverse("campaign:assignment-extension-request", args=[assignment.pk]),
        {"x-new_due_date": "2026-12-10", "x-reason": "换届选举"},
    )
    assert response.status_code == 302
    extension = AssignmentExtension.objects.get()
    page = client.get(detail).content.decode()
    assert "换届选举" in page and "待审批" in page
    assert "assignment-extension-decide" not in page  # the unit does not answer itself

    office = use_campaign(people.county_office)
    queue = office.get(reverse("rectification:verify-queue")).content.decode()
    assert detail in queue and "专题读书班" in queue
    decide = reverse("campaign:assignment-extension-decide", args=[extension.pk, "approve"])
    assert decide in office.get(detail).content.decode()
    response = office.post(decide, {f"d{extension.pk}-comment": "同意", "next": "queue"})
    assert response["Location"] == reverse("rectification:verify-queue")
    assignment.refresh_from_db()
    assert assignment.due_date == date(2026, 12, 10)
    assert assignment.state == AssignmentState.PENDING


def test_moving_the_task_keeps_an_approved_extension(assignment, people, tree):
    extension = ask(assignment, people)
    services.extension_decide(actor=people.county_office, extension=extension, approve=True)
    task = assignment.task

    def edit(day):
        services.task_update(
            actor=people.county_office,
            task=task,
            title=task.title,
            description="",
            evidence_required="",
            due_date=day,
        )

    edit(date(2026, 11, 28))
    other = task.assignments.get(unit=tree.branch_a2)
    assignment.refresh_from_db()
    other.refresh_from_db()
    assert (assignment.due_date, other.due_date) == (date(2026, 12, 10), date(2026, 11, 28))
    edit(date(2026, 12, 20))  # later than the extension: everyone moves
    assignment.refresh_from_db()
    assert assignment.due_date == date(2026, 12, 20)
