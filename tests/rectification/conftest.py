"""Time stands still in the rectification tests: 2026-11-20 10:00 in Shanghai.

The ledger tests keep their own clock (they freeze time themselves where they need to).
"""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

NOW = "2026-11-20 10:00 +0800"
TODAY = date(2026, 11, 20)


@pytest.fixture(autouse=True)
def _frozen_time(request):
    if request.module.__name__.rsplit(".", 1)[-1].startswith("test_ledger"):
        yield
        return
    with time_machine.travel(NOW, tick=False):
        yield
