"""Research tests: time stands still at 2026-11-20 10:00 in Shanghai (a test may travel further)."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from tests.research.factories import make_campaign

NOW = "2026-11-20 10:00 +0800"
TODAY = date(2026, 11, 20)


@pytest.fixture(autouse=True)
def _frozen_time():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def campaign(tree):
    return make_campaign(tree.city)
