"""Self-review and rectification: the problems found and how many are closed (销号).

A problem counts once it is found (``discovered_on`` on or before the as-of day); withdrawn
problems never count. Closed means closed before the period's end (``closed_at``), so a
past week is counted as it ended. Overdue is the problem list's own filter
(``rectification.selectors.overdue_q``: past its deadline and not finished) on the as-of
day, together with problems closed only after the period's end, which were still open
then; for the running week the dashboard's count and the list behind its link agree.
Stale (长期坚持 without progress for 30 days) and "needs a special plan" are the list's
flags, judged on the as-of day from the records as they stand.

- 销号率 (closure rate): closed of all problems found.
- Reopened (回头看): problems reopened as a recurrence at least once; pending extensions:
  problems with an extension request (延期申请) waiting for the office above; satisfied /
  dissatisfied: problems whose latest answer of the people (群众满意度) is 满意 or 基本满意,
  or 不满意. These are judged from the records as they stand.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, DateTimeField, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import TruncWeek

from accounts.models import OrgUnit
from campaign.models import Campaign
from rectification.models import (
    ExtensionRequest,
    ExtensionState,
    Problem,
    ProblemSource,
    ProblemState,
    ProblemType,
    SatisfactionCheck,
    SatisfactionResult,
)
from rectification.selectors import overdue_q as open_overdue_q
from rectification.selectors import with_flags

from ..periods import Period
from .base import TREND_WEEKS, rate, within


@dataclass(frozen=True)
class ProblemFigures:
    """The figures of the problems of a subtree. Read as attributes, or by key as the
    dashboard's templates and older callers do (``figures["total"]``)."""

    total: int = 0  # found and not withdrawn
    closed: int = 0  # closed by the end of the period
    overdue: int = 0
    stale: int = 0
    needs_plan: int = 0
    submitted: int = 0  # waiting for 销号
    ongoing: int = 0  # 长期坚持 in rectification or submitted (the whole of ``stale``)
    closed_this_week: int = 0
    closed_last_week: int = 0
    new_this_week: int = 0  # found in the period's week
    reopened: int = 0  # 回头看: reopened as a recurrence at least once
    pending_extensions: int = 0  # an extension request waits for the office above
    satisfied: int = 0  # the people's latest answer: 满意 or 基本满意
    dissatisfied: int = 0  # the people's latest answer: 不满意
    by_source: list[tuple[str, str, int]] = field(default_factory=list)  # (label, key, n)
    by_type: list[tuple[str, str, int]] = field(default_factory=list)

    @property
    def closure_rate(self) -> float:
        """销号率: closed of all problems found."""
        return rate(self.closed, self.total)

    @property
    def open(self) -> int:
        return self.total - self.closed

    @property
    def change(self) -> int:
        return self.closed_this_week - self.closed_last_week

    def __getitem__(self, key: str) -> Any:
        return getattr(self, key)


def closed_q(period: Period) -> Q:
    """Closed before the end of the period (rows closed without a time count)."""
    return Q(state=ProblemState.CLOSED) & (Q(closed_at__lt=period.end) | Q(closed_at__isnull=True))


def overdue_q(period: Period) -> Q:
    return open_overdue_q(period.as_of) | Q(
        state=ProblemState.CLOSED, closed_at__gte=period.end, deadline__lt=period.as_of
    )


def aggregates(period: Period) -> dict[str, Any]:
    """The counts of :class:`ProblemFigures` as aggregate expressions (over
    :func:`problems_of`, whose flags they read)."""

    def closed_between(start: datetime, end: datetime) -> Q:
        return Q(state=ProblemState.CLOSED, closed_at__gte=start, closed_at__lt=end)

    return {
        "total": Count("pk"),
        "closed": Count("pk", filter=closed_q(period)),
        "overdue": Count("pk", filter=overdue_q(period)),
        "stale": Count("pk", filter=Q(is_stale=True)),
        "needs_plan": Count("pk", filter=Q(needs_plan_flag=True)),
        "submitted": Count("pk", filter=Q(state=ProblemState.SUBMITTED)),
        "ongoing": Count(
            "pk",
            filter=Q(
                type=ProblemType.ONGOING,
                state__in=(ProblemState.IN_RECTIFICATION, ProblemState.SUBMITTED),
            ),
        ),
        "closed_this_week": Count("pk", filter=closed_between(period.start, period.end)),
        "closed_last_week": Count("pk", filter=closed_between(period.last_start, period.start)),
        "new_this_week": Count(
            "pk", filter=Q(discovered_on__gte=period.monday, discovered_on__lte=period.as_of)
        ),
        "reopened": Count("pk", filter=Q(reopened_count__gt=0)),
        "pending_extensions": Count("pk", filter=Q(has_pending_extension=True)),
        "satisfied": Count(
            "pk",
            filter=Q(latest_answer__in=(SatisfactionResult.SATISFIED, SatisfactionResult.FAIRLY)),
        ),
        "dissatisfied": Count("pk", filter=Q(latest_answer=SatisfactionResult.DISSATISFIED)),
    }


def aggregates_names() -> list[str]:
    return [f.name for f in fields(ProblemFigures) if f.name not in ("by_source", "by_type")]


def latest_answer() -> Subquery:
    """The people's latest answer on a problem (``SatisfactionCheck.result``)."""
    return Subquery(
        SatisfactionCheck.objects.filter(problem=OuterRef("pk"))
        .order_by("-recorded_at", "-pk")
        .values("result")[:1]
    )


def counted(campaign: Campaign, unit: OrgUnit, period: Period) -> QuerySet[Problem]:
    """The problems of the subtree that count: found by the as-of day, not withdrawn."""
    qs = Problem.objects.filter(campaign=campaign, discovered_on__lte=period.as_of).exclude(
        state=ProblemState.WITHDRAWN
    )
    return within(qs, campaign, unit)


def problems_of(campaign: Campaign, unit: OrgUnit, period: Period) -> QuerySet[Problem]:
    """:func:`counted`, with the list's flags judged on the as-of day."""
    return with_flags(counted(campaign, unit, period), today=period.as_of).annotate(
        latest_answer=latest_answer(),
        has_pending_extension=Exists(
            ExtensionRequest.objects.filter(problem=OuterRef("pk"), state=ExtensionState.PENDING)
        ),
    )


def problem_figures(*, campaign: Campaign, unit: OrgUnit, period: Period) -> ProblemFigures:
    """The figures with the split by source and by type (one query)."""
    row = problems_of(campaign, unit, period).aggregate(**aggregates(period), **split_aggregates())
    return figures_of(row)


def split_aggregates() -> dict[str, Any]:
    """The split by source and by type as aggregate expressions."""
    split = {f"source:{key}": Count("pk", filter=Q(source=key)) for key in ProblemSource.values}
    split |= {f"type:{key}": Count("pk", filter=Q(type=key)) for key in ProblemType.values}
    return split


def figures_of(row: dict[str, int]) -> ProblemFigures:
    """The figures from the counts of :func:`aggregates` and :func:`split_aggregates`."""
    split = split_aggregates()
    row = {name: row.get(name, 0) for name in [*aggregates_names(), *split]}
    return ProblemFigures(
        **{name: n for name, n in row.items() if name not in split},
        by_source=[(ProblemSource(k).label, k, row[f"source:{k}"]) for k in ProblemSource.values],
        by_type=[(ProblemType(k).label, k, row[f"type:{k}"]) for k in ProblemType.values],
    )


def closure_trend(
    *, campaign: Campaign, unit: OrgUnit, period: Period, weeks: int = TREND_WEEKS
) -> list[int]:
    """Problems closed per week over the last ``weeks`` weeks, the period's week last (one
    query)."""
    zone = ZoneInfo(settings.TIME_ZONE)
    mondays = period.weeks_back(weeks)
    first = datetime.combine(mondays[0], time.min, tzinfo=zone)
    rows = (
        counted(campaign, unit, period)
        .filter(state=ProblemState.CLOSED, closed_at__gte=first, closed_at__lt=period.end)
        .annotate(week=TruncWeek("closed_at", output_field=DateTimeField(), tzinfo=zone))
        .values("week")
        .annotate(n=Count("pk"))
        .values_list("week", "n")
        .order_by()
    )
    found = {week.astimezone(zone).date(): n for week, n in rows}
    return [found.get(monday, 0) for monday in mondays]


def overdue_problems(
    *, campaign: Campaign, unit: OrgUnit, period: Period, limit: int
) -> tuple[list[Problem], int]:
    """The overdue problems (as counted in ``overdue``), earliest deadline first, and how
    many there are."""
    qs = counted(campaign, unit, period).filter(overdue_q(period))
    rows = list(qs.select_related("unit").order_by("deadline", "unit__path", "number")[:limit])
    total = len(rows) if len(rows) < limit else qs.count()
    return rows, total
