"""Benchmark of the rectification ledger: whole-city export and a 5,000-row import.

Budgets (DESIGN.md): whole-city export (30,000 problems, 75,000 measures) ≤ 20 s and
≤ 400 MB peak, streamed to the file; a 5,000-row ledger import ≤ 15 s in one transaction.
The plain way (a default django-import-export resource over the same tables, built in
memory by tablib) is measured too, and the ratio printed.

Run against a database of its own (it creates its data in bulk once and reuses it):

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/tracker_bench \\
        .venv/bin/python tests/bench/bench_ledger.py

Each measurement runs in a fresh child process, so that its peak resident memory
(``VmHWM``, see ``peak_mb``) is its own. Not collected by ``make test``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

BASE = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(BASE))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

CAMPAIGN_NAME = "台账基准测试"
COUNTIES = 12
UNITS_PER_COUNTY = 50
PROBLEMS = 30_000
IMPORT_ROWS = 5_000
CATEGORIES = ["理论学习", "政治素质", "能力本领", "担当作为", "工作作风", "廉洁自律", "服务群众",
              "推动发展", "基层党建", "其他"]  # fmt: skip
MEASURE_TEXT = "建立学习制度，每月集中学习不少于一次，推动学用结合。"
TEXT = "学习贯彻不够深入系统，存在以干代学、学用脱节等情况，需要进一步加强理论武装。"


def setup_django() -> None:
    import django

    django.setup()


def peak_mb() -> float:
    """This process's peak resident memory. Linux keeps ``ru_maxrss`` across exec, so a
    child of a big parent (the benchmark session that just built the city data set) would
    report the parent's peak; the high-water mark of the process's own memory
    (``VmHWM``) starts afresh at exec."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- data ------------------------------------------------------------------------------------


def ensure_data() -> tuple[int, str]:
    """The bench city and its 30,000 problems (created once, in bulk)."""
    import pghistory
    from django.core.management import call_command

    from accounts.models import OrgUnit, UnitKind, User
    from campaign.models import Campaign
    from rectification.models import Measure, Problem, ProblemState, ProblemType, ProgressNote

    call_command("migrate", verbosity=0)
    campaign = Campaign.objects.filter(name=CAMPAIGN_NAME).first()
    if campaign is not None and campaign.problems.count() == PROBLEMS:
        return campaign.pk, campaign.root_unit.code
    started = time.perf_counter()
    with pghistory.context(command="bench_ledger"):
        city = OrgUnit.objects.filter(code="BENCH").first()
        if city is None:
            city = OrgUnit.add_root(code="BENCH", name="基准市委", kind=UnitKind.CITY_COMMITTEE)
            for c in range(COUNTIES):
                city.refresh_from_db()
                county = city.add_child(
                    code=f"BENCH-{c:02d}", name=f"基准{c}县委", kind=UnitKind.COUNTY_COMMITTEE
                )
                for b in range(UNITS_PER_COUNTY):
                    county.refresh_from_db()
                    county.add_child(
                        code=f"BENCH-{c:02d}-{b:03d}",
                        name=f"基准{c}县{b}支部",
                        kind=UnitKind.BRANCH,
                    )
        units = list(
            OrgUnit.objects.filter(path__startswith=city.path, kind=UnitKind.BRANCH).order_by(
                "path"
            )
        )
        users = User.objects.bulk_create(
            [User(username=f"bench{i}", full_name=f"基准{i}号", password="!") for i in range(200)],
            ignore_conflicts=True,
        )
        users = list(User.objects.filter(username__startswith="bench").order_by("pk"))
        if campaign is None:
            campaign = Campaign.objects.create(
                name=CAMPAIGN_NAME,
                root_unit=city,
                start_date=date(2026, 9, 1),
                end_date=date(2027, 3, 31),
                problem_categories=CATEGORIES,
            )
        campaign.problems.all().delete()
        per_unit = PROBLEMS // len(units)
        problems = []
        types = [ProblemType.DEADLINE, ProblemType.DEADLINE, ProblemType.IMMEDIATE,
                 ProblemType.ONGOING]  # fmt: skip
        for u, unit in enumerate(units):
            for n in range(1, per_unit + 1):
                i = u * per_unit + n
                kind = types[i % 4]
                problems.append(
                    Problem(
                        campaign=campaign,
                        unit=unit,
                        number=n,
                        category=CATEGORIES[i % len(CATEGORIES)],
                        source="self_review",
                        description=f"{i}. {TEXT}",
                        responsible_leader=users[i % len(users)],
                        responsible_unit=unit,
                        responsible_person_name=f"责任人{i % 97}",
                        type=kind,
                        deadline=None
                        if kind == ProblemType.ONGOING
                        else date(2026, 12, 1) + timedelta(days=i % 60),
                        discovered_on=date(2026, 10, 1),
                        state=ProblemState.IN_RECTIFICATION,
                        remarks="" if i % 5 else "重点督办",
                    )
                )
        Problem.objects.bulk_create(problems, batch_size=5000)
        measures = []
        for i, problem in enumerate(problems):
            for k in range(2 + i % 2):  # 2, 3, 2, 3 … : 75,000 measures
                measures.append(
                    Measure(
                        problem=problem,
                        order=k + 1,
                        description=f"措施{k + 1}：{MEASURE_TEXT}",
                        responsible_person=users[(i + k) % len(users)] if k == 0 else None,
                        responsible_person_name="" if k == 0 else f"经办人{k}",
                        deadline=problem.deadline,
                        state=["not_started", "in_progress", "done"][(i + k) % 3],
                    )
                )
        Measure.objects.bulk_create(measures, batch_size=5000)
        ProgressNote.objects.bulk_create(
            [
                ProgressNote(
                    measure=m,
                    noted_on=date(2026, 11, 1) + timedelta(days=j % 20),
                    text="已召开专题会议研究部署，形成工作方案。",
                )
                for j, m in enumerate(measures)
                if j % 2 == 0
            ],
            batch_size=5000,
        )
    print(f"data: {len(problems)} problems, {len(measures)} measures in "
          f"{time.perf_counter() - started:.1f} s", flush=True)  # fmt: skip
    return campaign.pk, city.code


# --- the measured phases (each in its own process) -----------------------------------------------


def phase_export(campaign_id: int, unit_code: str) -> dict[str, Any]:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from accounts.models import OrgUnit
    from campaign.models import Campaign
    from rectification.ledger_export import export_unit_ledger

    campaign = Campaign.objects.get(pk=campaign_id)
    unit = OrgUnit.objects.get(code=unit_code)
    baseline = peak_mb()
    target = Path(tempfile.mkdtemp()) / "city.xlsx"
    reset_queries()
    started, cpu = time.perf_counter(), time.process_time()
    with CaptureQueriesContext(connection) as queries:
        count = export_unit_ledger(campaign=campaign, unit=unit, target=str(target))
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    size = target.stat().st_size
    target.unlink()
    return {
        "what": "ledger export (openpyxl write-only, streamed)",
        "problems": count,
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu, 2),
        "peak_mb": round(peak_mb(), 1),
        "baseline_mb": round(baseline, 1),
        "file_mb": round(size / 1048576, 1),
        "queries": len(queries.captured_queries),
    }


def phase_export_province(campaign_id: int, unit_code: str) -> dict[str, Any]:
    """The province's ledger: one workbook per city, in a zip."""
    import zipfile

    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from accounts.models import OrgUnit
    from campaign.models import Campaign
    from rectification.ledger_province import export_province_ledger

    campaign = Campaign.objects.get(pk=campaign_id)
    unit = OrgUnit.objects.get(code=unit_code)
    baseline = peak_mb()
    target = Path(tempfile.mkdtemp()) / "province.zip"
    reset_queries()
    started, cpu = time.perf_counter(), time.process_time()
    with CaptureQueriesContext(connection) as queries:
        count = export_province_ledger(campaign=campaign, unit=unit, target=str(target))
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    size = target.stat().st_size
    with zipfile.ZipFile(target) as archive:
        workbooks = len(archive.namelist())
    target.unlink()
    return {
        "what": "province ledger export (a workbook per city, zipped)",
        "problems": count,
        "workbooks": workbooks,
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu, 2),
        "peak_mb": round(peak_mb(), 1),
        "baseline_mb": round(baseline, 1),
        "file_mb": round(size / 1048576, 1),
        "queries": len(queries.captured_queries),
    }


def phase_plain(campaign_id: int, unit_code: str) -> dict[str, Any]:
    from import_export.resources import modelresource_factory

    from rectification.models import Measure, Problem

    baseline = peak_mb()
    started, cpu = time.perf_counter(), time.process_time()
    size = 0
    for model, qs in (
        (Problem, Problem.objects.filter(campaign_id=campaign_id)),
        (Measure, Measure.objects.filter(problem__campaign_id=campaign_id)),
    ):
        dataset = modelresource_factory(model)().export(queryset=qs)
        size += len(dataset.export("xlsx"))
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {
        "what": "default django-import-export resources (Problem + Measure tables, tablib)",
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu, 2),
        "peak_mb": round(peak_mb(), 1),
        "baseline_mb": round(baseline, 1),
        "file_mb": round(size / 1048576, 1),
    }


#: The columns the benchmark fills, by header: the rest of the export's columns stay empty.
FILLED = ("序号", "问题类别", "问题来源", "问题描述", "整改措施", "责任领导", "责任单位", "责任人",
          "整改时限", "整改进展", "措施完成情况", "问题状态", "备注")  # fmt: skip


def _ledger_row(*values: Any) -> list[Any]:
    """A ledger row in the export's column order from the values of :data:`FILLED`."""
    from rectification.ledger_export import HEADERS

    given = dict(zip(FILLED, values, strict=True))
    return [given.get(header, "") for header in HEADERS]


def phase_import(campaign_id: int, unit_code: str) -> dict[str, Any]:
    from django.db import transaction
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    from accounts.models import OrgUnit
    from campaign.models import Campaign
    from rectification.ledger_export import HEADERS, PROBLEM_COLUMNS
    from rectification.ledger_import import ledger_import

    campaign = Campaign.objects.get(pk=campaign_id)
    unit = OrgUnit.objects.get(code=f"{unit_code}-00-000")
    wb = Workbook()
    ws = wb.active
    ws.append(["基准支部问题整改台账"])
    ws.append(list(HEADERS))
    row, seq = 0, 0
    last = 2  # the sheet's last row, counted (openpyxl's max_row scans every cell)
    while row < IMPORT_ROWS:
        seq += 1
        first = last + 1
        for k in range(min(1 + seq % 3, IMPORT_ROWS - row)):
            ws.append(
                _ledger_row(seq, CATEGORIES[seq % len(CATEGORIES)], "征求意见",
                 f"{seq}. 导入：{TEXT}", f"措施{k + 1}：每月集中学习", f"基准{seq % 200}号",
                 "基准0县0支部",
                 f"基准{(seq + k) % 200}号", "2026年12月31日",
                 "2026-11-02 已部署\n2026-11-16 已检查", "整改中", "整改中", "")
            )  # fmt: skip
            row += 1
            last += 1
        if last > first:
            for col in PROBLEM_COLUMNS:
                letter = get_column_letter(col)
                ws.merge_cells(f"{letter}{first}:{letter}{last}")
    path = Path(tempfile.mkdtemp()) / "import.xlsx"
    wb.save(path)
    del wb, ws
    baseline = peak_mb()
    started, cpu = time.perf_counter(), time.process_time()
    with transaction.atomic():
        preview = ledger_import(upload=str(path), campaign=campaign, unit=unit, user=None)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        transaction.set_rollback(True)  # measured, then left as it was
    path.unlink()
    assert not preview.errors, preview.errors[:5]
    return {
        "what": "ledger import (normal-mode read, bulk inserts, one transaction)",
        "rows": IMPORT_ROWS,
        "problems": len(preview.problems),
        "measures": preview.measure_count,
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu, 2),
        "peak_mb": round(peak_mb(), 1),
        "baseline_mb": round(baseline, 1),
    }


# --- a 20 MB ledger through the import job's reading (streamed) and the old normal load ----

BIG_LEDGER = Path(tempfile.gettempdir()) / "tracker-bench-ledger-20mb.xlsx"
WORDS = list(TEXT + MEASURE_TEXT + "组织生活会谈心谈话制度落实不到位基层党建工作台账整改")
BIG_LEDGER_MB = 19.5  # just under IMPORT_MAX_MB's default


def _words(rng: random.Random, n: int) -> str:
    """Text as varied as people's (a ledger of copies of one sentence packs tenfold)."""
    return "".join(rng.choice(WORDS) for _ in range(n))


def _write_big_ledger(rows: int) -> int:
    from core.xlsx import LedgerWriter
    from rectification.ledger_export import COLUMNS, PROBLEM_COLUMNS

    rng = random.Random(2026)
    writer = LedgerWriter(title="基准支部问题整改台账", columns=COLUMNS, sheet_title="整改台账")
    written, seq = 0, 0
    while written < rows:
        seq += 1
        first = None
        for k in range(min(1 + seq % 3, rows - written)):
            row = writer.append(
                _ledger_row(seq, CATEGORIES[seq % len(CATEGORIES)], "征求意见",
                 f"{seq}. {_words(rng, 40)}", f"措施{k + 1}：{_words(rng, 30)}",
                 f"基准{seq % 200}号", "基准0县0支部", f"基准{(seq + k) % 200}号", "2026年12月31日",
                 f"2026-11-02 {_words(rng, 12)}\n2026-11-16 {_words(rng, 12)}", "整改中",
                 "整改中", _words(rng, 6))
            )  # fmt: skip
            first = first or row
            written += 1
        if first is not None and writer.next_row - 1 > first:
            writer.merge_down(PROBLEM_COLUMNS, first, writer.next_row - 1)
    writer.save(str(BIG_LEDGER))
    return written


def phase_make_big(campaign_id: int, unit_code: str) -> dict[str, Any]:
    """Write a ledger of about 20 MB (as the export writes it: merged problem cells)."""
    rows = 20_000
    _write_big_ledger(rows)
    rows = int(rows * BIG_LEDGER_MB * 1048576 / BIG_LEDGER.stat().st_size)
    rows = _write_big_ledger(rows)
    return {"rows": rows, "file_mb": round(BIG_LEDGER.stat().st_size / 1048576, 1)}


def phase_import_big(campaign_id: int, unit_code: str) -> dict[str, Any]:
    """The import job's work on the 20 MB ledger: read streamed, checked, written in one
    transaction (then rolled back)."""
    from django.db import transaction

    from accounts.models import OrgUnit
    from campaign.models import Campaign
    from rectification.ledger_import import ledger_import

    campaign = Campaign.objects.get(pk=campaign_id)
    unit = OrgUnit.objects.get(code=f"{unit_code}-00-000")
    baseline = peak_mb()
    started, cpu = time.perf_counter(), time.process_time()
    with transaction.atomic():
        preview = ledger_import(upload=str(BIG_LEDGER), campaign=campaign, unit=unit, user=None)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        transaction.set_rollback(True)
    assert not preview.errors, preview.errors[:5]
    return {
        "what": "20 MB ledger import (read-only streamed read, one transaction)",
        "file_mb": round(BIG_LEDGER.stat().st_size / 1048576, 1),
        "problems": len(preview.problems),
        "measures": preview.measure_count,
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu, 2),
        "peak_mb": round(peak_mb(), 1),
        "baseline_mb": round(baseline, 1),
    }


def phase_preview_big(campaign_id: int, unit_code: str) -> dict[str, Any]:
    """The import job's first step on the 20 MB ledger: read streamed and checked, nothing
    written (what the office waits for before it confirms)."""
    from accounts.models import OrgUnit
    from campaign.models import Campaign
    from rectification.ledger_import import ledger_preview

    campaign = Campaign.objects.get(pk=campaign_id)
    unit = OrgUnit.objects.get(code=f"{unit_code}-00-000")
    baseline = peak_mb()
    started, cpu = time.perf_counter(), time.process_time()
    preview = ledger_preview(upload=str(BIG_LEDGER), campaign=campaign, unit=unit, user=None)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    assert not preview.errors, preview.errors[:5]
    return {
        "what": "20 MB ledger checked (read-only streamed read, nothing written)",
        "problems": len(preview.problems),
        "measures": preview.measure_count,
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu, 2),
        "peak_mb": round(peak_mb(), 1),
        "baseline_mb": round(baseline, 1),
    }


def phase_normal_big(campaign_id: int, unit_code: str) -> dict[str, Any]:
    """The plain way: openpyxl's normal load of the same file (what the import did)."""
    from openpyxl import load_workbook

    baseline = peak_mb()
    started = time.perf_counter()
    sheet = load_workbook(str(BIG_LEDGER)).worksheets[0]
    rows = sum(1 for _row in sheet.iter_rows())
    return {
        "what": "normal-mode load of the same file, nothing else",
        "rows": rows,
        "seconds": round(time.perf_counter() - started, 2),
        "peak_mb": round(peak_mb(), 1),
        "baseline_mb": round(baseline, 1),
    }


PHASES = {
    "export": phase_export,
    "plain": phase_plain,
    "import": phase_import,
    "export_province": phase_export_province,
    "make_big": phase_make_big,
    "preview_big": phase_preview_big,
    "import_big": phase_import_big,
    "normal_big": phase_normal_big,
}


def child(phase: str, campaign_id: int, unit_code: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--phase", phase, str(campaign_id), unit_code],
        check=True,
        capture_output=True,
        text=True,
        env=os.environ,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phase", choices=sorted(PHASES))
    parser.add_argument("args", nargs="*")
    options = parser.parse_args()
    setup_django()
    if options.phase:
        campaign_id, unit_code = int(options.args[0]), options.args[1]
        print(json.dumps(PHASES[options.phase](campaign_id, unit_code), ensure_ascii=False))
        return
    campaign_id, unit_code = ensure_data()
    results = {}
    for phase in ("export", "plain", "import"):
        results[phase] = child(phase, campaign_id, unit_code)
        print(json.dumps(results[phase], ensure_ascii=False), flush=True)
    export, plain, imported = results["export"], results["plain"], results["import"]
    within = export["seconds"] <= 20 and export["peak_mb"] <= 400
    print(
        f"whole-city export: {export['seconds']} s, peak {export['peak_mb']} MB "
        f"(budget 20 s, 400 MB): {'OK' if within else 'OVER'}"
    )
    print(
        f"plain export: {plain['seconds']} s, peak {plain['peak_mb']} MB; ratio plain/ledger: "
        f"time {plain['seconds'] / export['seconds']:.1f}x, "
        f"memory {plain['peak_mb'] / export['peak_mb']:.1f}x"
    )
    print(
        f"5,000-row import: {imported['seconds']} s, peak {imported['peak_mb']} MB "
        f"(budget 15 s): {'OK' if imported['seconds'] <= 15 else 'OVER'}"
    )


if __name__ == "__main__":
    main()
