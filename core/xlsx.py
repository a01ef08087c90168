"""Writing formatted ledgers as offices print them, streamed row by row.

openpyxl's write-only mode keeps memory flat; its rules (PITFALLS.md): freeze panes,
column widths and print settings before the first row; merged ranges kept as text and
written as ``<mergeCells>`` at the end; styles through ``WriteOnlyCell``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from copy import copy
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.xml.functions import Element, SubElement

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CJK_FONT = "宋体"

_thin = Side(style="thin", color="000000")
BORDER = Border(left=_thin, right=_thin, top=_thin, bottom=_thin)
WRAP = Alignment(wrap_text=True, vertical="center")
WRAP_CENTER = Alignment(wrap_text=True, vertical="center", horizontal="center")
TITLE_FONT = Font(name=CJK_FONT, size=16, bold=True)
HEADER_FONT = Font(name=CJK_FONT, size=11, bold=True)
BODY_FONT = Font(name=CJK_FONT, size=10)
HEADER_FILL = PatternFill("solid", fgColor="D9D9D9")


def safe_text(value: Any) -> Any:
    """A cell value that a spreadsheet will never evaluate as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


@dataclass(frozen=True)
class Column:
    header: str
    width: float
    center: bool = False


class LedgerWriter:
    """A single-sheet ledger: title row, header row, body rows, A4 landscape print set-up."""

    def __init__(self, *, title: str, columns: Sequence[Column], sheet_title: str = "台账"):
        self._styles: dict[tuple[int, bool, int, bool], tuple[Any, int, Font, Any]] = {}
        self.workbook = Workbook(write_only=True)
        self.sheet: Worksheet = self.workbook.create_sheet(title=sheet_title[:31])
        self.columns = list(columns)
        self.next_row = 1
        ws = self.sheet
        for index, column in enumerate(self.columns, start=1):
            ws.column_dimensions[get_column_letter(index)].width = column.width
        ws.freeze_panes = "A3"
        ws.print_options.horizontalCentered = True
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_title_rows = "2:2"
        ws.page_margins.left = ws.page_margins.right = 0.4
        ws.page_margins.top = ws.page_margins.bottom = 0.6
        ws.oddFooter.center.text = "第 &P 页，共 &N 页"
        # Merged ranges are kept as text and written by ``_write_merged_cells``: openpyxl's
        # own set of CellRange objects, rescanned on every add and copied into MergeCell
        # objects at save, costs hundreds of megabytes for a whole city.
        self._merges: list[str] = []
        self._write_title(title)
        self._write_header()
        self.sheet._writer.write_merged_cells = self._write_merged_cells  # type: ignore[attr-defined]

    def _cell(
        self,
        value: Any,
        *,
        font: Font = BODY_FONT,
        center: bool = False,
        fill: PatternFill | None = None,
        border: bool = True,
    ) -> WriteOnlyCell:
        # Setting a style object hashes it (and everything in it) on every cell, which was
        # most of the time of a whole city's ledger: each combination is resolved once, and
        # later cells carry its resolved style. The cache holds the objects, so ids stay
        # unique.
        key = (id(font), center, id(fill), border)
        cached = self._styles.get(key)
        if cached is not None:
            return _StyledCell(self.sheet, safe_text(_plain(value)), cached[0], cached[1])
        cell = WriteOnlyCell(self.sheet, value=safe_text(_plain(value)))
        cell.font = font
        cell.alignment = WRAP_CENTER if center else WRAP
        if border:
            cell.border = BORDER
        if fill is not None:
            cell.fill = fill
        style = copy(cell._style)
        self._styles[key] = (style, self.workbook._cell_styles.add(style), font, fill)
        return cell

    def _write_title(self, title: str) -> None:
        cells = [self._cell(title, font=TITLE_FONT, center=True, border=False)]
        self.sheet.append(cells)
        last = get_column_letter(len(self.columns))
        self._merges.append(f"A1:{last}1")
        self.sheet.row_dimensions[1].height = 32
        self.next_row = 2

    def _write_header(self) -> None:
        self.sheet.append(
            [
                self._cell(c.header, font=HEADER_FONT, center=True, fill=HEADER_FILL)
                for c in self.columns
            ]
        )
        self.next_row = 3

    def append(self, values: Sequence[Any]) -> int:
        """Append one body row; returns its row number."""
        row = [self._cell(v, center=c.center) for v, c in zip(values, self.columns, strict=True)]
        self.sheet.append(row)
        self.next_row += 1
        return self.next_row - 1

    def merge_down(self, column_indexes: Iterable[int], first_row: int, last_row: int) -> None:
        """Merge the given 1-based columns over rows first_row..last_row."""
        if last_row <= first_row:
            return
        for index in column_indexes:
            letter = get_column_letter(index)
            self._merges.append(f"{letter}{first_row}:{letter}{last_row}")

    def _write_merged_cells(self) -> None:
        """The sheet's <mergeCells>, written from the ranges kept as text."""
        if not self._merges:
            return
        element = Element("mergeCells", count=str(len(self._merges)))
        for ref in self._merges:
            SubElement(element, "mergeCell", ref=ref)
        self.sheet._writer.xf.send(element)  # type: ignore[attr-defined]

    def save(self, target: str | IO[bytes]) -> None:
        self.workbook.save(target)


class _StyledCell(Cell):
    """A write-only cell whose style was resolved once for many cells (see ``_cell``)."""

    __slots__ = ("_style_index",)

    def __init__(self, sheet: Any, value: Any, style: Any, style_index: int) -> None:
        super().__init__(sheet, row=1, column=1, value=value)
        self._style = style  # shared and never changed
        self._style_index = style_index

    @property
    def style_id(self) -> int:
        return self._style_index


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.strftime("%Y-%m-%d")
    if value is None:
        return ""
    return value


ProgressCallback = Callable[[int, int], None]
