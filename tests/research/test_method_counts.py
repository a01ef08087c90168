"""Research that does not count is told so: the form names the methods that count for the
quarter next to the method, and a project whose method does not count never says "计入…",
as the compliance matrix does not count it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from research.models import ProjectState, ResearchMethod
from tests.research.factories import make_project

pytestmark = pytest.mark.django_db


def test_the_form_says_which_methods_count(client, people, campaign):
    client.force_login(people.leader)
    html = client.get(reverse("research:project-create")).content.decode()
    assert "只有蹲点调研、网络调研计入每季度调研要求" in html
    assert 'id="id_method_helptext"' in html


@pytest.mark.parametrize(
    ("method", "state", "says"),
    [
        (ResearchMethod.ONSITE, ProjectState.DONE, "计入2026年"),
        (ResearchMethod.FORUM, ProjectState.DONE, "座谈走访不计入每季度调研要求"),
        (ResearchMethod.SURVEY, ProjectState.UNDER_WAY, "问卷调查不计入每季度调研要求"),
        (ResearchMethod.ONLINE, ProjectState.PLANNED, "开展后计入2026年"),
    ],
)
def test_the_project_page_says_counts_only_when_it_counts(
    client, people, tree, campaign, method, state, says
):
    project = make_project(
        campaign=campaign, lead=people.leader, unit=tree.county_a, method=method, state=state
    )
    client.force_login(people.leader)
    html = client.get(reverse("research:project-detail", args=[project.pk])).content.decode()
    assert says in html
    counted = "计入2026年" in html.replace("开展后计入2026年", "")
    assert counted == project.counts_for_compliance


def test_a_leader_with_one_unit_is_not_asked_for_it(client, people, tree, campaign):
    from django import forms

    client.force_login(people.leader)
    field = client.get(reverse("research:project-create")).context["form"]["unit"]
    assert isinstance(field.field.widget, forms.HiddenInput)
    assert field.value() == tree.county_a.pk
