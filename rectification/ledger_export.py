"""The rectification ledger (整改台账) as offices print it, streamed row by row.

One row per measure; the problem's own cells are merged over its measures (a problem with
no measure gets one row). The rows come from three ordered ``values_list`` iterators
(problems, measures, progress notes) joined as they stream, so the whole city's ledger is
written with a fixed number of queries and flat memory.

The column names are the ledger's own (DESIGN.md); the import recognises them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import IO, Any

from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import OrgUnit
from accounts.selectors import first_responsible_for
from campaign.models import Campaign
from core.xlsx import (
    LINE_HEIGHT,
    ROW_PADDING,
    Column,
    LedgerWriter,
    ProgressCallback,
    column_room,
    text_width,
    wrapped_lines,
)

from .models import (
    ExtensionRequest,
    ExtensionState,
    Measure,
    MeasureState,
    Problem,
    ProblemSource,
    ProblemState,
    ProblemType,
    ProgressNote,
)

# The ledger's columns, as offices name them (the import matches these and variants).
SEQ = "序号"
CODE = "编号"
CATEGORY = "问题类别"
SOURCE = "问题来源"
DESCRIPTION = "问题描述"
GOAL = "整改目标"
MEASURE = "整改措施"
LEADER = "责任领导"
RESP_UNIT = "责任单位"
PERSON = "责任人"
DEADLINE = "整改时限"
PROGRESS = "整改进展"
STATE = "措施完成情况"
COMPLETED = "实际完成时间"
PROBLEM_STATE = "问题状态"
VERIFIER = "销号审核人"
CLOSED_AT = "销号时间"
REMARKS = "备注"

# Widths in Excel's units (a digit of the default font). Eighteen columns share an A4
# landscape page: together they are narrow enough that fitting the page's width leaves the
# text at 9 pt or more (``core.xlsx.printed_font_size``); long text wraps and the rows are
# as tall as it needs.
COLUMNS = (
    Column(SEQ, 6, center=True),
    Column(CODE, 9, center=True),
    Column(CATEGORY, 6, center=True),
    Column(SOURCE, 6, center=True),
    Column(DESCRIPTION, 17),
    Column(GOAL, 10),
    Column(MEASURE, 17),
    Column(LEADER, 6, center=True),
    Column(RESP_UNIT, 7, center=True),
    Column(PERSON, 6, center=True),
    Column(DEADLINE, 9, center=True),
    Column(PROGRESS, 14),
    Column(STATE, 6, center=True),
    Column(COMPLETED, 9, center=True),
    Column(PROBLEM_STATE, 6, center=True),
    Column(VERIFIER, 6, center=True),
    Column(CLOSED_AT, 9, center=True),
    Column(REMARKS, 9),
)
HEADERS = tuple(c.header for c in COLUMNS)

# 1-based columns that always belong to the problem (merged over its measures) ...
PROBLEM_COLUMNS = (1, 3, 4, 5, 6, 8, 9, 15, 16, 17, 18)
# ... and those merged only when every measure of the problem shows the same text.
SHARED_WHEN_EQUAL = (10, 11)

#: The line under the table that the unit fills in when it sends the ledger up.
FOOTER = (
    "填报单位（盖章）：" + " " * 20 + "填报人：" + " " * 14 + "联系电话：" + " " * 14 + "填报日期："
    "      年   月   日"
)

IMMEDIATE_TEXT = "立行立改"
ONGOING_TEXT = "长期坚持"

# Words written in the state columns; the import reads them back.
STATE_WORDS_PROBLEM: dict[str, str] = {
    ProblemState.DRAFT: "未启动",
    ProblemState.IN_RECTIFICATION: "整改中",
    ProblemState.SUBMITTED: "待销号",
    ProblemState.CLOSED: "已销号",
    ProblemState.WITHDRAWN: "已撤销",
}
STATE_WORDS_MEASURE: dict[str, str] = {
    MeasureState.NOT_STARTED: "未开始",
    MeasureState.IN_PROGRESS: "整改中",
    MeasureState.DONE: "已完成",
}


def source_labels() -> dict[str, str]:
    """The sources as the ledgers units keep write them (Chinese, whatever the reader's
    language: the ledger is read back by the import)."""
    with translation.override("zh-hans"):
        return {value: str(label) for value, label in ProblemSource.choices}


_P_FIELDS = (
    "pk",
    "unit__code",
    "number",
    "goal",
    "closed_by__full_name",
    "closed_by__username",
    "closed_at",
    "category",
    "source",
    "description",
    "responsible_leader__full_name",
    "responsible_leader__username",
    "responsible_leader_name",
    "responsible_unit__name",
    "responsible_unit_name",
    "responsible_person__full_name",
    "responsible_person__username",
    "responsible_person_name",
    "type",
    "deadline",
    "state",
    "remarks",
)
_M_FIELDS = (
    "pk",
    "problem_id",
    "order",
    "completed_on",
    "description",
    "responsible_person__full_name",
    "responsible_person__username",
    "responsible_person_name",
    "deadline",
    "state",
)
_N_FIELDS = ("measure_id", "noted_on", "text")
_X_FIELDS = (
    "problem_id",
    "old_deadline",
    "new_type",
    "new_deadline",
    "state",
    "requested_at",
    "decided_at",
)

CHUNK = 2000
PROGRESS_EVERY = 500


def _name(full_name: str | None, username: str | None, written: str | None) -> str:
    """A linked user's name, or the name as it was written."""
    if username:
        return full_name or username
    return written or ""


def problem_code(unit_code: str, number: int) -> str:
    """A problem's 编号, as the web list shows it: the unit's code and its number."""
    return f"{unit_code}-{number}"


def measure_code(problem: str, order: int) -> str:
    """A measure's 编号: its problem's, a full stop, its order."""
    return f"{problem}.{order}"


@dataclass
class LedgerMeasure:
    code: str
    completed_on: date | None
    description: str
    person: str
    deadline: date | None
    state: str
    notes: list[tuple[date, str]] = field(default_factory=list)


@dataclass
class LedgerProblem:
    code: str
    goal: str
    verifier: str
    closed_at: Any
    category: str
    source: str
    description: str
    leader: str
    unit: str
    person: str
    type: str
    deadline: date | None
    state: str
    remarks: str
    measures: list[LedgerMeasure] = field(default_factory=list)


def export_filters(params: Any) -> dict[str, list[str]]:
    """The list page's filters as plain JSON (a job re-applies them in the worker)."""
    return {key: params.getlist(key) for key in params if key != "page"}


def export_title(
    *, user: Any, campaign: Campaign, filters: dict[str, list[str]], fallback: OrgUnit
) -> str:
    """The ledger's title: the unit the list is filtered on, else ``fallback``."""
    unit_id = str((filters.get("unit") or [""])[-1])
    unit = (
        OrgUnit.objects.visible_to(user).filter(pk=unit_id).first() if unit_id.isdigit() else None
    )
    return ledger_title(campaign=campaign, unit=unit or fallback)


def export_file_name(*, campaign: Campaign) -> str:
    return f"整改台账-{campaign.pk}-{timezone.localdate():%Y%m%d}.xlsx"


def ledger_title(*, campaign: Campaign, unit: OrgUnit | None) -> str:
    if unit is None:
        return _("%(campaign)s: problem rectification ledger") % {"campaign": campaign.name}
    title = _("%(unit)s %(campaign)s: problem rectification ledger") % {
        "unit": unit.name,
        "campaign": campaign.name,
    }
    answering = first_responsible_for(unit)
    if answering is not None and answering.first_responsible is not None:
        title += _(" (first responsible person: %(name)s)") % {
            "name": answering.first_responsible.display_name
        }
    return title


class LedgerExporter:
    """Writes the problems of a queryset as the formatted ledger.

    ``problems`` may be any queryset of problems (the list page's filtered rows, a unit's
    subtree); its ordering is replaced by the ledger's (unit, number).
    """

    def __init__(
        self,
        *,
        problems: QuerySet[Problem],
        title: str,
        progress: ProgressCallback | None = None,
        progress_every: int = PROGRESS_EVERY,
    ) -> None:
        self.problems = problems
        self.title = title
        self.progress = progress
        self.progress_every = progress_every

    # --- reading -------------------------------------------------------------------------

    def _problem_ids(self) -> QuerySet[Any, Any]:
        return self.problems.order_by().values("pk")

    def count(self) -> int:
        return Problem.objects.filter(pk__in=self._problem_ids()).count()

    def _problem_rows(self) -> Iterator[tuple[Any, ...]]:
        qs = (
            Problem.objects.filter(pk__in=self._problem_ids())
            .order_by("unit__path", "number", "pk")
            .values_list(*_P_FIELDS)
        )
        return qs.iterator(chunk_size=CHUNK)

    def _measure_rows(self) -> Iterator[tuple[Any, ...]]:
        qs = (
            Measure.objects.filter(problem_id__in=self._problem_ids())
            .order_by("problem__unit__path", "problem__number", "problem_id", "order", "pk")
            .values_list(*_M_FIELDS)
        )
        return qs.iterator(chunk_size=CHUNK)

    def _note_rows(self) -> Iterator[tuple[Any, ...]]:
        qs = (
            ProgressNote.objects.filter(measure__problem_id__in=self._problem_ids())
            .order_by(
                "measure__problem__unit__path",
                "measure__problem__number",
                "measure__problem_id",
                "measure__order",
                "measure_id",
                "noted_on",
                "pk",
            )
            .values_list(*_N_FIELDS)
        )
        return qs.iterator(chunk_size=CHUNK)

    def _extension_rows(self) -> Iterator[tuple[Any, ...]]:
        qs = (
            ExtensionRequest.objects.filter(problem_id__in=self._problem_ids())
            .order_by("problem__unit__path", "problem__number", "problem_id", "requested_at", "pk")
            .values_list(*_X_FIELDS)
        )
        return qs.iterator(chunk_size=CHUNK)

    def rows(self) -> Iterator[LedgerProblem]:
        """The ledger's problems with their measures and notes, in ledger order.

        The iterators share one ordering, so each problem's measures (and each
        measure's notes) follow one another: a merge join without holding anything.
        """
        measures = _Peekable(self._measure_rows())
        notes = _Peekable(self._note_rows())
        sources = source_labels()
        extensions = _Peekable(self._extension_rows())
        for p in self._problem_rows():
            (
                pk,
                unit_code,
                number,
                goal,
                verifier_full,
                verifier_user,
                closed_at,
                category,
                source,
                description,
                leader_full,
                leader_user,
                leader_written,
                unit_name,
                unit_written,
                person_full,
                person_user,
                person_written,
                type_,
                deadline,
                state,
                remarks,
            ) = p
            code = problem_code(unit_code, number)
            lines = [remarks] if remarks else []
            while (x := extensions.peek()) is not None and x[0] == pk:
                lines.append(_extension_text(*next(extensions)[1:]))
            problem = LedgerProblem(
                code=code,
                goal=goal,
                verifier=_name(verifier_full, verifier_user, None),
                closed_at=timezone.localtime(closed_at).date() if closed_at else None,
                category=category,
                source=sources.get(source, source),
                description=description,
                leader=_name(leader_full, leader_user, leader_written),
                unit=unit_name or unit_written or "",
                person=_name(person_full, person_user, person_written),
                type=type_,
                deadline=deadline,
                state=state,
                remarks="\n".join(lines),
            )
            while (ahead := measures.peek()) is not None and ahead[1] == pk:
                (
                    m_pk,
                    _problem,
                    m_order,
                    m_completed,
                    m_desc,
                    m_full,
                    m_user,
                    m_written,
                    m_deadline,
                    m_state,
                ) = next(measures)
                measure = LedgerMeasure(
                    code=measure_code(code, m_order),
                    completed_on=m_completed,
                    description=m_desc,
                    person=_name(m_full, m_user, m_written),
                    deadline=m_deadline,
                    state=m_state,
                )
                while (note := notes.peek()) is not None and note[0] == m_pk:
                    _measure, noted_on, text = next(notes)
                    measure.notes.append((noted_on, text))
                problem.measures.append(measure)
            yield problem

    # --- writing -------------------------------------------------------------------------

    def cells(self, number: int, problem: LedgerProblem) -> list[list[Any]]:
        """The sheet rows of one problem: one per measure, at least one."""
        rows = []
        measures: list[LedgerMeasure | None] = list(problem.measures) or [None]
        for measure in measures:
            rows.append(
                [
                    number,
                    measure.code if measure else problem.code,
                    problem.category,
                    problem.source,
                    problem.description,
                    problem.goal,
                    measure.description if measure else "",
                    problem.leader,
                    problem.unit,
                    (measure.person if measure else "") or problem.person,
                    _deadline_text(problem, measure),
                    _progress_text(measure),
                    STATE_WORDS_MEASURE.get(measure.state, "") if measure else "",
                    _day(measure.completed_on) if measure else "",
                    STATE_WORDS_PROBLEM.get(problem.state, ""),
                    problem.verifier,
                    _day(problem.closed_at),
                    problem.remarks,
                ]
            )
        return rows

    def write(self, target: str | IO[bytes]) -> int:
        """Write the ledger to a path or binary file; returns the number of problems."""
        total = self.count() if self.progress else 0
        writer = LedgerWriter(title=self.title, columns=COLUMNS, sheet_title="整改台账")
        done = 0
        for done, problem in enumerate(self.rows(), start=1):
            rows = self.cells(done, problem)
            merged = set(PROBLEM_COLUMNS)
            if len(rows) > 1:
                merged.update(
                    c for c in SHARED_WHEN_EQUAL if len({row[c - 1] for row in rows}) == 1
                )
            first = writer.next_row
            heights = _heights(rows, merged)
            writer.keep_together(sum(heights))
            for index, (row, height) in enumerate(zip(rows, heights, strict=True)):
                if index:
                    row = [None if (i + 1) in merged else v for i, v in enumerate(row)]
                writer.append(row, height=height)
            writer.merge_down(sorted(merged), first, writer.next_row - 1)
            if self.progress and done % self.progress_every == 0:
                self.progress(done, total)
        writer.append_footer(FOOTER)
        writer.save(target)
        if self.progress:
            self.progress(done, total)
        return done


#: Each column's room on one line, in character widths (``core.xlsx.column_room``).
_ROOMS = tuple(column_room(c.width) for c in COLUMNS)
# The widest text a column can hold when only a few words or a date go in it (the serial
# number is a number: numbers do not wrap).
_NARROW_TEXT = {
    SEQ: 0,
    STATE: max(text_width(word) for word in STATE_WORDS_MEASURE.values()),
    COMPLETED: text_width("2026-12-31"),
    PROBLEM_STATE: max(text_width(word) for word in STATE_WORDS_PROBLEM.values()),
    CLOSED_AT: text_width("2026-12-31"),
}
# The columns whose text may wrap: only those are measured.
_MEASURED = tuple(
    i for i, c in enumerate(COLUMNS) if _NARROW_TEXT.get(c.header, _ROOMS[i] + 1) > _ROOMS[i]
)


def _lines(row: list[Any], columns: Iterable[int]) -> int:
    """The most lines the text of ``columns`` (0-based) of ``row`` wraps to. Numbers do not
    wrap; dates are written as text by ``cells``. Most cells are known to fit on one line
    from their length alone, without calling anything."""
    most = 1
    for i in columns:
        value = row[i]
        if value.__class__ is str and (len(value) * 2 > _ROOMS[i] or "\n" in value):
            key = (value, i)
            lines = _SHORT_TEXT_LINES.get(key)
            if lines is None:
                lines = wrapped_lines(value, _ROOMS[i])
                if len(value) <= _SHORT_TEXT:
                    if len(_SHORT_TEXT_LINES) >= _SHORT_TEXT_KEPT:
                        _SHORT_TEXT_LINES.clear()
                    _SHORT_TEXT_LINES[key] = lines
            if lines > most:
                most = lines
    return most


# Short texts come back row after row (names, units, dates, categories): their lines are
# kept, a bounded number of them.
_SHORT_TEXT = 32
_SHORT_TEXT_KEPT = 50_000
_SHORT_TEXT_LINES: dict[tuple[str, int], int] = {}


def _heights(rows: list[list[Any]], merged: set[int]) -> list[float]:
    """Each sheet row's printed height: tall enough for its own cells' wrapped text, and
    together tall enough for the text of the cells merged over all of them (neither Excel
    nor LibreOffice sizes a row for text in merged cells)."""
    if len(rows) == 1:
        return [_lines(rows[0], _MEASURED) * LINE_HEIGHT + ROW_PADDING]
    own = [i for i in _MEASURED if (i + 1) not in merged]
    shared = [i for i in _MEASURED if (i + 1) in merged]
    heights = [_lines(row, own) * LINE_HEIGHT + ROW_PADDING for row in rows]
    needed = _lines(rows[0], shared) * LINE_HEIGHT + ROW_PADDING
    short = needed - sum(heights)
    if short > 0:
        heights = [h + short / len(heights) for h in heights]
    return heights


def _deadline_text(problem: LedgerProblem, measure: LedgerMeasure | None) -> str:
    if problem.type == ProblemType.ONGOING:
        return ONGOING_TEXT
    deadline = (measure.deadline if measure else None) or problem.deadline
    if problem.type == ProblemType.IMMEDIATE:
        return f"{IMMEDIATE_TEXT}（{deadline:%Y-%m-%d}）" if deadline else IMMEDIATE_TEXT
    return _day(deadline)


def _day(value: date | None) -> str:
    """A date as the ledger writes it (text, so that its height is measured as text)."""
    return f"{value:%Y-%m-%d}" if value else ""


def _progress_text(measure: LedgerMeasure | None) -> str:
    if measure is None:
        return ""
    return "\n".join(f"{noted_on:%Y-%m-%d} {text}" for noted_on, text in measure.notes)


def _extension_text(
    old_deadline: date | None,
    new_type: str,
    new_deadline: date | None,
    state: str,
    requested_at: Any,
    decided_at: Any,
) -> str:
    """One extension request as the 备注 column shows it."""
    asked = f"{new_deadline:%Y-%m-%d}" if new_deadline else ProblemType(new_type).label
    before = f"{old_deadline:%Y-%m-%d}" if old_deadline else "—"
    when = timezone.localtime(decided_at or requested_at)
    return f"延期申请（{ExtensionState(state).label}，{when:%Y-%m-%d}）：{before}→{asked}"


class _Peekable:
    """An iterator with a one-item look-ahead."""

    _END: Any = object()

    def __init__(self, iterator: Iterator[tuple[Any, ...]]) -> None:
        self._iterator = iterator
        self._next: Any = self._END
        self._advance()

    def _advance(self) -> None:
        self._next = next(self._iterator, self._END)

    def peek(self) -> tuple[Any, ...] | None:
        return None if self._next is self._END else self._next

    def __iter__(self) -> _Peekable:
        return self

    def __next__(self) -> tuple[Any, ...]:
        if self._next is self._END:
            raise StopIteration
        value = self._next
        self._advance()
        return value


def export_unit_ledger(
    *,
    campaign: Campaign,
    unit: OrgUnit,
    target: str | IO[bytes],
    progress: ProgressCallback | None = None,
) -> int:
    """The whole ledger of a unit's subtree in a campaign (the ``export_ledger`` command)."""
    problems = Problem.objects.filter(campaign=campaign, unit__path__startswith=unit.path)
    exporter = LedgerExporter(
        problems=problems, title=ledger_title(campaign=campaign, unit=unit), progress=progress
    )
    return exporter.write(target)
