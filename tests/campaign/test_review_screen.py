"""The review screen: the evidence shown on the page itself, decisions that move on to the
next submission, and several submissions accepted at once from the queue."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from campaign import services
from campaign.models import Assignment, AssignmentState
from core.history import history_for
from tests.campaign.factories import AssignmentFactory, TaskFactory

pytestmark = pytest.mark.django_db

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"


def _submitted(campaign, tree, people, *, unit=None, title="专题读书班", files=()):
    unit = unit or tree.branch_a1
    secretary = people.secretary_b if unit == tree.branch_b1 else people.secretary_a
    task = TaskFactory(campaign=campaign, issuer=tree.county_a, title=title)
    assignment = AssignmentFactory(task=task, unit=unit)
    activity = services.activity_create(
        actor=secretary,
        campaign=campaign,
        unit=unit,
        kind="party_day",
        held_on=date(2026, 11, 19),
        place="党群服务中心",
        summary="开展主题党日，重温入党誓词。",
        participants=12,
        hours=Decimal("2"),
        files=list(files),
        today=date(2026, 11, 20),
    )
    services.assignment_submit(
        actor=secretary, assignment=assignment, note="", activities=[activity]
    )
    return assignment


def test_the_review_page_shows_photos_and_documents_of_the_evidence(
    campaign, tree, people, use_campaign
):
    assignment = _submitted(
        campaign,
        tree,
        people,
        files=[
            SimpleUploadedFile("现场.jpg", JPEG, content_type="image/jpeg"),
            SimpleUploadedFile("签到表.pdf", PDF, content_type="application/pdf"),
        ],
    )
    photo, document = assignment.evidence.get().attachments.order_by("pk")
    client = use_campaign(people.county_office)
    page = client.get(reverse("campaign:assignment-detail", args=[assignment.pk]))
    html = page.content.decode()
    full = reverse("campaign:activity-attachment", args=[photo.pk]) + "?inline=1"
    # the photo as a thumbnail that opens full size, through the scoped file view
    assert f'<img src="{full}" alt="现场.jpg"' in html
    assert f'data-full-image="{full}"' in html
    # the document as a link
    assert f'href="{reverse("campaign:activity-attachment", args=[document.pk])}"' in html
    assert "签到表.pdf" in html
    assert "开展主题党日，重温入党誓词。" in html
    # the thumbnail answers as an image to the reviewer
    shown = client.get(full)
    assert shown.status_code == 200 and shown["Content-Type"] == "image/jpeg"


def test_accept_and_return_move_on_to_the_next_submission(campaign, tree, people, use_campaign):
    first = _submitted(campaign, tree, people, title="第一项")
    second = _submitted(campaign, tree, people, title="第二项")
    third = _submitted(campaign, tree, people, title="第三项")
    client = use_campaign(people.county_office)
    page = client.get(reverse("campaign:assignment-detail", args=[first.pk]))
    assert "通过并下一条" in page.content.decode()
    assert "退回并下一条" in page.content.decode()

    accepted = client.post(reverse("campaign:assignment-accept", args=[first.pk]), {})
    assert accepted.url == reverse("campaign:assignment-detail", args=[second.pk])
    # returning still needs a reason, and stays on the same submission without one
    refused = client.post(reverse("campaign:assignment-return", args=[second.pk]), {"reason": ""})
    assert refused.status_code == 400
    assert "请填写退回理由。" in refused.content.decode()
    returned = client.post(
        reverse("campaign:assignment-return", args=[second.pk]), {"reason": "缺少照片"}
    )
    assert returned.url == reverse("campaign:assignment-detail", args=[third.pk])
    # the last one has no next: plain buttons, and back to the (empty) queue
    last = client.get(returned.url).content.decode()
    assert "通过并下一条" not in last and ">通过</button>" in last
    done = client.post(reverse("campaign:assignment-accept", args=[third.pk]), {})
    assert done.url == reverse("campaign:review-queue")
    states = dict(Assignment.objects.values_list("pk", "state"))
    assert states == {
        first.pk: AssignmentState.ACCEPTED,
        second.pk: AssignmentState.RETURNED,
        third.pk: AssignmentState.ACCEPTED,
    }


def test_several_ticked_submissions_are_accepted_each_with_its_history(
    campaign, tree, people, use_campaign
):
    mine = [_submitted(campaign, tree, people, title=f"任务{i}") for i in range(3)]
    elsewhere = _submitted(campaign, tree, people, unit=tree.branch_b1, title="外县任务")
    client = use_campaign(people.county_office)
    queue = client.get(reverse("campaign:review-queue")).content.decode()
    assert f'name="selected" value="{mine[0].pk}"' in queue
    assert f'value="{elsewhere.pk}"' not in queue

    response = client.post(
        reverse("campaign:review-accept-selected"),
        {"selected": [mine[0].pk, mine[2].pk, elsewhere.pk]},
        follow=True,
    )
    assert "已通过 2 条提交。" in response.content.decode()
    for assignment in [*mine, elsewhere]:
        assignment.refresh_from_db()
    assert [a.state for a in mine] == [
        AssignmentState.ACCEPTED,
        AssignmentState.SUBMITTED,
        AssignmentState.ACCEPTED,
    ]
    # a submission outside the reviewer's units is left alone
    assert elsewhere.state == AssignmentState.SUBMITTED
    for assignment in (mine[0], mine[2]):
        assert assignment.reviewed_by == people.county_office
        changes = [c.after for e in history_for(assignment) for c in e.changes]
        assert any(str(v) in ("accepted", "已通过") for v in changes)

    nothing = client.post(reverse("campaign:review-accept-selected"), {}, follow=True)
    assert "请先勾选要通过的提交。" in nothing.content.decode()


def test_a_secretary_cannot_accept_from_the_queue(campaign, tree, people, use_campaign):
    assignment = _submitted(campaign, tree, people)
    client = use_campaign(people.secretary_a)
    url = reverse("campaign:review-accept-selected")
    response = client.post(url, {"selected": [assignment.pk]})
    assert response.status_code == 403
    assignment.refresh_from_db()
    assert assignment.state == AssignmentState.SUBMITTED
