"""The research ledger (调研台账) in Excel, written row by row like the rectification
ledger."""

from __future__ import annotations

from typing import IO

from django.utils import timezone

from accounts.models import OrgUnit
from campaign.models import Campaign
from core.xlsx import Column, LedgerWriter

from .selectors import ledger_projects, ledger_rows

COLUMNS = [
    Column("序号", 6, center=True),
    Column("调研领导", 12, center=True),
    Column("单位", 20),
    Column("调研课题", 28),
    Column("调研重点", 14, center=True),
    Column("调研方式", 10, center=True),
    Column("调研时间", 14, center=True),
    Column("调研地点", 22),
    Column("发现问题", 40),
    Column("调研报告", 28),
    Column("解决问题", 36),
]


def ledger_title(unit: OrgUnit) -> str:
    return f"{unit.name}调查研究台账"


def write_research_ledger(*, campaign: Campaign, unit: OrgUnit, target: str | IO[bytes]) -> int:
    """Write the ledger of the unit's subtree; returns the number of projects written."""
    writer = LedgerWriter(
        title=f"{ledger_title(unit)}（{timezone.localdate():%Y年%m月%d日}）",
        columns=COLUMNS,
        sheet_title="调研台账",
    )
    count = 0
    for row in ledger_rows(ledger_projects(campaign=campaign, unit=unit)):
        writer.append(row)
        count += 1
    writer.save(target)
    return count
