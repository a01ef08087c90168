"""The one way records are looked up for a user: the scope.

Every model that belongs to a unit uses ``ScopedQuerySet`` (or a subclass) and names the
field that leads to its unit in ``scope_field``. ``Model.objects.visible_to(user)`` keeps
what the user may see; ``get_object_for_user`` turns anything else into a 404, so a record
outside the scope looks exactly like one that does not exist.
"""

from __future__ import annotations

from typing import Any, Protocol, TypeVar

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import models
from django.http import Http404

from .permissions import allowed_q, can, scope_q
from .permissions import unit_of as default_unit_of
from .roles import Action


class ScopeUser(Protocol):
    pk: Any
    is_authenticated: bool
    is_superuser: bool


_QS = TypeVar("_QS", bound="ScopedQuerySet")


class ScopedQuerySet(models.QuerySet[Any]):
    """A queryset of records that belong to a unit (``scope_field`` leads to it)."""

    scope_field = "unit"

    def visible_to(self: _QS, user: Any, action: Action = Action.VIEW) -> _QS:
        if not getattr(user, "is_authenticated", False):
            return self.none()
        q = scope_q(user, self.scope_field, action)
        return self if q is None else self.filter(q)

    def allowed_for(self: _QS, user: Any, action: Action) -> _QS:
        """What the user may do ``action`` on: the scope of :meth:`visible_to` narrowed by
        ownership where the rule asks for it (the same rule as ``permissions.may``)."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        owner_field = getattr(self.model, "owner_field", None)
        q = allowed_q(user, action, field=self.scope_field, owner_field=owner_field)
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
        unit = unit_of(obj) if unit_of else default_unit_of(obj)
        if not can(user, action, unit):
            raise PermissionDenied
    return obj
