"""What a week brought beyond the counts: the supervision visits made, the model cases
selected, the special rectification plans drawn up and the long-term mechanisms issued in
the unit's subtree, each by the day it happened within the period (Monday to the as-of
day). The weekly report shows a section for each only when there is something in it;
the work bulletin reads the visits and cases of its own period the same way."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from accounts.models import OrgUnit
from campaign.models import Campaign
from rectification.models import Mechanism, SpecialPlan
from supervision.models import Case, CaseState, SupervisionVisit

from ..periods import Period
from .base import within

LIMIT = 30  # per section: the report lists the first ones and says how many there were


@dataclass
class Highlights:
    visits: list[SupervisionVisit] = field(default_factory=list)
    visit_total: int = 0
    cases: list[Case] = field(default_factory=list)
    case_total: int = 0
    plans: list[SpecialPlan] = field(default_factory=list)
    plan_total: int = 0
    mechanisms: list[Mechanism] = field(default_factory=list)
    mechanism_total: int = 0


def _listed(qs: QuerySet[Any], *order: str) -> tuple[list[Any], int]:
    """The first ``LIMIT`` records and how many there are (counted only when the list is
    full)."""
    rows = list(qs.order_by(*order)[:LIMIT])
    return rows, (len(rows) if len(rows) < LIMIT else qs.count())


def week_highlights(*, campaign: Campaign, unit: OrgUnit, period: Period) -> Highlights:
    """Four queries (a count more for a list that is full)."""
    visits = within(
        SupervisionVisit.objects.filter(
            campaign=campaign, visited_on__gte=period.monday, visited_on__lte=period.as_of
        ),
        campaign,
        unit,
    ).select_related("unit")
    cases = within(
        Case.objects.filter(
            campaign=campaign,
            state=CaseState.SELECTED,
            reviewed_at__gte=period.start,
            reviewed_at__date__lte=period.as_of,
        ),
        campaign,
        unit,
    ).select_related("unit")
    plans = within(
        SpecialPlan.objects.filter(
            campaign=campaign,
            created_at__gte=period.start,
            created_at__date__lte=period.as_of,
        ),
        campaign,
        unit,
    ).select_related("unit")
    mechanisms = within(
        Mechanism.objects.filter(
            campaign=campaign, issued_on__gte=period.monday, issued_on__lte=period.as_of
        ),
        campaign,
        unit,
    ).select_related("unit")
    visit_rows, visit_total = _listed(visits, "visited_on", "pk")
    case_rows, case_total = _listed(cases, "reviewed_at", "pk")
    plan_rows, plan_total = _listed(plans, "created_at", "pk")
    mechanism_rows, mechanism_total = _listed(mechanisms, "issued_on", "pk")
    return Highlights(
        visits=visit_rows,
        visit_total=visit_total,
        cases=case_rows,
        case_total=case_total,
        plans=plan_rows,
        plan_total=plan_total,
        mechanisms=mechanism_rows,
        mechanism_total=mechanism_total,
    )
