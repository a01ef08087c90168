from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from campaign.middleware import SESSION_KEY
from tests.campaign.factories import CampaignFactory

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def campaign(tree):
    return CampaignFactory(root_unit=tree.city)


@pytest.fixture
def use_campaign(client, campaign):
    """Log in a user with the campaign chosen in his session."""

    def _login(user):
        client.force_login(user)
        session = client.session
        session[SESSION_KEY] = campaign.pk
        session.save()
        return client

    return _login
