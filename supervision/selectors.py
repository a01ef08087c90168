"""Reads of supervision visits and model cases: scoped querysets with their joins done."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import BooleanField, Count, ExpressionWrapper, Q, QuerySet, When
from django.db.models import Case as Case_

from accounts import permissions
from accounts.models import OrgUnit
from accounts.permissions import scope_q
from accounts.roles import Action
from campaign.models import Campaign

from .models import (
    Case,
    CaseKind,
    CaseState,
    GuidanceNote,
    GuidanceState,
    SupervisionFinding,
    SupervisionVisit,
)


def visit_list(*, user: Any, campaign: Campaign, params: Any) -> QuerySet[SupervisionVisit]:
    """Visits of the campaign in the user's scope, newest first; ``params``: ``unit`` (a
    unit code: that unit and its subtree), ``follow_up`` (``pending``)."""
    qs = (
        SupervisionVisit.objects.visible_to(user)
        .filter(campaign=campaign)
        .select_related("unit")
        .annotate(finding_count=Count("findings"))
        .order_by("-visited_on", "-pk")
    )
    code = (params.get("unit") or "").strip()
    if code:
        unit = OrgUnit.objects.filter(code=code).only("path").first()
        qs = qs.filter(unit__path__startswith=unit.path) if unit else qs.none()
    if params.get("follow_up") == "pending":
        qs = qs.filter(follow_up_on__isnull=False, follow_up_done_on__isnull=True)
    return qs


def visit_findings(visit: SupervisionVisit) -> QuerySet[SupervisionFinding]:
    return visit.findings.select_related("problem").order_by("pk")


def follow_ups_for_units(units_queryset: QuerySet[OrgUnit], today: date) -> QuerySet[Any]:
    """Supervision follow-ups still to be made at the given units, soonest first.

    Each visit carries ``is_overdue`` (the follow-up date has passed). The to-do page of a
    unit shows these so the unit prepares for the office's return.
    """
    return (
        SupervisionVisit.objects.filter(
            unit__in=units_queryset,
            follow_up_on__isnull=False,
            follow_up_done_on__isnull=True,
        )
        .select_related("unit", "campaign")
        .annotate(
            is_overdue=ExpressionWrapper(Q(follow_up_on__lt=today), output_field=BooleanField())
        )
        .order_by("follow_up_on", "pk")
    )


def units_supervisable(*, user: Any, campaign: Campaign) -> QuerySet[OrgUnit]:
    """Units of the campaign the user may supervise (his office scope)."""
    q = scope_q(user, "", Action.SUPERVISE)
    qs = OrgUnit.objects.filter(path__startswith=campaign.root_unit.path, is_active=True)
    return qs if q is None else qs.filter(q)


def units_for_cases(*, user: Any, campaign: Campaign) -> QuerySet[OrgUnit]:
    """Units a user may submit cases for: the units he holds a writing role on."""
    if getattr(user, "is_superuser", False):
        return OrgUnit.objects.filter(pk=campaign.root_unit_id)
    ids = permissions.unit_ids_for(user, Action.LOG)
    return OrgUnit.objects.filter(
        pk__in=ids, path__startswith=campaign.root_unit.path, is_active=True
    ).order_by("path")


def case_list(*, user: Any, campaign: Campaign, params: Any) -> QuerySet[Case]:
    """Cases of the campaign the user may see; ``params``: ``state`` (default: selected
    models), ``kind`` (practices or people), ``unit`` (a unit code: that unit and its
    subtree)."""
    qs = (
        Case.objects.visible_to(user)
        .filter(campaign=campaign)
        .select_related("unit")
        .annotate(photo_count=Count("photos"))
        .order_by("-submitted_at", "-pk")
    )
    state = params.get("state") or CaseState.SELECTED
    if state in CaseState.values:
        qs = qs.filter(state=state)
    kind = params.get("kind") or ""
    if kind in CaseKind.values:  # 先进典型 or 先进个人; both when not asked
        qs = qs.filter(kind=kind)
    code = (params.get("unit") or "").strip()
    if code:
        unit = OrgUnit.objects.filter(code=code).only("path").first()
        qs = qs.filter(unit__path__startswith=unit.path) if unit else qs.none()
    return qs


def case_counts(*, user: Any, campaign: Campaign) -> dict[str, int]:
    rows = (
        Case.objects.visible_to(user)
        .filter(campaign=campaign)
        .values("state")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = {state: 0 for state in CaseState.values}
    counts.update({row["state"]: row["n"] for row in rows})
    return counts


def units_guidable(*, user: Any, campaign: Campaign) -> QuerySet[OrgUnit]:
    """Units of the campaign the 巡回指导组 may leave guidance on (its scope)."""
    q = scope_q(user, "", Action.GUIDE)
    qs = OrgUnit.objects.filter(path__startswith=campaign.root_unit.path, is_active=True)
    return qs if q is None else qs.filter(q)


def guidance_list(*, user: Any, campaign: Campaign) -> QuerySet[GuidanceNote]:
    """The guidance the user sees, open points first (the office's queue)."""
    return (
        GuidanceNote.objects.visible_to(user)
        .filter(campaign=campaign)
        .select_related("unit", "author")
        .order_by(
            Case_(When(state=GuidanceState.OPEN, then=0), default=1),
            "-given_on",
            "-pk",
        )
    )
