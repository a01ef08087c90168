"""The ledger of a province (or of any unit over several cities): one workbook per unit of
the next level down, in a zip.

A province's ledger is ten cities' ledgers: one sheet of 300,000 problems is more than an
office prints or Excel opens comfortably, and each city answers for its own. Each workbook
is written by the city export's own writer (``LedgerExporter``) to a temporary file and
stored in the zip before the next is begun, so memory stays that of one city's export
whatever the number of cities. Workbooks are already compressed: they are stored in the
zip as they are.
"""

from __future__ import annotations

import re
import tempfile
import zipfile
from collections.abc import Iterator
from typing import IO

from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import OrgUnit, UnitKind
from campaign.models import Campaign
from core.xlsx import ProgressCallback

from .ledger_export import LedgerExporter, ledger_title
from .models import Problem

# The units whose office gets its ledger as one workbook per unit below it.
SPLIT_KINDS = (UnitKind.PROVINCE_COMMITTEE,)
_UNSAFE = re.compile(r'[\\/:*?"<>|\s]+')


def splits_ledger(unit: OrgUnit | None) -> bool:
    """Whether the ledger of ``unit``'s scope is written one workbook per unit below it."""
    return unit is not None and unit.kind in SPLIT_KINDS


def export_unit(*, user: object, filters: dict[str, list[str]], fallback: OrgUnit) -> OrgUnit:
    """The unit an export is of: the one the list is filtered on, else ``fallback``."""
    unit_id = str((filters.get("unit") or [""])[-1])
    unit = (
        OrgUnit.objects.visible_to(user).filter(pk=unit_id).first() if unit_id.isdigit() else None
    )
    return unit or fallback


def province_file_name(*, campaign: Campaign) -> str:
    return f"整改台账-{campaign.pk}-{timezone.localdate():%Y%m%d}.zip"


def _parts(problems: QuerySet[Problem], unit: OrgUnit) -> Iterator[tuple[OrgUnit, QuerySet]]:
    """The unit's own problems, then each unit of the next level down with its subtree's."""
    yield unit, problems.filter(unit=unit)
    for child in OrgUnit.objects.filter(path__startswith=unit.path, depth=unit.depth + 1).order_by(
        "path"
    ):
        yield child, problems.filter(unit__path__startswith=child.path)


def write_split_ledger(
    *,
    problems: QuerySet[Problem],
    campaign: Campaign,
    unit: OrgUnit,
    target: str | IO[bytes],
    progress: ProgressCallback | None = None,
) -> int:
    """Write ``problems`` (any queryset: a scope, the list's filters) as a zip of one
    ledger workbook per unit of the level below ``unit`` (and one of ``unit``'s own
    problems, if it has any); returns the number of problems written."""
    total = Problem.objects.filter(pk__in=problems.order_by().values("pk")).count()
    done = 0
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_STORED) as archive:
        number = 0
        for part, rows in _parts(problems, unit):
            if part.pk == unit.pk and not rows.exists():
                continue
            offset = done

            def step(written: int, _part_total: int, offset: int = offset) -> None:
                if progress is not None:
                    progress(offset + written, total)

            with tempfile.TemporaryFile() as workbook:
                exporter = LedgerExporter(
                    problems=rows,
                    title=ledger_title(campaign=campaign, unit=part),
                    progress=step if progress is not None else None,
                )
                written = exporter.write(workbook)
                if not written:
                    continue
                done += written
                number += 1
                workbook.seek(0)
                name = f"{number:02d}-{_UNSAFE.sub('_', part.name)}.xlsx"
                with archive.open(name, "w", force_zip64=True) as member:
                    while chunk := workbook.read(1 << 20):
                        member.write(chunk)
    if progress is not None:
        progress(done, total)
    return done


def export_province_ledger(
    *,
    campaign: Campaign,
    unit: OrgUnit,
    target: str | IO[bytes],
    progress: ProgressCallback | None = None,
) -> int:
    """The whole ledger of a province (a unit's subtree), one workbook per city, in a zip
    (the ``export_ledger`` command with a ``.zip`` output)."""
    problems = Problem.objects.filter(campaign=campaign, unit__path__startswith=unit.path)
    return write_split_ledger(
        problems=problems, campaign=campaign, unit=unit, target=target, progress=progress
    )
