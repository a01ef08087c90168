"""Formalism signals (the speech: 坚决不能搞形式主义): records that look like box-ticking
for the record. Each is a lead for the office to check, not a verdict.

- copied summaries: activity summaries of two or more units that are the same once
  spaces, punctuation, digits and letter case are removed (dates, numbers and small
  edits do not hide a copy). A normalised-text hash keeps this one grouped query;
  pair-wise trigram similarity would compare every pair of the city's activities;
- rush before a deadline: a unit entering ``RUSH_MIN_RECORDS`` or more activities on the
  due date of one of its assignments or the day before;
- problems submitted for closing with no evidence on any measure;
- decisions citing no research (counted by ``research.decision_figures``).

Each signal answers in a fixed number of queries, none of which depends on the data.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db.models import Count, Exists, F, Func, IntegerField, Max, Min, OuterRef, QuerySet
from django.db.models.functions import Length, TruncDate
from django.db.models.lookups import GreaterThanOrEqual

from accounts.models import OrgUnit
from campaign.models import Activity, Assignment, Campaign
from campaign.models.activities import COPY_MIN_LENGTH
from rectification.models import MeasureEvidence, Problem, ProblemState
from research.models import Decision
from research.selectors import with_research_flag

from .base import within

RUSH_MIN_RECORDS = 3
COPY_WINDOW_DAYS = 30
RUSH_WINDOW_DAYS = 60
SIGNAL_LIMIT = 20
RECORDS_PER_GROUP = 10


class _FirstIds(Func):
    """Some ``n`` ids of a group (never the whole group), as examples of its records."""

    template = "(ARRAY_AGG(%(expressions)s{order}))[1:{n}]"
    contains_aggregate = True
    output_field = ArrayField(IntegerField())

    def __init__(self, expression: str, n: int, *, ordered: bool = False) -> None:
        super().__init__(F(expression))
        # ``ordered``: the group's first ids (the same records whichever way it was read)
        order = " ORDER BY %(expressions)s" if ordered else ""
        self.template = self.template.format(n=int(n), order=order)

    def get_group_by_cols(self) -> list[Any]:
        return []  # an aggregate: never a grouping column


@dataclass
class Signal:
    key: str
    count: int
    records: list[Any]
    groups: list[dict[str, Any]] = field(default_factory=list)


# What the page shows of a signal's activity (dashboard/_figures.html): only these are read.
SHOWN_FIELDS = ("held_on", "kind", "summary", "unit__name")


def _activities_by_id(ids: list[int]) -> dict[int, Any]:
    """The records behind a signal; one query even when there are none (fixed count)."""
    records = (
        Activity.objects.filter(pk__in=ids or [0])
        .select_related("unit")
        .only(*SHOWN_FIELDS)
        .order_by()
    )
    return {a.pk: a for a in records}


def copy_candidates(campaign: Campaign, today: date) -> QuerySet[Activity]:
    """The activities the copied-summaries signal reads: the last weeks' long summaries."""
    since = today - timedelta(days=COPY_WINDOW_DAYS)
    return Activity.objects.filter(campaign=campaign, held_on__gte=since).filter(
        GreaterThanOrEqual(Length("summary"), COPY_MIN_LENGTH)
    )


def found_elsewhere(campaign: Campaign, today: date) -> Exists:
    """Whether an activity's summary digest is found in another unit's activities of the
    campaign (one lookup of the digest's index per activity)."""
    return Exists(
        copy_candidates(campaign, today)
        .filter(summary_digest=OuterRef("summary_digest"))
        .exclude(unit_id=OuterRef("unit_id"))
    )


def copied_summaries(
    *,
    campaign: Campaign,
    unit: OrgUnit,
    today: date,
    digests: Collection[str] | None = None,
) -> Signal:
    """Activities whose summary, normalised, is shared by two or more units (three queries;
    each group lists its first ``RECORDS_PER_GROUP`` records, by id).

    ``digests``: the digests that can be shared in the scope, known beforehand (a superset:
    the rolled-up dashboard keeps, for each subtree, its digests found in another unit);
    without them they are read over the whole scope."""
    base = within(copy_candidates(campaign, today), campaign, unit)
    if digests is None:
        # First the few digests shared by two units (a hashed grouping of the index alone),
        # then their groups: sorting a month of summaries to group them cost more than both.
        shared = list(
            base.values("summary_digest")
            .annotate(spread=Max("unit_id") - Min("unit_id"))
            .filter(spread__gt=0)
            .order_by()
            .values_list("summary_digest", flat=True)
        )
    else:
        shared = sorted(digests)
    groups = list(
        base.filter(summary_digest__in=shared or [""])
        .annotate(digest=F("summary_digest"))  # kept on save: see campaign.models.summary_digest
        .values("digest")
        .annotate(
            spread=Max("unit_id") - Min("unit_id"),  # > 0: more than one unit
            n=Count("pk"),
            ids=_FirstIds("pk", RECORDS_PER_GROUP, ordered=True),
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
    groups = rush_groups(
        campaign=campaign,
        activities=within(Activity.objects.filter(campaign=campaign), campaign, unit),
        today=today,
    )
    return rush_signal(sum(g["n"] for g in groups), groups[:SIGNAL_LIMIT])


def rush_order(group: dict[str, Any]) -> tuple[Any, ...]:
    """The order the groups are shown in: most records first, latest day first."""
    return (-group["n"], -group["entered_on"].toordinal(), group["unit_id"])


def rush_groups(
    *, campaign: Campaign, activities: QuerySet[Activity], today: date, values: tuple[str, ...] = ()
) -> list[dict[str, Any]]:
    """The (unit, day) groups of ``activities`` entered in a rush before one of the unit's
    deadlines, in :func:`rush_order` (two queries; ``values`` adds fields of each group)."""
    tz = ZoneInfo(settings.TIME_ZONE)
    since = datetime.combine(today - timedelta(days=RUSH_WINDOW_DAYS), time.min, tzinfo=tz)
    busy = list(
        activities.filter(created_at__gte=since)
        .annotate(entered_on=TruncDate("created_at", tzinfo=tz))
        .values("unit_id", "entered_on", *values)
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
    return [
        g
        for g in busy
        if (g["unit_id"], g["entered_on"]) in deadlines
        or (g["unit_id"], g["entered_on"] + timedelta(days=1)) in deadlines
    ]


def rush_signal(count: int, shown: list[dict[str, Any]]) -> Signal:
    """The signal from its count and the groups shown (one query for their records)."""
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
    return Signal(key="rush", count=count, records=[], groups=out)


def closing_without_evidence(*, campaign: Campaign, unit: OrgUnit) -> Signal:
    qs = within(without_evidence(campaign), campaign, unit)
    return Signal(
        key="no_evidence",
        count=qs.count(),
        records=list(qs.select_related("unit").order_by(*EVIDENCE_ORDER)[:SIGNAL_LIMIT]),
    )


EVIDENCE_ORDER = ("submitted_at", "pk")


def without_evidence(campaign: Campaign) -> QuerySet[Problem]:
    """Problems submitted for closing with no evidence on any measure."""
    evidence = MeasureEvidence.objects.filter(measure__problem_id=OuterRef("pk"))
    return Problem.objects.filter(campaign=campaign, state=ProblemState.SUBMITTED).filter(
        ~Exists(evidence)
    )


def decisions_lacking_research(
    *, campaign: Campaign, unit: OrgUnit, today: date, count: int
) -> Signal:
    """The latest decisions citing no research; ``count`` is
    ``DecisionFigures.without_research``, over the same decisions."""
    records = list(
        within(lacking_research(campaign, today), campaign, unit)
        .select_related("unit")
        .order_by(*LACKING_ORDER)[:SIGNAL_LIMIT]
    )
    return Signal(key="no_research", count=count, records=records)


LACKING_ORDER = ("-decided_on", "-pk")


def lacking_research(campaign: Campaign, today: date) -> QuerySet[Decision]:
    """Decisions taken by ``today`` citing no research."""
    return with_research_flag(
        Decision.objects.filter(campaign=campaign, decided_on__lte=today)
    ).filter(cites_projects=False, cites_reports=False)
