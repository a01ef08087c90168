"""The figures of a weekly report, and the reports a user may see.

Every figure is an aggregate query over the unit's subtree for the campaign; the week is
Monday to Sunday in Asia/Shanghai. Counts that depend on "today" (overdue) are taken at
the end of the week, or today while the week is running. The number of queries is fixed
whatever the size of the subtree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce, Substr, TruncWeek
from django.utils import timezone

from accounts.models import OrgUnit, RoleAssignment, UnitKind
from accounts.roles import Action, Role
from accounts.scoping import grants_of
from campaign.models import Activity, Assignment, AssignmentState, Campaign
from rectification.models import OPEN_STATES as OPEN_PROBLEM_STATES
from rectification.models import Problem, ProblemState
from research.models import (
    COUNTING_METHODS,
    COUNTING_STATES,
    ReportState,
    ResearchProject,
    ResearchReport,
)

from .models import WeeklyReport
from .periods import Week

OVERDUE_LIST_LIMIT = 30
LEADERS_LISTED_IN_FULL = 30  # above this, the report lists only the leaders behind
TREND_WEEKS = 8


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
    own = [
        g.unit_id
        for g in grants_of(user)
        if g.role in (Role.OFFICE, Role.LEADER, Role.SECRETARY, Role.VIEWER)
    ]
    return (
        OrgUnit.objects.visible_to(user, Action.EXPORT)
        .filter(is_active=True)
        .filter(
            Q(pk__in=own)
            | Q(kind__in=[UnitKind.CITY_COMMITTEE, UnitKind.COUNTY_COMMITTEE, UnitKind.DEPARTMENT])
        )
    )


# ---------------------------------------------------------------- the period


@dataclass(frozen=True)
class Period:
    week: Week
    monday: date
    sunday: date
    as_of: date  # the day overdue is judged on
    start: datetime  # Monday 00:00 Asia/Shanghai
    end: datetime  # the next Monday 00:00
    last_start: datetime
    quarter_start: date
    quarter_end: date
    year_start: date

    @property
    def last_monday(self) -> date:
        return self.monday - timedelta(days=7)

    @property
    def last_sunday(self) -> date:
        return self.monday - timedelta(days=1)

    @property
    def quarter(self) -> int:
        return (self.quarter_start.month - 1) // 3 + 1


def period_of(week: Week, today: date | None = None) -> Period:
    zone = ZoneInfo(settings.TIME_ZONE)
    today = today or timezone.localdate()
    monday, sunday = week.monday, week.sunday
    start = datetime.combine(monday, time.min, tzinfo=zone)
    q_month = (sunday.month - 1) // 3 * 3 + 1
    quarter_start = date(sunday.year, q_month, 1)
    next_q = date(sunday.year + (q_month + 3 > 12), (q_month + 2) % 12 + 1, 1)
    return Period(
        week=week,
        monday=monday,
        sunday=sunday,
        as_of=min(sunday, today),
        start=start,
        end=start + timedelta(days=7),
        last_start=start - timedelta(days=7),
        quarter_start=quarter_start,
        quarter_end=next_q - timedelta(days=1),
        year_start=date(sunday.year, 1, 1),
    )


def _rate(part: int, whole: int) -> float:
    return round(part * 100 / whole, 1) if whole else 0.0


# ---------------------------------------------------------------- headline figures


@dataclass
class AssignmentFigures:
    total: int = 0
    due: int = 0
    done: int = 0
    overdue: int = 0
    done_this_week: int = 0
    done_last_week: int = 0

    @property
    def completion_rate(self) -> float:
        return _rate(self.done, self.due)

    @property
    def change(self) -> int:
        return self.done_this_week - self.done_last_week


def _assignment_aggregates(period: Period, prefix: str = "") -> dict[str, Any]:
    accepted = Q(state=AssignmentState.ACCEPTED) & (
        Q(reviewed_at__lt=period.end) | Q(reviewed_at__isnull=True)
    )
    due = Q(due_date__lte=period.sunday)
    return {
        "total": Count("pk"),
        "due": Count("pk", filter=due),
        "done": Count("pk", filter=due & accepted),
        "overdue": Count(
            "pk",
            filter=Q(due_date__lt=period.as_of) & ~accepted,
        ),
        "done_this_week": Count(
            "pk",
            filter=Q(
                state=AssignmentState.ACCEPTED,
                reviewed_at__gte=period.start,
                reviewed_at__lt=period.end,
            ),
        ),
        "done_last_week": Count(
            "pk",
            filter=Q(
                state=AssignmentState.ACCEPTED,
                reviewed_at__gte=period.last_start,
                reviewed_at__lt=period.start,
            ),
        ),
    }


def _assignments(campaign: Campaign, unit: OrgUnit) -> QuerySet[Assignment]:
    return Assignment.objects.filter(task__campaign=campaign, unit__path__startswith=unit.path)


def assignment_figures(campaign: Campaign, unit: OrgUnit, period: Period) -> AssignmentFigures:
    row = _assignments(campaign, unit).aggregate(**_assignment_aggregates(period))
    return AssignmentFigures(**row)


@dataclass
class ActivityFigures:
    this_week: int = 0
    last_week: int = 0
    participants_this_week: int = 0
    to_date: int = 0

    @property
    def change(self) -> int:
        return self.this_week - self.last_week


def _activity_aggregates(period: Period) -> dict[str, Any]:
    this_week = Q(held_on__gte=period.monday, held_on__lte=period.sunday)
    return {
        "this_week": Count("pk", filter=this_week),
        "last_week": Count(
            "pk", filter=Q(held_on__gte=period.last_monday, held_on__lte=period.last_sunday)
        ),
        "participants_this_week": Sum("participants", filter=this_week, default=0),
        "to_date": Count("pk", filter=Q(held_on__lte=period.sunday)),
    }


def _activities(campaign: Campaign, unit: OrgUnit) -> QuerySet[Activity]:
    return Activity.objects.filter(campaign=campaign, unit__path__startswith=unit.path)


def activity_figures(campaign: Campaign, unit: OrgUnit, period: Period) -> ActivityFigures:
    return ActivityFigures(**_activities(campaign, unit).aggregate(**_activity_aggregates(period)))


@dataclass
class ProblemFigures:
    total: int = 0
    closed: int = 0
    overdue: int = 0
    closed_this_week: int = 0
    closed_last_week: int = 0
    new_this_week: int = 0

    @property
    def closure_rate(self) -> float:
        return _rate(self.closed, self.total)

    @property
    def open(self) -> int:
        return self.total - self.closed

    @property
    def change(self) -> int:
        return self.closed_this_week - self.closed_last_week


def _problem_aggregates(period: Period) -> dict[str, Any]:
    closed = Q(state=ProblemState.CLOSED) & (
        Q(closed_at__lt=period.end) | Q(closed_at__isnull=True)
    )
    return {
        "total": Count("pk"),
        "closed": Count("pk", filter=closed),
        "overdue": Count(
            "pk",
            filter=Q(state__in=OPEN_PROBLEM_STATES, deadline__lt=period.as_of),
        ),
        "closed_this_week": Count(
            "pk",
            filter=Q(
                state=ProblemState.CLOSED, closed_at__gte=period.start, closed_at__lt=period.end
            ),
        ),
        "closed_last_week": Count(
            "pk",
            filter=Q(
                state=ProblemState.CLOSED,
                closed_at__gte=period.last_start,
                closed_at__lt=period.start,
            ),
        ),
        "new_this_week": Count(
            "pk", filter=Q(discovered_on__gte=period.monday, discovered_on__lte=period.sunday)
        ),
    }


def _problems(campaign: Campaign, unit: OrgUnit, period: Period) -> QuerySet[Problem]:
    """The problems found by the end of the week (withdrawn ones do not count)."""
    return Problem.objects.filter(
        campaign=campaign, unit__path__startswith=unit.path, discovered_on__lte=period.sunday
    ).exclude(state=ProblemState.WITHDRAWN)


def problem_figures(campaign: Campaign, unit: OrgUnit, period: Period) -> ProblemFigures:
    return ProblemFigures(
        **_problems(campaign, unit, period).aggregate(**_problem_aggregates(period))
    )


# ---------------------------------------------------------------- research compliance


@dataclass
class LeaderRow:
    name: str
    unit_name: str
    projects_this_quarter: int
    reports_this_year: int

    @property
    def on_track_quarter(self) -> bool:
        return self.projects_this_quarter > 0

    @property
    def on_track_year(self) -> bool:
        return self.reports_this_year > 0


@dataclass
class ResearchFigures:
    leaders: list[LeaderRow] = field(default_factory=list)
    projects_this_week: int = 0
    projects_last_week: int = 0
    reports_this_week: int = 0
    reports_last_week: int = 0

    @property
    def leader_count(self) -> int:
        return len(self.leaders)

    @property
    def lists_all(self) -> bool:
        return self.leader_count <= LEADERS_LISTED_IN_FULL

    @property
    def listed_leaders(self) -> list[LeaderRow]:
        """Every leader of a small unit; of a large one, those not (yet) on track."""
        if self.lists_all:
            return self.leaders
        return [r for r in self.leaders if not (r.on_track_quarter and r.on_track_year)]

    @property
    def on_track_quarter(self) -> int:
        return sum(1 for row in self.leaders if row.on_track_quarter)

    @property
    def with_report_this_year(self) -> int:
        return sum(1 for row in self.leaders if row.on_track_year)

    @property
    def quarter_rate(self) -> float:
        return _rate(self.on_track_quarter, self.leader_count)

    @property
    def year_rate(self) -> float:
        return _rate(self.with_report_this_year, self.leader_count)

    @property
    def change(self) -> int:
        return self.projects_this_week - self.projects_last_week

    @property
    def report_change(self) -> int:
        return self.reports_this_week - self.reports_last_week


def research_figures(campaign: Campaign, unit: OrgUnit, period: Period) -> ResearchFigures:
    """City and county leaders in the subtree: a research project under way this quarter
    (蹲点调研 or 网络调研) and a submitted report this year, as of the end of the week."""
    projects = ResearchProject.objects.filter(
        campaign=campaign,
        lead_id=OuterRef("user_id"),
        state__in=COUNTING_STATES,
        method__in=COUNTING_METHODS,
        start_date__lte=min(period.quarter_end, period.sunday),
        end_date__gte=period.quarter_start,
    )
    reports = ResearchReport.objects.filter(
        campaign=campaign,
        author_id=OuterRef("user_id"),
        state=ReportState.SUBMITTED,
        written_on__gte=period.year_start,
        written_on__lte=period.sunday,
    )
    grants = (
        RoleAssignment.objects.filter(
            role=Role.LEADER,
            unit__path__startswith=unit.path,
            unit__kind__in=[UnitKind.CITY_COMMITTEE, UnitKind.COUNTY_COMMITTEE],
            unit__is_active=True,
            user__is_active=True,
        )
        .annotate(
            projects=_count_subquery(projects),
            reports=_count_subquery(reports),
        )
        .values("user_id", "user__full_name", "user__username", "unit__name", "projects", "reports")
        .order_by("unit__path", "user__username")
    )
    seen: set[int] = set()
    leaders = []
    for row in grants:
        if row["user_id"] in seen:
            continue
        seen.add(row["user_id"])
        leaders.append(
            LeaderRow(
                name=row["user__full_name"] or row["user__username"],
                unit_name=row["unit__name"],
                projects_this_quarter=row["projects"],
                reports_this_year=row["reports"],
            )
        )
    in_subtree = Q(campaign=campaign, unit__path__startswith=unit.path)
    week_counts = ResearchProject.objects.filter(in_subtree).aggregate(
        this_week=Count(
            "pk", filter=Q(start_date__gte=period.monday, start_date__lte=period.sunday)
        ),
        last_week=Count(
            "pk", filter=Q(start_date__gte=period.last_monday, start_date__lte=period.last_sunday)
        ),
    )
    report_counts = ResearchReport.objects.filter(
        in_subtree, state=ReportState.SUBMITTED
    ).aggregate(
        this_week=Count(
            "pk", filter=Q(written_on__gte=period.monday, written_on__lte=period.sunday)
        ),
        last_week=Count(
            "pk", filter=Q(written_on__gte=period.last_monday, written_on__lte=period.last_sunday)
        ),
    )
    return ResearchFigures(
        leaders=leaders,
        projects_this_week=week_counts["this_week"],
        projects_last_week=week_counts["last_week"],
        reports_this_week=report_counts["this_week"],
        reports_last_week=report_counts["last_week"],
    )


def _count_subquery(qs: QuerySet[Any]) -> Any:
    """COUNT(*) of a correlated queryset, as an integer annotation (0 when none)."""
    counted = qs.order_by().values("campaign_id").annotate(n=Count("pk")).values("n")[:1]
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


# ---------------------------------------------------------------- per-unit table


@dataclass
class UnitRow:
    unit: OrgUnit
    assignments: AssignmentFigures
    activities: ActivityFigures
    problems: ProblemFigures


def unit_table(campaign: Campaign, unit: OrgUnit, period: Period) -> list[UnitRow]:
    """The next level down, each child with the figures of its own subtree."""
    children = list(
        OrgUnit.objects.filter(
            path__startswith=unit.path, depth=unit.depth + 1, is_active=True
        ).order_by("path")
    )
    if not children:
        return []
    width = len(children[0].path)
    key = Substr("unit__path", 1, width)

    def grouped(qs: QuerySet[Any], aggregates: dict[str, Any]) -> dict[str, dict[str, Any]]:
        rows = (
            qs.filter(unit__depth__gt=unit.depth)
            .annotate(branch=key)
            .values("branch")
            .annotate(**aggregates)
            .order_by()
        )
        return {row.pop("branch"): row for row in rows}

    assignments = grouped(_assignments(campaign, unit), _assignment_aggregates(period))
    activities = grouped(_activities(campaign, unit), _activity_aggregates(period))
    problems = grouped(_problems(campaign, unit, period), _problem_aggregates(period))
    return [
        UnitRow(
            unit=child,
            assignments=AssignmentFigures(**assignments.get(child.path, {})),
            activities=ActivityFigures(**activities.get(child.path, {})),
            problems=ProblemFigures(**problems.get(child.path, {})),
        )
        for child in children
    ]


# ---------------------------------------------------------------- overdue lists and trends


def overdue_assignments(
    campaign: Campaign, unit: OrgUnit, period: Period, limit: int = OVERDUE_LIST_LIMIT
) -> tuple[list[Assignment], int]:
    qs = (
        _assignments(campaign, unit)
        .filter(due_date__lt=period.as_of)
        .exclude(state=AssignmentState.ACCEPTED)
    )
    rows = list(qs.select_related("task", "unit").order_by("due_date", "unit__path", "pk")[:limit])
    total = len(rows) if len(rows) < limit else qs.count()
    return rows, total


def overdue_problems(
    campaign: Campaign, unit: OrgUnit, period: Period, limit: int = OVERDUE_LIST_LIMIT
) -> tuple[list[Problem], int]:
    qs = _problems(campaign, unit, period).filter(
        state__in=OPEN_PROBLEM_STATES, deadline__lt=period.as_of
    )
    rows = list(qs.select_related("unit").order_by("deadline", "unit__path", "number")[:limit])
    total = len(rows) if len(rows) < limit else qs.count()
    return rows, total


def weekly_trend(
    campaign: Campaign, unit: OrgUnit, period: Period, weeks: int = TREND_WEEKS
) -> list[tuple[Week, int, int]]:
    """Per ISO week up to the report's: activities held and problems closed."""
    first = period.week.previous(weeks - 1)
    zone = ZoneInfo(settings.TIME_ZONE)
    activities = dict(
        _activities(campaign, unit)
        .filter(held_on__gte=first.monday, held_on__lte=period.sunday)
        .annotate(w=TruncWeek("held_on"))
        .values("w")
        .annotate(n=Count("pk"))
        .values_list("w", "n")
        .order_by()
    )
    start = datetime.combine(first.monday, time.min, tzinfo=zone)
    closed = dict(
        _problems(campaign, unit, period)
        .filter(state=ProblemState.CLOSED, closed_at__gte=start, closed_at__lt=period.end)
        .annotate(w=TruncWeek("closed_at", tzinfo=zone))
        .values("w")
        .annotate(n=Count("pk"))
        .values_list("w", "n")
        .order_by()
    )
    closed_by_day = {(k.date() if isinstance(k, datetime) else k): v for k, v in closed.items()}
    out = []
    for i in range(weeks):
        week = period.week.previous(weeks - 1 - i)
        out.append((week, activities.get(week.monday, 0), closed_by_day.get(week.monday, 0)))
    return out


# ---------------------------------------------------------------- the whole report


@dataclass
class WeeklyFigures:
    campaign: Campaign
    unit: OrgUnit
    period: Period
    assignments: AssignmentFigures
    activities: ActivityFigures
    research: ResearchFigures
    problems: ProblemFigures
    units: list[UnitRow]
    overdue_assignments: list[Assignment]
    overdue_assignment_total: int
    overdue_problems: list[Problem]
    overdue_problem_total: int
    trend: list[tuple[Week, int, int]]


def weekly_figures(
    campaign: Campaign, unit: OrgUnit, week: Week, today: date | None = None
) -> WeeklyFigures:
    period = period_of(week, today)
    overdue_a, overdue_a_total = overdue_assignments(campaign, unit, period)
    overdue_p, overdue_p_total = overdue_problems(campaign, unit, period)
    return WeeklyFigures(
        campaign=campaign,
        unit=unit,
        period=period,
        assignments=assignment_figures(campaign, unit, period),
        activities=activity_figures(campaign, unit, period),
        research=research_figures(campaign, unit, period),
        problems=problem_figures(campaign, unit, period),
        units=unit_table(campaign, unit, period),
        overdue_assignments=overdue_a,
        overdue_assignment_total=overdue_a_total,
        overdue_problems=overdue_p,
        overdue_problem_total=overdue_p_total,
        trend=weekly_trend(campaign, unit, period),
    )
