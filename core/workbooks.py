"""Reading uploaded workbooks (imports): the limits every import applies, and the rows of a
sheet streamed with bounded memory.

Every import (the rectification ledger, the organisation workbook, the admin's table
imports; from a page, a background job or a command) goes through ``check_workbook``
before anything parses the file: its size (``IMPORT_MAX_MB``), that it is an xlsx, and
how much it unpacks to (``UNPACKED_FACTOR`` times the size limit at most, and never more
than ``MAX_COMPRESSION_RATIO`` times its compressed size: a zip bomb never reaches the XML
parser, which is defusedxml's anyway).

``sheet_rows`` reads a sheet in openpyxl's read-only mode, row by row: memory stays flat
whatever the number of rows (normal mode holds about fifty times the file). Read-only
mode knows no merged cells; their ranges are read from the end of the sheet's XML (a
plain scan of the ``<mergeCells>`` element) and their value carried over the range as the
rows go by.
"""

from __future__ import annotations

import re
import uuid
import zipfile
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from io import BytesIO
from pathlib import Path, PurePath
from typing import IO, Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _
from openpyxl.utils.cell import range_boundaries

# An xlsx unpacks to a few times its size; more than this many times the size limit, or a
# ratio no spreadsheet has, is refused before it is opened.
UNPACKED_FACTOR = 10
MAX_COMPRESSION_RATIO = 100
MAX_MEMBERS = 10_000
UPLOAD_FOLDER = "imports"

Source = str | Path | bytes | IO[bytes]
Cell = tuple[Any, bool]  # (value, is a formula)
Progress = Callable[[int, int], None]


class WorkbookRefused(Exception):
    """The file as a whole cannot be read (type, size, zip bomb, damaged)."""


def max_bytes() -> int:
    return int(settings.IMPORT_MAX_BYTES)


def max_unpacked_bytes() -> int:
    return UNPACKED_FACTOR * max_bytes()


def _mb(size: float) -> float:
    return round(size / 1048576, 1)


def not_a_workbook() -> WorkbookRefused:
    return WorkbookRefused(
        _("This file is not a valid Excel workbook (.xlsx); save it again from Excel.")
    )


def too_large(size: int) -> WorkbookRefused:
    return WorkbookRefused(
        _("The file is too large (%(size)s MB); the limit is %(limit)s MB.")
        % {"size": _mb(size), "limit": _mb(max_bytes())}
    )


@contextmanager
def _opened(source: Source) -> Iterator[IO[bytes]]:
    if isinstance(source, bytes):
        yield BytesIO(source)
    elif isinstance(source, str | Path):
        with open(source, "rb") as handle:
            yield handle
    else:
        source.seek(0)
        try:
            yield source
        finally:
            source.seek(0)


def _size(handle: IO[bytes]) -> int:
    handle.seek(0, 2)
    size = handle.tell()
    handle.seek(0)
    return size


def check_workbook(source: Source, *, name: str | None = None) -> None:
    """Refuse anything that is not a plain xlsx of reasonable size, packed and unpacked.

    ``name`` (the uploaded file's name), when given, must end in ``.xlsx``.
    """
    if name is not None and PurePath(name).suffix.lower() != ".xlsx":
        raise WorkbookRefused(_("Only Excel workbooks (.xlsx) are accepted."))
    with _opened(source) as handle:
        size = _size(handle)
        if size > max_bytes():
            raise too_large(size)
        if size == 0:
            raise not_a_workbook()
        try:
            with zipfile.ZipFile(handle) as archive:
                infos = archive.infolist()
        except (zipfile.BadZipFile, OSError, ValueError, EOFError):
            raise not_a_workbook() from None
    names = {info.filename for info in infos}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise not_a_workbook()
    unpacked = sum(info.file_size for info in infos)
    packed = sum(info.compress_size for info in infos) or 1
    bomb = any(
        info.file_size > 1024 * 1024
        and info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1)
        for info in infos
    )
    if (
        len(infos) > MAX_MEMBERS
        or unpacked > max_unpacked_bytes()
        or bomb
        or (unpacked > 1024 * 1024 and unpacked > MAX_COMPRESSION_RATIO * packed)
    ):
        raise WorkbookRefused(
            _(
                "The workbook unpacks to more than %(limit)s MB, or to far more than its size "
                "(a zip bomb); it was not opened."
            )
            % {"limit": round(_mb(max_unpacked_bytes()))}
        )


# --- streaming a sheet ------------------------------------------------------------------

_MERGE_OPEN = re.compile(rb"<(?:\w+:)?mergeCells\b")
_MERGE_CLOSE = re.compile(rb"</(?:\w+:)?mergeCells\s*>")
_MERGE_REF = re.compile(rb"""\bref\s*=\s*["']([A-Za-z]{1,3}\d+:[A-Za-z]{1,3}\d+)["']""")
_CHUNK = 1024 * 1024


def merged_ranges(archive: zipfile.ZipFile, part: str) -> list[tuple[int, int, int, int]]:
    """The merged ranges (min_col, min_row, max_col, max_row) of a sheet, read from the end
    of its XML part without parsing the rest (``<mergeCells>`` follows the cells)."""
    collected = bytearray()
    tail = b""
    with archive.open(part) as stream:
        while chunk := stream.read(_CHUNK):
            if not collected:
                data = tail + chunk
                start = _MERGE_OPEN.search(data)
                if start is None:
                    tail = data[-64:]
                    continue
                chunk = data[start.start() :]
            collected += chunk
            # a closing tag may straddle the previous chunk and this one
            end = _MERGE_CLOSE.search(collected, max(0, len(collected) - len(chunk) - 32))
            if end is not None:
                del collected[end.start() :]
                break
    ranges = []
    for ref in _MERGE_REF.findall(bytes(collected)):
        try:
            min_col, min_row, max_col, max_row = range_boundaries(ref.decode("ascii").upper())
        except ValueError:
            continue
        if min_col and min_row and max_col and max_row:
            ranges.append((min_col, min_row, max_col, max_row))
    return ranges


def sheet_rows(
    source: Source, *, sheet: int = 0, progress: Progress | None = None
) -> Generator[tuple[int, list[Cell]], None, None]:
    """The rows of a sheet, in order, as (row number, [(value, is formula), …]); merged
    cells carry the value of their range's first cell. Rows are padded to the widest row
    seen so far. ``progress(rows read, rows in the sheet)`` hears every 500 rows."""
    from openpyxl import load_workbook

    with _opened(source) as handle:
        try:
            workbook = load_workbook(handle, read_only=True, data_only=False)
            worksheet = workbook.worksheets[sheet]
            part = worksheet._worksheet_path  # type: ignore[union-attr]
            merges = merged_ranges(workbook._archive, part)  # type: ignore[attr-defined]
        except Exception as exc:
            raise not_a_workbook() from exc
        try:
            yield from _carried(worksheet, merges, progress)
        finally:
            workbook.close()


def _carried(
    worksheet: Any, merges: list[tuple[int, int, int, int]], progress: Progress | None
) -> Iterator[tuple[int, list[Cell]]]:
    pending = sorted(merges, key=lambda m: m[1], reverse=True)  # next to open at the end
    active: list[tuple[tuple[int, int, int, int], Cell]] = []
    total = worksheet.max_row or 0
    width = 0
    for number, row in enumerate(worksheet.iter_rows(), start=1):
        cells: list[Cell] = [(c.value, c.data_type == "f") for c in row]
        width = max(width, len(cells))
        cells.extend([(None, False)] * (width - len(cells)))
        active = [(m, v) for m, v in active if m[3] >= number]
        while pending and pending[-1][1] == number:
            merge = pending.pop()
            first = merge[0] - 1
            active.append((merge, cells[first] if first < len(cells) else (None, False)))
        while pending and pending[-1][1] < number:
            pending.pop()  # a range starting on a row the sheet does not have
        for (min_col, min_row, max_col, _max_row), value in active:
            if max_col > len(cells):
                cells.extend([(None, False)] * (max_col - len(cells)))
                width = len(cells)
            for column in range(min_col, max_col + 1):
                if (number, column) != (min_row, min_col):
                    cells[column - 1] = value
        if progress is not None and number % 500 == 0:
            progress(number, max(total, number))
        yield number, cells


# --- storing an upload for a background job ---------------------------------------------


def store_upload(upload: Any) -> str:
    """Keep an uploaded workbook for the job that reads it (chunk by chunk: never whole in
    memory); returns its name in the default storage."""
    name = f"{UPLOAD_FOLDER}/{uuid.uuid4().hex}.xlsx"
    return str(default_storage.save(name, upload))


def forget_upload(name: str) -> None:
    if name.startswith(f"{UPLOAD_FOLDER}/"):
        default_storage.delete(name)
