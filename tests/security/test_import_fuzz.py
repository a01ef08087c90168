"""Malformed workbooks fed to every import: each ends in a clear error, nothing written.

The imports are the rectification ledger (``rectification.ledger_import``, the page and
``manage.py import_ledger``) and the organisation workbook (``accounts`` ``org_import``,
the page and ``manage.py import_org``).
"""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from accounts.models import OrgUnit, RoleAssignment, User
from accounts.org_import import WorkbookRefused
from accounts.services import org_import
from rectification.ledger_import import LedgerFileError, ledger_import
from rectification.models import Measure, Problem
from tests.accounts.workbooks import UNIT_HEADER, USER_HEADER, build_workbook, zip_bomb
from tests.rectification.factories import make_campaign

pytestmark = pytest.mark.django_db

LEDGER_HEADER = ["序号", "问题类别", "问题来源", "问题描述", "整改措施", "责任领导", "责任单位",
                 "责任人", "整改时限", "整改进展", "完成情况/状态", "备注"]  # fmt: skip

FUZZ = settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Cell values people (or attackers) put in sheets: wrong types, formulas, prefixes that a
# spreadsheet would run, control characters, very long text.
cells = st.one_of(
    st.none(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.dates(min_value=date(1900, 3, 1), max_value=date(2100, 1, 1)),
    st.datetimes(min_value=datetime(1900, 3, 1), max_value=datetime(2100, 1, 1)),
    st.text(max_size=40).map(lambda s: "".join(c for c in s if c.isprintable())),
    st.sampled_from(
        [
            "=1+1",
            '=HYPERLINK("http://example.invalid","x")',
            "+SUM(A1:A9)",
            "-2+3",
            "@SUM(1)",
            "=cmd|' /C calc'!A0",
            "#REF!",
            "2026-02-30",
            "明天",
            "x" * 32767,
            "长" * 20000,
        ]
    ),
)


def _workbook(header: list[str], rows: list[list[Any]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


def _counts() -> tuple[int, ...]:
    return (
        Problem.objects.count(),
        Measure.objects.count(),
        OrgUnit.objects.count(),
        User.objects.count(),
        RoleAssignment.objects.count(),
    )


GOOD = _workbook(LEDGER_HEADER, [[1, "工作作风", "自查自纠", "问题", "措施", "张书记", "", "李委员",
                                  "2026-12-31", "", "整改中", ""]])  # fmt: skip

# Files that are not workbooks at all, or broken ones.
broken_files = st.one_of(
    st.binary(max_size=2048),
    st.integers(min_value=1, max_value=len(GOOD) - 1).map(lambda n: GOOD[:n]),
    st.just(_zip({"hello.txt": b"hi"})),
    st.just(_zip({"[Content_Types].xml": b"<Types/>"})),
    st.just(_zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<not-xml"})),
    st.just(
        _zip(
            {
                "[Content_Types].xml": b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'aaaa'>"
                b"<!ENTITY b '&a;&a;&a;&a;'>]><Types>&b;</Types>",
                "xl/workbook.xml": b"<workbook/>",
            }
        )
    ),
    st.just(zip_bomb(80 * 1024 * 1024)),
)


def _ledger_refuses(data: bytes, campaign, unit) -> None:
    before = _counts()
    try:
        preview = ledger_import(
            upload=data, campaign=campaign, unit=unit, user=None, today=date(2026, 11, 27)
        )
    except LedgerFileError as exc:
        assert str(exc)
    else:
        assert not preview.written and preview.errors
    assert _counts() == before


def _org_refuses(data: bytes) -> None:
    before = _counts()
    try:
        result = org_import(fileobj=io.BytesIO(data), name="org.xlsx", size=len(data), actor=None)
    except WorkbookRefused as exc:
        assert str(exc)
    else:
        assert result.errors
    assert _counts() == before


@pytest.fixture
def campaign(tree):
    return make_campaign(tree.city)


@FUZZ
@given(data=broken_files)
def test_ledger_refuses_broken_files(data, campaign, tree) -> None:
    _ledger_refuses(data, campaign, tree.branch_a1)


@FUZZ
@given(data=broken_files)
def test_org_import_refuses_broken_files(data, tree) -> None:
    _org_refuses(data)


@FUZZ
@given(rows=st.lists(st.lists(cells, min_size=1, max_size=12), min_size=1, max_size=5))
def test_ledger_with_wrong_cells_is_clear_and_all_or_nothing(rows, campaign, tree) -> None:
    data = _workbook(LEDGER_HEADER, rows)
    before = _counts()
    try:
        preview = ledger_import(
            upload=data, campaign=campaign, unit=tree.branch_a1, user=None, today=date(2026, 11, 27)
        )
    except LedgerFileError as exc:
        assert str(exc)
        assert _counts() == before
        return
    if not preview.written:
        assert preview.errors or not preview.problems
        assert _counts() == before
    else:
        # Every row was good: it wrote them all, and no text starts a formula.
        for problem in Problem.objects.filter(unit=tree.branch_a1):
            assert not problem.description.startswith("=")


@FUZZ
@given(
    units=st.lists(st.lists(cells, min_size=1, max_size=5), min_size=1, max_size=4),
    users=st.lists(st.lists(cells, min_size=1, max_size=5), max_size=4),
)
def test_org_import_with_wrong_cells_is_clear_and_all_or_nothing(units, users, tree) -> None:
    data = build_workbook(units, users, unit_header=UNIT_HEADER, user_header=USER_HEADER)
    before = _counts()
    try:
        result = org_import(
            fileobj=io.BytesIO(data), name="org.xlsx", size=len(data), actor=None, dry_run=False
        )
    except WorkbookRefused as exc:
        assert str(exc)
        assert _counts() == before
        return
    if result.errors:
        assert _counts() == before


def test_files_over_the_size_limit_are_refused(campaign, tree, settings) -> None:
    settings.IMPORT_MAX_BYTES = 1024
    data = GOOD + b"\0" * 2048
    _ledger_refuses(data, campaign, tree.branch_a1)
    _org_refuses(data)


def test_zip_bomb_is_refused_before_unpacking(campaign, tree) -> None:
    bomb = zip_bomb(200 * 1024 * 1024)
    assert len(bomb) < 1024 * 1024
    _ledger_refuses(bomb, campaign, tree.branch_a1)
    _org_refuses(bomb)
