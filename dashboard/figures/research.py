"""Field research: the leaders' obligations and what was researched.

Compliance (research's rule, see ``research/selectors.py``): every city and county leader
(the leader role on a city or county committee of the subtree) leads at least one research
project each quarter — 蹲点调研 or 网络调研, under way or done, counted by its start date —
and writes at least one submitted report each year, counted by its date. "On track this
quarter" counts the projects started from the quarter's first day to the as-of day; "a
report this year" the reports dated from 1 January to the as-of day.

Decisions (决策) count as taken by the as-of day; one "without research" cites neither a
project nor a report (research's own flag).

成果转化 (research turned into results): of the suggestions (对策建议, findings of the kind
"suggestion") of the research of the subtree (by the research's unit) recorded by the
as-of day, the share adopted by that day — taken up by at least one decision,
rectification measure or long-term mechanism with an adoption dated on or before it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from accounts import permissions
from accounts.models import OrgUnit
from accounts.roles import Action
from campaign.models import Campaign
from research.models import (
    COUNTING_METHODS,
    COUNTING_REPORT_STATES,
    COUNTING_STATES,
    Adoption,
    Decision,
    Finding,
    FindingKind,
    ResearchProject,
    ResearchReport,
)
from research.selectors import LEADER_UNIT_KINDS, with_research_flag

from ..periods import Period
from .base import rate, within

LEADERS_LISTED_IN_FULL = 30  # above this, the report lists only the leaders behind


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class ResearchCounts:
    """The research block of the dashboard: counts only."""

    leaders: int
    on_track_quarter: int
    with_report_year: int
    reports_this_year: int
    decisions: int
    decisions_without_research: int
    adoption: AdoptionFigures

    @property
    def on_track_rate(self) -> float:
        return rate(self.on_track_quarter, self.leaders)


@dataclass(frozen=True)
class AdoptionFigures:
    """成果转化: suggestions of the subtree's research, and those adopted (module doc)."""

    suggestions: int = 0
    adopted: int = 0

    @property
    def rate(self) -> float:
        return rate(self.adopted, self.suggestions)

    @property
    def not_adopted(self) -> int:
        return self.suggestions - self.adopted


@dataclass(frozen=True)
class ResearchFigures:
    leaders: list[LeaderRow] = field(default_factory=list)
    reports_this_year: int = 0  # submitted reports of the subtree, whoever wrote them
    projects_this_week: int = 0  # research projects started in the period's week
    projects_last_week: int = 0
    reports_this_week: int = 0  # reports submitted, by their date
    reports_last_week: int = 0
    adoption: AdoptionFigures = field(default_factory=AdoptionFigures)  # 成果转化

    @property
    def leader_count(self) -> int:
        return len(self.leaders)

    @property
    def on_track_quarter(self) -> int:
        return sum(1 for row in self.leaders if row.on_track_quarter)

    @property
    def with_report_this_year(self) -> int:
        return sum(1 for row in self.leaders if row.on_track_year)

    @property
    def quarter_rate(self) -> float:
        return rate(self.on_track_quarter, self.leader_count)

    @property
    def year_rate(self) -> float:
        return rate(self.with_report_this_year, self.leader_count)

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
    def change(self) -> int:
        return self.projects_this_week - self.projects_last_week

    @property
    def report_change(self) -> int:
        return self.reports_this_week - self.reports_last_week

    def counts(self, decisions: DecisionFigures) -> ResearchCounts:
        """The dashboard's research block: these figures and the decisions'."""
        return ResearchCounts(
            leaders=self.leader_count,
            on_track_quarter=self.on_track_quarter,
            with_report_year=self.with_report_this_year,
            reports_this_year=self.reports_this_year,
            decisions=decisions.total,
            decisions_without_research=decisions.without_research,
            adoption=self.adoption,
        )


@dataclass(frozen=True)
class DecisionFigures:
    total: int = 0  # decisions of the subtree taken by the as-of day
    without_research: int = 0  # of those, citing no research


def _count_of(qs: QuerySet[Any]) -> Any:
    """COUNT(*) of a correlated queryset, as an integer annotation (0 when none)."""
    counted = qs.order_by().values("campaign_id").annotate(n=Count("pk")).values("n")[:1]
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def leader_rows(*, campaign: Campaign, unit: OrgUnit, period: Period) -> list[LeaderRow]:
    """The city and county leaders of the subtree with their counting projects this
    quarter and submitted reports this year (one query; a leader of two committees once,
    under the first in tree order)."""
    projects = ResearchProject.objects.filter(
        campaign=campaign,
        lead_id=OuterRef("user_id"),
        state__in=COUNTING_STATES,
        method__in=COUNTING_METHODS,
        start_date__gte=period.quarter_start,
        start_date__lte=period.as_of,
    )
    reports = ResearchReport.objects.filter(
        campaign=campaign,
        author_id=OuterRef("user_id"),
        state__in=COUNTING_REPORT_STATES,
        written_on__gte=period.year_start,
        written_on__lte=period.as_of,
    )
    rows = (
        permissions.holders_for(Action.LEAD, within=unit, kinds=LEADER_UNIT_KINDS)
        .annotate(projects=_count_of(projects), reports=_count_of(reports))
        .values("user_id", "user__full_name", "user__username", "unit__name", "projects", "reports")
        .order_by("unit__path", "user__username")
    )
    seen: set[int] = set()
    leaders = []
    for row in rows:
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
    return leaders


def research_figures(*, campaign: Campaign, unit: OrgUnit, period: Period) -> ResearchFigures:
    """The leaders' compliance, the research of the subtree and its 成果转化 (four queries)."""
    projects = within(projects_of(campaign), campaign, unit).aggregate(**project_aggregates(period))
    reports = within(reports_of(campaign), campaign, unit).aggregate(**report_aggregates(period))
    return research_of(
        leader_rows(campaign=campaign, unit=unit, period=period),
        projects,
        reports,
        adoption_figures(campaign=campaign, unit=unit, period=period),
    )


def _between(name: str, first: date, last: date) -> Q:
    return Q(**{f"{name}__gte": first, f"{name}__lte": last})


def projects_of(campaign: Campaign) -> QuerySet[ResearchProject]:
    return ResearchProject.objects.filter(campaign=campaign)


def reports_of(campaign: Campaign) -> QuerySet[ResearchReport]:
    return ResearchReport.objects.filter(campaign=campaign, state__in=COUNTING_REPORT_STATES)


def project_aggregates(period: Period) -> dict[str, Any]:
    """Research projects started in the period's week and the week before."""
    return {
        "p_this_week": Count("pk", filter=_between("start_date", period.monday, period.as_of)),
        "p_last_week": Count(
            "pk", filter=_between("start_date", period.last_monday, period.last_sunday)
        ),
    }


def report_aggregates(period: Period) -> dict[str, Any]:
    """Counting reports (submitted or accepted) of the year, of the period's week and of the
    week before."""
    return {
        "r_this_year": Count("pk", filter=_between("written_on", period.year_start, period.as_of)),
        "r_this_week": Count("pk", filter=_between("written_on", period.monday, period.as_of)),
        "r_last_week": Count(
            "pk", filter=_between("written_on", period.last_monday, period.last_sunday)
        ),
    }


def research_of(
    leaders: list[LeaderRow],
    projects: dict[str, int],
    reports: dict[str, int],
    adoption: AdoptionFigures,
) -> ResearchFigures:
    return ResearchFigures(
        leaders=leaders,
        reports_this_year=reports.get("r_this_year", 0),
        projects_this_week=projects.get("p_this_week", 0),
        projects_last_week=projects.get("p_last_week", 0),
        reports_this_week=reports.get("r_this_week", 0),
        reports_last_week=reports.get("r_last_week", 0),
        adoption=adoption,
    )


def adoption_figures(*, campaign: Campaign, unit: OrgUnit, period: Period) -> AdoptionFigures:
    """成果转化 of the subtree as of the period's day (the module's definition; one
    query)."""
    suggestions = Finding.objects.filter(
        project__campaign=campaign,
        kind=FindingKind.SUGGESTION,
        created_at__date__lte=period.as_of,
    )
    if unit.pk != campaign.root_unit_id:
        suggestions = suggestions.filter(project__unit__path__startswith=unit.path)
    adopted = Adoption.objects.filter(finding_id=OuterRef("pk"), adopted_on__lte=period.as_of)
    row = suggestions.aggregate(
        suggestions=Count("pk"), adopted=Count("pk", filter=Q(Exists(adopted)))
    )
    return AdoptionFigures(suggestions=row["suggestions"], adopted=row["adopted"])


def decision_figures(*, campaign: Campaign, unit: OrgUnit, period: Period) -> DecisionFigures:
    """Decisions of the subtree taken by the as-of day, and how many cite no research
    (research's own flag, ``with_research_flag``; one query)."""
    row = with_research_flag(within(decisions_of(campaign, period), campaign, unit)).aggregate(
        **decision_aggregates()
    )
    return DecisionFigures(**row)


def decisions_of(campaign: Campaign, period: Period) -> QuerySet[Decision]:
    """The campaign's decisions taken by the as-of day."""
    return Decision.objects.filter(campaign=campaign, decided_on__lte=period.as_of)


def decision_aggregates() -> dict[str, Any]:
    """Over ``with_research_flag(decisions)``."""
    return {"total": Count("pk"), "without_research": Count("pk", filter=WITHOUT_RESEARCH)}


WITHOUT_RESEARCH = Q(cites_projects=False, cites_reports=False)
