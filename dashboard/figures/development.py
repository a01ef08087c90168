"""推动发展: the development items (key targets and practical matters for the people).

Each figure is read on the as-of day from the days an item keeps, so a past week is
reported as it stood on its Sunday:

- an item counts once entered (its ``created_at`` day up to the as-of day);
- completed (已完成): its last milestone was reached by the as-of day (``completed_on``);
  closed (已销号) items are completed too;
- closed (已销号): closed by an office by the as-of day (``closed_on``);
- overdue: its due date has passed on the as-of day and it is not completed by then;
- 完成率: completed of all items; for the 为民办实事 list, completed of the matters listed;
- the people's verdict: of the matters they were asked about, those they found 满意 or
  基本满意 (the verdict is kept as it stands now).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from django.db.models import Count, Q, QuerySet

from accounts.models import OrgUnit
from campaign.models import Campaign, DevelopmentCategory, DevelopmentItem, PeopleVerdict

from ..periods import Period
from .base import children, grouped_by_child, rate, within


@dataclass(frozen=True)
class DevelopmentFigures:
    total: int = 0
    completed: int = 0
    closed: int = 0
    overdue: int = 0
    completed_this_week: int = 0
    people_total: int = 0  # 为民办实事 listed
    people_completed: int = 0
    people_asked: int = 0  # with the people's verdict
    people_satisfied: int = 0  # 满意 or 基本满意
    by_category: list[tuple[str, str, int, int]] = field(default_factory=list)

    @property
    def completion_rate(self) -> float:
        return rate(self.completed, self.total)

    @property
    def people_rate(self) -> float:
        return rate(self.people_completed, self.people_total)

    @property
    def satisfaction_rate(self) -> float:
        return rate(self.people_satisfied, self.people_asked)

    @property
    def under_way(self) -> int:
        return self.total - self.completed


COUNTS = tuple(f.name for f in fields(DevelopmentFigures) if f.name != "by_category")


def items_of(campaign: Campaign, unit: OrgUnit, period: Period) -> QuerySet[DevelopmentItem]:
    """The items of the subtree entered by the as-of day."""
    qs = DevelopmentItem.objects.filter(campaign=campaign, created_at__date__lte=period.as_of)
    return within(qs, campaign, unit)


def completed_q(period: Period) -> Q:
    return Q(completed_on__lte=period.as_of)


def overdue_q(period: Period) -> Q:
    return Q(due_date__lt=period.as_of) & ~completed_q(period)


def aggregates(period: Period) -> dict[str, Any]:
    """The counts of :class:`DevelopmentFigures` as aggregate expressions."""
    done = completed_q(period)
    people = Q(for_the_people=True)
    return {
        "total": Count("pk"),
        "completed": Count("pk", filter=done),
        "closed": Count("pk", filter=Q(closed_on__lte=period.as_of)),
        "overdue": Count("pk", filter=overdue_q(period)),
        "completed_this_week": Count(
            "pk", filter=Q(completed_on__gte=period.monday, completed_on__lte=period.as_of)
        ),
        "people_total": Count("pk", filter=people),
        "people_completed": Count("pk", filter=people & done),
        "people_asked": Count("pk", filter=people & done & ~Q(verdict="")),
        "people_satisfied": Count(
            "pk",
            filter=people & done & Q(verdict__in=[PeopleVerdict.SATISFIED, PeopleVerdict.FAIRLY]),
        ),
    }


def development_figures(*, campaign: Campaign, unit: OrgUnit, period: Period) -> DevelopmentFigures:
    """The figures with the split by key target (one query)."""
    split = split_aggregates(period)
    row = items_of(campaign, unit, period).aggregate(**aggregates(period), **split)
    return figures_of(row, period)


def split_aggregates(period: Period) -> dict[str, Any]:
    """The split by key target as aggregate expressions."""
    split: dict[str, Any] = {}
    for key in DevelopmentCategory.values:
        split[f"n:{key}"] = Count("pk", filter=Q(category=key))
        split[f"done:{key}"] = Count("pk", filter=Q(category=key) & completed_q(period))
    return split


def figures_of(row: dict[str, int], period: Period, *, split: bool = True) -> DevelopmentFigures:
    """The figures from the counts of :func:`aggregates` (and :func:`split_aggregates`:
    without them, no split by key target)."""
    counts: dict[str, Any] = {name: row.get(name, 0) for name in COUNTS}
    if not split:
        return DevelopmentFigures(**counts)
    row = {name: row.get(name, 0) for name in split_aggregates(period)}
    return DevelopmentFigures(
        **counts,
        by_category=[
            (DevelopmentCategory(k).label, k, row[f"n:{k}"], row[f"done:{k}"])
            for k in DevelopmentCategory.values
        ],
    )


@dataclass(frozen=True)
class UnitDevelopment:
    unit: OrgUnit
    figures: DevelopmentFigures


def development_by_unit(
    *, campaign: Campaign, unit: OrgUnit, period: Period
) -> list[UnitDevelopment]:
    """The units one level down, each with its subtree's figures (without the split by key
    target); the unit's own items are in none of them. Two queries."""
    units = children(unit)
    if not units:
        return []
    rows = grouped_by_child(items_of(campaign, unit, period), unit, aggregates(period))
    return [
        UnitDevelopment(unit=child, figures=DevelopmentFigures(**rows.get(child.path, {})))
        for child in units
    ]
