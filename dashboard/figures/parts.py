"""The dashboard's figures counted in parts that add up: the records of one unit, or of one
unit's subtree, as counts that a subtree's figures are the sum of.

A :class:`Part` holds the raw counts of every figure of :mod:`.assignments`,
:mod:`.activities`, :mod:`.research`, :mod:`.rectification`, :mod:`.development` and the
signals that are sums or "first N" lists; the same aggregate expressions the figure
modules define count them, so a rolled-up dashboard and the figures counted from scratch
cannot disagree. :func:`count_parts` counts many parts at once, grouped by a prefix of the
units' path (one query per kind of record, whatever the number of parts);
:func:`figures` turns a sum of parts back into the figures.

Figures that are not sums are carried so that they still roll up exactly: shares as their
numerator and denominator (the counts), the signals' lists as each part's first
``SIGNAL_LIMIT`` records with their sort key (the first N of a union are among the first N
of its parts), the rush groups whole (a group is one unit's), the copied summaries as the
digests of the part's summaries found in another unit (those the signal then looks up over
the scope, by their index). The leaders' compliance is read over the whole scope
(:mod:`dashboard.rollup`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Window
from django.db.models.functions import RowNumber, Substr

from accounts.models import OrgUnit
from campaign.models import Campaign, Workstream

from ..periods import Period
from . import activities, assignments, development, rectification, research, signals
from .signals import SIGNAL_LIMIT

Counts = dict[tuple[str, Any], dict[str, int]]


@dataclass
class Part:
    counts: Counts = field(default_factory=dict)
    rush: list[dict[str, Any]] = field(default_factory=list)  # groups, rush_order
    no_evidence: list[tuple[Any, ...]] = field(default_factory=list)  # (sort key, pk)
    no_research: list[tuple[Any, ...]] = field(default_factory=list)
    # the summary digests of the part's activities found in another unit too (when the part
    # was counted): every digest shared in a subtree is in one of its parts' (the part
    # counted later saw the other's record), so the signal looks up only these
    copies: set[str] = field(default_factory=set)

    def add_row(self, key: tuple[str, Any], row: dict[str, Any]) -> None:
        into = self.counts.setdefault(key, {})
        for name, n in row.items():
            into[name] = into.get(name, 0) + (n or 0)

    def section(self, name: str) -> dict[Any, dict[str, int]]:
        return {key[1]: row for key, row in self.counts.items() if key[0] == name}

    def total(self, name: str) -> dict[str, int]:
        """The counts of section ``name`` over all its keys."""
        out: dict[str, int] = {}
        for key, row in self.counts.items():
            if key[0] == name:
                for column, n in row.items():
                    out[column] = out.get(column, 0) + n
        return out


def _evidence_key(item: tuple[Any, ...]) -> tuple[Any, ...]:
    submitted_at, pk = item
    return (submitted_at is None, submitted_at or datetime.min, pk)  # NULLS LAST, as SQL


def _research_key(item: tuple[Any, ...]) -> tuple[Any, ...]:
    decided_on, pk = item
    return (-decided_on.toordinal(), -pk)


def merged(parts: Iterable[Part]) -> Part:
    """The sum of ``parts``: counts added, lists merged and cut to their first N."""
    out = Part()
    for part in parts:
        for key, row in part.counts.items():
            out.add_row(key, row)
        out.rush.extend(part.rush)
        out.no_evidence.extend(part.no_evidence)
        out.no_research.extend(part.no_research)
        out.copies |= part.copies
    out.rush = sorted(out.rush, key=signals.rush_order)[:SIGNAL_LIMIT]
    out.no_evidence = sorted(out.no_evidence, key=_evidence_key)[:SIGNAL_LIMIT]
    out.no_research = sorted(out.no_research, key=_research_key)[:SIGNAL_LIMIT]
    return out


# ---------------------------------------------------------------- counting parts


@dataclass(frozen=True)
class Grouping:
    """Which records a counting pass reads and which part each lands in: the records under
    the paths ``subtrees`` and those of the units ``unit_ids``, each in the part named by
    the first ``length`` characters of its unit's path (a unit's own path when it is
    shorter: the records of a unit of ``unit_ids`` above that depth land in its own part).
    """

    subtrees: tuple[str, ...] = ()
    length: int = 0
    unit_ids: tuple[int, ...] = ()

    def q(self, unit: str) -> Q:
        # One condition on the units, so that the records are read through their unit's
        # index (a condition across the two tables would read every record).
        units = [Q(path__startswith=p) for p in self.subtrees]
        if self.unit_ids:
            units.append(Q(pk__in=self.unit_ids))
        return Q(**{f"{unit}__in": OrgUnit.objects.filter(reduce(or_, units)).values("pk")})

    def key(self, unit: str) -> Any:
        return Substr(f"{unit}__path", 1, self.length)

    def cut(self, path: str) -> str:
        return path[: self.length]


def _grouped(
    qs: QuerySet[Any], g: Grouping, unit: str, by: tuple[str, ...], aggregates: dict[str, Any]
) -> Iterable[dict[str, Any]]:
    return (
        qs.filter(g.q(unit))
        .annotate(part=g.key(unit))
        .values("part", *by)
        .annotate(**aggregates)
        .order_by()
    )


# The counting queries by the tables they read. A committee's parts are kept by group, each
# under the versions of its tables' topics (``TOPICS`` in dashboard/versions.py) and of those
# every group reads (``EVERY_GROUP_READS`` and the global writes): an activity logged recounts
# the groups reading activities, a problem updated the problems' group.
# tests/dashboard/test_rollup.py checks every table a group's queries read against them.
GROUPS: dict[str, tuple[str, ...]] = {
    "assignments": ("assignments",),
    "activities": ("activities",),  # the trend, the attendance, the copied summaries
    "rush": ("activities", "assignments"),  # activities entered on an assignment's deadline
    "research": (),  # projects and reports: global writes
    "decisions": ("decisions",),  # the decisions and those lacking research
    "problems": ("problems",),  # the problems and those closing without evidence
    "development": ("development",),
}
# The units (a path, a field) and the records of no topic (a model nobody gave one).
EVERY_GROUP_READS = ("units", "")


def joined(parts: Iterable[Part]) -> Part:
    """One part from the parts of different groups of the same records (their sections and
    lists are apart: nothing to add up)."""
    out = Part()
    for part in parts:
        out.counts.update(part.counts)
        out.rush.extend(part.rush)
        out.no_evidence.extend(part.no_evidence)
        out.no_research.extend(part.no_research)
        out.copies |= part.copies
    return out


@dataclass
class _Pass:
    campaign: Campaign
    period: Period
    g: Grouping
    parts: dict[str, Part] = field(default_factory=dict)

    def part(self, path: str) -> Part:
        return self.parts.setdefault(path, Part())


def count_parts(
    *,
    campaign: Campaign,
    period: Period,
    grouping: Grouping,
    groups: Iterable[str] = tuple(GROUPS),
) -> dict[str, Part]:
    """The parts of ``grouping``, by path, with the sections of ``groups`` (one or two
    queries per group, whatever the number of parts)."""
    counting = _Pass(campaign, period, grouping)
    for name in groups:
        _COUNTERS[name](counting)
    for p in counting.parts.values():
        p.rush.sort(key=signals.rush_order)
        del p.rush[SIGNAL_LIMIT:]
    return counting.parts


def _assignments(c: _Pass) -> None:
    for row in _grouped(
        assignments.assignments_of(c.campaign, c.campaign.root_unit),
        c.g,
        "unit",
        ("task__workstream", "unit__domain"),
        assignments.aggregates(c.period),
    ):
        key = (row.pop("task__workstream"), row.pop("unit__domain"))
        c.part(row.pop("part")).add_row(("assignments", key), row)


def _activities(c: _Pass) -> None:
    campaign, period, g = c.campaign, c.period, c.g
    for row in _grouped(
        activities.activities_of(campaign, campaign.root_unit)
        .filter(activities.trend_q(period))
        .annotate(week=activities.week_of()),
        g,
        "unit",
        ("week",),
        activities.trend_aggregates(),
    ):
        week = row.pop("week")
        c.part(row.pop("part")).add_row(("trend", week), row)
    for row in _grouped(
        activities.rolls_of(campaign, period),
        g,
        "activity__unit",
        (),
        activities.attendance_aggregates(period),
    ):
        c.part(row.pop("part")).add_row(("attendance", None), row)
    today = period.as_of
    for path, digest in (
        signals.copy_candidates(campaign, today)
        .filter(g.q("unit"))
        .filter(signals.found_elsewhere(campaign, today))
        .annotate(part=g.key("unit"))
        .values_list("part", "summary_digest")
        .distinct()
    ):
        c.part(path).copies.add(digest)


def _rush(c: _Pass) -> None:
    # every rush group (a group is one unit's)
    for group in signals.rush_groups(
        campaign=c.campaign,
        activities=signals.Activity.objects.filter(campaign=c.campaign).filter(c.g.q("unit")),
        today=c.period.as_of,
        values=("unit__path",),
    ):
        p = c.part(c.g.cut(group.pop("unit__path")))
        p.add_row(("rush", None), {"n": group["n"]})
        p.rush.append(group)


def _research(c: _Pass) -> None:
    for row in _grouped(
        research.projects_of(c.campaign), c.g, "unit", (), research.project_aggregates(c.period)
    ):
        c.part(row.pop("part")).add_row(("projects", None), row)
    for row in _grouped(
        research.reports_of(c.campaign), c.g, "unit", (), research.report_aggregates(c.period)
    ):
        c.part(row.pop("part")).add_row(("reports", None), row)


def _decisions(c: _Pass) -> None:
    campaign, g = c.campaign, c.g
    for row in _grouped(
        research.with_research_flag(research.decisions_of(campaign, c.period)),
        g,
        "unit",
        (),
        research.decision_aggregates(),
    ):
        c.part(row.pop("part")).add_row(("decisions", None), row)
    # each part's first N decisions lacking research
    key = g.key("unit")
    for path, decided_on, pk in (
        signals.lacking_research(campaign, c.period.as_of)
        .filter(g.q("unit"))
        .annotate(
            part=key,
            rank=Window(
                RowNumber(),
                partition_by=[key],
                order_by=[F("decided_on").desc(), F("pk").desc()],
            ),
        )
        .filter(rank__lte=SIGNAL_LIMIT)
        .values_list("part", "decided_on", "pk")
    ):
        c.part(path).no_research.append((decided_on, pk))


def _problems(c: _Pass) -> None:
    campaign, period, g = c.campaign, c.period, c.g
    for row in _grouped(
        rectification.problems_of(campaign, campaign.root_unit, period),
        g,
        "unit",
        ("unit__domain",),
        {**rectification.aggregates(period), **rectification.split_aggregates()},
    ):
        domain = row.pop("unit__domain")
        c.part(row.pop("part")).add_row(("problems", domain), row)
    # each part's first N problems closing without evidence, and their count
    key = g.key("unit")
    for path, n, submitted_at, pk in (
        signals.without_evidence(campaign)
        .filter(g.q("unit"))
        .annotate(
            part=key,
            n=Window(Count("pk"), partition_by=[key]),
            rank=Window(
                RowNumber(),
                partition_by=[key],
                order_by=[F(name) for name in signals.EVIDENCE_ORDER],
            ),
        )
        .filter(rank__lte=SIGNAL_LIMIT)
        .values_list("part", "n", "submitted_at", "pk")
    ):
        p = c.part(path)
        p.no_evidence.append((submitted_at, pk))
        p.counts[("no_evidence", None)] = {"n": n}


def _development(c: _Pass) -> None:
    period = c.period
    for row in _grouped(
        development.items_of(c.campaign, c.campaign.root_unit, period),
        c.g,
        "unit",
        (),
        {**development.aggregates(period), **development.split_aggregates(period)},
    ):
        c.part(row.pop("part")).add_row(("development", None), row)


_COUNTERS: dict[str, Callable[[_Pass], None]] = {
    "assignments": _assignments,
    "activities": _activities,
    "rush": _rush,
    "research": _research,
    "decisions": _decisions,
    "problems": _problems,
    "development": _development,
}


# ---------------------------------------------------------------- back to figures


def workstream_figures(total: Part) -> dict[str, assignments.AssignmentFigures]:
    by_workstream: dict[str, dict[str, int]] = {}
    for (workstream, _domain), row in total.section("assignments").items():
        into = by_workstream.setdefault(workstream, {})
        for name, n in row.items():
            into[name] = into.get(name, 0) + n
    return {
        key: assignments.AssignmentFigures(**by_workstream.get(key, {}))
        for key in Workstream.values
    }


def by_domain(total: Part) -> tuple[dict[str, dict[str, int]], dict[str, dict[str, int]]]:
    """The assignments' and the problems' counts by the field of their units."""
    assignment_rows: dict[str, dict[str, int]] = {}
    for (_workstream, domain), row in total.section("assignments").items():
        into = assignment_rows.setdefault(domain, {})
        for name, n in row.items():
            into[name] = into.get(name, 0) + n
    return assignment_rows, total.section("problems")


def trend(total: Part, period: Period) -> list[activities.WeekPoint]:
    return activities.trend_points(total.section("trend"), period)


def problem_counts(row: dict[str, int]) -> dict[str, int]:
    """The counts of ``ProblemFigures`` without the split (a unit line's)."""
    return {name: row.get(name, 0) for name in rectification.aggregates_names()}
