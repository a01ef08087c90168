"""The pages built from the figures: the office dashboard and the leader's home.

The dashboard opens on the highest unit the user may see within the campaign and drills
down one level at a time (``?unit=CODE``); every number on it comes from
:mod:`dashboard.figures`, counted for this week as of today.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, F, QuerySet
from django.http import Http404

from accounts import permissions
from accounts.models import OrgUnit, UnitDomain
from accounts.roles import Action
from campaign.models import Campaign, LeadingGroupMember, Task, Workstream
from core.unit_versions import versions_at
from rectification.models import Problem
from rectification.selectors import problem_queryset
from research.models import ResearchProject, ResearchReport, quarter_of
from research.selectors import LeaderSummary, leader_research_summary
from supervision.models import SupervisionVisit

from . import rollup
from .figures.activities import AttendanceFigures, WeekPoint, activity_trend, attendance_figures
from .figures.assignments import (
    AssignmentCounts,
    AssignmentFigures,
    assignment_figures_by_workstream,
    total_of,
)
from .figures.development import (
    DevelopmentFigures,
    UnitDevelopment,
    development_by_unit,
    development_figures,
)
from .figures.rectification import ProblemFigures, problem_figures
from .figures.research import ResearchCounts, decision_figures, research_figures
from .figures.signals import (
    Signal,
    closing_without_evidence,
    copied_summaries,
    deadline_rush,
    decisions_lacking_research,
)
from .figures.units import ClassLine, UnitLine, lagging_units, lines_by_domain, lines_of_units
from .periods import Period

# ---------------------------------------------------------------- focus


def dashboard_root(user: Any, campaign: Campaign) -> OrgUnit:
    """The unit the dashboard opens on: the highest unit of the user's roles within the
    campaign (the campaign's root when his unit lies above it); 404 without one."""
    unit = permissions.highest_within(user, campaign.root_unit)
    if unit is None:
        raise Http404
    return unit


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


# ---------------------------------------------------------------- the office dashboard


@dataclass(frozen=True)
class WorkstreamLine:
    key: str
    figures: AssignmentFigures

    @property
    def label(self) -> str:
        """The workstream's name in the reader's language (the line is cached for all)."""
        return str(Workstream(self.key).label)

    @property
    def counts(self) -> AssignmentCounts:
        return self.figures.counts


@dataclass
class OfficeDashboard:
    unit: OrgUnit
    ancestors: list[OrgUnit]
    today: date
    workstreams: list[WorkstreamLine]
    activities_this_week: WeekPoint
    trend: list[WeekPoint]
    attendance: AttendanceFigures
    research: ResearchCounts
    rectification: ProblemFigures
    development: DevelopmentFigures
    development_units: list[UnitDevelopment]
    lagging: list[UnitLine]
    signals: dict[str, Signal]
    # 分类指导: the subtree's figures by field of the units (机关, 农村, 社区, 企业, 学校 …)
    classes: list[ClassLine] = field(default_factory=list)

    @property
    def assignments(self) -> AssignmentFigures:
        """Every workstream together."""
        return total_of({w.key: w.figures for w in self.workstreams})

    @property
    def assignments_total(self) -> AssignmentCounts:
        return self.assignments.counts


def ancestors_of(user: Any, campaign: Campaign, unit: OrgUnit) -> list[OrgUnit]:
    """The units from the dashboard's root down to ``unit``'s parent (the breadcrumb)."""
    root = dashboard_root(user, campaign)
    ancestor_paths = [
        unit.path[:i]
        for i in range(len(root.path), len(unit.path), OrgUnit.steplen)
        if unit.path[:i].startswith(root.path)
    ]
    return list(OrgUnit.objects.filter(path__in=ancestor_paths).order_by("path"))


def office_dashboard_rolled_up(
    *, user: Any, campaign: Campaign, unit: OrgUnit, today: date, version: str
) -> OfficeDashboard:
    """The dashboard of :func:`office_dashboard`, the same numbers, added up from the
    blocks of figures kept per subtree (``dashboard/rollup.py``); ``version`` is the
    subtree's (``core.unit_versions.subtree_version``). Without the ancestors: they lie
    outside the subtree, so the page reads them itself (:func:`ancestors_of`)."""
    period = Period.on(today)
    versions = versions_at(unit.path)
    block = rollup.block_of(
        campaign=campaign, unit=unit, period=period, version=version, versions=versions
    )
    figures = rollup.figures_of_block(
        campaign=campaign, unit=unit, period=period, block=block, versions=versions
    )
    by_workstream = figures.pop("by_workstream")
    trend = figures.pop("trend")
    return OfficeDashboard(
        unit=unit,
        ancestors=[],
        today=today,
        workstreams=[
            WorkstreamLine(key=key, figures=by_workstream[key]) for key in Workstream.values
        ],
        activities_this_week=trend[-1],
        trend=trend,
        **figures,
    )


def office_dashboard(
    *, user: Any, campaign: Campaign, unit: OrgUnit, today: date
) -> OfficeDashboard:
    """The dashboard counted from scratch over the unit's subtree (the reference the
    rolled-up one is tested against)."""
    period = Period.on(today)
    ancestors = ancestors_of(user, campaign, unit)
    by_workstream = assignment_figures_by_workstream(campaign=campaign, unit=unit, period=period)
    trend = activity_trend(campaign=campaign, unit=unit, period=period)
    research = research_figures(campaign=campaign, unit=unit, period=period)
    decisions = decision_figures(campaign=campaign, unit=unit, period=period)
    return OfficeDashboard(
        unit=unit,
        ancestors=ancestors,
        today=today,
        workstreams=[
            WorkstreamLine(key=key, figures=by_workstream[key]) for key in Workstream.values
        ],
        activities_this_week=trend[-1],
        trend=trend,
        attendance=attendance_figures(campaign=campaign, unit=unit, period=period),
        research=research.counts(decisions),
        rectification=problem_figures(campaign=campaign, unit=unit, period=period),
        development=development_figures(campaign=campaign, unit=unit, period=period),
        development_units=development_by_unit(campaign=campaign, unit=unit, period=period),
        lagging=lagging_units(campaign=campaign, unit=unit, period=period),
        classes=lines_by_domain(campaign=campaign, unit=unit, period=period),
        signals={
            "copied": copied_summaries(campaign=campaign, unit=unit, today=today),
            "rush": deadline_rush(campaign=campaign, unit=unit, today=today),
            "no_evidence": closing_without_evidence(campaign=campaign, unit=unit),
            "no_research": decisions_lacking_research(
                campaign=campaign,
                unit=unit,
                today=today,
                count=decisions.without_research,
            ),
        },
    )


# ---------------------------------------------------------------- the leader's home


@dataclass
class LeaderHome:
    summary: LeaderSummary
    quarter_ends: date
    year_ends: date
    projects: list[ResearchProject]
    reports: list[ResearchReport]
    problems: QuerySet[Problem]
    overdue_problems: int
    next_deadline: date | None


def leader_home(*, user: Any, campaign: Campaign, today: date) -> LeaderHome:
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


# ---------------------------------------------------------------- beside the tree


@dataclass
class OverseenBoard:
    """The units a user oversees outside his subtree (分管, 行业系统), each with its
    figures, worst first; ``domain`` narrows them to one field."""

    today: date
    lines: list[UnitLine]
    domain: str
    domains: list[tuple[str, str]]

    @property
    def red(self) -> int:
        return sum(1 for line in self.lines if line.rag == "red")


def overseen_units(user: Any, campaign: Campaign) -> list[OrgUnit]:
    """The active units of the user's portfolio and sectors inside the campaign, in tree
    order."""
    ids = [g.unit_id for g in permissions.overseen_beside_tree(user)]
    return list(
        OrgUnit.objects.filter(
            pk__in=ids, path__startswith=campaign.root_unit.path, is_active=True
        ).order_by("path")
    )


def overseen_board(
    *, user: Any, campaign: Campaign, today: date, domain: str = ""
) -> OverseenBoard:
    units = overseen_units(user, campaign)
    labels = dict(UnitDomain.choices)
    domains = sorted({u.domain for u in units if u.domain})
    if domain:
        units = [u for u in units if u.domain == domain]
    return OverseenBoard(
        today=today,
        lines=lines_of_units(campaign=campaign, units=units, period=Period.on(today)),
        domain=domain,
        domains=[(key, str(labels[key])) for key in domains if key in labels],
    )


# ---------------------------------------------------------------- the leading group


@dataclass
class MemberLine:
    """A member unit of the leading group and what it did in the campaign: tasks it
    deployed, supervision visits its people recorded, problems its people raised."""

    member: LeadingGroupMember
    tasks: int
    visits: int
    problems: int


def leading_group_board(*, campaign: Campaign) -> list[MemberLine]:
    """The campaign's leading group, member by member (four queries)."""
    members = list(
        LeadingGroupMember.objects.filter(campaign=campaign)
        .select_related("unit")
        .order_by("order", "pk")
    )
    unit_ids = [m.unit_id for m in members]
    # the people of each member unit (any role on the unit itself)
    people: dict[int, set[int]] = {}
    for user_id, unit_id in permissions.holders_for(Action.VIEW, unit_ids=unit_ids).values_list(
        "user_id", "unit_id"
    ):
        people.setdefault(unit_id, set()).add(user_id)
    tasks = dict(
        Task.objects.filter(campaign=campaign, issuer_id__in=unit_ids)
        .values("issuer_id")
        .annotate(n=Count("pk"))
        .values_list("issuer_id", "n")
    )
    everyone = set().union(*people.values()) if people else set()
    visits = dict(
        SupervisionVisit.objects.filter(campaign=campaign, created_by_id__in=everyone)
        .values("created_by_id")
        .annotate(n=Count("pk"))
        .values_list("created_by_id", "n")
    )
    problems = dict(
        Problem.objects.filter(campaign=campaign, reported_by_id__in=everyone)
        .values("reported_by_id")
        .annotate(n=Count("pk"))
        .values_list("reported_by_id", "n")
    )
    return [
        MemberLine(
            member=m,
            tasks=tasks.get(m.unit_id, 0),
            visits=sum(visits.get(u, 0) for u in people.get(m.unit_id, ())),
            problems=sum(problems.get(u, 0) for u in people.get(m.unit_id, ())),
        )
        for m in members
    ]
