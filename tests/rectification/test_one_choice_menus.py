"""Required one-choice menus do not start blank: with one possible unit it is chosen and
not asked; with several, the user's home unit is chosen first."""

from __future__ import annotations

import re

import pytest
from django import forms
from django.urls import reverse

from tests.rectification.factories import make_campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(tree):
    return make_campaign(tree.city)


def test_a_branch_secretary_is_not_asked_for_the_unit(client, campaign, tree, people):
    client.force_login(people.secretary_a)
    for name in (
        "rectification:problem-create",
        "rectification:plan-create",
        "rectification:mechanism-create",
    ):
        field = client.get(reverse(name)).context["form"]["unit"]
        assert isinstance(field.field.widget, forms.HiddenInput), name
        assert field.value() == tree.branch_a1.pk, name


def test_an_office_gets_its_own_unit_chosen_first(client, campaign, tree, people):
    client.force_login(people.county_office)
    field = client.get(reverse("rectification:problem-create")).context["form"]["unit"]
    assert not field.is_hidden
    assert field.value() == tree.county_a.pk
    assert re.search(rf'<option value="{tree.county_a.pk}"[^>]* selected>', str(field))
