"""The problem form says the responsible leader is needed before rectification starts,
offers the unit's own people first, then the leaders above, and keeps a visible field for
a name not in the list."""

from __future__ import annotations

import pytest
from django.urls import reverse

from rectification.models import Problem
from tests.factories import UserFactory, grant
from tests.rectification.factories import make_campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(tree):
    return make_campaign(tree.city)


def test_the_branch_people_come_first_then_the_leaders_above(client, campaign, tree, people):
    deputy = UserFactory(username="deputy", full_name="钱副书记")
    grant(deputy, tree.branch_a1, "secretary")
    client.force_login(people.secretary_a)
    page = client.get(reverse("rectification:problem-create"))
    form = page.context["form"]
    groups = form.fields["responsible_leader"].widget.choices
    assert [g[0] for g in groups] == ["", "本单位人员", "上级领导"]
    own = [pk for pk, _label in groups[1][1]]
    above = [pk for pk, _label in groups[2][1]]
    assert set(own) == {people.secretary_a.pk, deputy.pk}
    assert people.leader.pk in above and people.secretary_a.pk not in above
    html = page.content.decode()
    assert "开始整改前必填" in html
    assert '<optgroup label="本单位人员">' in html
    assert html.index("本单位人员") < html.index("上级领导")
    # the name not in the list has its own visible field, right after the list
    assert 'type="text" name="responsible_leader_name"' in html
    assert "或填写责任领导姓名" in html


def test_a_person_of_the_unit_is_saved_as_responsible_leader(client, campaign, tree, people):
    client.force_login(people.secretary_a)
    response = client.post(
        reverse("rectification:problem-create"),
        {
            "unit": tree.branch_a1.pk,
            "source": "self_review",
            "category": campaign.problem_categories[0],
            "description": "学习流于形式",
            "type": "deadline",
            "deadline": "2026-12-31",
            "discovered_on": "2026-11-10",
            "responsible_leader": people.secretary_a.pk,
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    assert Problem.objects.get().responsible_leader == people.secretary_a


def test_a_draft_problem_page_offers_no_progress_note(client, campaign, tree, people):
    from tests.rectification.factories import make_problem

    problem = make_problem(campaign=campaign, unit=tree.branch_a1, actor=people.secretary_a)
    client.force_login(people.secretary_a)
    html = client.get(reverse("rectification:problem-detail", args=[problem.pk])).content.decode()
    assert "开始整改后，可更新措施状态、记录整改进展。" in html
    assert reverse("rectification:note-create", args=[problem.measures.get().pk]) not in html
