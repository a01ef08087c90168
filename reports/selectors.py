"""The reports a user may see, and the figures a weekly report shows.

A report's figures are the dashboard's (:mod:`dashboard.figures`) for the report's week,
as of its Sunday (or today while the week is running): the report of the running week
shows what the dashboard shows today. The number of queries is fixed whatever the size of
the subtree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet

from accounts import permissions
from accounts.models import OrgUnit, UnitKind
from accounts.roles import Action
from campaign.models import Assignment, Campaign
from dashboard.figures.activities import ActivityFigures, activity_figures, activity_trend
from dashboard.figures.assignments import (
    AssignmentFigures,
    assignment_figures,
    overdue_assignments,
)
from dashboard.figures.base import TREND_WEEKS
from dashboard.figures.development import (
    DevelopmentFigures,
    UnitDevelopment,
    development_by_unit,
    development_figures,
)
from dashboard.figures.highlights import Highlights, week_highlights
from dashboard.figures.rectification import (
    ProblemFigures,
    closure_trend,
    overdue_problems,
    problem_figures,
)
from dashboard.figures.research import ResearchFigures, research_figures
from dashboard.figures.units import UnitFigures, unit_figures
from dashboard.periods import Period
from rectification.models import Problem

from .models import WeeklyReport
from .periods import Week

OVERDUE_LIST_LIMIT = 30


# ---------------------------------------------------------------- reports a user may see


def reports_for(user: Any, campaign: Campaign | None) -> QuerySet[WeeklyReport]:
    """The reports of the campaign the user may download, newest week first."""
    if campaign is None:
        return WeeklyReport.objects.none()
    return (
        WeeklyReport.objects.visible_to(user, Action.EXPORT)
        .filter(campaign=campaign)
        .select_related("unit", "generated_by", "requested_by")
        .order_by("-week", "unit__path")
    )


def units_for_request(user: Any) -> QuerySet[OrgUnit]:
    """Units whose report the user may ask for: the units of his roles and the city,
    counties and departments under them (branches are covered by their county's report)."""
    own = permissions.unit_ids_for(user, Action.EXPORT)
    return (
        OrgUnit.objects.visible_to(user, Action.EXPORT)
        .filter(is_active=True)
        .filter(
            Q(pk__in=own)
            | Q(
                kind__in=[
                    UnitKind.PROVINCE_COMMITTEE,
                    UnitKind.CITY_COMMITTEE,
                    UnitKind.COUNTY_COMMITTEE,
                    UnitKind.DEPARTMENT,
                ]
            )
        )
    )


# ---------------------------------------------------------------- the whole report


@dataclass
class WeeklyFigures:
    campaign: Campaign
    unit: OrgUnit
    week: Week
    period: Period
    assignments: AssignmentFigures
    activities: ActivityFigures
    research: ResearchFigures
    problems: ProblemFigures
    units: list[UnitFigures]
    overdue_assignments: list[Assignment]
    overdue_assignment_total: int
    overdue_problems: list[Problem]
    overdue_problem_total: int
    trend: list[tuple[Week, int, int]]  # per week: activities held, problems closed
    development: DevelopmentFigures
    development_units: list[UnitDevelopment]
    highlights: Highlights


def weekly_figures(
    campaign: Campaign, unit: OrgUnit, week: Week, today: date | None = None
) -> WeeklyFigures:
    """Everything the report of ``unit`` for ``week`` shows, from the dashboard's figures."""
    period = Period.of_week(week.monday, today)
    scope: dict[str, Any] = {"campaign": campaign, "unit": unit, "period": period}
    overdue_a, overdue_a_total = overdue_assignments(**scope, limit=OVERDUE_LIST_LIMIT)
    overdue_p, overdue_p_total = overdue_problems(**scope, limit=OVERDUE_LIST_LIMIT)
    activities = activity_trend(**scope, weeks=TREND_WEEKS)
    closed = closure_trend(**scope, weeks=TREND_WEEKS)
    return WeeklyFigures(
        campaign=campaign,
        unit=unit,
        week=week,
        period=period,
        assignments=assignment_figures(**scope),
        activities=activity_figures(**scope),
        research=research_figures(**scope),
        problems=problem_figures(**scope),
        units=unit_figures(**scope),
        overdue_assignments=overdue_a,
        overdue_assignment_total=overdue_a_total,
        overdue_problems=overdue_p,
        overdue_problem_total=overdue_p_total,
        trend=[
            (Week.of(point.week), point.total, n)
            for point, n in zip(activities, closed, strict=True)
        ],
        development=development_figures(**scope),
        development_units=development_by_unit(**scope),
        highlights=week_highlights(**scope),
    )
