"""What every figure shares: the records of a unit's subtree, its units one level down,
and how a share is written."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import QuerySet
from django.db.models.functions import Substr

from accounts.models import OrgUnit
from campaign.models import Campaign

TREND_WEEKS = 8  # weeks shown in a trend, the period's week last

_QS = TypeVar("_QS", bound=QuerySet[Any])


def rate(part: int, whole: int) -> float:
    """A share in percent with one decimal; 0.0 when there is nothing to share."""
    return round(100 * part / whole, 1) if whole else 0.0


def within(qs: _QS, campaign: Campaign, unit: OrgUnit) -> _QS:
    """Records of the unit's subtree; at the campaign's root every record is in it, so the
    join to the units is left out."""
    if unit.pk == campaign.root_unit_id:
        return qs
    return qs.filter(unit__path__startswith=unit.path)


def children(unit: OrgUnit) -> list[OrgUnit]:
    """The active units one level down, in tree order."""
    return list(
        OrgUnit.objects.filter(
            path__startswith=unit.path, depth=unit.depth + 1, is_active=True
        ).order_by("path")
    )


def child_key(unit: OrgUnit) -> Substr:
    """The path of the unit one level below ``unit`` that a record's unit lies under: the
    prefix of its materialised path, so one grouped query counts every child's subtree."""
    return Substr("unit__path", 1, OrgUnit.steplen * (unit.depth + 1))


def grouped_by_child(
    qs: QuerySet[Any], unit: OrgUnit, aggregates: dict[str, Any]
) -> dict[str, dict[str, Any]]:
    """``aggregates`` over the records below ``unit`` (its own records left out), one row
    per child's path (one query)."""
    rows = (
        qs.filter(unit__path__startswith=unit.path, unit__depth__gt=unit.depth)
        .annotate(branch=child_key(unit))
        .values("branch")
        .annotate(**aggregates)
        .order_by()
    )
    return {row.pop("branch"): row for row in rows}
