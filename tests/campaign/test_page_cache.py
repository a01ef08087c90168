"""A list page's content is kept per person until something he may see changes
(core/page_cache.py): served again without reading its rows, never stale."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import OrgUnit
from accounts.roles import Role
from campaign.models import Task
from core.unit_versions import scope_version
from tests.campaign.factories import ActivityFactory, AssignmentFactory, TaskFactory
from tests.factories import UserFactory, grant

pytestmark = pytest.mark.django_db

PAGES = ["campaign:todo", "campaign:activity-list", "rectification:problem-list"]


def _get(client, url: str) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), len(ctx.captured_queries)


@pytest.mark.parametrize("name", PAGES)
def test_served_again_without_reading_its_rows(name, people, use_campaign):
    client = use_campaign(people.secretary_a)
    url = reverse(name)
    first, fresh = _get(client, url)
    again, kept = _get(client, url)
    assert _main(again) == _main(first)
    assert kept < fresh
    # nothing that posts: a token kept would outlive the session it was made for
    assert "csrfmiddlewaretoken" not in _main(first)


def _main(page: str) -> str:
    """The page's content (the layout around it holds a token masked afresh each time)."""
    return page[page.index('<main id="main"') : page.index("</main>")]


def test_a_write_in_her_branch_shows_at_once(tree, people, campaign, use_campaign):
    client = use_campaign(people.secretary_a)
    url = reverse("campaign:activity-list")
    _get(client, url)
    ActivityFactory(campaign=campaign, unit=tree.branch_a1, summary="支部书记讲专题党课")
    page, _ = _get(client, url)
    assert "支部书记讲专题党课" in page


def test_a_write_elsewhere_leaves_it_kept(tree, people, campaign, use_campaign):
    client = use_campaign(people.secretary_a)
    url = reverse("campaign:activity-list")
    _get(client, url)
    _, kept = _get(client, url)
    ActivityFactory(campaign=campaign, unit=tree.branch_b1, summary="乙县支部的活动")
    page, queries = _get(client, url)
    assert "乙县支部的活动" not in page
    assert queries == kept


def test_a_task_renamed_shows_on_her_to_do(tree, people, campaign, use_campaign):
    task = TaskFactory(campaign=campaign, issuer=tree.city, title="学习党章")
    AssignmentFactory(task=task, unit=tree.branch_a1, due_date=date(2026, 12, 20))
    client = use_campaign(people.secretary_a)
    url = reverse("campaign:todo")
    assert "学习党章" in _get(client, url)[0]
    # a task is read across units (a global write): every kept page moves
    Task.objects.filter(pk=task.pk).update(title="学习新修订的党章")
    assert "学习新修订的党章" in _get(client, url)[0]


def test_the_version_moves_with_the_units_above_not_beside(tree):
    subtrees, above = [tree.branch_a1.path], [tree.city.path, tree.county_a.path]
    before = scope_version(subtrees, above)
    OrgUnit.objects.filter(pk=tree.branch_b1.pk).update(name="乙一支部（改）")
    assert scope_version(subtrees, above) == before
    OrgUnit.objects.filter(pk=tree.county_a.pk).update(name="甲县委（改）")
    assert scope_version(subtrees, above) != before


def test_kept_per_person_and_language(tree, people, use_campaign):
    url = reverse("campaign:activity-list")
    other = UserFactory()
    grant(other, tree.branch_a1, Role.SECRETARY)
    first, _ = _get(use_campaign(people.secretary_a), url)
    # the same unit and role, another person: his own page, not hers
    _, fresh = _get(use_campaign(other), url)
    _, kept = _get(use_campaign(other), url)
    assert kept < fresh
    client = use_campaign(people.secretary_a)
    client.cookies["django_language"] = "en"
    english, _ = _get(client, url)
    assert _main(english) != _main(first) and "Activities" in _main(english)


def test_a_role_granted_shows_its_units(tree, people, campaign, use_campaign):
    ActivityFactory(campaign=campaign, unit=tree.branch_b1, summary="乙县支部的活动")
    client = use_campaign(people.secretary_a)
    url = reverse("campaign:activity-list")
    assert "乙县支部的活动" not in _get(client, url)[0]
    grant(people.secretary_a, tree.branch_b1, Role.SECRETARY)
    assert "乙县支部的活动" in _get(client, url)[0]


def test_not_kept_for_a_superuser(people, use_campaign):
    admin = UserFactory(is_superuser=True, is_staff=True)
    client = use_campaign(admin)
    url = reverse("campaign:activity-list")
    _, first = _get(client, url)
    _, again = _get(client, url)
    assert again == first
