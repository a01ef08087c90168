"""The rectification ledger (整改台账) as offices print it, streamed row by row.

One row per measure; the problem's own cells are merged over its measures (a problem with
no measure gets one row). The rows come from three ordered ``values_list`` iterators
(problems, measures, progress notes) joined as they stream, so the whole city's ledger is
written with a fixed number of queries and flat memory.

The column names are the ledger's own (DESIGN.md); the import recognises them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import IO, Any

from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import OrgUnit
from accounts.selectors import first_responsible_for
from campaign.models import Campaign
from core.xlsx import Column, LedgerWriter, ProgressCallback

from .models import (
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
CATEGORY = "问题类别"
SOURCE = "问题来源"
DESCRIPTION = "问题描述"
MEASURE = "整改措施"
LEADER = "责任领导"
RESP_UNIT = "责任单位"
PERSON = "责任人"
DEADLINE = "整改时限"
PROGRESS = "整改进展"
STATE = "完成情况/状态"
REMARKS = "备注"

COLUMNS = (
    Column(SEQ, 6, center=True),
    Column(CATEGORY, 10, center=True),
    Column(SOURCE, 11, center=True),
    Column(DESCRIPTION, 36),
    Column(MEASURE, 36),
    Column(LEADER, 9, center=True),
    Column(RESP_UNIT, 14, center=True),
    Column(PERSON, 9, center=True),
    Column(DEADLINE, 12, center=True),
    Column(PROGRESS, 32),
    Column(STATE, 10, center=True),
    Column(REMARKS, 14),
)
HEADERS = tuple(c.header for c in COLUMNS)

# 1-based columns that always belong to the problem (merged over its measures) ...
PROBLEM_COLUMNS = (1, 2, 3, 4, 6, 7, 12)
# ... and those merged only when every measure of the problem shows the same text.
SHARED_WHEN_EQUAL = (8, 9, 11)

IMMEDIATE_TEXT = "立行立改"
ONGOING_TEXT = "长期坚持"

# Words written in the state column; the import reads them back.
STATE_WORDS_PROBLEM = {
    ProblemState.SUBMITTED: "待销号",
    ProblemState.CLOSED: "已销号",
    ProblemState.WITHDRAWN: "已撤销",
}
STATE_WORDS_MEASURE = {
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
    "description",
    "responsible_person__full_name",
    "responsible_person__username",
    "responsible_person_name",
    "deadline",
    "state",
)
_N_FIELDS = ("measure_id", "noted_on", "text")

CHUNK = 2000
PROGRESS_EVERY = 500


def _name(full_name: str | None, username: str | None, written: str | None) -> str:
    """A linked user's name, or the name as it was written."""
    if username:
        return full_name or username
    return written or ""


@dataclass
class LedgerMeasure:
    description: str
    person: str
    deadline: date | None
    state: str
    notes: list[tuple[date, str]] = field(default_factory=list)


@dataclass
class LedgerProblem:
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

    def rows(self) -> Iterator[LedgerProblem]:
        """The ledger's problems with their measures and notes, in ledger order.

        The three iterators share one ordering, so each problem's measures (and each
        measure's notes) follow one another: a merge join without holding anything.
        """
        measures = _Peekable(self._measure_rows())
        notes = _Peekable(self._note_rows())
        sources = source_labels()
        for p in self._problem_rows():
            (
                pk,
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
            problem = LedgerProblem(
                category=category,
                source=sources.get(source, source),
                description=description,
                leader=_name(leader_full, leader_user, leader_written),
                unit=unit_name or unit_written or "",
                person=_name(person_full, person_user, person_written),
                type=type_,
                deadline=deadline,
                state=state,
                remarks=remarks,
            )
            while (ahead := measures.peek()) is not None and ahead[1] == pk:
                m_pk, _problem, m_desc, m_full, m_user, m_written, m_deadline, m_state = next(
                    measures
                )
                measure = LedgerMeasure(
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
                    problem.category,
                    problem.source,
                    problem.description,
                    measure.description if measure else "",
                    problem.leader,
                    problem.unit,
                    (measure.person if measure else "") or problem.person,
                    _deadline_text(problem, measure),
                    _progress_text(measure),
                    _state_text(problem, measure),
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
            for index, row in enumerate(rows):
                if index:
                    row = [None if (i + 1) in merged else v for i, v in enumerate(row)]
                writer.append(row)
            writer.merge_down(sorted(merged), first, writer.next_row - 1)
            if self.progress and done % self.progress_every == 0:
                self.progress(done, total)
        writer.save(target)
        if self.progress:
            self.progress(done, total)
        return done


def _deadline_text(problem: LedgerProblem, measure: LedgerMeasure | None) -> str | date:
    if problem.type == ProblemType.ONGOING:
        return ONGOING_TEXT
    deadline = (measure.deadline if measure else None) or problem.deadline
    if problem.type == ProblemType.IMMEDIATE:
        return f"{IMMEDIATE_TEXT}（{deadline:%Y-%m-%d}）" if deadline else IMMEDIATE_TEXT
    return deadline or ""


def _progress_text(measure: LedgerMeasure | None) -> str:
    if measure is None:
        return ""
    return "\n".join(f"{noted_on:%Y-%m-%d} {text}" for noted_on, text in measure.notes)


def _state_text(problem: LedgerProblem, measure: LedgerMeasure | None) -> str:
    if problem.state in STATE_WORDS_PROBLEM:
        return STATE_WORDS_PROBLEM[ProblemState(problem.state)]
    if measure is not None:
        return STATE_WORDS_MEASURE.get(MeasureState(measure.state), "")
    if problem.state == ProblemState.IN_RECTIFICATION:
        return STATE_WORDS_MEASURE[MeasureState.IN_PROGRESS]
    return STATE_WORDS_MEASURE[MeasureState.NOT_STARTED]


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
