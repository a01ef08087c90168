"""The one way records are looked up for a user: the scope.

Every model that belongs to a unit uses ``ScopedQuerySet`` (or a subclass) and names the
field that leads to its unit in ``scope_field``. ``Model.objects.visible_to(user)`` keeps
what the user may see; ``get_object_for_user`` turns anything else into a 404, so a record
outside the scope looks exactly like one that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import models
from django.http import Http404

from .roles import PERMISSIONS, Action, Role

if TYPE_CHECKING:
    from .models import OrgUnit


class ScopeUser(Protocol):
    pk: Any
    is_authenticated: bool
    is_superuser: bool


@dataclass(frozen=True)
class Grant:
    unit_id: int
    path: str
    role: str

    def covers(self, unit_path: str, unit_id: int) -> bool:
        if self.role == Role.MEMBER:
            return unit_id == self.unit_id
        return unit_path.startswith(self.path)


_CACHE_ATTR = "_scope_grants"


def grants_of(user: Any) -> list[Grant]:
    """The user's role assignments, read once per user object (so once per request)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        from .models import RoleAssignment

        cached = [
            Grant(unit_id=unit_id, path=path, role=role)
            for unit_id, path, role in RoleAssignment.objects.filter(
                user_id=user.pk, unit__is_active=True
            ).values_list("unit_id", "unit__path", "role")
        ]
        setattr(user, _CACHE_ATTR, cached)
    return cached


def forget_grants(user: Any) -> None:
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def roles_on(user: Any, unit: OrgUnit) -> set[str]:
    return {g.role for g in grants_of(user) if g.covers(unit.path, unit.pk)}


def user_roles(user: Any) -> set[str]:
    return {g.role for g in grants_of(user)}


def can(user: Any, action: Action, unit: OrgUnit) -> bool:
    """May the user perform ``action`` on records of ``unit`` (by role, not ownership)?"""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    return bool(roles_on(user, unit) & PERMISSIONS[action])


def has_any_role(user: Any, roles: set[str] | frozenset[str]) -> bool:
    if getattr(user, "is_superuser", False):
        return True
    return bool(user_roles(user) & set(roles))


def scope_q(user: Any, field: str, action: Action = Action.VIEW) -> models.Q | None:
    """A filter for records whose unit (reached through ``field``) the user may act on.

    Returns None for "everything" (superuser); an always-false Q for nobody.
    """
    if getattr(user, "is_superuser", False):
        return None
    prefix = f"{field}__" if field else ""
    id_field = f"{field}_id" if field else "pk"
    allowed = PERMISSIONS[action]
    q = models.Q(pk__in=[])
    for grant in grants_of(user):
        if grant.role not in allowed:
            continue
        if grant.role == Role.MEMBER:
            q |= models.Q(**{id_field: grant.unit_id})
        else:
            q |= models.Q(**{f"{prefix}path__startswith": grant.path})
    return q


_QS = TypeVar("_QS", bound="ScopedQuerySet")


class ScopedQuerySet(models.QuerySet[Any]):
    """A queryset of records that belong to a unit (``scope_field`` leads to it)."""

    scope_field = "unit"

    def visible_to(self: _QS, user: Any, action: Action = Action.VIEW) -> _QS:
        if not getattr(user, "is_authenticated", False):
            return self.none()
        q = scope_q(user, self.scope_field, action)
        return self if q is None else self.filter(q)


_M = TypeVar("_M", bound=models.Model)


def get_object_for_user(
    queryset: models.QuerySet[_M] | type[_M],
    user: Any,
    pk: Any,
    *,
    action: Action | None = None,
    unit_of: Any = None,
) -> _M:
    """Fetch a record in the user's scope, or raise 404.

    With ``action``, a record the user may see but not act on raises 403 (read-only roles).
    ``unit_of`` maps the record to its unit when it is not ``obj.unit``.
    """
    qs = queryset._default_manager.all() if isinstance(queryset, type) else queryset
    visible = qs.visible_to(user)  # type: ignore[attr-defined]
    try:
        obj = visible.get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if action is not None:
        unit = unit_of(obj) if unit_of else _unit_of(obj)
        if not can(user, action, unit):
            raise PermissionDenied
    return obj


def _unit_of(obj: Any) -> OrgUnit:
    from .models import OrgUnit

    if isinstance(obj, OrgUnit):
        return obj
    return obj.unit  # type: ignore[no-any-return]
