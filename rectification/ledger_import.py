"""Reading the rectification ledgers units already keep, and writing them all or nothing.

A ledger may have a title or notes above its header; the header is found by its names in
any column order; merged cells are carried down; dates come in the usual Chinese forms or
as Excel dates; 长期坚持 / 立行立改 may stand in the deadline column. Names are matched as
people write them. Every bad row is reported (row, column, reason) and nothing is written
unless every row is good. The file is checked before it is opened, by the limits every
import shares (``core.workbooks.check_workbook``: size, xlsx, unpacked size and ratio), and
read row by row in openpyxl's read-only mode (``core.workbooks.sheet_rows``), so memory
does not grow with the sheet.

The import is a second way in, so it asks the form's rules (``rules.py``) of every row:
who may be named responsible leader, whether the problem may leave draft, whether it may
be submitted for closing. A row is never written in a state the form could not reach: a
problem the ledger marks 待销号 or 已销号 comes without evidence, so it is written in
rectification, its measures done, and the preview's notes say so by row and column (see
docs/rules.md). Bulk writes stay, behind those checks.
"""

from __future__ import annotations

import calendar
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import chain, islice
from typing import Any

import pghistory
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel

from accounts import permissions
from accounts.models import OrgUnit, User
from accounts.roles import Action
from campaign.models import Campaign
from core.workbooks import Progress, Source, WorkbookRefused, check_workbook, sheet_rows

from . import rules
from .ledger_export import IMMEDIATE_TEXT, ONGOING_TEXT, problem_code
from .models import (
    Measure,
    MeasureState,
    Problem,
    ProblemSource,
    ProblemState,
    ProblemTransition,
    ProblemType,
    ProgressNote,
)

HEADER_SEARCH_ROWS = 30
FORMULA_PREFIXES = ("=", "+", "-", "@")

# Field keys and the header names (normalised) that mean them, the ledger's own first.
HEADER_NAMES: dict[str, tuple[str, ...]] = {
    "seq": ("序号", "问题序号"),
    "code": ("编号", "问题编号", "措施编号"),
    "goal": ("整改目标", "目标"),
    "problem_state": ("问题状态", "销号状态"),
    "completed": ("实际完成时间", "完成日期"),
    "category": ("问题类别", "类别", "问题分类", "分类", "问题类型"),
    "source": ("问题来源", "来源"),
    "description": ("问题描述", "存在问题", "问题表现", "问题内容", "具体问题", "问题清单", "问题"),
    "measure": ("整改措施", "整改举措", "措施", "具体措施", "整改措施及目标"),
    "responsible_leader": ("责任领导", "牵头领导", "分管领导", "领导"),
    "unit": ("责任单位", "责任部门", "牵头单位", "责任科室"),
    "person": ("责任人", "具体责任人", "经办人"),
    "deadline": ("整改时限", "完成时限", "时限", "整改期限", "完成时间", "时限要求"),
    "progress": ("整改进展", "进展情况", "整改进度", "推进情况", "工作进展", "进展"),
    "state": (
        "措施完成情况",
        "完成情况/状态",
        "完成情况",
        "整改状态",
        "状态",
        "整改情况",
        "完成状态",
    ),
    "remarks": ("备注",),
}
REQUIRED_COLUMNS = ("description", "category", "deadline")
_HEADER_LOOKUP = {name: key for key, names in HEADER_NAMES.items() for name in names}

# State words: (measure state, problem state it implies or None).
STATE_WORDS: dict[str, tuple[str, str | None]] = {
    "未开始": (MeasureState.NOT_STARTED, None),
    "草稿": (MeasureState.NOT_STARTED, None),
    "未启动": (MeasureState.NOT_STARTED, None),
    "整改中": (MeasureState.IN_PROGRESS, None),
    "进行中": (MeasureState.IN_PROGRESS, None),
    "正在整改": (MeasureState.IN_PROGRESS, None),
    "推进中": (MeasureState.IN_PROGRESS, None),
    "已完成": (MeasureState.DONE, None),
    "已整改": (MeasureState.DONE, None),
    "完成": (MeasureState.DONE, None),
    "已完成整改": (MeasureState.DONE, None),
    "待销号": (MeasureState.DONE, ProblemState.SUBMITTED),
    "申请销号": (MeasureState.DONE, ProblemState.SUBMITTED),
    "已销号": (MeasureState.DONE, ProblemState.CLOSED),
    "已撤销": (MeasureState.NOT_STARTED, ProblemState.WITHDRAWN),
}

_SEP = r"\s*[-/.．年]\s*"
_DATE_RE = re.compile(rf"^(\d{{4}}){_SEP}(\d{{1,2}})\s*[-/.．月]\s*(\d{{1,2}})\s*日?")
_DATE_SEARCH = re.compile(rf"(\d{{4}}){_SEP}(\d{{1,2}})\s*[-/.．月]\s*(\d{{1,2}})\s*日?")
_MONTH_RE = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(底|末|前|底前|末前)?\s*$")
_NOTE_SEP = re.compile(r"^[\s:：,，、]*")
_SPACES = re.compile(r"\s+")


class LedgerFileError(Exception):
    """The whole file is refused (not an xlsx, too big, no header …)."""


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        return _("Row %(row)s, column %(column)s: %(reason)s") % {
            "row": self.row,
            "column": self.column,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class RowNote(RowError):
    """A good row written otherwise than it reads (a state the form could not reach), and
    why."""


@dataclass
class ParsedMeasure:
    row: int
    description: str
    person_name: str
    person_id: int | None
    deadline: date | None
    state: str
    notes: list[tuple[date, str]] = field(default_factory=list)
    code: str = ""
    measure_id: int | None = None
    completed_on: date | None = None
    # what an update writes: notes not yet kept, and the state when it changes
    new_notes: list[tuple[date, str]] = field(default_factory=list)
    new_state: str | None = None


@dataclass
class ParsedProblem:
    row: int
    category: str
    source: str
    description: str
    leader_name: str
    leader_id: int | None
    unit_name: str
    unit_id: int | None
    person_name: str
    person_id: int | None
    type: str
    deadline: date | None
    state: str
    remarks: str
    measures: list[ParsedMeasure] = field(default_factory=list)
    goal: str = ""
    code: str = ""
    problem_id: int | None = None
    outcome: str = "new"  # new, updated, unchanged
    changes: list[str] = field(default_factory=list)
    new_goal: str | None = None

    @property
    def outcome_label(self) -> str:
        return {
            "new": _("new"),
            "updated": _("updated"),
            "unchanged": _("unchanged"),
        }[self.outcome]

    @property
    def type_label(self) -> str:
        return str(ProblemType(self.type).label)

    @property
    def source_label(self) -> str:
        return str(ProblemSource(self.source).label)

    @property
    def state_label(self) -> str:
        return str(ProblemState(self.state).label)


@dataclass
class LedgerPreview:
    """What an import would write, or why it cannot."""

    problems: list[ParsedProblem] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    notes: list[RowNote] = field(default_factory=list)
    header_row: int = 0
    columns: dict[str, str] = field(default_factory=dict)
    # every column as a report line names it (its letter and header), by key
    column_refs: dict[str, str] = field(default_factory=dict)
    written: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.problems)

    @property
    def measure_count(self) -> int:
        return sum(len(p.measures) for p in self.problems)

    @property
    def linked_count(self) -> int:
        return sum(
            (p.leader_id is not None) + (p.unit_id is not None) + (p.person_id is not None)
            for p in self.problems
        ) + sum(m.person_id is not None for p in self.problems for m in p.measures)


# --- the file ---------------------------------------------------------------------------


def upload_source(upload: Any) -> Source:
    """What an import reads: a path, bytes, or an uploaded file (never copied whole)."""
    if isinstance(upload, str | bytes):
        return upload
    return upload.file if hasattr(upload, "file") else upload


def check_xlsx(source: Source) -> None:
    """Refuse anything that is not a plain xlsx of reasonable size (the limits every
    import shares, ``core.workbooks``)."""
    try:
        check_workbook(source)
    except WorkbookRefused as exc:
        raise LedgerFileError(str(exc)) from None


# --- cells ------------------------------------------------------------------------------


def normalise_header(value: Any) -> str:
    text = _SPACES.sub("", str(value or ""))
    return text.replace("／", "/").replace("（", "(").replace("）", ")").rstrip(":：*")


def parse_date(value: Any) -> date | None:
    """A date from an Excel date or the written forms; None when empty.

    Raises ValueError with the reason for anything else.
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1 <= value <= 2958465:
            result = from_excel(value)
            return result.date() if isinstance(result, datetime) else None
        raise ValueError(_("“%(value)s” is not a date.") % {"value": value})
    text = str(value).strip()
    match = _DATE_RE.match(text)
    if match and not text[match.end() :].strip(" 前底止"):
        year, month, day = (int(g) for g in match.groups())
        try:
            return date(year, month, day)
        except ValueError:
            raise ValueError(_("“%(value)s” is not a real date.") % {"value": text}) from None
    match = _MONTH_RE.match(text)
    if match:
        year, month = int(match.group(1)), int(match.group(2))
        if not 1 <= month <= 12:
            raise ValueError(_("“%(value)s” is not a real date.") % {"value": text})
        return date(year, month, calendar.monthrange(year, month)[1])
    raise ValueError(
        _("“%(value)s” is not a date (write 2026-12-31, 2026/12/31, 2026.12.31 or 2026年12月31日).")
        % {"value": text}
    )


def parse_notes(text: str, *, today: date) -> list[tuple[date, str]]:
    """Progress notes written one per line, each starting with its date."""
    notes: list[tuple[date, str]] = []
    for line in str(text or "").splitlines():
        if not line.strip():
            continue
        match = _DATE_RE.match(line.strip())
        if match:
            year, month, day = (int(g) for g in match.groups())
            try:
                noted_on = date(year, month, day)
            except ValueError:
                raise ValueError(
                    _("“%(value)s” is not a real date.") % {"value": match.group(0)}
                ) from None
            rest = _NOTE_SEP.sub("", line.strip()[match.end() :])
            notes.append((noted_on, rest))
        elif notes:
            notes[-1] = (notes[-1][0], f"{notes[-1][1]}\n{line.strip()}".strip())
        else:
            notes.append((today, line.strip()))
    return notes


class _Names:
    """Names matched as people write them, linked only when unambiguous in scope."""

    def __init__(self, pairs: Iterable[tuple[int, str]]) -> None:
        self._ids: dict[str, set[int]] = defaultdict(set)
        for pk, name in pairs:
            key = _SPACES.sub("", name or "")
            if key:
                self._ids[key].add(pk)

    def find(self, name: str) -> int | None:
        ids = self._ids.get(_SPACES.sub("", name or ""), set())
        return next(iter(ids)) if len(ids) == 1 else None


def _match_choice(value: str, choices: list[str]) -> str | None:
    key = _SPACES.sub("", value)
    if key in choices:
        return key
    near = [c for c in choices if c in key or key in c]
    return near[0] if len(near) == 1 else None


# --- reading ----------------------------------------------------------------------------


@dataclass
class _Row:
    number: int
    values: dict[str, Any]


class LedgerReader:
    """Parses one ledger for a campaign and unit, as seen by ``user`` (None: the system)."""

    def __init__(
        self,
        *,
        campaign: Campaign,
        unit: OrgUnit,
        user: Any,
        today: date | None = None,
        progress: Progress | None = None,
    ) -> None:
        self.progress = progress
        self.campaign = campaign
        self.unit = unit
        self.user = user
        self.today = today or timezone.localdate()
        self.categories = [str(c) for c in (campaign.problem_categories or [])]
        # the words of the ledgers units keep (Chinese), and of the reader's language
        with translation.override("zh-hans"):
            self.sources = {str(label): value for value, label in ProblemSource.choices}
        self.sources.update({str(label): value for value, label in ProblemSource.choices})
        self.preview = LedgerPreview()
        self._users: _Names | None = None
        self._leaders: _Names | None = None
        self._units: _Names | None = None
        self._may_close: bool | None = None
        self._known: dict[str, tuple[int, str]] | None = None
        self._by_text: dict[str, int] | None = None

    # names in scope, read once
    def _user_names(self) -> _Names:
        if self._users is None:
            users = User.objects.filter(is_active=True)
            if self.user is not None:
                users = User.objects.visible_to(self.user).filter(is_active=True)
            rows = list(users.values_list("pk", "full_name", "username"))
            pairs: list[tuple[int, str]] = []
            for pk, full_name, username in rows:
                pairs.append((pk, full_name or username))
            self._users = _Names(pairs)
        return self._users

    def _unit_names(self) -> _Names:
        if self._units is None:
            units = OrgUnit.objects.filter(
                path__startswith=self.campaign.root_unit.path, is_active=True
            )
            if self.user is not None:
                units = units.filter(pk__in=OrgUnit.objects.visible_to(self.user).values("pk"))
            self._units = _Names(units.values_list("pk", "name"))
        return self._units

    def _leader_names(self) -> _Names:
        """The people the form offers as responsible leader (``rules.leader_candidates``)."""
        if self._leaders is None:
            rows = rules.leader_candidates(self.user).values_list("pk", "full_name", "username")
            self._leaders = _Names((pk, full_name or username) for pk, full_name, username in rows)
        return self._leaders

    def _known_problems(self) -> dict[str, tuple[int, str]]:
        """The problems a row's 编号 may name: of the campaign, in the unit's subtree, in
        the importer's scope (编号 → pk, description); read once."""
        if self._known is None:
            qs = Problem.objects.filter(
                campaign=self.campaign, unit__path__startswith=self.unit.path
            )
            if self.user is not None:
                qs = qs.visible_to(self.user)
            rows = qs.values_list("pk", "unit__code", "number", "description", "unit_id")
            self._known = {
                problem_code(code, number): (pk, text) for pk, code, number, text, _u in rows
            }
            self._by_text = {
                text: pk for pk, _c, _n, text, unit_id in rows if unit_id == self.unit.pk
            }
        return self._known

    def _closes_here(self) -> bool:
        """Does the importer verify (销号) the problems of this unit?"""
        if self._may_close is None:
            self._may_close = self.user is None or rules.may_make(
                self.user, Problem(unit=self.unit), rules.CLOSE
            )
        return self._may_close

    def read(self, source: Source) -> LedgerPreview:
        """Parse the first sheet, streamed row by row (``core.workbooks.sheet_rows``)."""
        check_xlsx(source)
        try:
            rows = sheet_rows(source, progress=self.progress)
            head = list(islice(rows, HEADER_SEARCH_ROWS))
        except WorkbookRefused as exc:
            raise LedgerFileError(
                _("The workbook could not be read: it is damaged or not an Excel file.")
            ) from exc
        try:
            header_row, columns = self._find_header(head)
            self.preview.header_row = header_row
            self.preview.columns = {key: label for key, (_i, label) in columns.items()}
            self.preview.column_refs = {key: self._column(columns, key) for key in HEADER_NAMES}
            parsed = []
            for number, cells in self._body(head, rows, header_row):
                row = self._row(number, cells, columns)
                if row is not None:
                    parsed.append(row)
        except WorkbookRefused as exc:
            raise LedgerFileError(
                _("The workbook could not be read: it is damaged or not an Excel file.")
            ) from exc
        finally:
            rows.close()
        self._group(parsed, columns)
        if not self.preview.problems and not self.preview.errors:
            self.preview.errors.append(
                RowError(header_row + 1, "—", _("The ledger has no problems below its header."))
            )
        return self.preview

    @staticmethod
    def _body(
        head: list[tuple[int, list[tuple[Any, bool]]]],
        rest: Iterable[tuple[int, list[tuple[Any, bool]]]],
        header_row: int,
    ) -> Iterable[tuple[int, list[tuple[Any, bool]]]]:
        """The non-empty rows below the header: those read already, then the rest."""
        for number, cells in chain(head, rest):
            if number > header_row and any(c[0] not in (None, "") for c in cells):
                yield number, cells

    def _find_header(
        self, rows: list[tuple[int, list[tuple[Any, bool]]]]
    ) -> tuple[int, dict[str, tuple[int, str]]]:
        for number, cells in rows[:HEADER_SEARCH_ROWS]:
            columns: dict[str, tuple[int, str]] = {}
            for index, (value, _formula) in enumerate(cells):
                if not isinstance(value, str):
                    continue
                key = _HEADER_LOOKUP.get(normalise_header(value))
                if key and key not in columns:
                    columns[key] = (index, normalise_header(value))
            if "description" in columns and len(columns) >= 3:
                missing = [k for k in REQUIRED_COLUMNS if k not in columns]
                if missing:
                    names = "、".join(HEADER_NAMES[k][0] for k in missing)
                    raise LedgerFileError(
                        _("The header (row %(row)d) has no column %(names)s.")
                        % {"row": number, "names": names}
                    )
                return number, columns
        raise LedgerFileError(
            _(
                "No header row was found. The ledger needs a row naming its columns, such as "
                "序号, 问题类别, 问题描述, 整改措施, 整改时限."
            )
        )

    def _column(self, columns: dict[str, tuple[int, str]], key: str) -> str:
        if key not in columns:  # a rule about a column the ledger does not have
            return f"—（{HEADER_NAMES[key][0]}）"
        index, label = columns[key]
        return f"{get_column_letter(index + 1)}（{label}）"

    def _error(self, row: int, columns: dict[str, tuple[int, str]], key: str, reason: str) -> None:
        self.preview.errors.append(RowError(row, self._column(columns, key), reason))

    def _note(self, row: int, columns: dict[str, tuple[int, str]], key: str, reason: str) -> None:
        self.preview.notes.append(RowNote(row, self._column(columns, key), reason))

    def _row(
        self,
        number: int,
        cells: list[tuple[Any, bool]],
        columns: dict[str, tuple[int, str]],
    ) -> _Row | None:
        values: dict[str, Any] = {}
        bad = False
        for key, (index, _label) in columns.items():
            value, is_formula = cells[index] if index < len(cells) else (None, False)
            if is_formula:
                self._error(number, columns, key, _("Formulas are not accepted; type the value."))
                bad = True
                continue
            if isinstance(value, str):
                value = value.strip()
                if value[:1] == "'" and value[1:2] in FORMULA_PREFIXES:
                    value = value[1:]  # the ledger export's escape of such text
                elif value.startswith(FORMULA_PREFIXES):
                    self._error(
                        number,
                        columns,
                        key,
                        _("Text starting with =, +, - or @ is not accepted; remove that sign."),
                    )
                    bad = True
                    continue
            values[key] = value
        filled = [k for k, v in values.items() if v not in (None, "")]
        if not bad and "description" not in filled and "measure" not in filled and len(filled) <= 1:
            return None  # a note under the table ("填表人：…"), not a ledger row
        if not bad and len({str(values[k]) for k in filled}) == 1 and len(filled) > 2:
            return None  # one line merged across the table (填报单位（盖章）：…)
        return None if bad else _Row(number, values)

    def _text(self, row: _Row, key: str) -> str:
        value = row.values.get(key)
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, datetime | date):
            return f"{value:%Y-%m-%d}"
        return str(value).strip()

    def _group(self, rows: list[_Row], columns: dict[str, tuple[int, str]]) -> None:
        groups: list[list[_Row]] = []
        previous_key: Any = None
        for row in rows:
            seq = self._text(row, "seq") if "seq" in columns else ""
            description = self._text(row, "description")
            if seq:
                key: Any = ("seq", seq)
            elif groups and description in ("", self._text(groups[-1][0], "description")):
                key = previous_key
            else:
                key = ("row", row.number)
            if groups and key == previous_key:
                groups[-1].append(row)
            else:
                groups.append([row])
            previous_key = key
        for group in groups:
            problem = self._problem(group, columns)
            if problem is not None:
                self.preview.problems.append(problem)

    def _problem(
        self, group: list[_Row], columns: dict[str, tuple[int, str]]
    ) -> ParsedProblem | None:
        first = group[0]
        errors_before = len(self.preview.errors)
        required = _("This cell must not be empty.")
        description = self._text(first, "description")
        if not description:
            self._error(first.number, columns, "description", required)
        category = self._text(first, "category")
        if not category:
            self._error(first.number, columns, "category", required)
        elif self.categories:
            matched = _match_choice(category, self.categories)
            if matched is None:
                self._error(
                    first.number,
                    columns,
                    "category",
                    _("“%(value)s” is not one of this campaign's categories (%(choices)s).")
                    % {"value": category, "choices": "、".join(self.categories)},
                )
            else:
                category = matched
        elif len(category) > 32:
            self._error(first.number, columns, "category", _("The category is too long."))
        source = ProblemSource.SELF_REVIEW.value
        if "source" in columns:
            written = self._text(first, "source")
            if not written:
                self._error(first.number, columns, "source", required)
            else:
                label = _match_choice(written, list(self.sources))
                if label is None:
                    self._error(
                        first.number,
                        columns,
                        "source",
                        _("“%(value)s” is not a known source (%(choices)s).")
                        % {"value": written, "choices": "、".join(self.sources)},
                    )
                else:
                    source = self.sources[label]
        leader_name = self._text(first, "responsible_leader")[:64]
        unit_name = self._text(first, "unit")[:128]
        person_name = self._text(first, "person")[:64]
        remarks = self._text(first, "remarks")

        kinds: set[str] = set()
        dates: list[date] = []
        problem_state: str | None = None
        state_word: tuple[int, str] | None = None  # the row and word that set problem_state
        begun_word: tuple[int, str] | None = None  # the first row saying work has begun
        measures: list[ParsedMeasure] = []
        codes: list[tuple[int, str]] = []
        for row in group:
            raw = row.values.get("deadline")
            deadline: date | None = None
            text = self._text(row, "deadline")
            if not text:
                self._error(row.number, columns, "deadline", required)
            elif ONGOING_TEXT in text:
                kinds.add(ProblemType.ONGOING)
            elif IMMEDIATE_TEXT in text:
                kinds.add(ProblemType.IMMEDIATE)
                found_date = _DATE_SEARCH.search(text)  # 立行立改（2026-11-30）
                if found_date:
                    try:
                        deadline = parse_date(found_date.group(0))
                    except ValueError as exc:
                        self._error(row.number, columns, "deadline", str(exc))
                    else:
                        if deadline is not None:
                            dates.append(deadline)
            else:
                try:
                    deadline = parse_date(raw)
                except ValueError as exc:
                    self._error(row.number, columns, "deadline", str(exc))
                else:
                    kinds.add(ProblemType.DEADLINE)
                    if deadline is not None:
                        dates.append(deadline)
            measure_state: str = MeasureState.NOT_STARTED
            word = self._text(row, "state")
            if word:
                key = _SPACES.sub("", word)
                found = STATE_WORDS.get(key)
                if found is None:
                    found = next((v for k, v in STATE_WORDS.items() if k in key), None)
                if found is None:
                    self._error(
                        row.number,
                        columns,
                        "state",
                        _("“%(value)s” is not a known state (未开始, 整改中, 已完成, 已销号 …).")
                        % {"value": word},
                    )
                else:
                    measure_state = found[0]
                    if problem_state is None and found[1] is not None:
                        problem_state, state_word = found[1], (row.number, word)
                    if begun_word is None and measure_state != MeasureState.NOT_STARTED:
                        begun_word = (row.number, word)
            notes: list[tuple[date, str]] = []
            try:
                notes = parse_notes(self._text(row, "progress"), today=self.today)
            except ValueError as exc:
                self._error(row.number, columns, "progress", str(exc))
            written_state = self._text(row, "problem_state")
            if written_state:
                found_state = STATE_WORDS.get(_SPACES.sub("", written_state))
                if found_state is not None and found_state[1] is not None and problem_state is None:
                    problem_state, state_word = found_state[1], (row.number, written_state)
            completed_on: date | None = None
            try:
                completed_on = parse_date(row.values.get("completed"))
            except ValueError as exc:
                self._error(row.number, columns, "completed", str(exc))
            code = self._text(row, "code")
            if code:
                codes.append((row.number, code))
            measure_text = self._text(row, "measure")
            if not measure_text:
                if len(group) > 1:
                    self._error(row.number, columns, "measure", required)
                continue
            person = self._text(row, "person")[:64] or person_name
            measures.append(
                ParsedMeasure(
                    row=row.number,
                    description=measure_text,
                    person_name=person,
                    person_id=self._user_names().find(person) if person else None,
                    deadline=deadline,
                    state=measure_state,
                    notes=notes,
                    code=code,
                    completed_on=completed_on,
                )
            )
        leader_id = self._leader_names().find(leader_name) if leader_name else None
        refusal = rules.leader_refusal(
            self.user, Problem(unit=self.unit, responsible_leader_id=leader_id), new=True
        )
        if refusal:  # as the form: a leader enters only the problems he leads
            self._error(first.number, columns, "responsible_leader", refusal)
        if len(self.preview.errors) > errors_before:
            return None

        if ProblemType.ONGOING in kinds:
            type_, deadline_ = ProblemType.ONGOING.value, None
        elif kinds == {ProblemType.IMMEDIATE}:
            type_, deadline_ = ProblemType.IMMEDIATE.value, max(dates) if dates else None
        else:
            type_, deadline_ = ProblemType.DEADLINE.value, max(dates) if dates else None
        problem = ParsedProblem(
            row=first.number,
            category=category,
            source=source,
            description=description,
            leader_name=leader_name,
            leader_id=leader_id,
            unit_name=unit_name,
            unit_id=self._unit_names().find(unit_name) if unit_name else None,
            person_name=person_name,
            person_id=self._user_names().find(person_name) if person_name else None,
            type=type_,
            deadline=deadline_,
            state="",
            remarks=remarks,
            measures=measures,
            goal=self._text(first, "goal"),
        )
        if self._match(problem, codes, columns):
            if len(self.preview.errors) > errors_before:
                return None
            self._compare(problem, columns)
            return problem
        self._settle_state(problem, problem_state, state_word or begun_word, columns)
        return problem

    # --- a ledger sent back up: rows that name a problem already kept -------------------

    def _match(
        self, problem: ParsedProblem, codes: list[tuple[int, str]], columns: dict[str, Any]
    ) -> bool:
        """Does the row name a problem already kept, by its 编号 (or, without one, by the
        same description in this unit: the same file imported twice)? Sets
        ``problem_id``."""
        known = self._known_problems()
        wanted = {_problem_part(code) for _row, code in codes}
        if len(wanted) > 1:
            row, _code = codes[0]
            self._error(
                row,
                columns,
                "code",
                _("The rows of one problem carry the 编号 of different problems (%(codes)s).")
                % {"codes": "、".join(sorted(wanted))},
            )
            return True
        if wanted:
            code = next(iter(wanted))
            if code not in known:
                self._error(
                    codes[0][0],
                    columns,
                    "code",
                    _(
                        "No problem numbered “%(code)s” is kept for this unit; clear the cell "
                        "to enter the row as a new problem."
                    )
                    % {"code": code},
                )
                return True
            problem.code, problem.problem_id = code, known[code][0]
            return True
        assert self._by_text is not None
        pk = self._by_text.get(problem.description)
        if pk is None:
            return False
        problem.problem_id = pk
        problem.code = next(c for c, (p, _t) in known.items() if p == pk)
        return True

    def _compare(self, parsed: ParsedProblem, columns: dict[str, Any]) -> None:
        """What an update would change in the kept problem: progress notes not yet kept,
        measure states (as far as the rules allow), new measures, the goal. A different
        deadline or type is not taken: it needs an approved extension request."""
        stored = Problem.objects.get(pk=parsed.problem_id)
        kept = {
            measure.order: measure
            for measure in stored.measures.prefetch_related("progress_notes").order_by("order")
        }
        by_text = {m.description: m for m in kept.values()}
        changes: list[str] = []
        editable = stored.state in rules.EDITABLE_STATES
        parsed.state = stored.state
        for index, measure in enumerate(parsed.measures, start=1):
            match = None
            if measure.code:
                order = measure.code.rpartition(".")[2]
                match = kept.get(int(order)) if order.isdigit() else None
            if match is None:
                match = by_text.get(measure.description)
            label = measure.code or str(index)
            if match is None:
                changes.append(_("new measure “%(text)s”") % {"text": measure.description[:30]})
                measure.new_notes = list(measure.notes)
                measure.new_state = (
                    measure.state if measure.state != MeasureState.NOT_STARTED else None
                )
            else:
                measure.measure_id = match.pk
                have = {(n.noted_on, n.text.strip()) for n in match.progress_notes.all()}
                measure.new_notes = [
                    (day, text) for day, text in measure.notes if (day, text.strip()) not in have
                ]
                if measure.new_notes:
                    changes.append(
                        _("measure %(code)s: %(n)d new progress notes")
                        % {"code": label, "n": len(measure.new_notes)}
                    )
                if measure.state != match.state:
                    measure.new_state = measure.state
                    changes.append(
                        _("measure %(code)s: %(before)s → %(after)s")
                        % {
                            "code": label,
                            "before": MeasureState(match.state).label,
                            "after": MeasureState(measure.state).label,
                        }
                    )
            # The services' rules, asked here so that a refusal is a line of the report
            # (and nothing is written), never an error from the middle of the writing.
            if match is None:
                refusal = rules.measure_deadline_refusal(stored.deadline, measure.deadline)
                if refusal:
                    self._error(measure.row, columns, "deadline", refusal)
            if measure.new_notes:
                refusal = rules.progress_note_refusal(stored.state) or next(
                    (
                        r
                        for day, _text in measure.new_notes
                        if (r := rules.note_date_refusal(day, self.today))
                    ),
                    None,
                )
                if refusal:
                    self._error(measure.row, columns, "progress", refusal)
            if measure.new_state is not None:
                refusal = rules.measure_state_refusal(stored.state, measure.new_state)
                if refusal:
                    self._error(measure.row, columns, "state", refusal)
                elif measure.new_state == MeasureState.DONE:
                    refusal = rules.done_date_refusal(measure.completed_on, self.today)
                    if refusal:
                        self._error(measure.row, columns, "completed", refusal)
        if parsed.goal and parsed.goal != stored.goal:
            parsed.new_goal = parsed.goal
            changes.append(_("goal"))
        if (
            changes
            and self.user is not None
            and not permissions.may(self.user, Action.EDIT_PROBLEMS, stored)
        ):
            self._error(
                parsed.row,
                columns,
                "code",
                _("You may not change problem %(code)s (its responsible leader changes it).")
                % {"code": parsed.code},
            )
        elif changes and not editable:
            self._error(
                parsed.row,
                columns,
                "code",
                _("Problem %(code)s is “%(state)s”: it can no longer be changed.")
                % {"code": parsed.code, "state": stored.get_state_display()},
            )
        if parsed.type != stored.type or (
            parsed.type != ProblemType.ONGOING and parsed.deadline != stored.deadline
        ):
            self._note(
                parsed.row,
                columns,
                "deadline",
                _(
                    "The deadline is kept as approved (%(deadline)s): to move it, request an "
                    "extension on the problem's page."
                )
                % {"deadline": stored.deadline or stored.get_type_display()},
            )
        parsed.type, parsed.deadline = stored.type, stored.deadline
        parsed.changes = changes
        parsed.outcome = "updated" if changes else "unchanged"

    def _settle_state(
        self,
        problem: ParsedProblem,
        written: str | None,
        word: tuple[int, str] | None,
        columns: dict[str, tuple[int, str]],
    ) -> None:
        """Write the problem in the furthest state the form could have reached, up to the
        one its rows say, and note where that falls short."""
        if written in (ProblemState.SUBMITTED, ProblemState.CLOSED):
            for measure in problem.measures:  # up for 销号: the ledger says the work is done
                measure.state = MeasureState.DONE
        if written is None and any(m.state != MeasureState.NOT_STARTED for m in problem.measures):
            written = ProblemState.IN_RECTIFICATION  # the work has begun
        reached = rules.reachable_state(
            written=written,
            start=rules.start_refusals(
                type=problem.type,
                deadline=problem.deadline,
                has_measures=bool(problem.measures),
                has_leader=bool(problem.leader_name),
                has_responsible=bool(problem.person_name or problem.unit_name),
            ),
            closing=rules.close_refusals(
                [  # a ledger carries no evidence
                    rules.ClosingMeasure(order, m.state, has_evidence=False)
                    for order, m in enumerate(problem.measures, start=1)
                ]
            ),
            may_close=self._closes_here(),
        )
        problem.state = reached.state
        if reached.lowered:
            row, text = word or (problem.row, "")
            self._note(
                row,
                columns,
                "state",
                _("Written “%(word)s”, imported as “%(state)s”: %(reasons)s")
                % {
                    "word": text or ProblemState(written or ProblemState.DRAFT).label,
                    "state": ProblemState(reached.state).label,
                    "reasons": _sentences(reached.reasons),
                },
            )
        for measure in problem.measures:
            refusal = rules.measure_state_refusal(problem.state, measure.state)
            if refusal:
                # as far as the problem's state allows
                measure.state = (
                    MeasureState.IN_PROGRESS
                    if rules.measure_state_refusal(problem.state, MeasureState.IN_PROGRESS) is None
                    else MeasureState.NOT_STARTED
                )
                self._note(
                    measure.row,
                    columns,
                    "state",
                    _("The measure is imported as “%(state)s”: %(reason)s")
                    % {"state": MeasureState(measure.state).label, "reason": refusal},
                )


def _problem_part(code: str) -> str:
    """The problem's 编号 in a measure's (``T-A-1-3.2`` → ``T-A-1-3``)."""
    head, dot, tail = code.rpartition(".")
    return head if dot and tail.isdigit() else code


def _sentences(reasons: Iterable[str]) -> str:
    """Reasons one after the other (a space only after a Western full stop)."""
    text = ""
    for reason in reasons:
        text += (" " if text.endswith(".") else "") + reason
    return text


# --- writing ----------------------------------------------------------------------------


def ledger_preview(
    *,
    upload: Any,
    campaign: Campaign,
    unit: OrgUnit,
    user: Any,
    today: date | None = None,
    progress: Progress | None = None,
) -> LedgerPreview:
    """Parse a ledger without writing anything. Raises LedgerFileError for a refused file."""
    reader = LedgerReader(campaign=campaign, unit=unit, user=user, today=today, progress=progress)
    return reader.read(upload_source(upload))


@transaction.atomic
def ledger_import(
    *,
    upload: Any,
    campaign: Campaign,
    unit: OrgUnit,
    user: Any,
    dry_run: bool = False,
    file_name: str = "",
    today: date | None = None,
    progress: Progress | None = None,
) -> LedgerPreview:
    """Parse a ledger and, when every row is good, write all its problems in one go.

    The caller checks that ``user`` may edit problems of ``unit``. Raises LedgerFileError
    for a refused file; row errors are returned in the preview and nothing is written.
    """
    today = today or timezone.localdate()
    preview = ledger_preview(
        upload=upload, campaign=campaign, unit=unit, user=user, today=today, progress=progress
    )
    if not preview.ok or dry_run:
        return preview
    try:
        # A savepoint: a refusal met while writing takes back everything written before it.
        with (
            transaction.atomic(),
            pghistory.context(user=user.pk if user else None, command="import_ledger"),
        ):
            _update(preview, user=user, today=today)
            _write(
                preview, campaign=campaign, unit=unit, user=user, today=today, file_name=file_name
            )
    except _Refused as refused:
        preview.errors.extend(refused.errors)
        return preview
    preview.written = True
    return preview


class _Refused(Exception):
    """A service refused a row while the import was writing: the rows' lines."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(errors)
        self.errors = errors


# The column of the ledger that holds each field a service names in its refusal.
_FIELD_COLUMNS = {
    "description": "measure",
    "deadline": "deadline",
    "completed_on": "completed",
    "noted_on": "progress",
    "text": "progress",
    "state": "state",
    "goal": "goal",
    "responsible_leader": "responsible_leader",
    "responsible_person": "person",
    "responsible_unit": "unit",
    "category": "category",
    "source": "source",
    "type": "deadline",
}


def _refused(preview: LedgerPreview, row: int, column: str, exc: Exception) -> _Refused:
    """A service's refusal (``ValidationError`` by field, or ``PermissionDenied``) as lines
    of the import report at ``row``, each in the column of its field (else ``column``)."""
    refs = preview.column_refs

    def ref(key: str) -> str:
        return refs.get(key) or f"—（{HEADER_NAMES[key][0]}）"

    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        return _Refused(
            [
                RowError(row, ref(_FIELD_COLUMNS.get(name, column)), message)
                for name, messages in exc.message_dict.items()
                for message in messages
            ]
        )
    messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
    return _Refused([RowError(row, ref(column), message) for message in messages])


def _update(preview: LedgerPreview, *, user: Any, today: date) -> None:
    """Write the changes of the rows that name a kept problem, through the services (the
    same rules and history as the forms; the import is the actor). The preview asked the
    services' rules already; should a service still refuse, its refusal becomes a line of
    the report at the row and column it concerns, and nothing is written."""
    from . import services

    for parsed in preview.problems:
        if parsed.problem_id is None or parsed.outcome != "updated":
            continue
        problem = Problem.objects.get(pk=parsed.problem_id)
        try:
            if parsed.new_goal is not None:
                services.problem_update(problem=problem, actor=user, goal=parsed.new_goal)
        except (ValidationError, PermissionDenied) as exc:
            raise _refused(preview, parsed.row, "goal", exc) from exc
        for m in parsed.measures:
            column = "measure"
            try:
                if m.measure_id is None:
                    measure = services.measure_add(
                        problem=problem,
                        actor=user,
                        description=m.description,
                        responsible_person_name=m.person_name,
                        deadline=m.deadline,
                    )
                else:
                    measure = Measure.objects.get(pk=m.measure_id)
                column = "progress"
                for noted_on, text in m.new_notes:
                    services.progress_note_add(
                        measure=measure, actor=user, text=text, noted_on=noted_on
                    )
                column = "state"
                if m.new_state is not None:
                    services.measure_set_state(
                        measure=measure,
                        actor=user,
                        state=m.new_state,
                        completed_on=(m.completed_on or today)
                        if m.new_state == MeasureState.DONE
                        else None,
                    )
            except (ValidationError, PermissionDenied) as exc:
                raise _refused(preview, m.row, column, exc) from exc


def _write(
    preview: LedgerPreview,
    *,
    campaign: Campaign,
    unit: OrgUnit,
    user: Any,
    today: date,
    file_name: str,
) -> None:
    OrgUnit.objects.select_for_update().filter(pk=unit.pk).first()  # numbers: one at a time
    last = Problem.objects.filter(campaign=campaign, unit=unit).aggregate(n=Max("number"))["n"] or 0
    now = timezone.now()
    reporter = user.pk if user else None
    problems = []
    new = [parsed for parsed in preview.problems if parsed.problem_id is None]
    for offset, parsed in enumerate(new, start=1):
        deadlines = [parsed.deadline] + [m.deadline for m in parsed.measures]
        note_dates = [d for m in parsed.measures for d, _text in m.notes]
        problems.append(
            Problem(
                campaign=campaign,
                unit=unit,
                number=last + offset,
                category=parsed.category,
                source=parsed.source,
                description=parsed.description,
                responsible_leader_id=parsed.leader_id,
                responsible_leader_name=parsed.leader_name,
                responsible_unit_id=parsed.unit_id,
                responsible_unit_name=parsed.unit_name,
                responsible_person_id=parsed.person_id,
                responsible_person_name=parsed.person_name,
                type=parsed.type,
                deadline=parsed.deadline,
                discovered_on=min([today, *[d for d in deadlines if d is not None]]),
                state=parsed.state,
                remarks=parsed.remarks,
                reported_by_id=reporter,
                submitted_at=now
                if parsed.state in (ProblemState.SUBMITTED, ProblemState.CLOSED)
                else None,
                closed_at=now if parsed.state == ProblemState.CLOSED else None,
                closed_by_id=reporter if parsed.state == ProblemState.CLOSED else None,
                withdrawn_reason=_("Withdrawn in the imported ledger.")
                if parsed.state == ProblemState.WITHDRAWN
                else "",
                last_progress_on=max(note_dates) if note_dates else None,
                goal=parsed.goal,
            )
        )
    Problem.objects.bulk_create(problems, batch_size=1000)
    measures: list[Measure] = []
    notes_of: list[list[tuple[date, str]]] = []
    for problem, parsed in zip(problems, new, strict=True):
        for order, m in enumerate(parsed.measures, start=1):
            measures.append(
                Measure(
                    problem_id=problem.pk,
                    order=order,
                    description=m.description,
                    responsible_person_id=m.person_id,
                    responsible_person_name=m.person_name,
                    deadline=m.deadline,
                    state=m.state,
                    completed_on=today if m.state == MeasureState.DONE else None,
                )
            )
            notes_of.append(m.notes)
    Measure.objects.bulk_create(measures, batch_size=2000)
    ProgressNote.objects.bulk_create(
        [
            ProgressNote(measure_id=measure.pk, noted_on=noted_on, text=text, author_id=reporter)
            for measure, notes in zip(measures, notes_of, strict=True)
            for noted_on, text in notes
        ],
        batch_size=2000,
    )
    reason = _("Imported from the ledger %(file)s.") % {"file": file_name or "xlsx"}
    ProblemTransition.objects.bulk_create(
        [
            ProblemTransition(
                problem_id=problem.pk,
                from_state="",
                to_state=problem.state,
                actor_id=reporter,
                reason=reason,
            )
            for problem in problems
        ],
        batch_size=2000,
    )
