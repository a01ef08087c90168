"""Reads of the rectification workstream: scoped querysets with the derived flags.

``problem_queryset`` applies exactly the filters of the problem list page; the ledger
export uses it so that "export these rows" exports the rows on the screen.
"""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import OrgUnit
from accounts.roles import Action
from campaign.models import Campaign

from . import rules
from .models import (
    ExtensionRequest,
    ExtensionState,
    Measure,
    MeasureState,
    Mechanism,
    Problem,
    ProblemQuerySet,
    ProblemSource,
    ProblemState,
    ProblemType,
    SpecialPlan,
)
from .rules import needs_plan_q, overdue_q, stale_q  # the flags are rules

SORTS: dict[str, tuple[str, ...]] = {
    "unit": ("unit__path", "number"),
    "deadline": ("deadline", "unit__path", "number"),
    "-deadline": ("-deadline", "unit__path", "number"),
    "discovered": ("-discovered_on", "unit__path", "number"),
    "state": ("state", "unit__path", "number"),
    "updated": ("-updated_at", "pk"),
}
FLAGS = ("needs_plan", "mass_concern", "long_unresolved", "stale")


def _has_plan() -> Exists:
    return Exists(SpecialPlan.problems.through.objects.filter(problem_id=OuterRef("pk")))


def with_flags(qs: QuerySet[Problem], *, today: date) -> QuerySet[Problem]:
    """Annotate ``is_overdue``, ``is_stale``, ``has_plan``, ``needs_plan_flag`` and the
    measure counts (done/total) without joins that multiply rows."""
    measures = Measure.objects.filter(problem_id=OuterRef("pk")).order_by().values("problem_id")
    total = measures.annotate(n=Count("pk")).values("n")
    done = measures.filter(state=MeasureState.DONE).annotate(n=Count("pk")).values("n")
    return qs.annotate(
        last_progress_before=Coalesce("last_progress_on", "discovered_on"),
        has_plan=_has_plan(),
    ).annotate(
        is_overdue=ExpressionWrapper(overdue_q(today), output_field=BooleanField()),
        is_stale=ExpressionWrapper(stale_q(today), output_field=BooleanField()),
        needs_plan_flag=ExpressionWrapper(needs_plan_q(), output_field=BooleanField()),
        measures_total=Coalesce(Subquery(total, output_field=IntegerField()), Value(0)),
        measures_done=Coalesce(Subquery(done, output_field=IntegerField()), Value(0)),
    )


def _get(params: Any, key: str) -> str:
    value = params.get(key, "") if params is not None else ""
    if isinstance(value, list):
        value = value[-1] if value else ""
    return str(value or "").strip()


def _get_list(params: Any, key: str) -> list[str]:
    if params is None:
        return []
    if hasattr(params, "getlist"):
        values = params.getlist(key)
    else:
        raw = params.get(key, [])
        values = raw if isinstance(raw, list | tuple) else [raw]
    return [str(v).strip() for v in values if str(v or "").strip()]


def problem_queryset(
    *, user: Any, campaign: Campaign | None, params: Any = None, today: date | None = None
) -> QuerySet[Problem]:
    """The problems the user may see in the campaign, filtered as the list page filters.

    params (QueryDict or dict): ``source``, ``category``, ``type``, ``state`` (may repeat;
    ``open`` means not closed or withdrawn), ``overdue=1``, ``flag`` (needs_plan,
    mass_concern, long_unresolved, stale; may repeat), ``unit`` (a unit id: its subtree),
    ``q`` (words in the description), ``sort`` (see SORTS).
    """
    today = today or timezone.localdate()
    if campaign is None:
        return Problem.objects.none()
    qs = with_flags(
        Problem.objects.visible_to(user).filter(campaign=campaign), today=today
    ).select_related(
        "unit", "responsible_leader", "responsible_person", "responsible_unit", "campaign"
    )
    if source := _get(params, "source"):
        qs = qs.filter(source=source) if source in ProblemSource.values else qs.none()
    if category := _get(params, "category"):
        qs = qs.filter(category=category)
    if type_ := _get(params, "type"):
        qs = qs.filter(type=type_) if type_ in ProblemType.values else qs.none()
    states = _get_list(params, "state")
    if states:
        wanted: set[str] = set()
        for state in states:
            if state == "open":
                wanted.update(rules.OPEN_STATES)
            elif state in ProblemState.values:
                wanted.add(state)
        qs = qs.filter(state__in=wanted)
    if _get(params, "overdue") in ("1", "true", "on", "yes"):
        qs = qs.filter(is_overdue=True)
    for flag in _get_list(params, "flag"):
        if flag == "needs_plan":
            qs = qs.filter(needs_plan_flag=True)
        elif flag == "mass_concern":
            qs = qs.filter(mass_concern=True)
        elif flag == "long_unresolved":
            qs = qs.filter(long_unresolved=True)
        elif flag == "stale":
            qs = qs.filter(is_stale=True)
    if unit_id := _get(params, "unit"):
        unit = OrgUnit.objects.filter(pk=unit_id).first() if unit_id.isdigit() else None
        qs = qs.filter(unit__path__startswith=unit.path) if unit else qs.none()
    if words := _get(params, "q"):
        qs = qs.filter(description__icontains=words[:100])
    sort = _get(params, "sort")
    return qs.order_by(*SORTS.get(sort, SORTS["unit"]))


def export_problems(*, user: Any, campaign: Campaign, filters: Any) -> QuerySet[Problem]:
    """Exactly the problem list's rows, kept to the units the user may export (the ledger
    download and its background job)."""
    qs = cast(ProblemQuerySet, problem_queryset(user=user, campaign=campaign, params=filters))
    return qs.visible_to(user, Action.EXPORT)


def problem_for_detail(*, user: Any, pk: Any, today: date | None = None) -> QuerySet[Problem]:
    today = today or timezone.localdate()
    return with_flags(Problem.objects.visible_to(user), today=today).select_related(
        "unit",
        "campaign",
        "responsible_leader",
        "responsible_person",
        "responsible_unit",
        "reported_by",
        "closed_by",
    )


def measures_of(problem: Problem) -> list[Measure]:
    return list(
        problem.measures.select_related("responsible_person").prefetch_related(
            "progress_notes__author", "evidence"
        )
    )


def timeline_of(problem: Problem) -> list[Any]:
    return list(problem.transitions.select_related("actor").order_by("-at", "-pk"))


def verify_queue(*, user: Any, campaign: Campaign | None) -> QuerySet[Problem]:
    """The problems the user may close (销号) now: the filter form of the same rule as
    ``Problem.allowed_actions`` (the workflow's states that allow closing, and the
    permission table's rule for closing: an office strictly above the reporting unit)."""
    if campaign is None:
        return Problem.objects.none()
    qs = Problem.objects.filter(
        campaign=campaign, state__in=rules.states_allowing(rules.CLOSE)
    ).allowed_for(user, rules.MOVES[rules.CLOSE].action)
    return (
        with_flags(qs, today=timezone.localdate())
        .select_related("unit", "responsible_leader", "responsible_person")
        .order_by("submitted_at", "pk")
    )


def plan_queryset(*, user: Any, campaign: Campaign | None) -> QuerySet[SpecialPlan]:
    if campaign is None:
        return SpecialPlan.objects.none()
    return (
        SpecialPlan.objects.visible_to(user)
        .filter(campaign=campaign)
        .select_related("unit", "lead")
        .annotate(
            problem_count=Count("problems", distinct=True),
            milestone_count=Count("milestones", distinct=True),
            milestones_done=Count(
                "milestones", filter=Q(milestones__done_on__isnull=False), distinct=True
            ),
        )
        .order_by("-created_at", "-pk")
    )


def mechanism_queryset(*, user: Any, campaign: Campaign | None) -> QuerySet[Mechanism]:
    if campaign is None:
        return Mechanism.objects.none()
    return (
        Mechanism.objects.visible_to(user)
        .filter(campaign=campaign)
        .select_related("unit")
        .annotate(problem_count=Count("problems", distinct=True))
        .order_by("-issued_on", "-pk")
    )


def problems_needing_plan(
    *, user: Any, campaign: Campaign | None, today: date | None = None
) -> QuerySet[Problem]:
    return problem_queryset(
        user=user, campaign=campaign, params={"flag": "needs_plan"}, today=today
    )


def extension_queue(*, user: Any, campaign: Campaign | None) -> QuerySet[ExtensionRequest]:
    """Extension requests waiting for the user's answer: pending, on problems he verifies
    (the same rule as closing: an office strictly above the reporting unit)."""
    if campaign is None:
        return ExtensionRequest.objects.none()
    problems = Problem.objects.filter(campaign=campaign).allowed_for(
        user, rules.MOVES[rules.CLOSE].action
    )
    return (
        ExtensionRequest.objects.filter(state=ExtensionState.PENDING, problem__in=problems)
        .select_related("problem", "problem__unit", "requested_by")
        .order_by("requested_at", "pk")
    )
