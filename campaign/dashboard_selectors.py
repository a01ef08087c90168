"""The office dashboard and the leader's home: aggregates over a subtree of the org tree.

Every figure is one query over the whole subtree (grouped where a breakdown is shown); the
units of the next level down are reached by grouping on the prefix of their materialised
path, ``Substr(unit__path, 1, steplen * (depth + 1))``, so the number of queries is fixed
whatever the size of the city. Aggregates owned by the other workstreams come from their
selectors (``campaign.selectors``, ``research.selectors``, ``rectification.selectors``).

The lagging score of a unit (0 = nothing lagging, 100 = everything lagging)::

    score = 100 * (0.4 * overdue_share + 0.4 * (1 - completion) + 0.2 * stale_share)

- overdue_share: (overdue assignments + overdue problems) / (assignments + problems not
  withdrawn) of the unit's subtree;
- completion: accepted assignments / assignments (1 when the unit has none);
- stale_share: 长期坚持 problems without progress for 30 days / 长期坚持 problems in
  rectification (0 when there are none).

Red from 40, amber from 20, green below. The same thresholds colour the cells (see
``CELL_THRESHOLDS``).

Formalism signals (the speech: 坚决不能搞形式主义):

- copied summaries: activity summaries of two or more units that are the same once
  spaces, punctuation, digits and letter case are removed (dates, numbers and small
  edits do not hide a copy). A normalised-text hash keeps this one grouped query;
  pair-wise trigram similarity would compare every pair of the city's activities;
- rush before a deadline: a unit entering ``RUSH_MIN_RECORDS`` or more activities on the
  due date of one of its assignments or the day before;
- problems submitted for closing with no evidence on any measure;
- decisions citing no research.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import (
    Count,
    DateField,
    Exists,
    F,
    Func,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
)
from django.db.models.functions import Length, Substr, TruncDate, TruncWeek
from django.db.models.lookups import GreaterThanOrEqual
from django.http import Http404

from accounts.models import OrgUnit
from accounts.roles import Role
from accounts.scoping import grants_of
from campaign.models import Activity, Assignment, AssignmentState, Campaign, Workstream
from campaign.models.activities import DEVELOPMENT_KINDS
from campaign.models.tasks import overdue_q
from campaign.selectors import AssignmentCounts, assignment_counts_by_workstream

TREND_WEEKS = 8
RUSH_MIN_RECORDS = 3
COPY_MIN_LENGTH = 20  # shorter summaries ("学习党章") are alike by nature
COPY_WINDOW_DAYS = 30
RUSH_WINDOW_DAYS = 60
SIGNAL_LIMIT = 20
RECORDS_PER_GROUP = 10
WEIGHTS = {"overdue": 0.4, "incomplete": 0.4, "stale": 0.2}
RED_FROM = 40
AMBER_FROM = 20
# cell -> (red when >=, amber when >=) in percent; completion is inverted (lower is worse)
CELL_THRESHOLDS = {"overdue": (20, 1), "stale": (25, 1), "completion_short": (50, 20)}


def _rag(score: float, red: float = RED_FROM, amber: float = AMBER_FROM) -> str:
    if score >= red:
        return "red"
    if score >= amber:
        return "amber"
    return "green"


def _pct(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


# ---------------------------------------------------------------- focus


def dashboard_root(user: Any, campaign: Campaign) -> OrgUnit:
    """The unit the dashboard opens on: the highest unit of the user's reading roles within
    the campaign (or the campaign's root when the user's unit lies above it)."""
    root = campaign.root_unit
    if getattr(user, "is_superuser", False):
        return root
    best: str | None = None
    for grant in grants_of(user):
        if grant.role == Role.MEMBER:
            continue
        if root.path.startswith(grant.path):
            return root
        if grant.path.startswith(root.path) and (best is None or len(grant.path) < len(best)):
            best = grant.path
    if best is None:
        raise Http404
    return OrgUnit.objects.get(path=best)


def focus_unit(user: Any, campaign: Campaign, code: str | None) -> OrgUnit:
    """The unit asked for by ``?unit=CODE`` if the user sees it in the campaign, else 404."""
    if not code:
        return dashboard_root(user, campaign)
    unit = (
        OrgUnit.objects.visible_to(user)
        .filter(code=code, path__startswith=campaign.root_unit.path)
        .first()
    )
    if unit is None:
        raise Http404
    return unit  # type: ignore[no-any-return]


def subtree(unit: OrgUnit) -> QuerySet[OrgUnit]:
    return OrgUnit.objects.filter(path__startswith=unit.path)


def _within(qs: QuerySet[Any], campaign: Campaign, unit: OrgUnit) -> QuerySet[Any]:
    """Records of the unit's subtree; at the campaign's root every record is in it, so the
    join to the units is left out."""
    if unit.pk == campaign.root_unit_id:
        return qs
    return qs.filter(unit__path__startswith=unit.path)


def _prefix(unit: OrgUnit, field: str = "unit__path") -> Substr:
    return Substr(field, 1, OrgUnit.steplen * (unit.depth + 1))


# ---------------------------------------------------------------- workstreams


@dataclass(frozen=True)
class WorkstreamLine:
    key: str
    label: str
    counts: AssignmentCounts


def workstream_lines(*, campaign: Campaign, unit: OrgUnit, today: date) -> list[WorkstreamLine]:
    counts = assignment_counts_by_workstream(
        campaign=campaign, units_queryset=subtree(unit), today=today
    )
    empty = AssignmentCounts(total=0, done=0, submitted=0, due=0, overdue=0)
    return [
        WorkstreamLine(key=key, label=str(label), counts=counts.get(key, empty))
        for key, label in Workstream.choices
    ]


@dataclass(frozen=True)
class WeekPoint:
    week: date
    study: int
    development: int

    @property
    def total(self) -> int:
        return self.study + self.development


def activity_trend(*, campaign: Campaign, unit: OrgUnit, today: date) -> list[WeekPoint]:
    """Activities held per week (Monday first) over the last ``TREND_WEEKS`` weeks, split
    into theory study and development; the last point is this week (one query)."""
    this_week = today - timedelta(days=today.weekday())
    first = this_week - timedelta(weeks=TREND_WEEKS - 1)
    rows = (
        _within(
            Activity.objects.filter(campaign=campaign, held_on__gte=first, held_on__lte=today),
            campaign,
            unit,
        )
        .annotate(week=TruncWeek("held_on", output_field=DateField()))
        .values("week")
        .annotate(
            study=Count("pk", filter=~Q(kind__in=DEVELOPMENT_KINDS)),
            development=Count("pk", filter=Q(kind__in=DEVELOPMENT_KINDS)),
        )
        .order_by()
    )
    found = {r["week"]: r for r in rows}
    points = []
    for i in range(TREND_WEEKS):
        week = first + timedelta(weeks=i)
        row = found.get(week, {})
        points.append(
            WeekPoint(week=week, study=row.get("study", 0), development=row.get("development", 0))
        )
    return points


# ---------------------------------------------------------------- research


@dataclass(frozen=True)
class ResearchFigures:
    leaders: int
    on_track_quarter: int
    with_report_year: int
    reports_this_year: int
    decisions: int
    decisions_without_research: int

    @property
    def on_track_rate(self) -> float:
        return _pct(self.on_track_quarter, self.leaders)


def research_figures(
    *, user: Any, campaign: Campaign, unit: OrgUnit, today: date
) -> ResearchFigures:
    from research.models import ReportState, ResearchReport, quarter_of
    from research.selectors import CELL_OK, compliance_matrix, decisions_without_research

    matrix = compliance_matrix(user=user, campaign=campaign, year=today.year, today=today)
    lines = [line for line in matrix.lines if line.unit.path.startswith(unit.path)]
    quarter = quarter_of(today)
    on_track = sum(
        1
        for line in lines
        if any(c.quarter == quarter and c.status == CELL_OK for c in line.quarters)
    )
    with_report = sum(1 for line in lines if line.year and line.year.status == CELL_OK)
    reports = ResearchReport.objects.filter(
        campaign=campaign,
        unit__path__startswith=unit.path,
        state=ReportState.SUBMITTED,
        written_on__year=today.year,
    ).count()
    decisions = decisions_without_research(campaign=campaign, units_queryset=subtree(unit))
    return ResearchFigures(
        leaders=len(lines),
        on_track_quarter=on_track,
        with_report_year=with_report,
        reports_this_year=reports,
        decisions=decisions.total,
        decisions_without_research=decisions.without_research,
    )


# ---------------------------------------------------------------- rectification


def rectification_figures(*, campaign: Campaign, unit: OrgUnit, today: date) -> dict[str, Any]:
    from rectification.selectors import problem_stats

    return problem_stats(campaign=campaign, units_queryset=subtree(unit), today=today)


# ---------------------------------------------------------------- lagging units


@dataclass
class UnitLine:
    unit: OrgUnit
    assignments: int = 0
    assignments_done: int = 0
    assignments_overdue: int = 0
    problems: int = 0
    problems_overdue: int = 0
    ongoing: int = 0
    stale: int = 0
    score: float = 0.0
    rag: str = "green"
    cells: dict[str, str] = field(default_factory=dict)

    @property
    def items(self) -> int:
        return self.assignments + self.problems

    @property
    def overdue(self) -> int:
        return self.assignments_overdue + self.problems_overdue

    @property
    def overdue_share(self) -> float:
        return _pct(self.overdue, self.items)

    @property
    def completion(self) -> float:
        return _pct(self.assignments_done, self.assignments) if self.assignments else 100.0

    @property
    def stale_share(self) -> float:
        return _pct(self.stale, self.ongoing)

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


def lagging_units(*, campaign: Campaign, unit: OrgUnit, today: date) -> list[UnitLine]:
    """The units of the next level down, worst first, with their score (three queries)."""
    from rectification.models import ProblemState
    from rectification.selectors import overdue_q as problem_overdue_q
    from rectification.selectors import stale_q, with_flags

    children = list(
        OrgUnit.objects.filter(path__startswith=unit.path, depth=unit.depth + 1, is_active=True)
    )
    if not children:
        return []
    lines = {child.path: UnitLine(unit=child) for child in children}
    prefix = _prefix(unit)
    assignment_rows = (
        Assignment.objects.filter(task__campaign=campaign, unit__path__startswith=unit.path)
        .exclude(unit_id=unit.pk)
        .annotate(branch=prefix)
        .values("branch")
        .annotate(
            total=Count("pk"),
            done=Count("pk", filter=Q(state=AssignmentState.ACCEPTED)),
            overdue=Count("pk", filter=overdue_q(today)),
        )
        .order_by()
    )
    for row in assignment_rows:
        line = lines.get(row["branch"])
        if line is not None:
            line.assignments = row["total"]
            line.assignments_done = row["done"]
            line.assignments_overdue = row["overdue"]
    from rectification.models import Problem, ProblemType

    problem_rows = (
        with_flags(
            Problem.objects.filter(campaign=campaign, unit__path__startswith=unit.path)
            .exclude(unit_id=unit.pk)
            .exclude(state=ProblemState.WITHDRAWN),
            today=today,
        )
        .annotate(branch=prefix)
        .values("branch")
        .annotate(
            total=Count("pk"),
            overdue=Count("pk", filter=problem_overdue_q(today)),
            ongoing=Count(
                "pk",
                filter=Q(
                    type=ProblemType.ONGOING,
                    state__in=(ProblemState.IN_RECTIFICATION, ProblemState.SUBMITTED),
                ),
            ),
            stale=Count("pk", filter=stale_q(today)),
        )
        .order_by()
    )
    for row in problem_rows:
        line = lines.get(row["branch"])
        if line is not None:
            line.problems = row["total"]
            line.problems_overdue = row["overdue"]
            line.ongoing = row["ongoing"]
            line.stale = row["stale"]
    for line in lines.values():
        line.compute()
    return sorted(lines.values(), key=lambda line: (-line.score, line.unit.path))


# ---------------------------------------------------------------- formalism signals


class _FirstIds(Func):
    """Some ``n`` ids of a group (never the whole group), as examples of its records."""

    template = "(ARRAY_AGG(%(expressions)s))[1:{n}]"
    contains_aggregate = True

    def __init__(self, expression: str, n: int) -> None:
        super().__init__(F(expression))
        self.template = self.template.format(n=int(n))

    def get_group_by_cols(self) -> list[Any]:
        return []  # an aggregate: never a grouping column

    @property
    def output_field(self) -> Any:  # type: ignore[override]
        from django.contrib.postgres.fields import ArrayField
        from django.db.models import IntegerField

        return ArrayField(IntegerField())


@dataclass
class Signal:
    key: str
    count: int
    records: list[Any]
    groups: list[dict[str, Any]] = field(default_factory=list)


def _activities_by_id(ids: list[int]) -> dict[int, Any]:
    """The records behind a signal; one query even when there are none (fixed count)."""
    records = Activity.objects.filter(pk__in=ids or [0]).select_related("unit").order_by()
    return {a.pk: a for a in records}


def copied_summaries(*, campaign: Campaign, unit: OrgUnit, today: date) -> Signal:
    """Activities whose summary, normalised, is shared by two or more units (two queries;
    each group lists its first ``RECORDS_PER_GROUP`` records)."""
    since = today - timedelta(days=COPY_WINDOW_DAYS)
    base = _within(Activity.objects.filter(campaign=campaign, held_on__gte=since), campaign, unit)
    groups = list(
        base.filter(GreaterThanOrEqual(Length("summary"), COPY_MIN_LENGTH))
        .annotate(digest=F("summary_digest"))  # kept on save: see work_models.summary_digest
        .values("digest")
        .annotate(
            spread=Max("unit_id") - Min("unit_id"),  # > 0: more than one unit
            n=Count("pk"),
            ids=_FirstIds("pk", RECORDS_PER_GROUP),
        )
        .filter(spread__gt=0)
        .order_by("-n", "digest")
    )
    shown = groups[:SIGNAL_LIMIT]
    ids = [pk for g in shown for pk in g["ids"]]
    by_id = _activities_by_id(ids)
    out = [
        {
            "count": g["n"],
            "records": [by_id[i] for i in g["ids"] if i in by_id],
        }
        for g in shown
    ]
    total = sum(g["n"] for g in groups)
    return Signal(key="copied", count=total, records=[], groups=out)


def deadline_rush(*, campaign: Campaign, unit: OrgUnit, today: date) -> Signal:
    """Units entering many activities on an assignment's due date or the day before.

    Two grouped queries: the (unit, day) pairs with ``RUSH_MIN_RECORDS`` or more activities
    entered, then the deadlines of those units on those days; a third fetches the records
    shown."""
    tz = ZoneInfo(settings.TIME_ZONE)
    since = datetime.combine(today - timedelta(days=RUSH_WINDOW_DAYS), time.min, tzinfo=tz)
    busy = list(
        _within(Activity.objects.filter(campaign=campaign, created_at__gte=since), campaign, unit)
        .annotate(entered_on=TruncDate("created_at", tzinfo=tz))
        .values("unit_id", "entered_on")
        .annotate(n=Count("pk"), ids=_FirstIds("pk", RECORDS_PER_GROUP))
        .filter(n__gte=RUSH_MIN_RECORDS)
        .order_by("-n", "-entered_on", "unit_id")
    )
    # Queried even when nothing is busy, so the page's query count never depends on data
    # (an empty ``__in`` would skip the query).
    days = {g["entered_on"] for g in busy} | {g["entered_on"] + timedelta(days=1) for g in busy}
    deadlines: set[tuple[int, date]] = set(
        Assignment.objects.filter(
            task__campaign=campaign,
            unit_id__in={g["unit_id"] for g in busy} or {0},
            due_date__in=days or {today},
        )
        .order_by()
        .values_list("unit_id", "due_date")
        .distinct()
    )
    groups = [
        g
        for g in busy
        if (g["unit_id"], g["entered_on"]) in deadlines
        or (g["unit_id"], g["entered_on"] + timedelta(days=1)) in deadlines
    ]
    shown = groups[:SIGNAL_LIMIT]
    ids = [pk for g in shown for pk in g["ids"]]
    by_id = _activities_by_id(ids)
    out = [
        {
            "day": g["entered_on"],
            "count": g["n"],
            "unit": by_id[g["ids"][0]].unit if g["ids"] and g["ids"][0] in by_id else None,
            "records": [by_id[i] for i in g["ids"] if i in by_id],
        }
        for g in shown
    ]
    return Signal(key="rush", count=sum(g["n"] for g in groups), records=[], groups=out)


def closing_without_evidence(*, campaign: Campaign, unit: OrgUnit) -> Signal:
    from rectification.models import MeasureEvidence, Problem, ProblemState

    evidence = MeasureEvidence.objects.filter(measure__problem_id=OuterRef("pk"))
    qs = (
        _within(
            Problem.objects.filter(campaign=campaign, state=ProblemState.SUBMITTED), campaign, unit
        )
        .filter(~Exists(evidence))
        .select_related("unit")
        .order_by("submitted_at", "pk")
    )
    return Signal(key="no_evidence", count=qs.count(), records=list(qs[:SIGNAL_LIMIT]))


def decisions_lacking_research(*, campaign: Campaign, unit: OrgUnit, count: int) -> Signal:
    from research.models import Decision

    through_projects = Decision.projects.through.objects.filter(decision_id=OuterRef("pk"))
    through_reports = Decision.reports.through.objects.filter(decision_id=OuterRef("pk"))
    records = list(
        _within(Decision.objects.filter(campaign=campaign), campaign, unit)
        .filter(~Exists(through_projects), ~Exists(through_reports))
        .select_related("unit")
        .order_by("-decided_on", "-pk")[:SIGNAL_LIMIT]
    )
    return Signal(key="no_research", count=count, records=records)


# ---------------------------------------------------------------- the whole page


@dataclass
class OfficeDashboard:
    unit: OrgUnit
    ancestors: list[OrgUnit]
    today: date
    workstreams: list[WorkstreamLine]
    activities_this_week: WeekPoint
    trend: list[WeekPoint]
    research: ResearchFigures
    rectification: dict[str, Any]
    lagging: list[UnitLine]
    signals: dict[str, Signal]

    @property
    def assignments_total(self) -> AssignmentCounts:
        lines = [w.counts for w in self.workstreams]
        return AssignmentCounts(
            total=sum(c.total for c in lines),
            done=sum(c.done for c in lines),
            submitted=sum(c.submitted for c in lines),
            due=sum(c.due for c in lines),
            overdue=sum(c.overdue for c in lines),
        )


def office_dashboard(
    *, user: Any, campaign: Campaign, unit: OrgUnit, today: date
) -> OfficeDashboard:
    root = dashboard_root(user, campaign) if not user.is_superuser else campaign.root_unit
    ancestor_paths = [
        unit.path[:i]
        for i in range(len(root.path), len(unit.path), OrgUnit.steplen)
        if unit.path[:i].startswith(root.path)
    ]
    ancestors = list(OrgUnit.objects.filter(path__in=ancestor_paths).order_by("path"))
    trend = activity_trend(campaign=campaign, unit=unit, today=today)
    research = research_figures(user=user, campaign=campaign, unit=unit, today=today)
    return OfficeDashboard(
        unit=unit,
        ancestors=ancestors,
        today=today,
        workstreams=workstream_lines(campaign=campaign, unit=unit, today=today),
        activities_this_week=trend[-1],
        trend=trend,
        research=research,
        rectification=rectification_figures(campaign=campaign, unit=unit, today=today),
        lagging=lagging_units(campaign=campaign, unit=unit, today=today),
        signals={
            "copied": copied_summaries(campaign=campaign, unit=unit, today=today),
            "rush": deadline_rush(campaign=campaign, unit=unit, today=today),
            "no_evidence": closing_without_evidence(campaign=campaign, unit=unit),
            "no_research": decisions_lacking_research(
                campaign=campaign, unit=unit, count=research.decisions_without_research
            ),
        },
    )


# ---------------------------------------------------------------- the leader's home


@dataclass
class LeaderHome:
    summary: Any
    quarter_ends: date
    year_ends: date
    projects: list[Any]
    reports: list[Any]
    problems: Any
    overdue_problems: int
    next_deadline: date | None


def leader_home(*, user: Any, campaign: Campaign, today: date) -> LeaderHome:
    from rectification.selectors import problem_queryset
    from research.models import ResearchProject, ResearchReport, quarter_of
    from research.selectors import leader_research_summary

    quarter = quarter_of(today)
    quarter_ends = (
        date(today.year, quarter * 3 + 1, 1) if quarter < 4 else date(today.year + 1, 1, 1)
    ) - timedelta(days=1)
    projects = list(
        ResearchProject.objects.filter(
            campaign=campaign, lead_id=user.pk, start_date__year=today.year
        )
        .select_related("unit")
        .order_by("-start_date", "-pk")
    )
    reports = list(
        ResearchReport.objects.filter(
            campaign=campaign, author_id=user.pk, written_on__year=today.year
        )
        .select_related("unit")
        .order_by("-written_on", "-pk")
    )
    problems = (
        problem_queryset(user=user, campaign=campaign, params={"state": "open"}, today=today)
        .filter(responsible_leader_id=user.pk)
        .order_by(F("deadline").asc(nulls_last=True), "unit__path", "number")
    )
    return LeaderHome(
        summary=leader_research_summary(leader=user, campaign=campaign, today=today),
        quarter_ends=quarter_ends,
        year_ends=date(today.year, 12, 31),
        projects=projects,
        reports=reports,
        problems=problems,
        overdue_problems=problems.filter(is_overdue=True).count(),
        next_deadline=problems.filter(deadline__gte=today)
        .order_by("deadline")
        .values_list("deadline", flat=True)
        .first(),
    )
