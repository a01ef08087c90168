"""The current campaign is chosen from the header's list of campaigns, not by queries of
its own: the same choice as asking the database for it, for every person and session."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from campaign.middleware import SESSION_KEY
from campaign.models import Campaign
from campaign.selectors import campaigns_for, current_campaign
from tests.campaign.factories import CampaignFactory


def _asked_of_the_database(user: Any, chosen_id: Any) -> Campaign | None:
    """The plain way: the chosen campaign if visible, else the newest active, else any."""
    visible = Campaign.objects.visible_to(user).select_related("root_unit")
    if chosen_id:
        chosen = visible.filter(pk=chosen_id).first()
        if chosen is not None:
            return chosen
    return visible.filter(is_active=True).first() or visible.first()


@pytest.fixture
def campaigns(tree):
    return [
        CampaignFactory(root_unit=tree.city, start_date=date(2026, 3, 1)),
        # the same start date as the next: the older pk comes first
        CampaignFactory(root_unit=tree.county_a, start_date=date(2026, 9, 1)),
        CampaignFactory(root_unit=tree.county_b, start_date=date(2026, 9, 1)),
        # the newest, closed: never the default while an active one is visible
        CampaignFactory(root_unit=tree.branch_a1, start_date=date(2026, 10, 1), is_active=False),
    ]


def test_the_choice_from_the_list_is_the_databases(people, campaigns):
    chosen_ids = [None, "", *(c.pk for c in campaigns), str(campaigns[1].pk), 10**9]
    for user in vars(people).values():
        visible = campaigns_for(user)
        for chosen_id in chosen_ids:
            assert current_campaign(visible, chosen_id) == _asked_of_the_database(
                user, chosen_id
            ), (user.username, chosen_id)


def test_only_closed_campaigns_visible(people, tree):
    closed = CampaignFactory(root_unit=tree.branch_a1, is_active=False)
    visible = campaigns_for(people.secretary_a)
    assert (
        current_campaign(visible, None)
        == closed
        == _asked_of_the_database(people.secretary_a, None)
    )
    assert current_campaign(campaigns_for(people.outsider), None) is None


def test_page_shows_the_chosen_campaign_and_the_choices(client, people, campaigns):
    client.force_login(people.secretary_a)
    session = client.session
    session[SESSION_KEY] = campaigns[0].pk
    session.save()
    response = client.get("/campaign/")
    assert response.context["current_campaign"] == campaigns[0]
    assert response.context["campaign_choices"] == campaigns_for(people.secretary_a)
    assert response.context["campaign"] == campaigns[0]
