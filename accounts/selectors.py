"""Reads on units, users and roles, always through the scope."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Prefetch, Q
from django.http import Http404

from . import permissions
from .models import OrgUnit, OrgUnitQuerySet, RoleAssignment, Sector, User, UserQuerySet
from .permissions import holders
from .roles import Action, Role
from .scoping import can, get_object_for_user


def units_for(user: Any, *, search: str = "") -> OrgUnitQuerySet:
    """Units the user may see, in tree order, optionally matching a name or code."""
    qs = OrgUnit.objects.visible_to(user).select_related("sector")
    search = search.strip()
    if search:
        qs = qs.filter(models.Q(name__icontains=search) | models.Q(code__icontains=search))
    return qs.order_by("path")


def filter_units(user: Any, *, selected: Any = None) -> list[OrgUnit]:
    """The units offered in the user list's filter: the top two levels of the scope, and
    the chosen unit. Deeper units are reached from their own page."""
    visible = OrgUnit.objects.visible_to(user)
    top = visible.aggregate(top=models.Min("depth"))["top"] or 1
    shown = visible.filter(depth__lte=top + 1)
    if selected and str(selected).isdigit():
        shown = visible.filter(models.Q(depth__lte=top + 1) | models.Q(pk=selected))
    return list(shown.only("pk", "name", "path", "depth").order_by("path"))


def manageable_units(user: Any) -> OrgUnitQuerySet:
    """Units where the user may manage users and units (the office's scope)."""
    return OrgUnit.objects.visible_to(user, Action.MANAGE).order_by("path")


def get_unit_for_user(user: Any, pk: Any, *, write: bool = False) -> OrgUnit:
    """A unit in the user's scope (404 otherwise); with ``write``, 403 unless he manages it."""
    return get_object_for_user(
        OrgUnit.objects.select_related("sector"),
        user,
        pk,
        action=Action.MANAGE if write else None,
    )


def unit_parent(unit: OrgUnit) -> OrgUnit | None:
    if unit.depth <= 1:
        return None
    return OrgUnit.objects.filter(path=unit.path[: -OrgUnit.steplen]).first()


def unit_children(user: Any, unit: OrgUnit) -> OrgUnitQuerySet:
    return (
        units_for(user)
        .filter(path__startswith=unit.path, depth=unit.depth + 1)
        .select_related("sector")
    )


def unit_roles(unit: OrgUnit) -> models.QuerySet[RoleAssignment]:
    return (
        RoleAssignment.objects.filter(unit=unit)
        .select_related("user")
        .order_by("role", "user__username")
    )


def users_for(user: Any, *, unit: OrgUnit | None = None, role: str = "") -> UserQuerySet:
    """Users in the viewer's scope, optionally holding ``role`` within ``unit``'s subtree."""
    visible_units = OrgUnit.objects.visible_to(user)
    if unit is None and not role:
        qs = User.objects.visible_to(user)
    else:
        assignments = holders(
            [role] if role else Role.values,
            within=unit,
            scope=Q(unit__in=visible_units),
            active_only=False,
        )
        qs = User.objects.filter(pk__in=assignments.values("user_id"))
    return qs.prefetch_related(
        Prefetch(
            "role_assignments",
            queryset=RoleAssignment.objects.filter(unit__in=visible_units)
            .select_related("unit")
            .order_by("unit__path", "role"),
            to_attr="visible_roles",
        )
    ).order_by("username")


def get_user_for_user(actor: Any, pk: Any, *, write: bool = False) -> User:
    """A user in the actor's scope (404 otherwise); with ``write``, 403 unless managed."""
    try:
        target = User.objects.visible_to(actor).get(pk=pk)
    except (User.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if write and not permissions.may_manage_user(actor, target):
        raise PermissionDenied
    return target


def user_roles_for(actor: Any, target: User) -> list[tuple[RoleAssignment, bool]]:
    """The target's roles the actor may see, each with whether the actor may remove it."""
    visible = OrgUnit.objects.visible_to(actor)
    rows = (
        RoleAssignment.objects.filter(user=target, unit__in=visible)
        .select_related("unit")
        .order_by("unit__path", "role")
    )
    return [(a, can(actor, Action.MANAGE, a.unit)) for a in rows]


def get_role_for_user(actor: Any, pk: Any) -> RoleAssignment:
    """A role assignment on a unit the actor manages (404 when unseen, 403 when read-only)."""
    return get_object_for_user(
        RoleAssignment.objects.select_related("unit", "user"), actor, pk, action=Action.MANAGE
    )


def sectors() -> models.QuerySet[Sector]:
    return Sector.objects.order_by("name")


def units_of_class(
    units: models.QuerySet[OrgUnit],
    *,
    under: OrgUnit,
    kind: str = "",
    level: str = "",
    domain: str = "",
    special: str = "",
) -> models.QuerySet[OrgUnit]:
    """The units of a class under a unit (分类指导: "every 农村 branch under 江北区"): of
    ``under``'s subtree, those of the kind, level, field and special kind given (an empty
    one does not narrow)."""
    qs = units.filter(path__startswith=under.path)
    for name, value in (("kind", kind), ("level", level), ("domain", domain), ("special", special)):
        if value:
            qs = qs.filter(**{name: value})
    return qs


def first_responsible_for(unit: OrgUnit) -> OrgUnit | None:
    """The unit whose first responsible person (第一责任人) answers for ``unit``: the unit
    itself when it names one, else the nearest unit above that does (None without one).
    The person is its ``first_responsible``."""
    return (
        OrgUnit.objects.filter(
            path__in=permissions.ancestor_paths(unit.path), first_responsible__isnull=False
        )
        .select_related("first_responsible")
        .order_by("-depth")
        .first()
    )


def responsible_candidates(unit: OrgUnit, current: int | None = None) -> models.QuerySet[User]:
    """Who may be named a unit's first responsible person: the people who work for it or
    above it (a role that logs: secretary, leader, office), and the one named now."""
    people = permissions.people_who_may(Action.LOG, at_or_above=unit)
    return User.objects.filter(Q(pk__in=people.values("pk")) | Q(pk=current)).order_by(
        "full_name", "username"
    )
