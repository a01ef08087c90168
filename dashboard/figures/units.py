"""The units one level down, each with the figures of its own subtree, and the ranking of
the lagging ones.

A child's figures are those of :mod:`.assignments`, :mod:`.activities` and
:mod:`.rectification` grouped by the child its records lie under (one grouped query each,
whatever the number of units), so a row of the weekly report's unit table, a line of the
dashboard's lagging units and the dashboard opened on that child show the same numbers.

The lagging score of a unit (0 = nothing lagging, 100 = everything lagging)::

    score = 100 * (0.4 * overdue_share + 0.4 * (1 - progress) + 0.2 * stale_share)

- overdue_share: (overdue assignments + overdue problems) / (assignments + problems);
- progress (进度): accepted assignments / all assignments (1 when the unit has none): how
  far through the campaign's work the unit is, beside the overdue share that already
  weighs what is late;
- stale_share: 长期坚持 problems without progress for 30 days / 长期坚持 problems in
  rectification (0 when there are none).

Red from 40, amber from 20, green below. The same thresholds colour the cells (see
``CELL_THRESHOLDS``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Case, CharField, F, Q, QuerySet, Value, When
from django.utils.translation import gettext_lazy as _

from accounts.models import OrgUnit, UnitDomain
from campaign.models import Campaign

from ..periods import Period
from . import activities, assignments, rectification
from .activities import ActivityFigures
from .assignments import AssignmentFigures
from .base import children, grouped_by_child, rate
from .rectification import ProblemFigures

WEIGHTS = {"overdue": 0.4, "incomplete": 0.4, "stale": 0.2}
RED_FROM = 40
AMBER_FROM = 20
# cell -> (red when >=, amber when >=) in percent; progress is inverted (lower is worse)
CELL_THRESHOLDS = {"overdue": (20, 1), "stale": (25, 1), "completion_short": (50, 20)}


@dataclass(frozen=True)
class UnitFigures:
    unit: OrgUnit
    assignments: AssignmentFigures
    activities: ActivityFigures
    problems: ProblemFigures


def unit_figures(
    *, campaign: Campaign, unit: OrgUnit, period: Period, with_activities: bool = True
) -> list[UnitFigures]:
    """The active units one level down in tree order, each with its subtree's figures
    (the unit's own records are in none of them). Four queries (three without the
    activities)."""
    units = children(unit)
    if not units:
        return []
    by_assignments = grouped_by_child(
        assignments.assignments_of(campaign, unit), unit, assignments.aggregates(period)
    )
    by_activities = (
        grouped_by_child(
            activities.activities_of(campaign, unit), unit, activities.aggregates(period)
        )
        if with_activities
        else {}
    )
    by_problems = grouped_by_child(
        rectification.problems_of(campaign, unit, period), unit, rectification.aggregates(period)
    )
    return [
        UnitFigures(
            unit=child,
            assignments=AssignmentFigures(**by_assignments.get(child.path, {})),
            activities=ActivityFigures(**by_activities.get(child.path, {})),
            problems=ProblemFigures(**by_problems.get(child.path, {})),
        )
        for child in units
    ]


def _rag(score: float, red: float = RED_FROM, amber: float = AMBER_FROM) -> str:
    if score >= red:
        return "red"
    if score >= amber:
        return "amber"
    return "green"


@dataclass
class UnitLine:
    unit: OrgUnit
    assignments: int = 0
    assignments_done: int = 0  # accepted
    assignments_overdue: int = 0
    problems: int = 0
    problems_overdue: int = 0
    ongoing: int = 0
    stale: int = 0
    score: float = 0.0
    rag: str = "green"
    cells: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, figures: UnitFigures) -> UnitLine:
        a, p = figures.assignments, figures.problems
        line = cls(
            unit=figures.unit,
            assignments=a.total,
            assignments_done=a.accepted,
            assignments_overdue=a.overdue,
            problems=p.total,
            problems_overdue=p.overdue,
            ongoing=p.ongoing,
            stale=p.stale,
        )
        line.compute()
        return line

    @property
    def items(self) -> int:
        return self.assignments + self.problems

    @property
    def overdue(self) -> int:
        return self.assignments_overdue + self.problems_overdue

    @property
    def overdue_share(self) -> float:
        return rate(self.overdue, self.items)

    @property
    def completion(self) -> float:
        """Progress (进度): accepted of all assignments, as ``AssignmentFigures.progress``;
        100 when the unit has none."""
        return rate(self.assignments_done, self.assignments) if self.assignments else 100.0

    @property
    def stale_share(self) -> float:
        return rate(self.stale, self.ongoing)

    def compute(self) -> None:
        self.score = round(
            WEIGHTS["overdue"] * self.overdue_share
            + WEIGHTS["incomplete"] * (100 - self.completion)
            + WEIGHTS["stale"] * self.stale_share,
            1,
        )
        self.rag = _rag(self.score)
        red, amber = CELL_THRESHOLDS["overdue"]
        self.cells["overdue"] = _rag(self.overdue_share, red, amber)
        red, amber = CELL_THRESHOLDS["stale"]
        self.cells["stale"] = _rag(self.stale_share, red, amber)
        red, amber = CELL_THRESHOLDS["completion_short"]
        self.cells["completion"] = _rag(100 - self.completion, red, amber)


def lagging_units(*, campaign: Campaign, unit: OrgUnit, period: Period) -> list[UnitLine]:
    """The units one level down, worst first, with their score (three queries)."""
    lines = [
        UnitLine.of(figures)
        for figures in unit_figures(
            campaign=campaign, unit=unit, period=period, with_activities=False
        )
    ]
    return sorted(lines, key=lambda line: (-line.score, line.unit.path))


# ---------------------------------------------------------------- units beside the tree


def _grouped_by(qs: QuerySet[Any], key: Any, aggregates: dict[str, Any]) -> dict[str, Any]:
    rows = qs.annotate(group=key).values("group").annotate(**aggregates).order_by()
    return {row.pop("group"): row for row in rows}


def lines_of_units(*, campaign: Campaign, units: list[OrgUnit], period: Period) -> list[UnitLine]:
    """Units anywhere in the tree (a leader's portfolio, a sector), each with its own
    subtree's figures, worst first: the same figures and score as the lagging units of
    the dashboard opened on each of them (two queries). The units must not lie in one
    another's subtree."""
    if not units:
        return []
    root = campaign.root_unit
    key = Case(
        *(When(unit__path__startswith=u.path, then=Value(u.path)) for u in units),
        default=Value(""),
        output_field=CharField(),
    )
    inside = reduce(or_, (Q(unit__path__startswith=u.path) for u in units))
    by_assignments = _grouped_by(
        assignments.assignments_of(campaign, root).filter(inside),
        key,
        assignments.aggregates(period),
    )
    by_problems = _grouped_by(
        rectification.problems_of(campaign, root, period).filter(inside),
        key,
        rectification.aggregates(period),
    )
    lines = [
        UnitLine.of(
            UnitFigures(
                unit=unit,
                assignments=AssignmentFigures(**by_assignments.get(unit.path, {})),
                activities=ActivityFigures(),
                problems=ProblemFigures(**by_problems.get(unit.path, {})),
            )
        )
        for unit in units
    ]
    return sorted(lines, key=lambda line: (-line.score, line.unit.path))


@dataclass
class ClassLine:
    """The figures of every unit of one class (分类指导: by field) under a unit."""

    key: str
    label: str
    line: UnitLine


def lines_by_domain(*, campaign: Campaign, unit: OrgUnit, period: Period) -> list[ClassLine]:
    """The records of ``unit``'s subtree grouped by the field of the unit they belong to
    (机关, 农村, 社区, 企业, 学校 …; units without one last), worst first, to compare
    classes of units (two queries)."""
    by_assignments = _grouped_by(
        assignments.assignments_of(campaign, unit),
        F("unit__domain"),
        assignments.aggregates(period),
    )
    by_problems = _grouped_by(
        rectification.problems_of(campaign, unit, period),
        F("unit__domain"),
        rectification.aggregates(period),
    )
    return class_lines(unit, by_assignments, by_problems)


def class_lines(
    unit: OrgUnit,
    by_assignments: dict[str, dict[str, int]],
    by_problems: dict[str, dict[str, int]],
) -> list[ClassLine]:
    """The lines by field from the assignments' and problems' counts by field."""
    labels = dict(UnitDomain.choices)
    lines = []
    for key in sorted(set(by_assignments) | set(by_problems)):
        line = line_of(unit, by_assignments.get(key, {}), by_problems.get(key, {}))
        lines.append(ClassLine(key=key, label=str(labels.get(key, _("Not classified"))), line=line))
    return sorted(lines, key=lambda c: (c.key == "", -c.line.score, c.key))


def line_of(unit: OrgUnit, assignment_row: dict[str, int], problem_row: dict[str, int]) -> UnitLine:
    """A unit's line from its assignments' and problems' counts (``aggregates`` of each;
    other columns, such as the problems' split, are left out)."""
    problem_names = rectification.aggregates_names()
    return UnitLine.of(
        UnitFigures(
            unit=unit,
            assignments=AssignmentFigures(**assignment_row),
            activities=ActivityFigures(),
            problems=ProblemFigures(
                **{k: v for k, v in problem_row.items() if k in problem_names}  # type: ignore[arg-type]
            ),
        )
    )
