"""Uploaded workbooks: one set of limits for every import, and rows read streamed."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from accounts.org_import import check_workbook_file
from core import workbooks
from core.workbooks import WorkbookRefused, check_workbook, merged_ranges, sheet_rows
from rectification.ledger_import import LedgerFileError, check_xlsx
from tests.accounts.workbooks import zip_bomb


def _xlsx(build) -> bytes:
    wb = Workbook()
    build(wb.active)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _ratio_bomb() -> bytes:
    """Unpacks to 50 MB, far below ten times the size limit, at a ratio no sheet has: the
    organisation import used to accept it (it checked the unpacked size only)."""
    return zip_bomb(50 * 1024 * 1024)


def test_a_ratio_bomb_is_refused_by_every_import(settings):
    settings.IMPORT_MAX_BYTES = 20 * 1024 * 1024
    bomb = _ratio_bomb()
    assert len(bomb) < 200 * 1024
    with pytest.raises(WorkbookRefused, match="MB"):
        check_workbook(bomb)
    with pytest.raises(LedgerFileError, match="解压"):
        check_xlsx(bomb)
    with pytest.raises(WorkbookRefused, match="解压"):
        check_workbook_file(io.BytesIO(bomb), name="org.xlsx", size=len(bomb))


def test_the_same_size_limit_everywhere(settings):
    settings.IMPORT_MAX_BYTES = 1024
    data = _xlsx(lambda ws: ws.append(["x" * 4000]))
    for check in (
        lambda: check_workbook(data),
        lambda: check_workbook_file(io.BytesIO(data), name="a.xlsx", size=len(data)),
    ):
        with pytest.raises(WorkbookRefused, match="MB"):
            check()
    with pytest.raises(LedgerFileError, match="MB"):
        check_xlsx(SimpleUploadedFile("a.xlsx", data).file)


def test_an_ordinary_workbook_passes():
    check_workbook(_xlsx(lambda ws: ws.append(["序号", "问题描述"])), name="台账.xlsx")
    with pytest.raises(WorkbookRefused, match="xlsx"):
        check_workbook(b"PK\x03\x04", name="台账.xls")


def test_rows_are_streamed_with_merged_cells_carried():
    def build(ws):
        ws.append(["标题"])
        ws.merge_cells("A1:C1")
        ws.append(["序号", "描述", "措施"])
        ws.append([1, "问题一", "措施甲"])
        ws.append([None, None, "措施乙"])
        ws.merge_cells("A3:A4")
        ws.merge_cells("B3:B4")
        ws["A7"] = "=1+1"

    rows = list(sheet_rows(_xlsx(build)))
    assert rows[0] == (1, [("标题", False)] * 3)
    assert rows[3] == (4, [(1, False), ("问题一", False), ("措施乙", False)])
    assert rows[4][1] == [(None, False)] * 3  # an empty row is still a row
    assert rows[6] == (7, [("=1+1", True), (None, False), (None, False)])


def test_merged_ranges_are_found_across_chunks_and_prefixes(monkeypatch):
    monkeypatch.setattr(workbooks, "_CHUNK", 7)  # every tag straddles a chunk boundary
    xml = (
        b'<x:worksheet xmlns:x="ns"><x:sheetData><x:row r="1"/></x:sheetData>'
        b'<x:mergeCells count="2"><x:mergeCell ref="A1:C1"/><x:mergeCell ref=\'b3:b40\'/>'
        b'</x:mergeCells><x:hyperlinks><x:hyperlink ref="D1:D2"/></x:hyperlinks></x:worksheet>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("xl/worksheets/sheet1.xml", xml)
    with zipfile.ZipFile(out) as archive:
        assert merged_ranges(archive, "xl/worksheets/sheet1.xml") == [(1, 1, 3, 1), (2, 3, 2, 40)]
