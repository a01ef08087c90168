"""Activities: bad input, evidence linking, attachments and their scoped download."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from campaign import services
from campaign.models import Activity, ActivityAttachment, AssignmentState
from tests.campaign.factories import ActivityFactory, AssignmentFactory, TaskFactory

pytestmark = pytest.mark.django_db

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def photo(name="现场.jpg", content=JPEG):
    return SimpleUploadedFile(name, content, content_type="image/jpeg")


def _log(campaign, tree, people, **kw):
    args = {
        "actor": people.secretary_a,
        "campaign": campaign,
        "unit": tree.branch_a1,
        "kind": "group_study",
        "held_on": date(2026, 11, 19),
        "summary": "集中学习研讨",
        "participants": 10,
        "hours": Decimal("2"),
        "today": date(2026, 11, 20),
    }
    args.update(kw)
    return services.activity_create(**args)


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"held_on": date(2026, 11, 21)}, "held_on"),
        ({"held_on": date(2026, 8, 1)}, "held_on"),
        ({"participants": -1}, "participants"),
        ({"hours": Decimal("-1")}, "hours"),
        ({"files": [photo("a.exe", b"MZ" + b"\x00" * 10)]}, "attachments"),
        ({"files": [photo("a.jpg", b"%PDF-1.4 fake")]}, "attachments"),
    ],
)
def test_bad_input_saves_nothing(kw, field, campaign, tree, people):
    with pytest.raises(ValidationError) as excinfo:
        _log(campaign, tree, people, **kw)
    assert field in excinfo.value.message_dict
    assert not Activity.objects.exists()
    assert not ActivityAttachment.objects.exists()


def test_file_too_large(campaign, tree, people, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024 * 1024
    big = photo(content=JPEG + b"\x00" * (1024 * 1024))
    with pytest.raises(ValidationError) as excinfo:
        _log(campaign, tree, people, files=[big])
    assert "MB" in excinfo.value.message_dict["attachments"][0]
    assert not Activity.objects.exists()


def test_files_are_stored_with_generated_names(campaign, tree, people):
    activity = _log(campaign, tree, people, files=[photo()])
    stored = activity.attachments.get()
    assert stored.original_name == "现场.jpg"
    assert "现场" not in stored.file.name and stored.file.name.startswith("campaign/")


def test_logging_with_evidence_links_once(campaign, tree, people):
    task = TaskFactory(campaign=campaign, issuer=tree.county_a)
    assignment = AssignmentFactory(task=task, unit=tree.branch_a1)
    activity = _log(campaign, tree, people, evidence_for=[assignment])
    assert list(assignment.evidence.all()) == [activity]
    added = services.evidence_link(
        actor=people.secretary_a, assignment=assignment, activities=[activity]
    )
    assert added == 0
    assert assignment.evidence.count() == 1


def test_an_activity_of_another_unit_is_not_evidence(campaign, tree, people):
    task = TaskFactory(campaign=campaign, issuer=tree.county_a)
    assignment = AssignmentFactory(task=task, unit=tree.branch_a1)
    other = ActivityFactory(campaign=campaign, unit=tree.branch_a2)
    with pytest.raises(ValidationError):
        services.evidence_link(actor=people.secretary_a, assignment=assignment, activities=[other])
    assert assignment.evidence.count() == 0


def test_one_activity_serves_several_assignments(campaign, tree, people):
    task1 = TaskFactory(campaign=campaign, issuer=tree.county_a)
    task2 = TaskFactory(campaign=campaign, issuer=tree.county_a)
    a1 = AssignmentFactory(task=task1, unit=tree.branch_a1)
    a2 = AssignmentFactory(task=task2, unit=tree.branch_a1)
    activity = _log(campaign, tree, people, evidence_for=[a1, a2])
    assert set(activity.assignments.all()) == {a1, a2}


def test_evidence_of_an_accepted_assignment_is_frozen(campaign, tree, people):
    task = TaskFactory(campaign=campaign, issuer=tree.county_a)
    assignment = AssignmentFactory(task=task, unit=tree.branch_a1, state=AssignmentState.ACCEPTED)
    activity = ActivityFactory(campaign=campaign, unit=tree.branch_a1)
    with pytest.raises(ValidationError):
        services.evidence_link(
            actor=people.secretary_a, assignment=assignment, activities=[activity]
        )


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("secretary_a", 200),
        ("member_a", 200),
        ("county_office", 200),
        ("viewer", 200),
        ("secretary_b", 404),
        ("outsider", 404),
    ],
)
def test_download_goes_through_the_scope(who, status, campaign, tree, people, client):
    activity = _log(campaign, tree, people, files=[photo()])
    attachment = activity.attachments.get()
    client.force_login(getattr(people, who))
    response = client.get(reverse("campaign:activity-attachment", args=[attachment.pk]))
    assert response.status_code == status
    if status == 200:
        assert response["X-Content-Type-Options"] == "nosniff"
        assert b"".join(response.streaming_content) == JPEG


def test_download_needs_a_login(campaign, tree, people, client):
    activity = _log(campaign, tree, people, files=[photo()])
    url = reverse("campaign:activity-attachment", args=[activity.attachments.get().pk])
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_media_is_not_public(settings):
    assert not settings.MEDIA_URL.startswith("/media/")
