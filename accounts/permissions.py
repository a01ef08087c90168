"""Who may do what: the one reader of role assignments.

Every question about a user's roles is answered here, from the permission table of
``roles.py`` (``RULES``): views, services, selectors, exports, reports, tasks and menus ask
these functions and never read ``RoleAssignment`` themselves. Each rule has one
definition that serves both shapes of the question: "may he act on this record?"
(:func:`may`, in Python) and "which records may he act on?" (:func:`allowed_q`, a filter),
so a queue and the check on one of its rows cannot disagree.

A role on a unit covers the unit's subtree (``member``: the unit alone). A rule may ask
more: ``below_only`` (the record's unit lies strictly below the unit of the role, as for
a verifier above the reporting unit) and ``own_only`` (the user is the record's owner,
as for a leader and his own research). ``can`` answers by role alone, for a unit; ``may``
applies the whole rule to a record.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Q

from .roles import HOME_BY_ROLE, PERMISSIONS, RULES, STEP, Action, Role, Rule

if TYPE_CHECKING:
    from .models import OrgUnit, RoleAssignment, User


@dataclass(frozen=True)
class Grant:
    """One role of the user on one (active) unit."""

    unit_id: int
    path: str
    role: str

    def covers(self, unit_path: str, unit_id: int) -> bool:
        if self.role == Role.MEMBER:
            return unit_id == self.unit_id
        return unit_path.startswith(self.path)

    @property
    def depth(self) -> int:
        return len(self.path) // STEP


_CACHE_ATTR = "_scope_grants"


def _authenticated(user: Any) -> bool:
    return user is not None and bool(getattr(user, "is_authenticated", False))


def _superuser(user: Any) -> bool:
    return bool(getattr(user, "is_superuser", False))


def grants_of(user: Any) -> list[Grant]:
    """The user's role assignments on active units, read once per user object (so once
    per request)."""
    if not _authenticated(user):
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
        cached = _with_sectors(cached)
        setattr(user, _CACHE_ATTR, cached)
    return cached


def _with_sectors(grants: list[Grant]) -> list[Grant]:
    """A sector role on a supervising department stands for the units of the sectors it
    supervises, wherever they lie in the tree: one grant per such unit (the highest ones:
    a unit below another of the sector is already covered). One query, and only for
    someone who holds a sector role."""
    supervisors = [g.unit_id for g in grants if g.role == Role.SECTOR]
    if not supervisors:
        return grants
    from .models import OrgUnit

    tops: list[Grant] = []
    for unit_id, path in (
        OrgUnit.objects.filter(sector__supervisor_id__in=supervisors, is_active=True)
        .order_by("path")
        .values_list("id", "path")
    ):
        if not any(path.startswith(top.path) for top in tops):
            tops.append(Grant(unit_id=unit_id, path=path, role=Role.SECTOR))
    return [g for g in grants if g.role != Role.SECTOR] + tops


def forget_grants(user: Any) -> None:
    """Drop the cached grants (after the user's roles changed)."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def ancestor_paths(path: str) -> list[str]:
    """The paths of a unit and every unit above it."""
    return [path[:i] for i in range(STEP, len(path) + 1, STEP)]


# --------------------------------------------------------------------- one record, one unit


def _rule_matches(
    rule: Rule, grant: Grant, unit_path: str, unit_id: int, *, owner_id: Any, user: Any
) -> bool:
    if grant.role not in rule.roles or not grant.covers(unit_path, unit_id):
        return False
    if rule.below_only and grant.unit_id == unit_id:
        return False
    return not (rule.own_only and owner_id != user.pk)


def can(user: Any, action: Action, unit: OrgUnit) -> bool:
    """May the user do ``action`` on records of ``unit``, by his roles (a rule limited to
    the user's own records counts: he may act on the unit, on his own records)."""
    if not _authenticated(user):
        return False
    if _superuser(user):
        return True
    return any(
        _rule_matches(rule, grant, unit.path, unit.pk, owner_id=user.pk, user=user)
        for grant in grants_of(user)
        for rule in RULES[action]
    )


def may(user: Any, action: Action, record: Any) -> bool:
    """May the user do ``action`` on this record: its unit's rule, and ownership where the
    rule asks for it (the record's model names its owner in ``owner_field``)."""
    if not _authenticated(user):
        return False
    if _superuser(user):
        return True
    unit = unit_of(record)
    owner_field = owner_field_of(record)
    owner_id = getattr(record, f"{owner_field}_id", None) if owner_field else None
    return any(
        _rule_matches(rule, grant, unit.path, unit.pk, owner_id=owner_id, user=user)
        for grant in grants_of(user)
        for rule in RULES[action]
    )


def allowed_q(
    user: Any, action: Action = Action.VIEW, *, field: str = "unit", owner_field: str | None = None
) -> Q | None:
    """The filter form of :func:`may`: records whose unit (reached through ``field``; ""
    for units themselves) the user may act on, with ownership on ``owner_field`` where a
    rule asks for it. None means everything (superuser); an always-false Q means nothing.

    Without ``owner_field``, rules limited to the user's own records are left out: a
    leader may not act on every record of his unit, only on his own.
    """
    return _rules_q(user, action, field=field, owner_field=owner_field, by_role=False)


def scope_q(
    user: Any, field: str, action: Action = Action.VIEW, *, path_field: str | None = None
) -> Q | None:
    """Records whose unit the user may act on by role, as :func:`can` answers for one
    unit: rules limited to the user's own records count without the owner check (what
    he may open, not what he may change).

    ``path_field`` names a copy of the unit's path kept on the record itself (a unit's
    path never moves): the subtrees are then matched on it, without a join to the unit.
    """
    return _rules_q(
        user, action, field=field, owner_field=None, by_role=True, path_field=path_field
    )


def _rules_q(
    user: Any,
    action: Action,
    *,
    field: str,
    owner_field: str | None,
    by_role: bool,
    path_field: str | None = None,
) -> Q | None:
    if _superuser(user):
        return None
    q = Q(pk__in=[])
    if not _authenticated(user):
        return q
    prefix = f"{field}__" if field else ""
    id_field = f"{field}_id" if field else "pk"
    path_lookup = f"{path_field}__startswith" if path_field else f"{prefix}path__startswith"
    for grant in grants_of(user):
        for rule in RULES[action]:
            if grant.role not in rule.roles:
                continue
            if rule.own_only and owner_field is None and not by_role:
                continue
            if grant.role == Role.MEMBER:
                part = Q(**{id_field: grant.unit_id})
            else:
                part = Q(**{path_lookup: grant.path})
            if rule.below_only:
                part &= ~Q(**{id_field: grant.unit_id})
            if rule.own_only and not by_role:
                part &= Q(**{f"{owner_field}_id": user.pk})
            q |= part
    return q


def unit_of(record: Any) -> OrgUnit:
    """The unit a record belongs to (a unit is its own)."""
    from .models import OrgUnit

    if isinstance(record, OrgUnit):
        return record
    unit_field = getattr(type(record), "unit_field", "unit")
    value = record
    for name in unit_field.split("__"):
        value = getattr(value, name)
    return value  # type: ignore[no-any-return]


def owner_field_of(record: Any) -> str | None:
    return getattr(type(record), "owner_field", None)


# --------------------------------------------------------------------- the user's units


def acts_anywhere(user: Any, action: Action) -> bool:
    """Does the user hold a role that allows ``action`` somewhere (menus, page guards)?"""
    if not _authenticated(user):
        return False
    if _superuser(user):
        return True
    allowed = PERMISSIONS[action]
    return any(grant.role in allowed for grant in grants_of(user))


def roles_key(user: Any) -> tuple[bool, frozenset[str]]:
    """The kinds of role the user holds, wherever they are, as one hashable value: what
    :func:`acts_anywhere` and :func:`oversees_beside_tree` answer depends on it alone (the
    menu is kept by it)."""
    return (_superuser(user), frozenset(grant.role for grant in grants_of(user)))


def has_any_role(user: Any) -> bool:
    """Someone with no role anywhere sees nothing."""
    return _superuser(user) or bool(grants_of(user))


def acting_grants(user: Any, action: Action) -> list[Grant]:
    """The user's grants whose role allows ``action``, highest unit first."""
    allowed = PERMISSIONS[action]
    return sorted(
        (g for g in grants_of(user) if g.role in allowed), key=lambda g: (len(g.path), g.path)
    )


def unit_ids_for(user: Any, action: Action) -> list[int]:
    """The units on which the user holds a role allowing ``action`` (the units of the
    roles themselves, not their subtrees), highest first."""
    return [g.unit_id for g in acting_grants(user, action)]


def units_for(user: Any, action: Action) -> models.QuerySet[OrgUnit]:
    """The active units on which the user holds a role allowing ``action``."""
    from .models import OrgUnit

    return OrgUnit.objects.filter(pk__in=unit_ids_for(user, action), is_active=True)


def home_unit(user: Any, action: Action = Action.LOG) -> OrgUnit | None:
    """The unit a user usually works for: the highest unit of his roles allowing
    ``action`` (for logging: secretary, leader or office)."""
    from .models import OrgUnit

    grants = acting_grants(user, action)
    if not grants:
        return None
    return OrgUnit.objects.filter(pk=grants[0].unit_id).first()


def top_unit(user: Any, action: Action = Action.VIEW) -> OrgUnit | None:
    """The highest unit the user may act on (where a job of his is filed); the tree's
    root for a superuser."""
    from .models import OrgUnit

    if _superuser(user):
        return OrgUnit.get_root_nodes().first()  # type: ignore[no-any-return]
    return home_unit(user, action)


def top_units(user: Any, action: Action = Action.VIEW) -> list[Grant]:
    """The user's highest grants for ``action``: none lies in another's subtree."""
    tops: list[Grant] = []
    for grant in acting_grants(user, action):
        if not any(grant.path.startswith(top.path) for top in tops):
            tops.append(grant)
    return tops


def top_depth(user: Any) -> int:
    """The depth of the user's highest unit (1 for a superuser or nobody)."""
    if _superuser(user):
        return 1
    return min((g.depth for g in grants_of(user)), default=1)


def highest_within(user: Any, root: OrgUnit, action: Action = Action.VIEW) -> OrgUnit | None:
    """The unit a page opens on inside ``root``'s subtree: ``root`` itself when one of the
    user's roles covers it, else his highest unit inside it (members excluded: their role
    covers one unit only), else None."""
    from .models import OrgUnit

    if _superuser(user):
        return root
    best: Grant | None = None
    for grant in acting_grants(user, action):
        if grant.role == Role.MEMBER:
            continue
        if root.path.startswith(grant.path):
            return root
        if grant.path.startswith(root.path) and (best is None or len(grant.path) < len(best.path)):
            best = grant
    if best is None:
        return None
    return OrgUnit.objects.filter(pk=best.unit_id).first()


def covers_any(user: Any, unit: OrgUnit) -> bool:
    """Does any of the user's roles (whatever it is) cover the unit?"""
    return _superuser(user) or any(g.covers(unit.path, unit.pk) for g in grants_of(user))


def home_role(user: Any) -> str | None:
    """The role that decides the user's home page: the first he holds in the order of
    ``roles.HOME_BY_ROLE``."""
    if _superuser(user):
        return HOME_BY_ROLE[0][0]
    held = {g.role for g in grants_of(user)}
    return next((role for role, _page in HOME_BY_ROLE if role in held), None)


def home_page(user: Any) -> str | None:
    """The URL name of the user's home page (None for someone without a role)."""
    role = home_role(user)
    return next((page for held, page in HOME_BY_ROLE if held == role), None)


def scope_signature(user: Any) -> str:
    """A stable text naming the user's scope (figures cached per scope)."""
    if _superuser(user):
        return "superuser"
    return ";".join(sorted(f"{g.role}:{g.path}" for g in grants_of(user)))


def scope_paths(user: Any) -> list[str] | None:
    """The paths of the units the user's roles sit on (what he may see lies in their
    subtrees, sectors included), in order; ``None`` for a superuser (everything)."""
    if _superuser(user):
        return None
    return sorted({grant.path for grant in grants_of(user)})


def related_units_q(user: Any, *, field: str = "unit") -> Q | None:
    """Records whose unit lies above, at or below one of the user's units (campaigns run
    above him, people he may name as responsible)."""
    if _superuser(user):
        return None
    q = Q(pk__in=[])
    for grant in grants_of(user):
        q |= Q(**{f"{field}__path__in": ancestor_paths(grant.path)})
        q |= Q(**{f"{field}__path__startswith": grant.path})
    return q


# --------------------------------------------------------------------- who holds a role


def holders(
    roles: Iterable[str],
    *,
    unit_ids: Iterable[int] | None = None,
    within: OrgUnit | None = None,
    at_or_above: OrgUnit | None = None,
    kinds: Iterable[str] | None = None,
    scope: Q | None = None,
    active_only: bool = True,
) -> models.QuerySet[RoleAssignment]:
    """Role assignments of the given roles: on ``unit_ids``, in ``within``'s subtree, on
    ``at_or_above`` and its ancestors, on units of ``kinds``, inside a ``scope`` filter
    (from :func:`scope_q` over ``unit``). Active users on active units by default."""
    from .models import RoleAssignment

    qs = RoleAssignment.objects.filter(role__in=list(roles))
    if unit_ids is not None:
        qs = qs.filter(unit_id__in=list(unit_ids))
    if within is not None:
        qs = qs.filter(unit__path__startswith=within.path)
    if at_or_above is not None:
        qs = qs.filter(unit__path__in=ancestor_paths(at_or_above.path))
    if kinds is not None:
        qs = qs.filter(unit__kind__in=list(kinds))
    if scope is not None:
        qs = qs.filter(scope)
    if active_only:
        qs = qs.filter(user__is_active=True, unit__is_active=True)
    return qs


def people_holding(roles: Iterable[str], **filters: Any) -> models.QuerySet[User]:
    """Users holding one of ``roles`` under the filters of :func:`holders`, by name."""
    from .models import User

    assignments = holders(roles, **filters)
    return User.objects.filter(pk__in=assignments.values("user_id"), is_active=True).order_by(
        "full_name", "username"
    )


def holds_role_on(user: Any, role: str, unit: OrgUnit) -> bool:
    """Does the user hold ``role`` on the unit or a unit above it (read afresh, not from
    the request's cache: used when naming someone else)."""
    return holders([role], at_or_above=unit).filter(user_id=user.pk).exists()


def roles_on(user: Any, unit: OrgUnit) -> set[str]:
    """The roles of the user that cover the unit."""
    return {g.role for g in grants_of(user) if g.covers(unit.path, unit.pk)}


# --------------------------------------------------------------------- everyone's or his own


def can_all(user: Any, action: Action, unit: OrgUnit) -> bool:
    """May the user do ``action`` on every record of ``unit``, not only on his own (a rule
    not limited to the owner allows it: the office, where a leader has his own research)?"""
    if not _authenticated(user):
        return False
    if _superuser(user):
        return True
    return any(
        _rule_matches(rule, grant, unit.path, unit.pk, owner_id=user.pk, user=user)
        for grant in grants_of(user)
        for rule in RULES[action]
        if not rule.own_only
    )


def own_records_only(user: Any, action: Action) -> bool:
    """Wherever the user may do ``action``, is it on his own records only (a leader and his
    research)? True as well for someone who may not do it at all; never for a superuser."""
    if _superuser(user):
        return False
    return not any(
        grant.role in rule.roles
        for grant in grants_of(user)
        for rule in RULES[action]
        if not rule.own_only
    )


def acts_within(user: Any, action: Action, unit: OrgUnit) -> bool:
    """Does the user hold a role allowing ``action`` on the unit or on a unit below it (an
    office whose own scope would go with the unit)?"""
    allowed = PERMISSIONS[action]
    return any(g.role in allowed and g.path.startswith(unit.path) for g in grants_of(user))


# --------------------------------------------------------------------- who may act, by action


def people_who_may(action: Action, **filters: Any) -> models.QuerySet[User]:
    """Users holding a role that allows ``action`` by the permission table, under the
    filters of :func:`holders` (e.g. the people who may be named responsible leader:
    ``people_who_may(Action.LEAD, scope=related_units_q(user))``)."""
    return people_holding(PERMISSIONS[action], **filters)


# --------------------------------------------------------------------- people by duty


def holders_for(action: Action, **filters: Any) -> models.QuerySet[RoleAssignment]:
    """Role assignments whose role allows ``action`` (e.g. the leaders who owe research:
    ``holders_for(Action.LEAD, within=unit)``), under the filters of :func:`holders`."""
    return holders(PERMISSIONS[action], **filters)


def holds_for(user: Any, action: Action, unit: OrgUnit) -> bool:
    """Does the user hold a role allowing ``action`` on the unit or above it (read afresh:
    used when naming someone else, e.g. the lead of a research project)?"""
    return holders_for(action, at_or_above=unit).filter(user_id=user.pk).exists()


def secretaries_of(unit_ids: Iterable[int]) -> models.QuerySet[RoleAssignment]:
    """The secretaries of these units themselves (who answer a unit's assignments)."""
    return holders([Role.SECRETARY], unit_ids=unit_ids)


def secretaries_where(units: models.QuerySet[Any]) -> models.QuerySet[RoleAssignment]:
    """The secretaries of the units a query selects (``units``: a one-column query of unit
    ids), looked up in the same statement however many units it selects."""
    return holders([Role.SECRETARY]).filter(unit_id__in=units)


def offices_of(unit_ids: Iterable[int], *, active_only: bool = True) -> models.QuerySet[User]:
    """The office staff of these units themselves (who receive the unit's reports)."""
    return people_holding([Role.OFFICE], unit_ids=unit_ids, active_only=active_only)


def people_of_units(unit_ids: Iterable[int]) -> dict[int, list[int]]:
    """The people a unit's news goes to: the secretaries and the office of each unit
    itself (active users), as user ids by unit id."""
    found: dict[int, set[int]] = {}
    rows = holders([Role.SECRETARY, Role.OFFICE], unit_ids=unit_ids).values_list(
        "unit_id", "user_id"
    )
    for unit_id, user_id in rows:
        found.setdefault(unit_id, set()).add(user_id)
    return {unit_id: sorted(users) for unit_id, users in found.items()}


def nearest_offices_above(unit: OrgUnit, *, strictly: bool = True) -> list[int]:
    """The office staff of the nearest unit above ``unit`` (or at it, unless ``strictly``)
    that has an office: who is told that something of the unit waits for them."""
    paths = ancestor_paths(unit.path)
    if strictly:
        paths = paths[:-1]
    rows = list(
        holders([Role.OFFICE]).filter(unit__path__in=paths).values_list("unit__path", "user_id")
    )
    if not rows:
        return []
    deepest = max((path for path, _user in rows), key=len)
    return sorted({user for path, user in rows if path == deepest})


def people_in_scope_q(user: Any, action: Action) -> Q | None:
    """Users holding any role on a unit where ``user`` may do ``action`` (the people an
    office manages, whose security events it reads)."""
    return scope_q(user, "role_assignments__unit", action)


def may_manage_user(actor: Any, target: User) -> bool:
    """An office manages a person only when every role he holds lies in its scope:
    otherwise a county office could rename or reset the password of someone who also
    answers to another county or to the city."""
    from .models import RoleAssignment

    if _superuser(actor):
        return True
    if target.is_superuser:
        return False
    units = [a.unit for a in RoleAssignment.objects.filter(user=target).select_related("unit")]
    return bool(units) and all(can(actor, Action.MANAGE, unit) for unit in units)


# --------------------------------------------------------------------- beside the tree


# The roles whose units lie outside the user's own subtree: 分管 and 行业系统.
BESIDE_TREE = (Role.IN_CHARGE, Role.SECTOR)


def overseen_beside_tree(user: Any) -> list[Grant]:
    """The units a user oversees outside his own subtree (the departments of his portfolio,
    the units of the sectors his department supervises), highest first, none inside
    another."""
    tops: list[Grant] = []
    for grant in sorted(
        (g for g in grants_of(user) if g.role in BESIDE_TREE), key=lambda g: (len(g.path), g.path)
    ):
        if not any(grant.path.startswith(top.path) for top in tops):
            tops.append(grant)
    return tops


def oversees_beside_tree(user: Any) -> bool:
    """Does the user hold a portfolio (分管) or a sector scope (menus, page guards)?"""
    return bool(overseen_beside_tree(user))


def portfolios() -> list[tuple[int, str]]:
    """Every leader's portfolio (分管): (user id, path of a department in his charge), for
    the reminders that bring him its overdue work."""
    return list(holders([Role.IN_CHARGE]).values_list("user_id", "unit__path"))
