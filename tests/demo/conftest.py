"""Demo tests: time stands still at 2026-11-20 10:00 in Shanghai (a test may travel further)."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

NOW = "2026-11-20 10:00 +0800"
TODAY = date(2026, 11, 20)


@pytest.fixture(autouse=True)
def _frozen_time():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
