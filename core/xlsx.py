"""Writing formatted ledgers as offices print them, streamed row by row.

openpyxl's write-only mode keeps memory flat; its rules (PITFALLS.md): freeze panes,
column widths and print settings before the first row; merged ranges kept as text and
written as ``<mergeCells>`` at the end; styles through ``WriteOnlyCell``.

openpyxl writes the sheet's parts (properties, views, columns, title and header rows,
print set-up); the body rows, which are nearly all of a city's ledger, are written here
as ready XML between them: the same bytes openpyxl would write for the same cells (see
``_row_xml``), without building a cell object, resolving a style and opening three XML
elements for each of a million cells. A row holding anything unusual goes through
openpyxl's own cells and writer.
"""

from __future__ import annotations

import math
import re
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from copy import copy
from dataclasses import dataclass
from datetime import UTC, date, datetime
from io import BytesIO
from typing import IO, Any
from zipfile import ZIP_DEFLATED, ZipFile

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter
from openpyxl.xml.constants import SHEET_MAIN_NS
from openpyxl.xml.functions import xmlfile

from .text import UNPRINTABLE, printable

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

# Text that needs escaping in XML (``\r`` would be read back as ``\n``), or cleaning:
# characters XML cannot hold (``core.text``; openpyxl refuses control characters).
_SPECIAL = re.compile(f"[&<>\r]|{UNPRINTABLE.pattern}")
# openpyxl writes numbers with "%.16g": integers below this are written as str() writes them.
_PLAIN_INT = 10**15
# openpyxl truncates longer text.
_MAX_TEXT = 32767
# The characters ``str.isspace`` knows (none above U+3000) and those a formula starts
# with: a set lookup on a cell's first character is cheaper than a method call.
_SPACE_CHARS = frozenset(ch for ch in map(chr, range(0x3001)) if ch.isspace())
_FORMULA_STARTS = frozenset(FORMULA_PREFIXES)
# The archive's compression (zlib's level): see ``LedgerWriter.save``.
ZIP_LEVEL = 1
# Body rows collected before they are encoded and written in one go.
_BATCH_ROWS = 500


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
        """Every text written (title, headers, cells) is cleaned of characters a workbook
        cannot hold (``core.text.printable``) before formulas are escaped."""
        self._styles: dict[tuple[int, bool, int, bool], tuple[Any, int, Font, Any]] = {}
        self.workbook = Workbook(write_only=True)
        self.sheet: Worksheet = self.workbook.create_sheet(title=printable(sheet_title)[:31])
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
        ws.page_margins.left = ws.page_margins.right = SIDE_MARGIN
        ws.page_margins.top = ws.page_margins.bottom = TOP_MARGIN
        ws.oddFooter.center.text = "第 &P 页，共 &N 页"
        # Merged ranges are kept as numbers, four to a range (first column, first row, last
        # column, last row), and written by ``_write_merged_cells``: openpyxl's own set of
        # CellRange objects, rescanned on every add and copied into MergeCell objects at
        # save, costs hundreds of megabytes for a whole city, and the same ranges kept as
        # strings 26 MB (16 bytes each in this array: 6 MB).
        self._merges = array("I")
        # The sheet's writer, set up as openpyxl's write-only sheet sets up its own, but on
        # a file of ours (see ``_SheetWriter``).
        self._writer = _SheetWriter(ws)
        ws._writer = self._writer  # type: ignore[attr-defined]
        self._writer.write_top()
        self._writer.write_merged_cells = self._write_merged_cells  # type: ignore[method-assign]
        self._writer.write_breaks = self._write_breaks  # type: ignore[method-assign]
        # Rows after which a printed page ends (``keep_together``), written as text too:
        # openpyxl checks its whole list of breaks again on every one added.
        self._breaks = array("I")
        # Per body column: its letter and style id, resolved at the first body row (in
        # column order, as the cells would resolve them, so the style table is the same).
        self._body: list[tuple[str, int]] | None = None
        self._pending: list[str] = []
        # Points left on the page being filled (``keep_together``), unscaled.
        self._title_height = 0.0
        self._header_height = 0.0
        self._page_left: float | None = None
        self._write_title(title)
        self._write_header()

    def _style(
        self, font: Font, center: bool, fill: PatternFill | None, border: bool
    ) -> tuple[Any, int]:
        """The resolved style (and its id in the workbook) of a cell so dressed."""
        # Setting a style object hashes it (and everything in it) on every cell, which was
        # most of the time of a whole city's ledger: each combination is resolved once. The
        # cache holds the objects, so ids stay unique.
        key = (id(font), center, id(fill), border)
        cached = self._styles.get(key)
        if cached is None:
            cell = WriteOnlyCell(self.sheet)
            cell.font = font
            cell.alignment = WRAP_CENTER if center else WRAP
            if border:
                cell.border = BORDER
            if fill is not None:
                cell.fill = fill
            style = copy(cell._style)
            cached = self._styles[key] = (
                style,
                self.workbook._cell_styles.add(style),  # type: ignore[attr-defined]
                font,
                fill,
            )
        return cached[0], cached[1]

    def _cell(
        self,
        value: Any,
        *,
        font: Font = BODY_FONT,
        center: bool = False,
        fill: PatternFill | None = None,
        border: bool = True,
    ) -> Cell:
        style, style_id = self._style(font, center, fill, border)
        return _StyledCell(self.sheet, safe_text(_plain(value)), style, style_id)

    def _write_title(self, title: str) -> None:
        cells = [self._cell(title, font=TITLE_FONT, center=True, border=False)]
        # A row's height is written with the row: set it first (write-only sheets). The
        # title is merged over every column; a long one wraps.
        total = sum(c.width for c in self.columns)
        lines = wrapped_lines(printable(title), column_room(total / _TITLE_SCALE))
        self._title_height = max(32, lines * _TITLE_LINE + ROW_PADDING * 2)
        self.sheet.row_dimensions[1].height = self._title_height
        self.sheet.append(cells)
        self._merges.extend((1, 1, len(self.columns), 1))
        self.next_row = 2

    def _write_header(self) -> None:
        # Headers wrap in narrow columns (措施完成情况): the row is as tall as the tallest.
        self._header_height = (
            max(text_lines(c.header, c.width / _HEADER_SCALE) for c in self.columns)
            * LINE_HEIGHT
            * _HEADER_SCALE
            + ROW_PADDING
        )
        self.sheet.row_dimensions[2].height = self._header_height
        self.sheet.append(
            [
                self._cell(c.header, font=HEADER_FONT, center=True, fill=HEADER_FILL)
                for c in self.columns
            ]
        )
        self.next_row = 3

    def keep_together(self, height: float) -> None:
        """Keep the rows appended next, ``height`` points tall together, on one printed
        page: start a new page before them unless they fit on what is left of this one.

        A problem's rows share merged cells, whose text a page break would cut (or print
        over the header repeated on the next page). Pages are counted unscaled, as if
        the sheet were printed at full size: fitting the width only shrinks it, so a
        page holds at least that much, and the break is never late. Rows taller than a
        page start a page of their own and the next rows start another.
        """
        page = PAGE_BODY_HEIGHT - self._header_height
        if self._page_left is None:
            self._page_left = page - self._title_height
        if height > self._page_left and self.next_row > 3 and self._page_left < page:
            self._breaks.append(self.next_row - 1)
            self._page_left = page
        self._page_left = self._page_left - height if height <= self._page_left else 0.0

    def append(self, values: Sequence[Any], *, height: float | None = None) -> int:
        """Append one body row (``height`` in points: the row is that tall when printed);
        returns its row number."""
        row = self.next_row
        if len(values) != len(self.columns):
            raise ValueError(f"{len(values)} values for {len(self.columns)} columns")
        xml = None if row in self.sheet.row_dimensions else self._row_xml(row, values, height)
        if xml is None:
            if height is not None:
                self.sheet.row_dimensions[row].height = round(height, 1)
            self._flush()
            self._writer.write_raw(self._openpyxl_row_xml(row, values))
        else:
            self._pending.append(xml)
            if len(self._pending) >= _BATCH_ROWS:
                self._flush()
        self.next_row += 1
        return row

    def _body_cells(self) -> list[tuple[str, int]]:
        if self._body is None:
            self._body = [
                (get_column_letter(index), self._style(BODY_FONT, c.center, None, True)[1])
                for index, c in enumerate(self.columns, start=1)
            ]
        return self._body

    def _row_xml(self, row: int, values: Sequence[Any], height: float | None = None) -> str | None:
        """A body row as openpyxl writes it, or None when openpyxl has to decide.

        openpyxl writes a text cell as ``<c r=".." s=".." t="inlineStr"><is><t>text</t>
        </is></c>`` (``xml:space="preserve"`` on text with spaces at its ends), an empty one
        with nothing inside, an integer as ``t="n"`` with ``<v>``. openpyxl writes other
        characters than ASCII as numeric references; these rows are written in UTF-8
        (``_flush``), which reads back the same.
        """
        tall = "" if height is None else f' ht="{round(height, 1)}" customHeight="1"'
        parts = [f'<row r="{row}"{tall}>']
        add = parts.append
        # One search of the row's text for anything to escape or clean (the pattern is one
        # character long, so joining the texts finds exactly what each one would).
        texts = "".join([v for v in values if v.__class__ is str])
        any_special = _SPECIAL.search(texts) is not None
        any_long = len(texts) >= _MAX_TEXT  # a formula's quote makes one longer
        for (letter, style), value in zip(self._body_cells(), values, strict=True):
            kind = value.__class__
            special = False
            if kind is str:
                if any_special:
                    special = _SPECIAL.search(value) is not None
                    if special:
                        value = printable(value)
            elif value is None:
                value = ""
            elif kind is int and -_PLAIN_INT < value < _PLAIN_INT:
                add(f'<c r="{letter}{row}" s="{style}" t="n"><v>{value}</v></c>')
                continue
            elif kind is date or kind is datetime:
                value = _plain(value)
            else:
                return None
            if not value:
                add(f'<c r="{letter}{row}" s="{style}" t="inlineStr"></c>')
                continue
            first = value[0]
            if first in _FORMULA_STARTS:
                value = "'" + value
                first = "'"
            elif first == "#" and value in ERROR_CODES:
                return None
            if any_long and len(value) > _MAX_TEXT:
                return None
            spaced = first in _SPACE_CHARS or value[-1] in _SPACE_CHARS
            if special:
                value = (
                    value.replace("&", "&amp;")
                    .replace("<", "&lt;")
                    .replace(">", "&gt;")
                    .replace("\r", "&#13;")
                )
            if spaced:
                add(
                    f'<c r="{letter}{row}" s="{style}" t="inlineStr"><is>'
                    f'<t xml:space="preserve">{value}</t></is></c>'
                )
            else:
                add(f'<c r="{letter}{row}" s="{style}" t="inlineStr"><is><t>{value}</t></is></c>')
        add("</row>")
        return "".join(parts)

    def _openpyxl_row_xml(self, row: int, values: Sequence[Any]) -> bytes:
        """A body row through openpyxl's cells and row writer."""
        cells = [self._cell(v, center=c.center) for v, c in zip(values, self.columns, strict=True)]
        for column, cell in enumerate(cells, start=1):
            cell.row, cell.column = row, column
        out = BytesIO()
        with xmlfile(out) as xf:
            self._writer.write_row(xf, cells, row)
        return out.getvalue()

    def _flush(self) -> None:
        if self._pending:
            text = "".join(self._pending)
            self._pending.clear()
            # UTF-8 (the sheet's XML declares no encoding, so UTF-8 is how it is read):
            # half the size of numeric references for Chinese text, and so half the
            # compressing.
            self._writer.write_raw(text.encode())

    def append_footer(self, text: str) -> int:
        """A line under the table across every column (填报单位、填报人 …)."""
        if self._page_left is not None:
            self.keep_together(LINE_HEIGHT + ROW_PADDING)
        row = self.append([text] + [""] * (len(self.columns) - 1))
        self._merges.extend((1, row, len(self.columns), row))
        return row

    def merge_down(self, column_indexes: Iterable[int], first_row: int, last_row: int) -> None:
        """Merge the given 1-based columns over rows first_row..last_row."""
        if last_row <= first_row:
            return
        merges = self._merges
        for index in column_indexes:
            merges.extend((index, first_row, index, last_row))

    def _write_merged_cells(self) -> None:
        """The sheet's <mergeCells>, written from the ranges kept as numbers."""
        if not self._merges:
            return
        self._writer.write_raw(f'<mergeCells count="{len(self._merges) // 4}">'.encode())
        letter = get_column_letter
        for start in range(0, len(self._merges), 4 * 10_000):
            numbers = iter(self._merges[start : start + 4 * 10_000])
            self._writer.write_raw(
                "".join(
                    f'<mergeCell ref="{letter(c1)}{r1}:{letter(c2)}{r2}"/>'
                    for c1, r1, c2, r2 in zip(numbers, numbers, numbers, numbers, strict=True)
                ).encode("ascii")
            )
        self._writer.write_raw(b"</mergeCells>")

    def _write_breaks(self) -> None:
        """The sheet's <rowBreaks> (manual page breaks), as openpyxl writes them."""
        if not self._breaks:
            return
        count = len(self._breaks)
        self._writer.write_raw(
            f'<rowBreaks count="{count}" manualBreakCount="{count}">'.encode()
            + "".join(
                f'<brk id="{row}" min="0" max="16383" man="1"/>' for row in self._breaks
            ).encode()
            + b"</rowBreaks>"
        )

    def save(self, target: str | IO[bytes]) -> None:
        """Save as openpyxl's ``Workbook.save`` does, compressing faster: a whole city's
        sheet is some 80 MB of XML, which the default level took a second to compress
        (7.4 MB); level 1 takes a quarter of that for a file about half as large again."""
        self._flush()
        archive = ZipFile(target, "w", ZIP_DEFLATED, allowZip64=True, compresslevel=ZIP_LEVEL)
        self.workbook.properties.modified = datetime.now(tz=UTC).replace(tzinfo=None)
        ExcelWriter(self.workbook, archive).save()
        # The writer, openpyxl's workbook, its sheet and the sheet's writer refer to one
        # another, so they outlive the export until the cycle collector's next full pass,
        # which a process rarely makes: the province's export kept every city's ranges
        # (some 26 MB each) to the end. What is big is let go as soon as it is written.
        self._merges = array("I")
        self._breaks = array("I")


class _SheetWriter(WorksheetWriter):
    """openpyxl's sheet writer, streaming to a file opened here so that ready XML can be
    written between the elements it writes (``write_raw``)."""

    def get_stream(self) -> Iterator[Any]:
        with (
            open(self.out, "wb") as self._file,
            xmlfile(self._file) as self._xf,
            self._xf.element("worksheet", xmlns=SHEET_MAIN_NS),
        ):
            # The protocol of openpyxl's own stream: True asks for the XML writer, None is
            # skipped, anything else is an element to write.
            try:
                while True:
                    item = yield
                    if item is True:
                        yield self._xf
                    elif item is not None:
                        self._xf.write(item)
            except GeneratorExit:
                pass

    def write_raw(self, data: bytes) -> None:
        """Write XML as it is, after what the XML writer holds."""
        self._xf.flush()
        self._file.write(data)


class _StyledCell(Cell):
    """A write-only cell whose style was resolved once for many cells (see ``_style``)."""

    __slots__ = ("_style_index",)

    def __init__(self, sheet: Any, value: Any, style: Any, style_index: int) -> None:
        super().__init__(sheet, row=1, column=1, value=value)
        self._style = style  # shared and never changed
        self._style_index = style_index

    @property
    def style_id(self) -> int:
        return self._style_index


def _plain(value: Any) -> Any:
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.strftime("%Y-%m-%d")
    if value is None:
        return ""
    return value


ProgressCallback = Callable[[int, int], None]


#: How wide an ASCII character prints, in units of column width (``text_width``).
ASCII_WIDTH = 1.2
#: The height of one printed line of body text (10 pt 宋体) and a row's padding, in points.
LINE_HEIGHT = 13.5
ROW_PADDING = 4.0
# Header and title text is larger than the body's: it takes more room per character.
_HEADER_SCALE = HEADER_FONT.size / BODY_FONT.size
_TITLE_SCALE = TITLE_FONT.size / BODY_FONT.size
_TITLE_LINE = 22.0

#: Printing: A4 landscape is this wide and high (points); the margins (inches) leave the
#: rest, less room for the page number in the bottom margin's footer.
A4_LANDSCAPE_WIDTH = 841.9
A4_LANDSCAPE_HEIGHT = 595.3
SIDE_MARGIN = 0.25
TOP_MARGIN = 0.6
PAGE_BODY_HEIGHT = A4_LANDSCAPE_HEIGHT - 2 * TOP_MARGIN * 72 - 12
#: How wide one unit of column width prints, in points: the width of a digit of the
#: workbook's default font (Calibri 11, 7 px: 5.25 pt in Excel and WPS; LibreOffice, with
#: Carlito for Calibri, lays it out a little wider, 5.6 pt: the larger is taken).
POINTS_PER_UNIT = 5.6
#: The smallest text a printed ledger may have, in points, after fitting to the page.
MIN_PRINTED_FONT = 9.0


def fit_scale(columns: Sequence[Column]) -> float:
    """How much a sheet of these columns is shrunk to fit the width of an A4 landscape
    page (fit to width never enlarges)."""
    printable_width = A4_LANDSCAPE_WIDTH - 2 * SIDE_MARGIN * 72
    return min(1.0, printable_width / (sum(c.width for c in columns) * POINTS_PER_UNIT))


def printed_font_size(columns: Sequence[Column]) -> float:
    """The body text's size on paper, in points: the font's size times the fit scale."""
    return float(BODY_FONT.size) * fit_scale(columns)


def text_width(text: str) -> float:
    """How wide ``text`` prints, in units of column width: a Chinese character (and any
    other beyond ASCII: “”、—— print full width in a CJK font) takes two, an ASCII one 1.2
    (a little more than a digit: Latin letters are wider, and a line of codes or dates
    breaks only after a hyphen or a space, leaving the rest of the line empty). Counted
    from the UTF-8 length, without a loop over the characters: the whole city's ledger
    asks this of every cell."""
    size = len(text)
    if text.isascii():
        return size * ASCII_WIDTH
    wide = (len(text.encode()) - size) // 2
    return wide * 2 + (size - wide) * ASCII_WIDTH


def wrapped_lines(text: str, room: int) -> int:
    """How many lines ``text`` wraps to in ``room`` units of column width (at least one)."""
    if "\n" not in text:
        if len(text) * 2 <= room:
            return 1  # the usual case, known from the length alone
        return max(1, math.ceil(text_width(text) / room))
    return sum(max(1, math.ceil(text_width(line) / room)) for line in text.split("\n"))


def column_room(width: float) -> int:
    """The character widths a column ``width`` wide holds on one line (less its padding)."""
    return int(max(width - 1, 2))


def text_lines(value: Any, width: float) -> int:
    """How many lines ``value`` wraps to in a column ``width`` characters wide."""
    if value is None or value == "":
        return 1
    return wrapped_lines(str(_plain(value)), column_room(width))


def text_height(value: Any, width: float) -> float:
    """The printed height in points that ``value`` needs in a column ``width`` wide."""
    return text_lines(value, width) * LINE_HEIGHT + ROW_PADDING
