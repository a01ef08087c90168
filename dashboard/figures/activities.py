"""Theory study and development: the activities units held.

An activity counts in the week it was *held* (``held_on``), up to the as-of day (an
activity dated later is a plan, not yet held). It is development (推动发展) when its kind
is one of ``DEVELOPMENT_KINDS`` (为民办实事), theory study otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, DateField, Q, QuerySet, Sum
from django.db.models.functions import TruncWeek

from accounts.models import OrgUnit
from campaign.models import DEVELOPMENT_KINDS, Activity, Attendance, Campaign

from ..periods import Period
from .base import TREND_WEEKS, rate, within


@dataclass(frozen=True)
class ActivityFigures:
    this_week: int = 0  # held from Monday to the as-of day
    last_week: int = 0  # held in the week before
    participants_this_week: int = 0
    to_date: int = 0  # held in the campaign up to the as-of day
    participants_last_week: int = 0
    participants_to_date: int = 0  # 参加人次: each activity's participants, summed

    @property
    def change(self) -> int:
        return self.this_week - self.last_week

    @property
    def participants_change(self) -> int:
        return self.participants_this_week - self.participants_last_week


@dataclass(frozen=True)
class WeekPoint:
    week: date  # its Monday
    study: int
    development: int

    @property
    def total(self) -> int:
        return self.study + self.development


def held_q(first: date, last: date) -> Q:
    return Q(held_on__gte=first, held_on__lte=last)


def this_week_q(period: Period) -> Q:
    return held_q(period.monday, period.as_of)


def aggregates(period: Period) -> dict[str, Any]:
    """The figures of :class:`ActivityFigures` as aggregate expressions."""
    this_week = this_week_q(period)
    last_week = held_q(period.last_monday, period.last_sunday)
    to_date = Q(held_on__lte=period.as_of)
    return {
        "this_week": Count("pk", filter=this_week),
        "last_week": Count("pk", filter=last_week),
        "participants_this_week": Sum("participants", filter=this_week, default=0),
        "to_date": Count("pk", filter=to_date),
        "participants_last_week": Sum("participants", filter=last_week, default=0),
        "participants_to_date": Sum("participants", filter=to_date, default=0),
    }


def activities_of(campaign: Campaign, unit: OrgUnit) -> QuerySet[Activity]:
    return within(Activity.objects.filter(campaign=campaign), campaign, unit)


def activity_figures(*, campaign: Campaign, unit: OrgUnit, period: Period) -> ActivityFigures:
    return ActivityFigures(**activities_of(campaign, unit).aggregate(**aggregates(period)))


def activity_trend(
    *, campaign: Campaign, unit: OrgUnit, period: Period, weeks: int = TREND_WEEKS
) -> list[WeekPoint]:
    """Activities held per week over the last ``weeks`` weeks, split into theory study and
    development; the last point is the period's week, up to its as-of day (one query)."""
    rows = (
        activities_of(campaign, unit)
        .filter(trend_q(period, weeks))
        .annotate(week=week_of())
        .values("week")
        .annotate(**trend_aggregates())
        .order_by()
    )
    return trend_points({row["week"]: row for row in rows}, period, weeks)


def trend_q(period: Period, weeks: int = TREND_WEEKS) -> Q:
    """The activities a trend counts: held from the first week's Monday to the as-of day."""
    return held_q(period.weeks_back(weeks)[0], period.as_of)


def week_of() -> TruncWeek:
    return TruncWeek("held_on", output_field=DateField())


def trend_aggregates() -> dict[str, Any]:
    """A week's point of the trend as aggregate expressions."""
    return {
        "study": Count("pk", filter=~Q(kind__in=DEVELOPMENT_KINDS)),
        "development": Count("pk", filter=Q(kind__in=DEVELOPMENT_KINDS)),
    }


def trend_points(
    found: dict[date, dict[str, int]], period: Period, weeks: int = TREND_WEEKS
) -> list[WeekPoint]:
    """The trend from its counts by week's Monday (weeks without activities at 0)."""
    return [
        WeekPoint(
            week=monday,
            study=found.get(monday, {}).get("study", 0),
            development=found.get(monday, {}).get("development", 0),
        )
        for monday in period.weeks_back(weeks)
    ]


@dataclass(frozen=True)
class AttendanceFigures:
    """The rolls of the study sessions held up to the as-of day: 应到 (members on the roll
    of each session), 实到 (ticked present), absentees who have not yet made up (补学)."""

    expected: int = 0
    present: int = 0
    makeup_owed: int = 0

    @property
    def rate(self) -> float:
        """出勤率: present of expected."""
        return rate(self.present, self.expected)


def attendance_figures(*, campaign: Campaign, unit: OrgUnit, period: Period) -> AttendanceFigures:
    """One query. Sessions logged without a roll are not in these figures."""
    qs = rolls_of(campaign, period)
    if unit.pk != campaign.root_unit_id:
        qs = qs.filter(activity__unit__path__startswith=unit.path)
    return attendance_of(qs.aggregate(**attendance_aggregates(period)))


def rolls_of(campaign: Campaign, period: Period) -> QuerySet[Attendance]:
    """The rolls of the campaign's sessions held up to the as-of day."""
    return Attendance.objects.filter(
        activity__campaign=campaign, activity__held_on__lte=period.as_of
    )


def attendance_aggregates(period: Period) -> dict[str, Any]:
    owed = Q(present=False) & (Q(makeup_on__isnull=True) | Q(makeup_on__gt=period.as_of))
    return {
        "n_expected": Count("pk"),
        "n_present": Count("pk", filter=Q(present=True)),
        "n_owed": Count("pk", filter=owed),
    }


def attendance_of(row: dict[str, int]) -> AttendanceFigures:
    return AttendanceFigures(
        expected=row.get("n_expected", 0),
        present=row.get("n_present", 0),
        makeup_owed=row.get("n_owed", 0),
    )
