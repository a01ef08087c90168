"""Writes on units, users and roles."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from .models import OrgUnit, RoleAssignment, Sector, User
from .scoping import forget_grants


@transaction.atomic
def unit_create(
    *,
    code: str,
    name: str,
    kind: str,
    parent: OrgUnit | None,
    sector: Sector | None = None,
    webhook_url: str = "",
) -> OrgUnit:
    fields: dict[str, Any] = {
        "code": code,
        "name": name,
        "kind": kind,
        "sector": sector,
        "webhook_url": webhook_url,
    }
    if parent is None:
        return OrgUnit.objects.add_root(fields)  # type: ignore[no-any-return]
    # Lock the parent so two children added at once do not get the same path.
    OrgUnit.objects.select_for_update().filter(pk=parent.pk).first()
    parent.refresh_from_db()
    return OrgUnit.objects.add_child(parent, fields)  # type: ignore[no-any-return]


@transaction.atomic
def role_grant(*, user: User, unit: OrgUnit, role: str) -> RoleAssignment:
    assignment, _created = RoleAssignment.objects.get_or_create(user=user, unit=unit, role=role)
    forget_grants(user)
    return assignment


@transaction.atomic
def role_revoke(*, assignment: RoleAssignment) -> None:
    user = assignment.user
    assignment.delete()
    forget_grants(user)
