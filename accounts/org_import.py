"""Onboarding a city from the workbook its office already keeps: units, users and the
branches' members.

The workbook has a units sheet (code, name, kind, parent code, sector), a users sheet
(username, name, phone, unit code, role; title and email optional) and, optionally, a
members' roll (党员名册: name and unit code; phone and post optional, no username): the
members a secretary ticks when a study session is logged, with or without an account.
Headers are found by their Chinese or English names, in any column order, below any title
rows. Every row is
checked before anything is written; one bad row and nothing is written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import chain, islice
from typing import IO, Any

from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models.functions import Lower
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.workbooks import WorkbookRefused, check_workbook, not_a_workbook

from . import permissions
from .models import OrgUnit, Sector, UnitDomain, UnitKind, UnitLevel, UnitSpecial, User
from .permissions import can
from .roles import Action, Role

HEADER_SEARCH_ROWS = 15


def _norm(text: Any) -> str:
    value = str(text or "").strip().lower()
    value = value.replace("（", "(").replace("）", ")").replace("*", "").replace("＊", "")
    return re.sub(r"[\s_:：]+", "", value)


# Column aliases, normalised with _norm.
UNIT_COLUMNS: dict[str, tuple[str, ...]] = {
    "code": ("code", "unitcode", "编码", "代码", "单位编码", "组织编码", "党组织编码", "单位代码"),
    "name": ("name", "unitname", "名称", "单位名称", "组织名称", "党组织名称", "党组织全称"),
    "kind": ("kind", "type", "类型", "单位类型", "组织类型", "党组织类型", "类别"),
    "parent": (
        "parent",
        "parentcode",
        "上级编码",
        "上级单位编码",
        "上级组织编码",
        "上级党组织编码",
        "上级代码",
        "上级",
    ),
    "sector": ("sector", "行业", "系统", "行业系统", "所属系统", "所属行业"),
    # classes for guidance and the lines of responsibility (all optional)
    "level": ("level", "层级", "级别", "组织层级"),
    "domain": ("field", "domain", "领域", "所属领域", "单位领域"),
    "special": ("special", "特殊类型", "组织特点", "特殊类别"),
    "responsible": (
        "firstresponsible",
        "第一责任人",
        "第一责任人账号",
        "第一责任人用户名",
    ),
    "supervises": ("supervises", "主管行业", "主管系统", "行业主管", "主管的行业系统"),
}
UNIT_REQUIRED = ("code", "name", "kind")

USER_COLUMNS: dict[str, tuple[str, ...]] = {
    "username": ("username", "login", "用户名", "登录名", "账号", "帐号", "登录账号"),
    "name": ("name", "fullname", "姓名", "名字"),
    "phone": ("phone", "mobile", "电话", "手机", "手机号", "手机号码", "联系电话"),
    "unit": ("unit", "unitcode", "单位编码", "所在单位编码", "组织编码", "党组织编码", "单位代码"),
    "role": ("role", "角色", "权限", "身份"),
    "title": ("title", "职务", "职位"),
    "email": ("email", "e-mail", "mail", "邮箱", "电子邮箱"),
    "wecom": ("wecom", "wecomuserid", "企业微信", "企业微信账号", "企业微信userid", "政务微信账号"),
    "dingtalk": ("dingtalk", "dingtalkuserid", "钉钉", "钉钉账号", "钉钉userid"),
}
USER_REQUIRED = ("username", "name", "unit", "role")

MEMBER_COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("name", "fullname", "姓名", "党员姓名"),
    "unit": ("unit", "unitcode", "单位编码", "所在单位编码", "组织编码", "党组织编码", "单位代码"),
    "phone": USER_COLUMNS["phone"],
    "title": USER_COLUMNS["title"],
    # a sheet with a username column is the users sheet, never a roll
    "username": USER_COLUMNS["username"],
}
MEMBER_REQUIRED = ("name", "unit")

COLUMN_LABELS = {
    "code": gettext_lazy("code"),
    "name": gettext_lazy("name"),
    "kind": gettext_lazy("kind"),
    "parent": gettext_lazy("parent code"),
    "sector": gettext_lazy("sector"),
    "username": gettext_lazy("username"),
    "phone": gettext_lazy("phone"),
    "unit": gettext_lazy("unit code"),
    "role": gettext_lazy("role"),
    "title": gettext_lazy("title"),
    "email": gettext_lazy("email"),
    "wecom": gettext_lazy("WeCom user id"),
    "dingtalk": gettext_lazy("DingTalk user id"),
    "level": gettext_lazy("level"),
    "domain": gettext_lazy("field"),
    "special": gettext_lazy("special kind"),
    "responsible": gettext_lazy("first responsible person"),
    "supervises": gettext_lazy("sector supervised"),
}

KIND_ALIASES: dict[str, str] = {
    "市委": UnitKind.CITY_COMMITTEE,
    "市委员会": UnitKind.CITY_COMMITTEE,
    "县委": UnitKind.COUNTY_COMMITTEE,
    "区委": UnitKind.COUNTY_COMMITTEE,
    "县(区)委": UnitKind.COUNTY_COMMITTEE,
    "县区委": UnitKind.COUNTY_COMMITTEE,
    "县委员会": UnitKind.COUNTY_COMMITTEE,
    "区委员会": UnitKind.COUNTY_COMMITTEE,
    "部门": UnitKind.DEPARTMENT,
    "市直部门": UnitKind.DEPARTMENT,
    "市直单位": UnitKind.DEPARTMENT,
    "党组": UnitKind.DEPARTMENT,
    "党组(党委)": UnitKind.DEPARTMENT,
    "分党组": UnitKind.DEPARTMENT,
}

# The words of a Party organisation as registers write them (机关党委, 联合党支部, 村党总支,
# 临时党支部 …): a base word naming the kind, after words naming its class. Longest first.
KIND_BASES: tuple[tuple[str, str], ...] = (
    ("党工委", UnitKind.PARTY_COMMITTEE),
    ("工委", UnitKind.PARTY_COMMITTEE),
    ("党委", UnitKind.PARTY_COMMITTEE),
    ("党总支部", UnitKind.GENERAL_BRANCH),
    ("党总支", UnitKind.GENERAL_BRANCH),
    ("总支部", UnitKind.GENERAL_BRANCH),
    ("总支", UnitKind.GENERAL_BRANCH),
    ("党支部", UnitKind.BRANCH),
    ("支部", UnitKind.BRANCH),
)
# word before the base → (field, special kind)
KIND_CLASS_WORDS: tuple[tuple[str, str, str], ...] = (
    ("两新组织", "", UnitSpecial.TWO_NEW),
    ("非公企业", UnitDomain.ENTERPRISE, UnitSpecial.TWO_NEW),
    ("非公有制企业", UnitDomain.ENTERPRISE, UnitSpecial.TWO_NEW),
    ("社会组织", UnitDomain.SOCIAL, UnitSpecial.TWO_NEW),
    ("流动党员", "", UnitSpecial.MOBILE),
    ("流动", "", UnitSpecial.MOBILE),
    ("临时", "", UnitSpecial.TEMPORARY),
    ("联合", "", UnitSpecial.JOINT),
    ("机关", UnitDomain.ORGAN, ""),
    ("农村", UnitDomain.RURAL, ""),
    ("村", UnitDomain.RURAL, ""),
    ("社区", UnitDomain.COMMUNITY, ""),
    ("街道", "", ""),
    ("国有企业", UnitDomain.ENTERPRISE, ""),
    ("国企", UnitDomain.ENTERPRISE, ""),
    ("企业", UnitDomain.ENTERPRISE, ""),
    ("公司", UnitDomain.ENTERPRISE, ""),
    ("学校", UnitDomain.SCHOOL, ""),
    ("高校", UnitDomain.SCHOOL, ""),
    ("中学", UnitDomain.SCHOOL, ""),
    ("小学", UnitDomain.SCHOOL, ""),
    ("医院", UnitDomain.HOSPITAL, ""),
    ("卫生院", UnitDomain.HOSPITAL, ""),
    ("事业单位", UnitDomain.INSTITUTION, ""),
    ("基层", "", ""),
    ("乡镇", "", ""),
    ("镇", "", ""),
    ("乡", "", ""),
    ("中共", "", ""),
    ("直属", "", ""),
)
LEVEL_ALIASES: dict[str, str] = {
    "市级": UnitLevel.CITY,
    "市": UnitLevel.CITY,
    "市直": UnitLevel.CITY,
    "县级": UnitLevel.COUNTY,
    "县(区)级": UnitLevel.COUNTY,
    "县区级": UnitLevel.COUNTY,
    "县": UnitLevel.COUNTY,
    "区": UnitLevel.COUNTY,
    "乡镇级": UnitLevel.TOWNSHIP,
    "乡镇(街道)级": UnitLevel.TOWNSHIP,
    "乡镇": UnitLevel.TOWNSHIP,
    "街道": UnitLevel.TOWNSHIP,
    "村级": UnitLevel.VILLAGE,
    "村(社区)级": UnitLevel.VILLAGE,
    "村(社区)": UnitLevel.VILLAGE,
}
DOMAIN_ALIASES: dict[str, str] = {
    "机关": UnitDomain.ORGAN,
    "党政机关": UnitDomain.ORGAN,
    "农村": UnitDomain.RURAL,
    "村": UnitDomain.RURAL,
    "社区": UnitDomain.COMMUNITY,
    "城市社区": UnitDomain.COMMUNITY,
    "企业": UnitDomain.ENTERPRISE,
    "国有企业": UnitDomain.ENTERPRISE,
    "非公企业": UnitDomain.ENTERPRISE,
    "学校": UnitDomain.SCHOOL,
    "高校": UnitDomain.SCHOOL,
    "中小学": UnitDomain.SCHOOL,
    "医院": UnitDomain.HOSPITAL,
    "公立医院": UnitDomain.HOSPITAL,
    "事业单位": UnitDomain.INSTITUTION,
    "社会组织": UnitDomain.SOCIAL,
}
SPECIAL_ALIASES: dict[str, str] = {
    "两新组织": UnitSpecial.TWO_NEW,
    "两新": UnitSpecial.TWO_NEW,
    "非公企业和社会组织": UnitSpecial.TWO_NEW,
    "联合党组织": UnitSpecial.JOINT,
    "联合": UnitSpecial.JOINT,
    "临时党组织": UnitSpecial.TEMPORARY,
    "临时": UnitSpecial.TEMPORARY,
    "流动党员党组织": UnitSpecial.MOBILE,
    "流动党员": UnitSpecial.MOBILE,
}
ROLE_ALIASES: dict[str, str] = {
    "办公室": Role.OFFICE,
    "领导小组办公室": Role.OFFICE,
    "主题教育办": Role.OFFICE,
    "领导": Role.LEADER,
    "领导干部": Role.LEADER,
    "书记": Role.SECRETARY,
    "支部书记": Role.SECRETARY,
    "党组织书记": Role.SECRETARY,
    "党员": Role.MEMBER,
    "成员": Role.MEMBER,
    "只读": Role.VIEWER,
    "查看": Role.VIEWER,
    "领导小组成员": Role.VIEWER,
    "指导组": Role.VIEWER,
    "巡回指导组": Role.VIEWER,
    # lines of responsibility beside the tree: a row per department of a leader's portfolio,
    # a row for the supervising department of a sector
    "分管": Role.IN_CHARGE,
    "分管领导": Role.IN_CHARGE,
    "分管部门": Role.IN_CHARGE,
    "行业主管": Role.SECTOR,
    "行业主管部门": Role.SECTOR,
    "行业系统主管部门": Role.SECTOR,
}


def _choice(value: str, aliases: dict[str, str], choices: Any) -> str | None:
    key = _norm(value)
    if not key:
        return None
    for alias, code in aliases.items():
        if _norm(alias) == key:
            return code
    for code, label in choices:
        with translation.override("en"):
            english = _norm(label)
        if key in (_norm(code), _norm(label), english):
            return str(code)
    return None


def parse_kind(value: str) -> str | None:
    found = parse_kind_class(value)
    return found[0] if found else None


def parse_kind_class(value: str) -> tuple[str, str, str] | None:
    """The unit kind, field and special kind a register's kind word says: 机关党委 → a party
    committee of a government organ; 联合党支部 → a joint branch; 村党总支 → a rural general
    branch. None for a word that names no Party organisation."""
    kind = _choice(value, KIND_ALIASES, UnitKind.choices)
    if kind is not None:
        return kind, "", ""
    rest = _norm(value)
    for base, base_kind in KIND_BASES:
        if rest.endswith(base):
            rest, kind = rest[: -len(base)], base_kind
            break
    if kind is None:
        return None
    domain = special = ""
    while rest:
        for word, word_domain, word_special in KIND_CLASS_WORDS:
            if rest.endswith(word):
                rest = rest[: -len(word)]
                domain = domain or word_domain
                special = special or word_special
                break
        else:
            return None  # a word before the base that names no class: not a kind word
    return kind, domain, special


def parse_level(value: str) -> str | None:
    return _choice(value, LEVEL_ALIASES, UnitLevel.choices)


def parse_domain(value: str) -> str | None:
    return _choice(value, DOMAIN_ALIASES, UnitDomain.choices)


def parse_special(value: str) -> str | None:
    return _choice(value, SPECIAL_ALIASES, UnitSpecial.choices)


def parse_role(value: str) -> str | None:
    return _choice(value, ROLE_ALIASES, Role.choices)


@dataclass(frozen=True)
class RowError:
    sheet: str
    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        return _("Sheet “%(sheet)s”, row %(row)s, column “%(column)s”: %(reason)s") % {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "reason": self.reason,
        }


@dataclass
class UnitRow:
    row: int
    code: str
    name: str
    kind: str
    parent: str
    sector: str
    level: str = ""
    domain: str = ""
    special: str = ""
    responsible: str = ""
    supervises: str = ""

    def classes(self) -> tuple[str, str, str]:
        """Level, field and special kind: the columns, else what the kind word says."""
        _kind, kind_domain, kind_special = parse_kind_class(self.kind) or ("", "", "")
        return (
            parse_level(self.level) or "",
            parse_domain(self.domain) or kind_domain,
            parse_special(self.special) or kind_special,
        )


@dataclass
class UserRow:
    row: int
    username: str
    name: str
    phone: str
    unit: str
    role: str
    title: str
    email: str
    wecom: str = ""
    dingtalk: str = ""


@dataclass
class MemberRow:
    row: int
    name: str
    unit: str
    phone: str
    title: str


@dataclass
class NewUser:
    username: str
    full_name: str
    unit: str
    role: str
    password: str


@dataclass
class OrgImportResult:
    units_created: int = 0
    units_updated: int = 0
    users_created: int = 0
    users_updated: int = 0
    roles_added: int = 0
    members_added: int = 0
    errors: list[RowError] = field(default_factory=list)
    new_users: list[NewUser] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


# Reading the workbook ------------------------------------------------------------------


def check_workbook_file(fileobj: IO[bytes], *, name: str, size: int) -> None:
    """Refuse anything that is not a reasonable xlsx before openpyxl opens it (the limits
    every import shares, ``core.workbooks``)."""
    check_workbook(fileobj, name=name)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _find_header(
    rows: list[tuple[Any, ...]], columns: dict[str, tuple[str, ...]], required: tuple[str, ...]
) -> tuple[int, dict[str, int]] | None:
    aliases = {key: {_norm(a) for a in names} for key, names in columns.items()}
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        found: dict[str, int] = {}
        for col, cell in enumerate(row):
            key = _norm(cell)
            for name, names in aliases.items():
                if key in names and name not in found:
                    found[name] = col
                    break
        if all(name in found for name in required):
            return index, found
    return None


def _sheet_rows(
    rows: Iterable[tuple[Any, ...]], header_index: int, mapping: dict[str, int]
) -> Iterator[tuple[int, dict[str, str]]]:
    for index, row in enumerate(rows):
        if index <= header_index:
            continue
        values = {name: _text(row[col]) if col < len(row) else "" for name, col in mapping.items()}
        if any(values.values()):
            yield index + 1, values  # 1-based row number as Excel shows it


@dataclass
class ParsedWorkbook:
    units_sheet: str = ""
    users_sheet: str = ""
    members_sheet: str = ""
    units: list[UnitRow] = field(default_factory=list)
    users: list[UserRow] = field(default_factory=list)
    members: list[MemberRow] = field(default_factory=list)


def read_workbook(fileobj: IO[bytes]) -> ParsedWorkbook:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(fileobj, read_only=True, data_only=True)
    except Exception:
        raise not_a_workbook() from None
    parsed = ParsedWorkbook()
    try:
        for sheet in workbook.worksheets:
            # Read-only mode, row by row: only the rows searched for a header are held.
            stream = sheet.iter_rows(values_only=True)
            head = [tuple(r) for r in islice(stream, HEADER_SEARCH_ROWS)]
            rows = chain(head, stream)
            if not parsed.units_sheet:
                header = _find_header(head, UNIT_COLUMNS, UNIT_REQUIRED)
                if header is not None:
                    parsed.units_sheet = sheet.title
                    for number, values in _sheet_rows(rows, *header):
                        parsed.units.append(
                            UnitRow(
                                row=number,
                                code=values["code"],
                                name=values["name"],
                                kind=values["kind"],
                                parent=values.get("parent", ""),
                                sector=values.get("sector", ""),
                                level=values.get("level", ""),
                                domain=values.get("domain", ""),
                                special=values.get("special", ""),
                                responsible=values.get("responsible", ""),
                                supervises=values.get("supervises", ""),
                            )
                        )
                    continue
            if not parsed.users_sheet:
                header = _find_header(head, USER_COLUMNS, USER_REQUIRED)
                if header is not None:
                    parsed.users_sheet = sheet.title
                    for number, values in _sheet_rows(rows, *header):
                        parsed.users.append(
                            UserRow(
                                row=number,
                                username=values["username"],
                                name=values["name"],
                                phone=values.get("phone", ""),
                                unit=values["unit"],
                                role=values["role"],
                                title=values.get("title", ""),
                                email=values.get("email", ""),
                                wecom=values.get("wecom", ""),
                                dingtalk=values.get("dingtalk", ""),
                            )
                        )
                    continue
            if not parsed.members_sheet:
                header = _find_header(head, MEMBER_COLUMNS, MEMBER_REQUIRED)
                if header is not None and "username" not in header[1]:
                    parsed.members_sheet = sheet.title
                    for number, values in _sheet_rows(rows, *header):
                        parsed.members.append(
                            MemberRow(
                                row=number,
                                name=values["name"],
                                unit=values["unit"],
                                phone=values.get("phone", ""),
                                title=values.get("title", ""),
                            )
                        )
    finally:
        workbook.close()
    if not parsed.units_sheet and not parsed.users_sheet and not parsed.members_sheet:
        raise WorkbookRefused(
            _(
                "No units or users sheet was found. The units sheet needs the columns code, "
                "name and kind; the users sheet needs username, name, unit code and role."
            )
        )
    return parsed


# Checking the rows ---------------------------------------------------------------------


@dataclass
class Plan:
    parsed: ParsedWorkbook
    existing_units: dict[str, OrgUnit]
    existing_users: dict[str, User]
    sectors: dict[str, Sector]
    errors: list[RowError] = field(default_factory=list)


def _manages(actor: Any, unit: OrgUnit) -> bool:
    return actor is None or can(actor, Action.MANAGE, unit)


def check_rows(parsed: ParsedWorkbook, *, actor: Any) -> Plan:
    """Every problem of every row, without writing anything."""

    unit_codes = [u.code for u in parsed.units] + [u.unit for u in parsed.users]
    unit_codes += [m.unit for m in parsed.members]
    unit_codes += [u.parent for u in parsed.units if u.parent]
    existing_units = {u.code: u for u in OrgUnit.objects.filter(code__in=set(unit_codes))}
    usernames = {u.username.lower() for u in parsed.users if u.username}
    existing_users = {
        u.username.lower(): u
        for u in User.objects.annotate(lower_name=Lower("username")).filter(
            lower_name__in=usernames
        )
    }
    parent_paths = {u.path[: -OrgUnit.steplen] for u in existing_units.values() if u.depth > 1}
    parent_codes = dict(OrgUnit.objects.filter(path__in=parent_paths).values_list("path", "code"))
    sectors: dict[str, Sector] = {}
    for sector in Sector.objects.all():
        sectors[_norm(sector.code)] = sector
        sectors[_norm(sector.name)] = sector
    plan = Plan(parsed, existing_units, existing_users, sectors)
    errors = plan.errors
    superuser = actor is None or actor.is_superuser

    def err(sheet: str, row: int, column: str, reason: str) -> None:
        errors.append(RowError(sheet, row, str(COLUMN_LABELS[column]), reason))

    sheet = parsed.units_sheet
    in_file: dict[str, UnitRow] = {}
    city_wide = superuser or all(_manages(actor, root) for root in OrgUnit.objects.get_root_nodes())
    responsible = {u.responsible.lower() for u in parsed.units if u.responsible}
    known_people = {u.username.lower() for u in parsed.users if u.username} | {
        name.lower()
        for name in User.objects.annotate(lower_name=Lower("username"))
        .filter(lower_name__in=responsible)
        .values_list("username", flat=True)
    }
    for row in parsed.units:
        if not row.code:
            err(sheet, row.row, "code", _("the code is empty"))
        elif len(row.code) > 32:
            err(sheet, row.row, "code", _("the code is longer than 32 characters"))
        elif row.code in in_file:
            err(
                sheet,
                row.row,
                "code",
                _("code “%(code)s” already appears in row %(row)s")
                % {"code": row.code, "row": in_file[row.code].row},
            )
        else:
            in_file[row.code] = row
        if not row.name:
            err(sheet, row.row, "name", _("the name is empty"))
        elif len(row.name) > 128:
            err(sheet, row.row, "name", _("the name is longer than 128 characters"))
        if parse_kind(row.kind) is None:
            err(
                sheet,
                row.row,
                "kind",
                _(
                    "unknown kind “%(value)s”; use city, county, department, committee, "
                    "general_branch or branch, or a kind as registers write it in Chinese"
                )
                % {"value": row.kind},
            )
        for column, parse in (
            ("level", parse_level),
            ("domain", parse_domain),
            ("special", parse_special),
        ):
            value = getattr(row, column)
            if value and parse(value) is None:
                err(sheet, row.row, column, _("unknown class “%(value)s”") % {"value": value})
        if row.supervises and not city_wide:
            # a sector scope reaches across the whole tree: only the city names its supervisor
            err(
                sheet,
                row.row,
                "supervises",
                _("only the city's office names the supervising department of a sector"),
            )
        if row.responsible and row.responsible.lower() not in known_people:
            err(
                sheet,
                row.row,
                "responsible",
                _("“%(value)s” is neither a username of the users sheet nor of the system")
                % {"value": row.responsible},
            )
        existing = existing_units.get(row.code)
        if existing is not None:
            if not _manages(actor, existing):
                err(
                    sheet,
                    row.row,
                    "code",
                    _("unit “%(code)s” is outside your scope") % {"code": row.code},
                )
            current_parent = (
                parent_codes.get(existing.path[: -OrgUnit.steplen]) if existing.depth > 1 else None
            )
            if (row.parent or None) != current_parent:
                err(
                    sheet,
                    row.row,
                    "parent",
                    _(
                        "unit “%(code)s” already exists under “%(parent)s”; the import does "
                        "not move units"
                    )
                    % {"code": row.code, "parent": current_parent or "—"},
                )
            continue
        if not row.parent:
            if not superuser:
                err(sheet, row.row, "parent", _("the parent code is empty"))
        elif row.parent == row.code:
            err(sheet, row.row, "parent", _("a unit cannot be its own parent"))
        elif row.parent in existing_units:
            if not _manages(actor, existing_units[row.parent]):
                err(
                    sheet,
                    row.row,
                    "parent",
                    _("parent unit “%(code)s” is outside your scope") % {"code": row.parent},
                )
        elif row.parent not in {u.code for u in parsed.units}:
            err(
                sheet,
                row.row,
                "parent",
                _("parent code “%(code)s” is neither in the sheet nor in the system")
                % {"code": row.parent},
            )
    for row in parsed.units:
        if row.code in in_file and row.code not in existing_units and _in_cycle(row, in_file):
            err(sheet, row.row, "parent", _("the parent codes form a loop"))

    sheet = parsed.users_sheet
    validator = UnicodeUsernameValidator()
    work_ids: dict[str, dict[str, str]] = {"wecom": {}, "dingtalk": {}}
    taken = _linked_work_ids(parsed.users)
    for person in parsed.users:
        if not person.username:
            err(sheet, person.row, "username", _("the username is empty"))
        else:
            try:
                validator(person.username)
                if len(person.username) > 150:
                    raise ValidationError("too long")
            except ValidationError:
                err(
                    sheet,
                    person.row,
                    "username",
                    _(
                        "“%(value)s” is not a valid username (letters, digits and @ . + - _ "
                        "only, at most 150)"
                    )
                    % {"value": person.username},
                )
            user = existing_users.get(person.username.lower())
            if user is not None and not (superuser or permissions.may_manage_user(actor, user)):
                err(
                    sheet,
                    person.row,
                    "username",
                    _("user “%(value)s” already exists outside your scope")
                    % {"value": person.username},
                )
        if not person.name:
            err(sheet, person.row, "name", _("the name is empty"))
        elif len(person.name) > 64:
            err(sheet, person.row, "name", _("the name is longer than 64 characters"))
        if len(person.phone) > 32:
            err(sheet, person.row, "phone", _("the phone number is longer than 32 characters"))
        if len(person.title) > 64:
            err(sheet, person.row, "title", _("the title is longer than 64 characters"))
        for column in ("wecom", "dingtalk"):
            work_id = getattr(person, column)
            if not work_id:
                continue
            if len(work_id) > 64:
                err(sheet, person.row, column, _("the user id is longer than 64 characters"))
            elif work_ids[column].setdefault(work_id, person.username) != person.username:
                err(
                    sheet,
                    person.row,
                    column,
                    _("user id “%(value)s” is given to two people") % {"value": work_id},
                )
            elif taken[column].get(work_id, person.username.lower()) != person.username.lower():
                err(
                    sheet,
                    person.row,
                    column,
                    _("user id “%(value)s” is already linked to another account")
                    % {"value": work_id},
                )
        if person.email:
            try:
                validate_email(person.email)
            except ValidationError:
                err(
                    sheet,
                    person.row,
                    "email",
                    _("“%(value)s” is not an email address") % {"value": person.email},
                )
        if not person.unit:
            err(sheet, person.row, "unit", _("the unit code is empty"))
        elif person.unit in existing_units:
            if not _manages(actor, existing_units[person.unit]):
                err(
                    sheet,
                    person.row,
                    "unit",
                    _("unit “%(code)s” is outside your scope") % {"code": person.unit},
                )
        elif person.unit not in in_file:
            err(
                sheet,
                person.row,
                "unit",
                _("unit code “%(code)s” is neither in the units sheet nor in the system")
                % {"code": person.unit},
            )
        if parse_role(person.role) is None:
            err(
                sheet,
                person.row,
                "role",
                _("unknown role “%(value)s”; use office, leader, secretary, member or viewer")
                % {"value": person.role},
            )

    sheet = parsed.members_sheet
    for member in parsed.members:
        if not member.name:
            err(sheet, member.row, "name", _("the name is empty"))
        elif len(member.name) > 64:
            err(sheet, member.row, "name", _("the name is longer than 64 characters"))
        if len(member.phone) > 32:
            err(sheet, member.row, "phone", _("the phone number is longer than 32 characters"))
        if len(member.title) > 64:
            err(sheet, member.row, "title", _("the title is longer than 64 characters"))
        if not member.unit:
            err(sheet, member.row, "unit", _("the unit code is empty"))
        elif member.unit in existing_units:
            if not _manages(actor, existing_units[member.unit]):
                err(
                    sheet,
                    member.row,
                    "unit",
                    _("unit “%(code)s” is outside your scope") % {"code": member.unit},
                )
        elif member.unit not in in_file:
            err(
                sheet,
                member.row,
                "unit",
                _("unit code “%(code)s” is neither in the units sheet nor in the system")
                % {"code": member.unit},
            )
    return plan


def _in_cycle(row: UnitRow, in_file: dict[str, UnitRow]) -> bool:
    seen = {row.code}
    current = row
    while current.parent and current.parent in in_file:
        if current.parent in seen:
            return True
        seen.add(current.parent)
        current = in_file[current.parent]
    return False


def _linked_work_ids(rows: list[UserRow]) -> dict[str, dict[str, str]]:
    """The platform user ids of the file already linked to an account: id → username."""
    found: dict[str, dict[str, str]] = {"wecom": {}, "dingtalk": {}}
    for column, name in (("wecom", "wecom_userid"), ("dingtalk", "dingtalk_userid")):
        ids = {getattr(r, column) for r in rows if getattr(r, column)}
        if ids:
            pairs = User.objects.filter(**{f"{name}__in": ids}).values_list(name, "username")
            found[column] = {work_id: username.lower() for work_id, username in pairs}
    return found
