"""Where reminders come from: one small function per kind of record with a due date.

Each source reads in a few queries (never one per item) and yields the open items due on
``day + 1``, on ``day + 3`` or before ``day``, with the people responsible for them. The
planner in ``selectors.py`` turns them into reminders.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from datetime import date, timedelta
from typing import Any, NamedTuple

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.models import UnitKind
from accounts.roles import Action
from campaign.models import OPEN_STATES as OPEN_ASSIGNMENT_STATES
from campaign.models import Assignment, Campaign, DevelopmentMilestone, DevelopmentState
from rectification.models import OPEN_STATES as OPEN_PROBLEM_STATES
from rectification.models import Measure, MeasureState, Problem, ProblemState
from research.models import (
    COUNTING_METHODS,
    COUNTING_REPORT_STATES,
    COUNTING_STATES,
    ResearchProject,
    ResearchReport,
    quarter_of,
)

from .models import ItemKind, ReminderKind

CHUNK = 2000

# Problems submitted for closing wait for the office, not for the people responsible.
_RECTIFYING = tuple(s for s in OPEN_PROBLEM_STATES if s != ProblemState.SUBMITTED)


# Named tuples rather than dataclasses: a province's run makes some 250,000 items and
# 370,000 reminders, and a frozen dataclass costs several times as much to build.
class Item(NamedTuple):
    item_kind: str
    item_id: int
    unit_id: int
    due_date: date
    recipients: tuple[int, ...]
    title: str
    link: str
    # Set by sources whose reminder is not about a due date (research obligations):
    # the kind to send, repeated weekly while the item is yielded.
    reminder_kind: str | None = None


def due_q(field: str, day: date) -> Q:
    """Due in 3 days, due tomorrow, or overdue."""
    return Q(**{f"{field}__in": [day + timedelta(days=1), day + timedelta(days=3)]}) | Q(
        **{f"{field}__lt": day}
    )


_PLACEHOLDER = 987654321


def link_maker(name: str, fallback: str = "home") -> Callable[[int], str]:
    """A fast ``pk -> URL`` for a detail page (reversed once), or the fallback list page."""
    try:
        pattern = reverse(name, args=[_PLACEHOLDER])
    except NoReverseMatch:
        try:
            url = reverse(fallback)
        except NoReverseMatch:
            url = reverse("home")
        return lambda _pk: url
    marker = str(_PLACEHOLDER)
    return lambda pk: pattern.replace(marker, str(pk))


def page_url(*names: str) -> str:
    """The first of the named pages that exists (pages without arguments)."""
    for name in names:
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return reverse("home")


def _people(*ids: int | None) -> tuple[int, ...]:
    return tuple(dict.fromkeys(i for i in ids if i is not None))


def measures(day: date) -> Iterator[Item]:
    """Open rectification measures of problems still being rectified, to their owner."""
    link = link_maker("rectification:problem-detail", "rectification:problem-list")
    rows = (
        Measure.objects.filter(due_q("deadline", day), responsible_person__isnull=False)
        .exclude(state=MeasureState.DONE)
        .filter(problem__state__in=_RECTIFYING, problem__campaign__is_active=True)
        .order_by()
        .values_list(
            "pk",
            "problem_id",
            "problem__unit_id",
            "deadline",
            "responsible_person_id",
            "description",
            "problem__number",
            "problem__unit__code",
        )
    )
    for pk, problem_id, unit_id, deadline, person, text, number, code in rows.iterator(CHUNK):
        yield Item(
            ItemKind.MEASURE,
            pk,
            unit_id,
            deadline,
            (person,),
            f"{code}-{number} {_short(text)}",
            link(problem_id),
        )


def problems(day: date) -> Iterator[Item]:
    """Problems past or near their deadline, to the responsible person and leader."""
    link = link_maker("rectification:problem-detail", "rectification:problem-list")
    rows = (
        Problem.objects.filter(
            due_q("deadline", day), state__in=_RECTIFYING, campaign__is_active=True
        )
        .filter(Q(responsible_person__isnull=False) | Q(responsible_leader__isnull=False))
        .order_by()
        .values_list(
            "pk",
            "unit_id",
            "deadline",
            "responsible_person_id",
            "responsible_leader_id",
            "description",
            "number",
            "unit__code",
        )
    )
    for pk, unit_id, deadline, person, leader, text, number, code in rows.iterator(CHUNK):
        yield Item(
            ItemKind.PROBLEM,
            pk,
            unit_id,
            deadline,
            _people(person, leader),
            f"{code}-{number} {_short(text)}",
            link(pk),
        )


def _short(text: str, size: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= size else text[: size - 1] + "…"


def _secretaries_of(unit_ids: Iterable[int]) -> dict[int, tuple[int, ...]]:
    found: dict[int, list[int]] = defaultdict(list)
    rows = permissions.secretaries_of(set(unit_ids)).values_list("unit_id", "user_id")
    for unit_id, user_id in rows:
        found[unit_id].append(user_id)
    return {unit_id: tuple(sorted(users)) for unit_id, users in found.items()}


def _secretaries_where(units: QuerySet[Any]) -> dict[int, tuple[int, ...]]:
    """The secretaries of the units a query selects (``units``: a ``values("unit_id")``
    query), in one query: a province's run has some 100,000 open assignments, and looking
    their units' secretaries up 2,000 at a time took fifty queries of 2,000 ids each."""
    found: dict[int, list[int]] = defaultdict(list)
    rows = permissions.secretaries_where(units).values_list("unit_id", "user_id")
    for unit_id, user_id in rows.iterator(CHUNK):
        found[unit_id].append(user_id)
    return {unit_id: tuple(sorted(users)) for unit_id, users in found.items()}


def assignments(day: date) -> Iterator[Item]:
    """Open task assignments, to the secretaries of the assigned unit."""
    link = link_maker("campaign:assignment-detail", "campaign:todo")
    due = Assignment.objects.filter(
        due_q("due_date", day), state__in=OPEN_ASSIGNMENT_STATES, task__campaign__is_active=True
    )
    secretaries = _secretaries_where(due.order_by().values("unit_id"))
    qs = due.order_by("unit_id", "pk").values_list(
        "pk", "unit_id", "due_date", "task__title", "period"
    )
    for pk, unit_id, due_date, title, period in qs.iterator(CHUNK):
        people = secretaries.get(unit_id)
        if people:
            label = f"{title}（{period}）" if period else title
            yield Item(ItemKind.ASSIGNMENT, pk, unit_id, due_date, people, _short(label), link(pk))


def portfolio_overdue(day: date) -> Iterator[Item]:
    """分管: the overdue assignments and problems of the departments in a leader's charge,
    to him (in his daily digest, repeated weekly like every overdue reminder). Two queries
    per department of a portfolio."""
    assignment_link = link_maker("campaign:assignment-detail", "campaign:assignment-list")
    problem_link = link_maker("rectification:problem-detail", "rectification:problem-list")
    for user_id, path in permissions.portfolios():
        assignments_due = (
            Assignment.objects.filter(
                due_date__lt=day,
                state__in=OPEN_ASSIGNMENT_STATES,
                task__campaign__is_active=True,
                unit__path__startswith=path,
            )
            .order_by("unit__path", "pk")
            .values_list("pk", "unit_id", "due_date", "task__title", "unit__name")
        )
        for pk, unit_id, due, title, unit_name in assignments_due.iterator(CHUNK):
            yield Item(
                ItemKind.ASSIGNMENT,
                pk,
                unit_id,
                due,
                (user_id,),
                _short(f"{unit_name}：{title}"),
                assignment_link(pk),
            )
        problems_due = (
            Problem.objects.filter(
                deadline__lt=day,
                state__in=_RECTIFYING,
                campaign__is_active=True,
                unit__path__startswith=path,
            )
            .order_by("unit__path", "number")
            .values_list("pk", "unit_id", "deadline", "description", "number", "unit__code")
        )
        for pk, unit_id, deadline, text, number, code in problems_due.iterator(CHUNK):
            yield Item(
                ItemKind.PROBLEM,
                pk,
                unit_id,
                deadline,
                (user_id,),
                f"{code}-{number} {_short(text)}",
                problem_link(pk),
            )


def milestones(day: date) -> Iterator[Item]:
    """Milestones not reached yet of development items not closed (销号), to the item's
    responsible leader and the secretaries of its unit."""
    link = link_maker("campaign:development-detail", "campaign:development-list")
    rows = (
        DevelopmentMilestone.objects.filter(
            due_q("due_on", day), done_on__isnull=True, item__campaign__is_active=True
        )
        .exclude(item__state=DevelopmentState.CLOSED)
        .order_by("item__unit_id", "pk")
        .values_list(
            "pk",
            "item_id",
            "item__unit_id",
            "due_on",
            "item__responsible_leader_id",
            "item__title",
            "title",
        )
    )
    batch: list[tuple[int, int, int, date, int | None, str, str]] = []
    for row in rows.iterator(CHUNK):
        batch.append(row)
        if len(batch) >= CHUNK:
            yield from _milestone_items(batch, link)
            batch = []
    if batch:
        yield from _milestone_items(batch, link)


def _milestone_items(
    rows: list[tuple[int, int, int, date, int | None, str, str]], link: Callable[[int], str]
) -> Iterator[Item]:
    secretaries = _secretaries_of(row[2] for row in rows)
    for pk, item_id, unit_id, due, leader, item_title, title in rows:
        people = tuple(sorted({*_people(leader), *secretaries.get(unit_id, ())}))
        if people:
            yield Item(
                ItemKind.MILESTONE,
                pk,
                unit_id,
                due,
                people,
                _short(f"{item_title} · {title}"),
                link(item_id),
            )


RESEARCH_NOTICE = timedelta(weeks=4)
LEADER_UNIT_KINDS = (
    UnitKind.PROVINCE_COMMITTEE,
    UnitKind.CITY_COMMITTEE,
    UnitKind.COUNTY_COMMITTEE,
)


def quarter_bounds(day: date) -> tuple[date, date]:
    """First day of ``day``'s quarter and first day of the next one."""
    quarter = quarter_of(day)
    start = date(day.year, 3 * quarter - 2, 1)
    end = date(day.year + 1, 1, 1) if quarter == 4 else date(day.year, 3 * quarter + 1, 1)
    return start, end


def research(day: date) -> Iterator[Item]:
    """City and county leaders who have led no research this quarter, from four weeks
    before it ends (蹲点调研 or 网络调研 under way or done, as the compliance page counts)."""
    start, end = quarter_bounds(day)
    if day < end - RESEARCH_NOTICE:
        return
    link = page_url("research:project-create", "research:project-list")
    last_day = end - timedelta(days=1)
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Research for quarter %(quarter)s of %(year)s") % {
            "quarter": quarter_of(day),
            "year": day.year,
        }
    seen: set[int] = set()
    campaigns = Campaign.objects.filter(
        is_active=True, start_date__lte=day, end_date__gte=day
    ).select_related("root_unit")
    for campaign in campaigns:
        leaders = list(
            permissions.holders_for(Action.LEAD, within=campaign.root_unit, kinds=LEADER_UNIT_KINDS)
            .order_by("unit__path", "user_id")
            .values_list("user_id", "unit_id")
        )
        done = set(
            ResearchProject.objects.filter(
                campaign=campaign,
                lead_id__in={user_id for user_id, _unit in leaders},
                method__in=COUNTING_METHODS,
                state__in=COUNTING_STATES,
                start_date__gte=start,
                start_date__lt=end,
            ).values_list("lead_id", flat=True)
        )
        for user_id, unit_id in leaders:
            if user_id in done or user_id in seen:
                continue
            seen.add(user_id)
            yield Item(
                ItemKind.RESEARCH,
                user_id,
                unit_id,
                last_day,
                (user_id,),
                title,
                link,
                reminder_kind=ReminderKind.RESEARCH,
            )


# The yearly report (每年至少一篇调研报告): reminders from 1 November to the year's end.
REPORT_NOTICE_FROM = (11, 1)  # (month, day)


def research_reports(day: date) -> Iterator[Item]:
    """City and county leaders who have no research report for the year yet (submitted,
    waiting for review or accepted, counted by its date, as the compliance page counts),
    from 1 November to 31 December. One query per active campaign: the leaders, less
    those with such a report (never one query per leader)."""
    if (day.month, day.day) < REPORT_NOTICE_FROM:
        return
    link = page_url("research:report-create", "research:report-list")
    last_day = date(day.year, 12, 31)
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Research report for %(year)s") % {"year": day.year}
    seen: set[int] = set()
    campaigns = Campaign.objects.filter(
        is_active=True, start_date__lte=day, end_date__gte=day
    ).select_related("root_unit")
    for campaign in campaigns:
        reported = ResearchReport.objects.filter(
            campaign=campaign,
            author_id=OuterRef("user_id"),
            state__in=COUNTING_REPORT_STATES,
            written_on__year=day.year,
        )
        leaders = (
            permissions.holders_for(Action.LEAD, within=campaign.root_unit, kinds=LEADER_UNIT_KINDS)
            .filter(~Exists(reported))
            .order_by("unit__path", "user_id")
            .values_list("user_id", "unit_id")
        )
        for user_id, unit_id in leaders:
            if user_id in seen:
                continue
            seen.add(user_id)
            yield Item(
                ItemKind.RESEARCH,
                user_id,
                unit_id,
                last_day,
                (user_id,),
                title,
                link,
                reminder_kind=ReminderKind.RESEARCH_REPORT,
            )


SOURCES: list[Callable[[date], Iterator[Item]]] = [
    assignments,
    milestones,
    problems,
    measures,
    research,
    research_reports,
    portfolio_overdue,
]


def all_items(day: date) -> Iterator[Item]:
    for source in SOURCES:
        yield from source(day)
