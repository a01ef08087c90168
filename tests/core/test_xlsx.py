"""The ledger writer: body rows written as ready XML are the bytes openpyxl writes for the
same cells, and anything openpyxl has to judge still goes through openpyxl."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook
from openpyxl.utils.exceptions import IllegalCharacterError

from core.xlsx import Column, LedgerWriter

COLUMNS = [Column("序号", 6, center=True), Column("内容", 30), Column("状态", 10, center=True)]

WRITTEN_AS_XML = [
    [1, "理论学习流于形式", "整改中"],
    [None, None, ""],
    [0, "", None],
    [-7, "a & b < c > d", "引号\"和'单引号"],
    [99_999_999_999_999, "第一行\n第二行\r\n第三行", "\t制表"],
    [2, " 前面有空格", "后面有空格 "],
    [3, "\u3000全角空格", "\n"],
    [4, "=SUM(A1:A2)", "+1"],
    [5, "-1", "@提醒"],
    [6, "\tTAB", "\rCR"],
    [7, "😀 emoji 𠀀", "\u00a0nbsp\u00a0"],
    [8, date(2026, 12, 15), datetime(2026, 11, 10, 9, 30)],
    [9, "#N/A?", "#REF"],
    [10, "x" * 32767, "]]>"],
    [11, "\x7f\x85\ud7ff\ue000\ufffd", "&amp;"],
]

LEFT_TO_OPENPYXL = [
    [True, "布尔", ""],
    [1.5, "小数", ""],
    [Decimal("2"), "Decimal", ""],
    [10**16, "大整数", ""],
    [1, "#N/A", ""],
    [1, "#DIV/0!", ""],
    [1, "x" * 32768, ""],
]


@pytest.fixture
def ledger():
    # Saved at the end: a write-only sheet dropped unsaved complains as it is collected.
    writer = LedgerWriter(title="标题", columns=COLUMNS)
    yield writer
    if not writer.sheet.closed:
        writer.save(BytesIO())


@pytest.mark.parametrize("values", WRITTEN_AS_XML)
def test_row_xml_is_what_openpyxl_writes(ledger, values):
    xml = ledger._row_xml(7, values)
    assert xml is not None
    assert xml.encode("ascii", "xmlcharrefreplace") == ledger._openpyxl_row_xml(7, values)


@pytest.mark.parametrize("values", LEFT_TO_OPENPYXL)
def test_unusual_values_go_through_openpyxl(ledger, values):
    assert ledger._row_xml(3, values) is None


def test_rows_either_way_read_back(ledger):
    for values in WRITTEN_AS_XML + LEFT_TO_OPENPYXL:
        ledger.append(values)
    ledger.merge_down([1], 3, 4)
    target = BytesIO()
    ledger.save(target)
    ws = load_workbook(BytesIO(target.getvalue())).worksheets[0]
    rows = list(ws.iter_rows(min_row=3, values_only=True))
    assert len(rows) == len(WRITTEN_AS_XML) + len(LEFT_TO_OPENPYXL)
    assert rows[0] == (1, "理论学习流于形式", "整改中")
    assert rows[3] == (-7, "a & b < c > d", "引号\"和'单引号")
    assert rows[4][1] == "第一行\n第二行\r\n第三行"
    assert rows[5] == (2, " 前面有空格", "后面有空格 ")
    assert rows[7] == (4, "'=SUM(A1:A2)", "'+1")
    assert rows[11] == (8, "2026-12-15", "2026-11-10 09:30")
    assert rows[len(WRITTEN_AS_XML)][0] is True
    assert rows[len(WRITTEN_AS_XML) + 4][1] == "#N/A"
    assert "A3:A4" in {str(r) for r in ws.merged_cells.ranges}
    assert ws["B3"].alignment.wrap_text and ws["A3"].alignment.horizontal == "center"
    assert ws["B3"].border.left.style == "thin"


def test_merged_ranges_read_back_and_are_let_go_once_saved():
    """Ranges are kept as numbers: the title's, the footer's and body ranges of columns
    past Z read back as openpyxl names them."""
    columns = [Column(f"列{n}", 4) for n in range(1, 31)]
    writer = LedgerWriter(title="标题", columns=columns)
    for n in range(4):
        writer.append([n] * len(columns))
    writer.merge_down([1, 26, 27, 30], 3, 5)
    writer.merge_down([2], 5, 5)  # a single row is not a range
    writer.append_footer("填报单位")
    target = BytesIO()
    writer.save(target)
    sheet = load_workbook(BytesIO(target.getvalue())).worksheets[0]
    assert {str(r) for r in sheet.merged_cells.ranges} == {
        "A1:AD1",
        "A3:A5",
        "Z3:Z5",
        "AA3:AA5",
        "AD3:AD5",
        "A7:AD7",
    }
    # The writer and openpyxl's sheet refer to one another and wait for the cycle
    # collector: a saved writer holds none of its ranges.
    assert len(writer._merges) == 0 and len(writer._breaks) == 0


@pytest.mark.parametrize(
    "values",
    [
        [1, "响铃\x07", "bad\x01char"],
        [1, "\x00\x08\x0b\x0c\x0e\x1f", "\ufffe\uffff"],
        [True, "响铃\x07", "\x01=cmd()"],  # a row openpyxl writes itself
    ],
)
def test_control_characters_are_dropped_wherever_the_row_is_written(ledger, values):
    ledger.append(values)
    target = BytesIO()
    ledger.save(target)
    row = next(load_workbook(target).worksheets[0].iter_rows(min_row=3, values_only=True))
    cleaned = [
        v.translate(dict.fromkeys([*range(32), 0xFFFE, 0xFFFF])) if isinstance(v, str) else v
        for v in values
    ]
    expected = ["'" + v if isinstance(v, str) and v.startswith("=") else v for v in cleaned]
    assert list(row) == [v if v != "" else None for v in expected]


def test_control_characters_in_the_title_and_sheet_name():
    writer = LedgerWriter(title="标题\x01", columns=COLUMNS, sheet_title="台账\x02")
    target = BytesIO()
    writer.save(target)
    sheet = load_workbook(target).worksheets[0]
    assert (sheet.title, sheet["A1"].value) == ("台账", "标题")


def test_openpyxl_itself_still_refuses_them():
    """Why the writer cleans: openpyxl raises on any of them."""
    from openpyxl import Workbook

    with pytest.raises(IllegalCharacterError):
        Workbook().active.append(["bad\x01char"])


def test_row_length_must_match_the_columns(ledger):
    with pytest.raises(ValueError):
        ledger.append([1, "少一列"])
