"""Reads of the field-research workstream: scoped lists, compliance and the ledger rows.

Compliance (DESIGN.md): every city and county leader leads at least one research project
(蹲点调研 or 网络调研, under way or done) each quarter, counted by its start date, and
writes at least one submitted report each year (waiting for the office's review or
accepted; a returned one is back with him), counted by its date. Quarters and years
are those of Asia/Shanghai (dates are local dates). Each function answers in a fixed
number of queries whatever the number of leaders.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import (
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Window,
)
from django.db.models.functions import ExtractQuarter, RowNumber

from accounts import permissions
from accounts.models import OrgUnit, UnitKind, User
from accounts.permissions import scope_q
from accounts.roles import Action
from campaign.models import Campaign
from core.pagination import count_per_row

from .models import (
    COUNTING_METHODS,
    COUNTING_REPORT_STATES,
    COUNTING_STATES,
    Adoption,
    Decision,
    Finding,
    FindingKind,
    ReportProject,
    ReportState,
    ResearchProject,
    ResearchReport,
    quarter_of,
)

LEADER_UNIT_KINDS = (
    UnitKind.PROVINCE_COMMITTEE,
    UnitKind.CITY_COMMITTEE,
    UnitKind.COUNTY_COMMITTEE,
)


# --- lists -------------------------------------------------------------------------------


def projects_for(user: Any, campaign: Campaign | None) -> QuerySet[ResearchProject]:
    qs = ResearchProject.objects.visible_to(user).select_related("unit", "lead")
    if campaign is None:
        return qs.none()
    return (
        qs.filter(campaign=campaign)
        .annotate(
            finding_count=count_per_row(Finding, "project"),
            report_count=count_per_row(ReportProject, "researchproject"),
        )
        .order_by("-start_date", "-pk")
    )


def reports_for(user: Any, campaign: Campaign | None) -> QuerySet[ResearchReport]:
    qs = ResearchReport.objects.visible_to(user).select_related("unit", "author")
    if campaign is None:
        return qs.none()
    return qs.filter(campaign=campaign)


def _prior_research() -> tuple[Any, Any]:
    """The research a decision cites that came before it (先调研后决策): projects begun
    and reports written on or before the day of the decision. Research cited that only
    came later does not count."""
    through_projects = Decision.projects.through.objects.filter(
        decision_id=OuterRef("pk"), researchproject__start_date__lte=OuterRef("decided_on")
    )
    through_reports = Decision.reports.through.objects.filter(
        decision_id=OuterRef("pk"), researchreport__written_on__lte=OuterRef("decided_on")
    )
    return through_projects, through_reports


def _without_research_q() -> Q:
    through_projects, through_reports = _prior_research()
    return ~Q(Exists(through_projects)) & ~Q(Exists(through_reports))


def with_research_flag(qs: QuerySet[Decision]) -> QuerySet[Decision]:
    """Annotate ``cites_projects`` and ``cites_reports``: the decision cites research that
    came before it (both False: flagged, 不调研不决策、先调研后决策)."""
    through_projects, through_reports = _prior_research()
    return qs.annotate(
        cites_projects=Exists(through_projects), cites_reports=Exists(through_reports)
    )


def decisions_for(user: Any, campaign: Campaign | None) -> QuerySet[Decision]:
    qs = Decision.objects.visible_to(user).select_related("unit")
    if campaign is None:
        return qs.none()
    return with_research_flag(qs.filter(campaign=campaign))


def solved_findings_for(user: Any, campaign: Campaign | None) -> QuerySet[Finding]:
    qs = Finding.objects.visible_to(user).select_related(
        "project", "project__lead", "unit", "problem"
    )
    if campaign is None:
        return qs.none()
    return qs.filter(project__campaign=campaign, solved_on__isnull=False).order_by(
        "-solved_on", "-pk"
    )


def review_queue(*, user: Any, campaign: Campaign | None) -> QuerySet[ResearchReport]:
    """The reports the user may review now: submitted, of a unit strictly below an office
    he runs (the filter form of ``services.may_review``: ``RULES[REVIEW]``), oldest first."""
    if campaign is None:
        return ResearchReport.objects.none()
    return (
        ResearchReport.objects.filter(campaign=campaign, state=ReportState.SUBMITTED)
        .allowed_for(user, Action.REVIEW)
        .select_related("unit", "author")
        .annotate(returned_before=Count("reviews"))
        .order_by("submitted_at", "pk")
    )


def report_suggestions(report: ResearchReport, user: Any) -> list[Finding]:
    """The suggestions (对策建议) of a report, each with what adopted it (``adoption_list``:
    each adopting record linked when the user may see it). Two queries, and one more for
    each kind of adopting record named."""
    suggestions = list(
        report.findings.filter(kind=FindingKind.SUGGESTION).select_related("unit").order_by("pk")
    )
    adoptions = adoptions_of([f.pk for f in suggestions], user)
    for finding in suggestions:
        finding.adoption_list = adoptions.get(finding.pk, [])  # type: ignore[attr-defined]
    return suggestions


def adoptions_of(finding_ids: list[int], user: Any) -> dict[int, list[Adoption]]:
    """The adoptions of these findings by finding, oldest first; an adopting record outside
    the user's scope is shown without its link (``record_visible`` False)."""
    if not finding_ids:
        return {}
    from rectification.models import Measure, Mechanism

    rows = list(
        Adoption.objects.filter(finding_id__in=finding_ids)
        .select_related(
            "decision", "measure", "measure__problem", "measure__problem__unit", "mechanism"
        )
        .order_by("adopted_on", "pk")
    )
    models: dict[str, Any] = {"decision": Decision, "measure": Measure, "mechanism": Mechanism}
    visible: dict[str, set[int]] = {}
    for kind, model in models.items():
        ids = {getattr(a, f"{kind}_id") for a in rows} - {None}
        visible[kind] = (
            set(model.objects.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))
            if ids
            else set()
        )
    found: dict[int, list[Adoption]] = {}
    for adoption in rows:
        kind = next(k for k in ("decision", "measure", "mechanism") if getattr(adoption, f"{k}_id"))
        adoption.kind = kind  # type: ignore[attr-defined]
        adoption.record_visible = getattr(adoption, f"{kind}_id") in visible[kind]  # type: ignore[attr-defined]
        found.setdefault(adoption.finding_id, []).append(adoption)
    return found


@dataclass(frozen=True)
class DecisionStats:
    total: int
    without_research: int


def decisions_without_research(
    *, campaign: Campaign, units_queryset: QuerySet[OrgUnit]
) -> DecisionStats:
    """How many decisions of these units there are, and how many cite no research (one
    aggregate query)."""
    result = Decision.objects.filter(campaign=campaign, unit__in=units_queryset).aggregate(
        total=Count("pk"), without_research=Count("pk", filter=_without_research_q())
    )
    return DecisionStats(
        total=result["total"] or 0, without_research=result["without_research"] or 0
    )


# --- compliance --------------------------------------------------------------------------

CELL_OK = "ok"  # the rule is met
CELL_MISSING = "missing"  # the period is over (or running) and the rule is not met
CELL_DUE = "due"  # the period is running and nothing yet
CELL_FUTURE = "future"  # not begun yet
CELL_OUTSIDE = "outside"  # outside the campaign


@dataclass
class Cell:
    status: str
    count: int = 0
    quarter: int | None = None

    @property
    def is_red(self) -> bool:
        return self.status == CELL_MISSING


@dataclass
class LeaderLine:
    leader: User
    unit: OrgUnit
    quarters: list[Cell] = field(default_factory=list)
    year: Cell = field(default_factory=lambda: Cell(CELL_FUTURE))

    @property
    def behind(self) -> bool:
        return any(c.is_red for c in self.quarters) or self.year.is_red

    @property
    def missing_quarters(self) -> list[int]:
        return [c.quarter for c in self.quarters if c.is_red and c.quarter]


@dataclass
class ComplianceMatrix:
    """The lines of the leaders shown (all of them, or one page) and, over the whole
    scope, the lines of the leaders behind, in the same order."""

    year: int
    today: date
    lines: list[LeaderLine]
    behind: list[LeaderLine]

    @property
    def quarters(self) -> list[int]:
        return [1, 2, 3, 4]


def _quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    start = date(year, 3 * quarter - 2, 1)
    end = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return start, end  # end is exclusive


def _period_status(
    *, start: date, end_exclusive: date, today: date, campaign: Campaign, count: int
) -> str:
    if end_exclusive <= campaign.start_date or start > campaign.end_date:
        return CELL_OUTSIDE
    if count:
        return CELL_OK
    if start > today:
        return CELL_FUTURE
    if end_exclusive > today:
        return CELL_DUE
    return CELL_MISSING


def leader_assignments(*, user: Any, campaign: Campaign) -> QuerySet[Any]:
    """The leader roles on city and county committees in the viewer's scope (a leader who
    is not office or viewer there sees his own line only): active people on active units,
    the leaders the quarterly research reminder goes to."""
    qs = permissions.holders_for(
        Action.LEAD, within=campaign.root_unit, kinds=LEADER_UNIT_KINDS
    ).select_related("user", "unit")
    if getattr(user, "is_superuser", False):
        return qs.order_by("unit__path", "user__username")
    if permissions.acts_anywhere(user, Action.OVERSEE):
        q = scope_q(user, "unit")
        # viewers and offices see the leaders of their subtree; a leader who is also a
        # leader elsewhere still sees at least himself
        qs = qs.filter(q | Q(user_id=user.pk)) if q is not None else qs
    else:
        qs = qs.filter(user_id=user.pk)
    return qs.order_by("unit__path", "user__username")


def leader_lines(*, user: Any, campaign: Campaign) -> QuerySet[Any]:
    """The matrix's leaders: each leader of :func:`leader_assignments` once, on his first
    committee in tree order, in the matrix's order (committee, then user name). A page of
    it is a page of the matrix."""
    first = Window(RowNumber(), partition_by=F("user_id"), order_by=F("unit__path").asc())
    return (
        leader_assignments(user=user, campaign=campaign)
        .annotate(first=first)
        .filter(first=1)
        .order_by("unit__path", "user__username")
    )


def _counting_projects(campaign: Campaign) -> QuerySet[ResearchProject]:
    """The projects that count for their lead (module doc), counted by their start date."""
    return ResearchProject.objects.filter(
        campaign=campaign, method__in=COUNTING_METHODS, state__in=COUNTING_STATES
    )


def _counting_reports(campaign: Campaign) -> QuerySet[ResearchReport]:
    """The reports that count for their author (module doc), counted by their date."""
    return ResearchReport.objects.filter(campaign=campaign, state__in=COUNTING_REPORT_STATES)


def _behind_q(*, campaign: Campaign, year: int, today: date) -> Q | None:
    """Leaders (rows of :func:`leader_lines`) with a red cell: no counting project in a
    quarter, or no counting report in the year, that would be red without one (None:
    no period of the year can be red yet, or none is inside the campaign)."""
    q = Q(pk__in=[])
    red = False
    for quarter in (1, 2, 3, 4):
        start, end = _quarter_bounds(year, quarter)
        if (
            _period_status(start=start, end_exclusive=end, today=today, campaign=campaign, count=0)
            == CELL_MISSING
        ):
            led = _counting_projects(campaign).filter(
                lead_id=OuterRef("user_id"), start_date__gte=start, start_date__lt=end
            )
            q |= ~Q(Exists(led))
            red = True
    if (
        _period_status(
            start=date(year, 1, 1),
            end_exclusive=date(year + 1, 1, 1),
            today=today,
            campaign=campaign,
            count=0,
        )
        == CELL_MISSING
    ):
        written = _counting_reports(campaign).filter(
            author_id=OuterRef("user_id"), written_on__year=year
        )
        q |= ~Q(Exists(written))
        red = True
    return q if red else None


def compliance_matrix(
    *,
    user: Any,
    campaign: Campaign,
    year: int,
    today: date,
    leaders: Iterable[Any] | None = None,
) -> ComplianceMatrix:
    """Leader × quarter (projects led) and leader × year (reports written) for ``leaders``
    (rows of :func:`leader_lines`, e.g. one page of it; all of them by default), and the
    leaders behind over the whole scope, found by the database: the leaders (unless
    given), those behind (unless no period can be red yet), and the projects and reports
    of both, whatever the number of leaders."""
    shown = list(leader_lines(user=user, campaign=campaign) if leaders is None else leaders)
    behind_q = _behind_q(campaign=campaign, year=year, today=today)
    behind = (
        list(leader_lines(user=user, campaign=campaign).filter(behind_q))
        if behind_q is not None
        else []
    )
    leader_ids = sorted({a.user_id for a in shown} | {a.user_id for a in behind})
    project_counts: dict[tuple[int, int], int] = {}
    report_counts: dict[int, int] = {}
    if leader_ids:
        rows = (
            _counting_projects(campaign)
            .filter(lead_id__in=leader_ids, start_date__year=year)
            .annotate(q=ExtractQuarter("start_date"))
            .values("lead_id", "q")
            .annotate(n=Count("pk"))
            .order_by()
        )
        project_counts = {(r["lead_id"], r["q"]): r["n"] for r in rows}
        report_counts = dict(
            _counting_reports(campaign)
            .filter(author_id__in=leader_ids, written_on__year=year)
            .values("author_id")
            .annotate(n=Count("pk"))
            .order_by()
            .values_list("author_id", "n")
        )

    def line_of(assignment: Any) -> LeaderLine:
        line = LeaderLine(leader=assignment.user, unit=assignment.unit)
        for quarter in (1, 2, 3, 4):
            start, end = _quarter_bounds(year, quarter)
            count = project_counts.get((assignment.user_id, quarter), 0)
            status = _period_status(
                start=start, end_exclusive=end, today=today, campaign=campaign, count=count
            )
            line.quarters.append(Cell(status=status, count=count, quarter=quarter))
        count = report_counts.get(assignment.user_id, 0)
        status = _period_status(
            start=date(year, 1, 1),
            end_exclusive=date(year + 1, 1, 1),
            today=today,
            campaign=campaign,
            count=count,
        )
        line.year = Cell(status=status, count=count)
        return line

    return ComplianceMatrix(
        year=year,
        today=today,
        lines=[line_of(a) for a in shown],
        behind=[line for line in map(line_of, behind) if line.behind],
    )


@dataclass(frozen=True)
class LeaderSummary:
    year: int
    quarter: int
    projects_this_quarter: int
    reports_this_year: int
    drafts_this_year: int

    @property
    def quarter_ok(self) -> bool:
        return self.projects_this_quarter > 0

    @property
    def year_ok(self) -> bool:
        return self.reports_this_year > 0


def leader_research_summary(*, leader: Any, campaign: Campaign, today: date) -> LeaderSummary:
    """The leader's counting projects this quarter and reports this year (two aggregates)."""
    start, end = _quarter_bounds(today.year, quarter_of(today))
    projects = (
        _counting_projects(campaign)
        .filter(lead_id=leader.pk, start_date__gte=start, start_date__lt=end)
        .aggregate(n=Count("pk"))["n"]
    )
    reports = ResearchReport.objects.filter(
        campaign=campaign, author_id=leader.pk, written_on__year=today.year
    ).aggregate(
        submitted=Count("pk", filter=Q(state__in=COUNTING_REPORT_STATES)),
        drafts=Count("pk", filter=Q(state__in=(ReportState.DRAFT, ReportState.RETURNED))),
    )
    return LeaderSummary(
        year=today.year,
        quarter=quarter_of(today),
        projects_this_quarter=projects or 0,
        reports_this_year=reports["submitted"] or 0,
        drafts_this_year=reports["drafts"] or 0,
    )


# --- the research ledger (调研台账) ------------------------------------------------------


def ledger_projects(*, campaign: Campaign, unit: OrgUnit) -> QuerySet[ResearchProject]:
    """Projects of the unit's subtree for the ledger, with what each row needs prefetched."""
    return (
        ResearchProject.objects.filter(campaign=campaign, unit__path__startswith=unit.path)
        .select_related("lead", "unit")
        .prefetch_related(
            Prefetch("findings", queryset=Finding.objects.select_related("problem", "unit")),
            Prefetch("reports", queryset=ResearchReport.objects.only("pk", "title", "written_on")),
        )
        .order_by("unit__path", "lead__username", "start_date", "pk")
    )


def ledger_rows(
    projects: QuerySet[ResearchProject], *, chunk_size: int = 500
) -> Iterator[list[Any]]:
    """One row per project, streamed in chunks."""
    for number, project in enumerate(projects.iterator(chunk_size=chunk_size), start=1):
        findings = list(project.findings.all())
        found = "\n".join(
            f"{i}. {f.description}"
            + (f"（已转为问题 {f.unit.code}-{f.problem.number}）" if f.problem_id else "")
            for i, f in enumerate(findings, start=1)
        )
        solved = "\n".join(
            f"{f.description}：{f.solved_how}（{f.solved_on:%Y-%m-%d}）"
            for f in findings
            if f.solved_on
        )
        reports = "\n".join(f"{r.title}（{r.written_on:%Y-%m-%d}）" for r in project.reports.all())
        yield [
            number,
            project.lead.display_name,
            project.unit.name,
            project.topic,
            project.get_focus_display(),
            project.get_method_display(),
            f"{project.start_date:%Y-%m-%d}至{project.end_date:%Y-%m-%d}",
            "\n".join(project.site_list),
            found,
            reports,
            solved,
        ]


def editable_projects(user: Any, campaign: Campaign) -> QuerySet[ResearchProject]:
    """Projects the user may change: the office's subtree, a leader's own (the same rule
    as ``permissions.may`` for one project)."""
    return ResearchProject.objects.filter(campaign=campaign).allowed_for(user, Action.RESEARCH)
