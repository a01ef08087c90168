"""Tasks and assignments: how much of what was deployed is done.

Two shares are shown, each defined once here:

- **完成率 (completion rate)**: assignments *accepted* among those *due so far* (due date on
  or before the as-of day). Submitted work counts only once the office has accepted it (the
  speech asks for results checked, not paper handed in), and an assignment whose due date
  has not come is neither late nor counted, so a unit that has done everything asked of it
  so far stands at 100 % even while quarterly tasks of later quarters wait. The weekly
  report's rings, headline and per-unit table and the dashboard's workstream table all
  show this share.
- **进度 (progress)**: assignments accepted among all deployed to the units, due or not: how
  far through the campaign's work a unit is; the lagging score uses it beside the overdue
  share.

Accepted means accepted before the period's end (``reviewed_at``), so a past week is counted
as it ended; overdue means past its due date on the as-of day and not accepted by then.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from django.db.models import Count, Q, QuerySet

from accounts.models import OrgUnit
from campaign.models import Assignment, AssignmentState, Campaign, Workstream

from ..periods import Period
from .base import rate, within


@dataclass(frozen=True)
class AssignmentCounts:
    """Where the assignments stand, as the dashboard's workstream table splits them:
    accepted (``done``), not yet due (``due``: open, due date not passed) and ``overdue``
    add up to ``total``."""

    total: int
    done: int
    due: int
    overdue: int

    @property
    def percent_done(self) -> int:
        """Progress (进度), in whole percent: accepted of all assignments."""
        return round(100 * self.done / self.total) if self.total else 0


@dataclass(frozen=True)
class AssignmentFigures:
    total: int = 0  # deployed to the units, whatever their due date
    accepted: int = 0  # accepted by the end of the period
    due: int = 0  # due date on or before the as-of day
    done: int = 0  # of those, accepted by the end of the period
    overdue: int = 0  # due date passed on the as-of day and not accepted
    done_this_week: int = 0  # accepted in the period's week
    done_last_week: int = 0  # accepted in the week before

    @property
    def completion_rate(self) -> float:
        """完成率: accepted of the assignments due so far (see the module's docstring)."""
        return rate(self.done, self.due)

    @property
    def progress(self) -> float:
        """进度: accepted of all assignments deployed."""
        return rate(self.accepted, self.total)

    @property
    def not_yet_due(self) -> int:
        """Open assignments whose due date has not passed."""
        return self.total - self.accepted - self.overdue

    @property
    def change(self) -> int:
        return self.done_this_week - self.done_last_week

    @property
    def counts(self) -> AssignmentCounts:
        return AssignmentCounts(
            total=self.total, done=self.accepted, due=self.not_yet_due, overdue=self.overdue
        )

    def __add__(self, other: AssignmentFigures) -> AssignmentFigures:
        return AssignmentFigures(
            **{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)}
        )


def accepted_q(period: Period) -> Q:
    """Accepted before the end of the period (rows accepted without a review time count)."""
    return Q(state=AssignmentState.ACCEPTED) & (
        Q(reviewed_at__lt=period.end) | Q(reviewed_at__isnull=True)
    )


def overdue_q(period: Period) -> Q:
    """Past its due date on the as-of day and not accepted by the end of the period; for
    the running week this is ``campaign.models.overdue_q(today)``."""
    return Q(due_date__lt=period.as_of) & ~accepted_q(period)


def aggregates(period: Period) -> dict[str, Any]:
    """The figures of :class:`AssignmentFigures` as aggregate expressions."""
    due = Q(due_date__lte=period.as_of)

    def accepted_between(start: Any, end: Any) -> Q:
        return Q(state=AssignmentState.ACCEPTED, reviewed_at__gte=start, reviewed_at__lt=end)

    return {
        "total": Count("pk"),
        "accepted": Count("pk", filter=accepted_q(period)),
        "due": Count("pk", filter=due),
        "done": Count("pk", filter=due & accepted_q(period)),
        "overdue": Count("pk", filter=overdue_q(period)),
        "done_this_week": Count("pk", filter=accepted_between(period.start, period.end)),
        "done_last_week": Count("pk", filter=accepted_between(period.last_start, period.start)),
    }


def assignments_of(campaign: Campaign, unit: OrgUnit) -> QuerySet[Assignment]:
    """The campaign's assignments to the unit and every unit under it."""
    return within(Assignment.objects.filter(task__campaign=campaign), campaign, unit)


def assignment_figures_by_workstream(
    *, campaign: Campaign, unit: OrgUnit, period: Period
) -> dict[str, AssignmentFigures]:
    """The figures of each workstream (every workstream present, one grouped query)."""
    rows = (
        assignments_of(campaign, unit)
        .values("task__workstream")
        .annotate(**aggregates(period))
        .order_by()
    )
    found = {row.pop("task__workstream"): AssignmentFigures(**row) for row in rows}
    return {key: found.get(key, AssignmentFigures()) for key in Workstream.values}


def assignment_figures(*, campaign: Campaign, unit: OrgUnit, period: Period) -> AssignmentFigures:
    """The figures of every workstream together (the sum of the workstreams' lines)."""
    return total_of(assignment_figures_by_workstream(campaign=campaign, unit=unit, period=period))


def total_of(by_workstream: dict[str, AssignmentFigures]) -> AssignmentFigures:
    return sum(by_workstream.values(), AssignmentFigures())


def overdue_assignments(
    *, campaign: Campaign, unit: OrgUnit, period: Period, limit: int
) -> tuple[list[Assignment], int]:
    """The oldest overdue assignments (as counted in ``overdue``) and how many there are."""
    qs = assignments_of(campaign, unit).filter(overdue_q(period))
    rows = list(qs.select_related("task", "unit").order_by("due_date", "unit__path", "pk")[:limit])
    total = len(rows) if len(rows) < limit else qs.count()
    return rows, total
