"""Writes on units, users and roles."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth.hashers import PBKDF2PasswordHasher, get_hasher, make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from core.robots import validate_robot_url

from . import permissions
from .models import (
    OrgUnit,
    PartyMember,
    RoleAssignment,
    Sector,
    UnitDomain,
    UnitLevel,
    UnitSpecial,
    User,
)
from .permissions import acts_within, can, forget_grants
from .roles import Action, Role

# No 0/O, 1/l/I: initial passwords are read off paper and typed on phones.
_UNAMBIGUOUS_CHARACTERS = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
INITIAL_PASSWORD_LENGTH = 12


def generate_initial_password() -> str:
    """A random password with letters and digits (about 69 bits)."""
    while True:
        password = "".join(
            secrets.choice(_UNAMBIGUOUS_CHARACTERS) for _i in range(INITIAL_PASSWORD_LENGTH)
        )
        if any(c.isdigit() for c in password) and any(c.isalpha() for c in password):
            return password


class _InitialPasswordHasher(PBKDF2PasswordHasher):
    """PBKDF2 with fewer rounds, for random one-time passwords of bulk imports.

    A random 12-character password needs no million rounds to resist guessing, and a city
    of 8,000 users would otherwise take an hour to hash. The hash carries its round count,
    so Django verifies it with the normal hasher and upgrades it at the first login (which
    is also when the user must choose his own password).
    """

    iterations = 20_000


def initial_password_hash(password: str) -> str:
    if get_hasher("default").algorithm == PBKDF2PasswordHasher.algorithm:
        return make_password(password, hasher=_InitialPasswordHasher())
    return make_password(password)


def _check_robot(webhook_url: str) -> None:
    try:
        validate_robot_url(webhook_url)
    except ValidationError as exc:
        raise ValidationError({"webhook_url": exc.messages}) from None


def _require_manage(actor: Any, unit: OrgUnit) -> None:
    if actor is not None and not can(actor, Action.MANAGE, unit):
        raise PermissionDenied


@transaction.atomic
def unit_create(
    *,
    code: str,
    name: str,
    kind: str,
    parent: OrgUnit | None,
    sector: Sector | None = None,
    webhook_url: str = "",
    is_active: bool = True,
    actor: Any = None,
    level: str = "",
    domain: str = "",
    special: str = "",
) -> OrgUnit:
    """Add a unit under ``parent`` (a root when None: only the command line and the admin)."""
    if actor is not None and not actor.is_superuser:
        if parent is None:
            raise PermissionDenied
        _require_manage(actor, parent)
    if OrgUnit.objects.filter(code=code).exists():
        raise ValidationError({"code": _("A unit with this code already exists.")})
    _check_robot(webhook_url)
    fields: dict[str, Any] = {
        "code": code,
        "name": name,
        "kind": kind,
        "sector": sector,
        "webhook_url": webhook_url,
        "is_active": is_active,
        "level": level,
        "domain": domain,
        "special": special,
    }
    if parent is None:
        return OrgUnit.objects.add_root(fields)  # type: ignore[no-any-return]
    # Lock the parent so two children added at once do not get the same path.
    OrgUnit.objects.select_for_update().filter(pk=parent.pk).first()
    parent.refresh_from_db()
    return OrgUnit.objects.add_child(parent, fields)  # type: ignore[no-any-return]


@transaction.atomic
def unit_update(
    *,
    unit: OrgUnit,
    actor: Any,
    name: str,
    kind: str,
    sector: Sector | None,
    webhook_url: str,
    is_active: bool,
) -> OrgUnit:
    _require_manage(actor, unit)
    if webhook_url != unit.webhook_url:
        _check_robot(webhook_url)
    if not is_active and unit.is_active and actor is not None and not actor.is_superuser:
        # Deactivating the unit that gives the office its own scope would lock it out.
        if acts_within(actor, Action.MANAGE, unit):
            raise ValidationError(
                {"is_active": _("You cannot deactivate the unit your own office role is on.")}
            )
    unit.name = name
    unit.kind = kind
    unit.sector = sector
    unit.webhook_url = webhook_url
    unit.is_active = is_active
    unit.save(update_fields=["name", "kind", "sector", "webhook_url", "is_active"])
    return unit


@transaction.atomic
def unit_set_responsibility(
    *,
    unit: OrgUnit,
    actor: Any = None,
    level: str = "",
    domain: str = "",
    special: str = "",
    first_responsible: User | None = None,
) -> OrgUnit:
    """A unit's classes for guidance (level, field, special kind) and its first responsible
    person (第一责任人)."""
    _require_manage(actor, unit)
    errors = {}
    for name, value, choices in (
        ("level", level, UnitLevel.values),
        ("domain", domain, UnitDomain.values),
        ("special", special, UnitSpecial.values),
    ):
        if value and value not in choices:
            errors[name] = _("Choose one of the listed classes.")
    if errors:
        raise ValidationError(errors)
    unit.level, unit.domain, unit.special = level, domain, special
    unit.first_responsible = first_responsible
    unit.save(update_fields=["level", "domain", "special", "first_responsible"])
    return unit


def _require_manage_user(actor: Any, user: User) -> None:

    if actor is not None and not permissions.may_manage_user(actor, user):
        raise PermissionDenied


@transaction.atomic
def user_create(
    *,
    actor: Any,
    username: str,
    full_name: str,
    phone: str = "",
    title: str = "",
    email: str = "",
    unit: OrgUnit,
    role: str,
) -> tuple[User, str]:
    """Create a user with a first role and a random initial password, returned once.

    The user must choose his own password at the first login.
    """
    _require_manage(actor, unit)
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("This username is already taken.")})
    password = generate_initial_password()
    user = User(
        username=username,
        full_name=full_name,
        phone=phone,
        title=title,
        email=email,
        must_change_password=True,
    )
    user.set_password(password)
    user.save()
    RoleAssignment.objects.create(user=user, unit=unit, role=role)
    return user, password


@transaction.atomic
def user_update(
    *,
    actor: Any,
    user: User,
    username: str,
    full_name: str,
    phone: str,
    title: str,
    email: str,
    is_active: bool,
) -> User:
    _require_manage_user(actor, user)
    if User.objects.filter(username__iexact=username).exclude(pk=user.pk).exists():
        raise ValidationError({"username": _("This username is already taken.")})
    if actor is not None and actor.pk == user.pk and not is_active:
        raise ValidationError({"is_active": _("You cannot deactivate your own account.")})
    user.username = username
    user.full_name = full_name
    user.phone = phone
    user.title = title
    user.email = email
    user.is_active = is_active
    user.save(update_fields=["username", "full_name", "phone", "title", "email", "is_active"])
    return user


@transaction.atomic
def user_reset_password(*, actor: Any, user: User) -> str:
    """Give the user a new random password (shown once) that he must change at login."""
    _require_manage_user(actor, user)
    password = generate_initial_password()
    user.set_password(password)
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    return password


@transaction.atomic
def role_grant(*, user: User, unit: OrgUnit, role: str, actor: Any = None) -> RoleAssignment:
    _require_manage(actor, unit)
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    assignment, _created = RoleAssignment.objects.get_or_create(user=user, unit=unit, role=role)
    forget_grants(user)
    return assignment


@transaction.atomic
def role_revoke(*, assignment: RoleAssignment, actor: Any = None) -> None:
    _require_manage(actor, assignment.unit)
    user = assignment.user
    if actor is not None and not actor.is_superuser:
        if not RoleAssignment.objects.filter(user=user).exclude(pk=assignment.pk).exists():
            raise ValidationError(
                _(
                    "This is the person's last role. Deactivate the account instead, "
                    "so that it stays in the records."
                )
            )
    assignment.delete()
    forget_grants(user)


def org_import(*, fileobj: Any, name: str, size: int, actor: Any, dry_run: bool = False) -> Any:
    """Check a units/users/members workbook and, when every row is good, load it in one transaction.

    ``actor`` None is the command line (the whole tree); an office imports within its scope.
    Raises ``WorkbookRefused`` for a file that cannot be read; returns the result with
    one error per bad row otherwise (and then nothing is written).
    """
    from .org_import import OrgImportResult, check_rows, check_workbook_file, read_workbook

    check_workbook_file(fileobj, name=name, size=size)
    parsed = read_workbook(fileobj)
    plan = check_rows(parsed, actor=actor)
    if plan.errors:
        return OrgImportResult(errors=plan.errors, dry_run=dry_run)
    if dry_run:
        return _dry_run_counts(plan)
    return _apply_org_import(plan=plan, actor=actor)


def _dry_run_counts(plan: Any) -> Any:
    from .org_import import OrgImportResult

    usernames = {r.username.lower() for r in plan.parsed.users}
    new_usernames = usernames - set(plan.existing_users)
    return OrgImportResult(
        units_created=sum(1 for r in plan.parsed.units if r.code not in plan.existing_units),
        units_updated=sum(1 for r in plan.parsed.units if r.code in plan.existing_units),
        users_created=len(new_usernames),
        users_updated=len(usernames - new_usernames),
        members_added=len(plan.parsed.members),
        dry_run=True,
    )


@transaction.atomic
def _apply_org_import(*, plan: Any, actor: Any) -> Any:
    import pghistory
    from django.utils.text import slugify

    from .org_import import NewUser, OrgImportResult, _norm, parse_kind, parse_role

    result = OrgImportResult()
    with pghistory.context(user=getattr(actor, "pk", None), command="import_org"):
        # 1. Sectors named in the sheet that do not exist yet.
        for name in [r.sector for r in plan.parsed.units] + [
            r.supervises for r in plan.parsed.units
        ]:
            key = _norm(name)
            if key and key not in plan.sectors:
                code = slugify(name)[:32] or f"sector-{len(plan.sectors) + 1}"
                while Sector.objects.filter(code=code).exists():
                    code = f"{code[:26]}-{secrets.token_hex(2)}"
                plan.sectors[key] = Sector.objects.create(code=code, name=name)

        # 2. Units: existing ones updated, new ones added parents first.
        units: dict[str, OrgUnit] = dict(plan.existing_units)
        pending = []
        for row in plan.parsed.units:
            sector = plan.sectors.get(_norm(row.sector)) if row.sector else None
            kind = parse_kind(row.kind) or ""  # check_rows has refused unknown kinds
            existing = plan.existing_units.get(row.code)
            if existing is None:
                pending.append((row, kind, sector))
                continue
            level, domain, special = row.classes()
            if (
                existing.name,
                existing.kind,
                existing.sector_id,
                existing.level,
                existing.domain,
                existing.special,
            ) != (row.name, kind, sector.pk if sector else None, level, domain, special):
                existing.name, existing.kind, existing.sector = row.name, kind, sector
                existing.level, existing.domain, existing.special = level, domain, special
                existing.save(
                    update_fields=["name", "kind", "sector", "level", "domain", "special"]
                )
                result.units_updated += 1
        while pending:
            ready = [p for p in pending if not p[0].parent or p[0].parent in units]
            for row, kind, sector in ready:
                level, domain, special = row.classes()
                units[row.code] = unit_create(
                    code=row.code,
                    name=row.name,
                    kind=kind,
                    parent=units[row.parent] if row.parent else None,
                    sector=sector,
                    level=level,
                    domain=domain,
                    special=special,
                )
                result.units_created += 1
            pending = [p for p in pending if p[0].code not in units]
            if not ready:  # loops are reported by check_rows; never spin here
                break

        # 3. Users: new ones get a random password that they must change; existing ones
        #    get their profile refreshed. Then the roles.
        users: dict[str, User] = dict(plan.existing_users)
        new_users: list[User] = []
        for row in plan.parsed.users:
            key = row.username.lower()
            if key in users:
                user = users[key]
                if user.pk is not None:
                    changed = False
                    for attr, value in (
                        ("full_name", row.name),
                        ("phone", row.phone),
                        ("title", row.title),
                        ("email", row.email),
                        ("wecom_userid", row.wecom),
                        ("dingtalk_userid", row.dingtalk),
                    ):
                        if value and getattr(user, attr) != value:
                            setattr(user, attr, value)
                            changed = True
                    if changed:
                        user.save(
                            update_fields=[
                                "full_name",
                                "phone",
                                "title",
                                "email",
                                "wecom_userid",
                                "dingtalk_userid",
                            ]
                        )
                        result.users_updated += 1
                continue
            password = generate_initial_password()
            user = User(
                username=row.username,
                full_name=row.name,
                phone=row.phone,
                title=row.title,
                email=row.email,
                wecom_userid=row.wecom,
                dingtalk_userid=row.dingtalk,
                must_change_password=True,
                password=initial_password_hash(password),
            )
            users[key] = user
            new_users.append(user)
            result.new_users.append(
                NewUser(
                    username=row.username,
                    full_name=row.name,
                    unit=units[row.unit].name,
                    role=str(Role(parse_role(row.role) or Role.MEMBER).label),
                    password=password,
                )
            )
        User.objects.bulk_create(new_users, batch_size=500)
        result.users_created = len(new_users)
        wanted = {
            (users[r.username.lower()].pk, units[r.unit].pk, parse_role(r.role))
            for r in plan.parsed.users
        }
        existing_roles = set(
            RoleAssignment.objects.filter(user_id__in={w[0] for w in wanted}).values_list(
                "user_id", "unit_id", "role"
            )
        )
        to_add = [
            RoleAssignment(user_id=user_id, unit_id=unit_id, role=role)
            for user_id, unit_id, role in sorted(wanted - existing_roles)
        ]
        RoleAssignment.objects.bulk_create(to_add, batch_size=1000)
        result.roles_added = len(to_add)

        # 4. First responsible persons and the sectors' supervising departments.
        people = {
            u.username.lower(): u
            for u in User.objects.annotate(lower_name=Lower("username")).filter(
                lower_name__in={r.responsible.lower() for r in plan.parsed.units if r.responsible}
            )
        }
        for row in plan.parsed.units:
            unit = units[row.code]
            if row.responsible:
                person = people[row.responsible.lower()]  # check_rows refused unknown ones
                if unit.first_responsible_id != person.pk:
                    OrgUnit.objects.filter(pk=unit.pk).update(first_responsible=person)
            if row.supervises:
                Sector.objects.filter(pk=plan.sectors[_norm(row.supervises)].pk).update(
                    supervisor=unit
                )

        # 5. The members' roll: a member already on a unit's roll (same name) is kept as
        #    is, so importing the workbook again adds nobody twice.
        on_roll = set(
            PartyMember.objects.filter(
                unit__in=[units[m.unit] for m in plan.parsed.members], is_active=True
            ).values_list("unit_id", "name")
        )
        new_members = []
        for member in plan.parsed.members:
            unit = units[member.unit]
            if (unit.pk, member.name) in on_roll:
                continue
            on_roll.add((unit.pk, member.name))
            new_members.append(
                PartyMember(unit=unit, name=member.name, phone=member.phone, title=member.title)
            )
        PartyMember.objects.bulk_create(new_members, batch_size=1000)
        result.members_added = len(new_members)
    return result


def write_password_sheet(*, new_users: list[Any], target: Any) -> None:
    """The initial passwords of imported users, one row each, to hand out on paper."""
    from core.xlsx import Column, LedgerWriter

    writer = LedgerWriter(
        title=_("Initial passwords (change at first login)"),
        columns=[
            Column(_("Username"), 18),
            Column(_("Full name"), 14),
            Column(_("Unit"), 36),
            Column(_("Role"), 18),
            Column(_("Initial password"), 18),
        ],
        sheet_title=_("Initial passwords"),
    )
    for user in new_users:
        writer.append([user.username, user.full_name, user.unit, user.role, user.password])
    writer.save(target)


# ---------------------------------------------------------------- the members' roll


def _check_member(name: str, phone: str, title: str) -> None:
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = _("Enter the member's name.")
    elif len(name.strip()) > 64:
        errors["name"] = _("the name is longer than 64 characters")
    if len(phone.strip()) > 32:
        errors["phone"] = _("the phone number is longer than 32 characters")
    if len(title.strip()) > 64:
        errors["title"] = _("the title is longer than 64 characters")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def member_add(
    *, actor: Any, unit: OrgUnit, name: str, phone: str = "", title: str = ""
) -> PartyMember:
    """Put a member on a unit's roll (the unit's secretary or an office above it)."""
    if actor is not None and not can(actor, Action.LOG, unit):
        raise PermissionDenied
    _check_member(name, phone, title)
    return PartyMember.objects.create(
        unit=unit, name=name.strip(), phone=phone.strip(), title=title.strip()
    )


@transaction.atomic
def member_retire(*, actor: Any, member: PartyMember) -> PartyMember:
    """Take a member off the roll (moved away, transferred); his attendance stays."""
    if actor is not None and not can(actor, Action.LOG, member.unit):
        raise PermissionDenied
    member.is_active = False
    member.save(update_fields=["is_active"])
    return member


# The work platforms: a person's WeCom / DingTalk user id ------------------------------

WORK_ID_FIELDS = {"wecom": "wecom_userid", "dingtalk": "dingtalk_userid"}


def user_for_work_id(platform: str, work_id: str) -> User | None:
    """The active account linked to this platform user id; None when nobody is (an
    account is never created by signing in)."""
    if not work_id:
        return None
    field = WORK_ID_FIELDS[platform]
    return User.objects.filter(**{field: work_id}, is_active=True).first()


@transaction.atomic
def link_work_id(*, user: User, platform: str, work_id: str) -> None:
    """The person links his platform account once, after a password login; the platform
    confirmed the id. Another person's id, or a second id, is refused (the office changes
    it through the organisation import)."""
    field = WORK_ID_FIELDS[platform]
    current = getattr(user, field)
    if current == work_id:
        return
    if current:
        raise ValidationError(
            _(
                "Your account is already linked to another account of this platform. Ask "
                "your office to change it."
            )
        )
    if User.objects.filter(**{field: work_id}).exclude(pk=user.pk).exists():
        raise ValidationError(
            _("This platform account is already linked to another person. Ask your office.")
        )
    setattr(user, field, work_id)
    user.save(update_fields=[field])
