"""The activity ledger (活动台账) in Excel: one line per study session, as branches keep it
for every 三会一课 (时间, 地点, 主持人, 应到, 实到, 缺席人员及原因, 记录人, 主要内容), written
row by row like the other ledgers."""

from __future__ import annotations

from datetime import date
from typing import IO, Any

from django.utils import timezone

from accounts.models import OrgUnit
from core.xlsx import Column, LedgerWriter

from .models import Activity, Campaign
from .selectors import ledger_activities

COLUMNS = [
    Column("序号", 6, center=True),
    Column("单位", 18),
    Column("时间", 12, center=True),
    Column("地点", 16),
    Column("活动类型", 14, center=True),
    Column("主持人", 10, center=True),
    Column("应到", 7, center=True),
    Column("实到", 7, center=True),
    Column("缺席人员及原因", 30),
    Column("补学情况", 24),
    Column("记录人", 10, center=True),
    Column("主要内容", 44),
]


def ledger_title(unit: OrgUnit) -> str:
    return f"{unit.name}学习活动台账"


def ledger_row(number: int, activity: Activity) -> list[Any]:
    roll = list(activity.attendance.all())
    absent = [line for line in roll if not line.present]
    return [
        number,
        activity.unit.name,
        activity.held_on.strftime("%Y-%m-%d"),
        activity.place,
        activity.get_kind_display(),
        activity.host,
        len(roll) if roll else "",
        sum(1 for line in roll if line.present) if roll else activity.participants,
        "；".join(f"{line.person.name}（{line.absence_reason}）" for line in absent),
        "；".join(
            f"{line.person.name}：{line.makeup_on:%m-%d}已补学"
            + (f"（{line.makeup_note}）" if line.makeup_note else "")
            if line.makeup_on
            else f"{line.person.name}：待补学"
            for line in absent
        ),
        activity.recorder,
        activity.summary,
    ]


def write_study_ledger(
    *,
    campaign: Campaign,
    unit: OrgUnit,
    target: str | IO[bytes],
    date_from: date | None = None,
    date_to: date | None = None,
) -> int:
    """Write the ledger of the unit's subtree; returns the number of sessions written."""
    writer = LedgerWriter(
        title=f"{ledger_title(unit)}（{timezone.localdate():%Y年%m月%d日}）",
        columns=COLUMNS,
        sheet_title="活动台账",
    )
    count = 0
    activities = ledger_activities(
        campaign=campaign, unit=unit, date_from=date_from, date_to=date_to
    )
    for activity in activities.iterator(chunk_size=500):
        count += 1
        writer.append(ledger_row(count, activity))
    writer.save(target)
    return count
