"""Forms that do not waste a try: the deploy scope uses only the chosen control, a refused
activity keeps its photo (for the session that chose it only), and 参加人数 starts empty
and refuses 0."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from campaign.middleware import SESSION_KEY as CAMPAIGN_KEY
from campaign.models import Activity, Task
from core import pending_uploads

pytestmark = pytest.mark.django_db

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


def _activity(tree, **extra):
    return {
        "kind": "party_day",
        "held_on": "2026-11-19",
        "unit": tree.branch_a1.pk,
        "participants": "12",
        "hours": "2",
        "summary": "重温入党誓词",
        **extra,
    }


def test_deploy_ignores_the_controls_of_the_choices_not_made(campaign, tree, people, use_campaign):
    client = use_campaign(people.county_office)
    response = client.post(
        reverse("campaign:task-create"),
        {
            "workstream": "study",
            "title": "专题党课",
            "due_date": "2026-12-10",
            "recurrence": "none",
            "target": "units",
            "units": [tree.branch_a2.pk],
            # left over from the other choices (shown when the page has no script)
            "under": tree.branch_b1.pk,  # out of scope: would be refused if read
            "kind": "no-such-kind",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    task = Task.objects.get(title="专题党课")
    assert [a.unit for a in task.assignments.all()] == [tree.branch_a2]


def test_deploy_page_renders_the_scope_as_a_group_of_radios(campaign, people, use_campaign):
    html = use_campaign(people.county_office).get(reverse("campaign:task-create")).content
    page = html.decode()
    assert "<fieldset" in page and "<legend" in page
    assert 'class="form-check"><input type="radio" name="target"' in page
    assert "data-toggle-fields=" in page and "data-unit-picker=" in page


def test_participants_and_hours_start_empty(campaign, people, use_campaign):
    form = use_campaign(people.secretary_a).get(reverse("campaign:activity-create")).context["form"]
    assert form["participants"].value() is None and form["hours"].value() is None
    assert 'min="1"' in str(form["participants"])


def test_zero_participants_refused_with_a_clear_message(campaign, tree, people, use_campaign):
    client = use_campaign(people.secretary_a)
    response = client.post(reverse("campaign:activity-create"), _activity(tree, participants="0"))
    assert response.status_code == 400
    assert response.context["form"].errors["participants"] == ["请填写参加人数，至少为1人。"]
    assert not Activity.objects.exists()


def test_a_refused_form_keeps_the_photo_for_the_next_try(campaign, tree, people, use_campaign):
    client = use_campaign(people.secretary_a)
    photo = SimpleUploadedFile("党日.jpg", JPEG, "image/jpeg")
    response = client.post(
        reverse("campaign:activity-create"),
        _activity(tree, held_on="2026-11-21", attachments=[photo]),  # a future date
    )
    assert response.status_code == 400
    assert "已选择：党日.jpg，可重新选择" in response.content.decode()
    token = response.context["form"]["pending_files"].value()
    assert token
    # The next try sends no file, only the token: the photo is saved with the activity.
    response = client.post(
        reverse("campaign:activity-create"), _activity(tree, pending_files=token)
    )
    assert response.status_code == 302
    activity = Activity.objects.get()
    assert [a.original_name for a in activity.attachments.all()] == ["党日.jpg"]
    assert activity.attachments.get().file.read() == JPEG
    # Used once: the token is gone.
    assert (
        pending_uploads.SESSION_KEY not in client.session
        or not client.session[pending_uploads.SESSION_KEY]
    )


def test_a_kept_photo_serves_only_the_session_that_chose_it(campaign, tree, people, use_campaign):
    owner = use_campaign(people.secretary_a)
    response = owner.post(
        reverse("campaign:activity-create"),
        _activity(
            tree,
            held_on="2026-11-21",
            attachments=[SimpleUploadedFile("党日.jpg", JPEG, "image/jpeg")],
        ),
    )
    token = response.context["form"]["pending_files"].value()
    # Another session (another device, or someone with the token in hand) gets no file.
    other = Client()
    other.force_login(people.secretary_a)
    session = other.session
    session[CAMPAIGN_KEY] = campaign.pk
    session.save()
    response = other.post(reverse("campaign:activity-create"), _activity(tree, pending_files=token))
    assert response.status_code == 302
    assert not Activity.objects.get().attachments.exists()


def test_a_refused_file_is_not_kept(campaign, tree, people, use_campaign):
    client = use_campaign(people.secretary_a)
    bad = SimpleUploadedFile("a.jpg", b"%PDF-1.4 not a photo", "image/jpeg")
    response = client.post(reverse("campaign:activity-create"), _activity(tree, attachments=[bad]))
    assert response.status_code == 400
    assert not response.context["form"]["pending_files"].value()
    assert "已选择" not in response.content.decode()
