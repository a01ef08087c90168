"""Every page: anonymous → login, outsider → 404, read-only role writing → 403."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from campaign import services
from campaign.models import Activity, Assignment, AssignmentState, DevelopmentItem, Task
from tests.campaign.factories import (
    ActivityFactory,
    AssignmentFactory,
    DevelopmentItemFactory,
    MilestoneFactory,
    TaskFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(campaign, tree, people):
    task = TaskFactory(campaign=campaign, issuer=tree.county_a, title="专题读书班")
    assignment = AssignmentFactory(task=task, unit=tree.branch_a1, state=AssignmentState.SUBMITTED)
    activity = ActivityFactory(campaign=campaign, unit=tree.branch_a1)
    item = DevelopmentItemFactory(campaign=campaign, unit=tree.branch_a1)
    milestone = MilestoneFactory(item=item)
    return {
        "task": task,
        "assignment": assignment,
        "activity": activity,
        "item": item,
        "milestone": milestone,
    }


PAGES = [
    ("campaign:todo", None),
    ("campaign:task-list", None),
    ("campaign:assignment-list", None),
    ("campaign:activity-list", None),
    ("campaign:development-list", None),
    ("campaign:campaign-list", None),
]
OBJECT_PAGES = [
    ("campaign:task-detail", "task"),
    ("campaign:assignment-detail", "assignment"),
    ("campaign:activity-detail", "activity"),
    ("campaign:development-detail", "item"),
]
WRITE_PAGES = [  # GET pages that write on POST, by the action they need
    ("campaign:task-edit", "task"),
    ("campaign:activity-edit", "activity"),
    ("campaign:development-edit", "item"),
]
POSTS = [
    ("campaign:assignment-start", "assignment"),
    ("campaign:assignment-submit", "assignment"),
    ("campaign:assignment-accept", "assignment"),
    ("campaign:assignment-return", "assignment"),
    ("campaign:task-deploy", "task"),
    ("campaign:development-milestone-add", "item"),
    ("campaign:development-upload", "item"),
    ("campaign:milestone-done", "milestone"),
]
ALL_URLS = (
    [(n, None) for n, _ in PAGES]
    + OBJECT_PAGES
    + WRITE_PAGES
    + POSTS
    + [
        ("campaign:review-queue", None),
        ("campaign:task-create", None),
        ("campaign:activity-create", None),
        ("campaign:development-create", None),
        ("campaign:campaign-create", None),
    ]
)


def _url(name, key, records):
    return reverse(name, args=[records[key].pk]) if key else reverse(name)


@pytest.mark.parametrize(("name", "key"), ALL_URLS)
def test_anonymous_goes_to_login(name, key, records, client):
    response = (
        client.post(_url(name, key, records))
        if (name, key) in POSTS
        else client.get(_url(name, key, records))
    )
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(("name", "key"), OBJECT_PAGES + WRITE_PAGES + POSTS)
@pytest.mark.parametrize("who", ["outsider", "secretary_b"])
def test_out_of_scope_is_404(name, key, who, records, people, client):
    client.force_login(getattr(people, who))
    url = _url(name, key, records)
    response = client.post(url) if (name, key) in POSTS else client.get(url)
    assert response.status_code == 404


@pytest.mark.parametrize(
    "name",
    ["campaign:task-create", "campaign:activity-create", "campaign:development-create"],
)
def test_create_pages_without_a_campaign_are_404_for_an_outsider(name, people, records, client):
    client.force_login(people.outsider)
    assert client.get(reverse(name)).status_code == 404


@pytest.mark.parametrize(("name", "key"), PAGES + OBJECT_PAGES)
@pytest.mark.parametrize(
    "who", ["secretary_a", "member_a", "county_office", "city_office", "viewer", "leader"]
)
def test_people_in_scope_see_the_pages(name, key, who, records, people, use_campaign):
    client = use_campaign(getattr(people, who))
    assert client.get(_url(name, key, records)).status_code == 200


@pytest.mark.parametrize(("name", "key"), WRITE_PAGES + POSTS)
@pytest.mark.parametrize("who", ["viewer", "member_a"])
def test_read_only_roles_cannot_write(name, key, who, records, people, use_campaign):
    client = use_campaign(getattr(people, who))
    url = _url(name, key, records)
    response = client.post(url) if (name, key) in POSTS else client.get(url)
    assert response.status_code == 403


@pytest.mark.parametrize(
    "name",
    [
        "campaign:task-create",
        "campaign:review-queue",
        "campaign:activity-create",
        "campaign:development-create",
        "campaign:campaign-create",
    ],
)
def test_viewer_cannot_open_write_pages(name, people, records, use_campaign):
    client = use_campaign(people.viewer)
    assert client.get(reverse(name)).status_code == 403


@pytest.mark.parametrize(
    "name", ["campaign:task-create", "campaign:review-queue", "campaign:campaign-create"]
)
def test_a_secretary_does_not_deploy(name, people, records, use_campaign):
    client = use_campaign(people.secretary_a)
    assert client.get(reverse(name)).status_code == 403


def test_a_secretary_cannot_review(records, people, use_campaign):
    client = use_campaign(people.secretary_a)
    url = reverse("campaign:assignment-accept", args=[records["assignment"].pk])
    assert client.post(url).status_code == 403
    records["assignment"].refresh_from_db()
    assert records["assignment"].state == AssignmentState.SUBMITTED


def test_other_county_office_cannot_see_the_assignment(records, tree, people, client):
    from tests.factories import UserFactory, grant

    office_b = UserFactory(username="office_b")
    grant(office_b, tree.county_b, "office")
    client.force_login(office_b)
    url = reverse("campaign:assignment-detail", args=[records["assignment"].pk])
    assert client.get(url).status_code == 404


def test_attachment_of_development_is_scoped(records, people, client, tree):
    from django.core.files.uploadedfile import SimpleUploadedFile

    pdf = SimpleUploadedFile("方案.pdf", b"%PDF-1.4\n%test\n", content_type="application/pdf")
    services.development_add_evidence(actor=people.secretary_a, item=records["item"], files=[pdf])
    attachment = records["item"].attachments.get()
    url = reverse("campaign:development-attachment", args=[attachment.pk])
    client.force_login(people.secretary_b)
    assert client.get(url).status_code == 404
    client.force_login(people.county_office)
    response = client.get(url)
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]


# ---------------------------------------------------------------- forms and flows


def test_secretary_home_lists_returned_first(campaign, tree, people, use_campaign):
    task = TaskFactory(campaign=campaign, issuer=tree.county_a, title="读书班任务")
    AssignmentFactory(
        task=task, unit=tree.branch_a1, state=AssignmentState.RETURNED, return_reason="缺少签到表"
    )
    late = TaskFactory(campaign=campaign, issuer=tree.county_a, title="逾期任务")
    AssignmentFactory(task=late, unit=tree.branch_a1, due_date=date(2026, 11, 10))
    soon = TaskFactory(campaign=campaign, issuer=tree.county_a, title="近期任务")
    AssignmentFactory(task=soon, unit=tree.branch_a1, due_date=date(2026, 11, 25))
    client = use_campaign(people.secretary_a)
    html = client.get(reverse("campaign:todo")).content.decode()
    assert html.index("缺少签到表") < html.index("逾期任务") < html.index("近期任务")
    assert reverse("campaign:activity-create") in html


def test_log_activity_with_a_photo_and_defaults(campaign, tree, people, use_campaign):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = use_campaign(people.secretary_a)
    page = client.get(reverse("campaign:activity-create"))
    form = page.context["form"]
    assert form.initial["held_on"] == date(2026, 11, 20)
    assert form.initial["unit"] == tree.branch_a1
    photo = SimpleUploadedFile("p.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 32, "image/jpeg")
    response = client.post(
        reverse("campaign:activity-create"),
        {
            "kind": "party_lecture",
            "held_on": "2026-11-20",
            "unit": tree.branch_a1.pk,
            "participants": "15",
            "hours": "1.5",
            "summary": "书记讲专题党课",
            "attachments": [photo],
        },
    )
    assert response.status_code == 302
    activity = Activity.objects.get()
    assert activity.attachments.count() == 1 and activity.created_by == people.secretary_a
    # The next time, the last kind used is proposed.
    page = client.get(reverse("campaign:activity-create"))
    assert page.context["form"].initial["kind"] == "party_lecture"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"held_on": "2026-11-21"}, "held_on", "未来"),
        ({"held_on": ""}, "held_on", ""),
        ({"participants": "-3"}, "participants", "至少为1人"),
        ({"participants": "0"}, "participants", "至少为1人"),
    ],
)
def test_activity_bad_input_message_next_to_the_field(
    data, field, message, campaign, tree, people, use_campaign
):
    client = use_campaign(people.secretary_a)
    post = {
        "kind": "group_study",
        "held_on": "2026-11-19",
        "unit": tree.branch_a1.pk,
        "participants": "5",
        "hours": "1",
        "summary": "学习",
        **data,
    }
    response = client.post(reverse("campaign:activity-create"), post)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors and message in " ".join(errors[field])
    assert f'id="id_{field}_error"' in response.content.decode()
    assert not Activity.objects.exists()


def test_bad_file_type_message(campaign, tree, people, use_campaign):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = use_campaign(people.secretary_a)
    bad = SimpleUploadedFile("virus.exe", b"MZ\x00\x00", "application/octet-stream")
    response = client.post(
        reverse("campaign:activity-create"),
        {
            "kind": "group_study",
            "held_on": "2026-11-19",
            "unit": tree.branch_a1.pk,
            "participants": "5",
            "hours": "1",
            "summary": "学习",
            "attachments": [bad],
        },
    )
    assert response.status_code == 400
    assert "attachments" in response.context["form"].errors
    assert not Activity.objects.exists()


def test_deploy_from_the_form_to_every_branch(campaign, tree, people, use_campaign):
    client = use_campaign(people.county_office)
    response = client.post(
        reverse("campaign:task-create"),
        {
            "workstream": "study",
            "title": "专题党课",
            "due_date": "2026-12-10",
            "recurrence": "none",
            "target": "branches",
            "under": tree.county_a.pk,
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    task = Task.objects.get()
    assert task.issuer == tree.county_a
    assert set(task.assignments.values_list("unit__code", flat=True)) == {"T-A-1-1", "T-A-1-2"}


def test_deploy_refuses_a_due_date_before_the_campaign(campaign, tree, people, use_campaign):
    client = use_campaign(people.county_office)
    response = client.post(
        reverse("campaign:task-create"),
        {
            "workstream": "study",
            "title": "专题党课",
            "due_date": "2026-08-10",
            "recurrence": "none",
            "target": "branches",
            "under": tree.county_a.pk,
        },
    )
    assert response.status_code == 200
    assert "due_date" in response.context["form"].errors
    assert not Task.objects.exists() and not Assignment.objects.exists()


def test_deploy_cannot_reach_outside_the_county(campaign, tree, people, use_campaign):
    client = use_campaign(people.county_office)
    response = client.post(
        reverse("campaign:task-create"),
        {
            "workstream": "study",
            "title": "x",
            "due_date": "2026-12-10",
            "recurrence": "none",
            "target": "units",
            "units": [tree.branch_b1.pk],
        },
    )
    assert "units" in response.context["form"].errors
    assert not Task.objects.exists()


def test_review_return_then_resubmit_then_accept(campaign, tree, people, client):
    from campaign.middleware import SESSION_KEY

    def as_user(user):
        client.force_login(user)
        session = client.session
        session[SESSION_KEY] = campaign.pk
        session.save()

    task = TaskFactory(campaign=campaign, issuer=tree.county_a)
    assignment = AssignmentFactory(task=task, unit=tree.branch_a1)
    activity = ActivityFactory(campaign=campaign, unit=tree.branch_a1)
    as_user(people.secretary_a)
    client.post(
        reverse("campaign:assignment-submit", args=[assignment.pk]), {"activities": [activity.pk]}
    )
    as_user(people.county_office)
    queue = client.get(reverse("campaign:review-queue"))
    assert assignment in list(queue.context["page_obj"])
    empty = client.post(reverse("campaign:assignment-return", args=[assignment.pk]), {"reason": ""})
    assert empty.status_code == 400 and "reason" in empty.context["return_form"].errors
    client.post(
        reverse("campaign:assignment-return", args=[assignment.pk]), {"reason": "请补充签到表"}
    )
    as_user(people.secretary_a)
    page = client.get(reverse("campaign:assignment-detail", args=[assignment.pk]))
    assert "请补充签到表" in page.content.decode()
    client.post(
        reverse("campaign:assignment-submit", args=[assignment.pk]),
        {"activities": [activity.pk], "note": "已补充"},
    )
    as_user(people.county_office)
    client.post(reverse("campaign:assignment-accept", args=[assignment.pk]), {"comment": "好"})
    assignment.refresh_from_db()
    assert assignment.state == AssignmentState.ACCEPTED
    # A second accept is refused with a message, nothing changes.
    again = client.post(reverse("campaign:assignment-accept", args=[assignment.pk]), {})
    assert again.status_code == 400


def test_campaign_create_and_edit(tree, people, use_campaign, campaign):
    from campaign.models import Campaign

    client = use_campaign(people.city_office)
    bad = client.post(
        reverse("campaign:campaign-create"),
        {
            "name": "第三批",
            "root_unit": tree.city.pk,
            "start_date": "2027-03-01",
            "end_date": "2027-02-01",
        },
    )
    assert "end_date" in bad.context["form"].errors
    response = client.post(
        reverse("campaign:campaign-create"),
        {
            "name": "第三批",
            "root_unit": tree.city.pk,
            "start_date": "2027-03-01",
            "end_date": "2027-08-31",
            "objective_1": "凝心铸魂筑牢根本",
        },
    )
    assert response.status_code == 302
    new = Campaign.objects.get(name="第三批")
    assert list(new.objectives.values_list("title", flat=True)) == ["凝心铸魂筑牢根本"]
    assert Campaign.objects.count() == 2
    response = client.post(
        reverse("campaign:campaign-edit", args=[new.pk]),
        {
            "name": "第三批主题教育",
            "start_date": "2027-03-01",
            "end_date": "2027-08-31",
            "objective_1": "凝心铸魂",
            "objective_2": "锤炼品格",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    new.refresh_from_db()
    assert new.name == "第三批主题教育" and new.objectives.count() == 2


def test_county_office_cannot_edit_the_city_campaign(campaign, people, use_campaign):
    client = use_campaign(people.county_office)
    assert client.get(reverse("campaign:campaign-edit", args=[campaign.pk])).status_code == 403


def test_development_item_from_the_form(campaign, tree, people, use_campaign):
    client = use_campaign(people.secretary_a)
    response = client.post(
        reverse("campaign:development-create"),
        {
            "unit": tree.branch_a1.pk,
            "category": "rural",
            "title": "产业",
            "target": "增收",
            "due_date": "2026-12-31",
        },
    )
    assert response.status_code == 302
    item = DevelopmentItem.objects.get()
    response = client.post(
        reverse("campaign:development-milestone-add", args=[item.pk]),
        {"title": "流转土地", "due_on": "2026-11-30"},
    )
    assert response.status_code == 302
    milestone = item.milestones.get()
    client.post(reverse("campaign:milestone-done", args=[milestone.pk]), {"done_on": "2026-11-19"})
    milestone.refresh_from_db()
    assert milestone.done_on == date(2026, 11, 19)
    page = client.get(reverse("campaign:development-detail", args=[item.pk]))
    assert page.context["item"].progress == 100
