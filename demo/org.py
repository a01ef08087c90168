"""The fictional city of the demo: units, sectors and the demo users."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import transaction

from accounts.models import OrgUnit, Sector, UnitDomain, UnitKind, UnitLevel, UnitSpecial, User
from accounts.roles import Role
from accounts.services import role_grant, unit_create, unit_set_responsibility

DEMO_PASSWORD = "Demo@2026"  # noqa: S105 - documented demo password

SECTORS = [
    ("education", "教育系统"),
    ("health", "卫生健康系统"),
    ("transport", "交通运输系统"),
    ("ecology", "生态环境系统"),
]

# code, name, kind, parent code, sector code
UNITS: list[tuple[str, str, str, str | None, str | None]] = [
    ("JZ", "中共江州市委员会", UnitKind.CITY_COMMITTEE, None, None),
    ("JZ-JB", "中共江州市江北区委员会", UnitKind.COUNTY_COMMITTEE, "JZ", None),
    ("JZ-JB-HX", "中共江北区河西街道工作委员会", UnitKind.PARTY_COMMITTEE, "JZ-JB", None),
    ("JZ-JB-HX-01", "河西街道滨江社区党支部", UnitKind.BRANCH, "JZ-JB-HX", None),
    ("JZ-JB-HX-02", "河西街道柳岸社区党支部", UnitKind.BRANCH, "JZ-JB-HX", None),
    ("JZ-JB-HX-03", "河西街道机关党支部", UnitKind.BRANCH, "JZ-JB-HX", None),
    ("JZ-JB-DS", "中共江北区东升镇委员会", UnitKind.PARTY_COMMITTEE, "JZ-JB", None),
    ("JZ-JB-DS-01", "东升镇桃园村党支部", UnitKind.BRANCH, "JZ-JB-DS", None),
    ("JZ-JB-DS-02", "东升镇石桥村党支部", UnitKind.BRANCH, "JZ-JB-DS", None),
    ("JZ-NH", "中共南湖县委员会", UnitKind.COUNTY_COMMITTEE, "JZ", None),
    ("JZ-NH-QS", "中共南湖县青石镇委员会", UnitKind.PARTY_COMMITTEE, "JZ-NH", None),
    ("JZ-NH-QS-01", "青石镇山前村党支部", UnitKind.BRANCH, "JZ-NH-QS", None),
    ("JZ-NH-QS-02", "青石镇荷塘村党支部", UnitKind.BRANCH, "JZ-NH-QS", None),
    ("JZ-NH-ZX", "南湖县中学党总支", UnitKind.GENERAL_BRANCH, "JZ-NH", "education"),
    ("JZ-NH-ZX-01", "南湖县中学第一党支部", UnitKind.BRANCH, "JZ-NH-ZX", "education"),
    ("JZ-LS", "中共临山县委员会", UnitKind.COUNTY_COMMITTEE, "JZ", None),
    ("JZ-LS-GX", "中共临山县高新园区工作委员会", UnitKind.PARTY_COMMITTEE, "JZ-LS", None),
    ("JZ-LS-GX-01", "高新园区企业联合党支部", UnitKind.BRANCH, "JZ-LS-GX", None),
    ("JZ-LS-GX-02", "高新园区机关党支部", UnitKind.BRANCH, "JZ-LS-GX", None),
    ("JZ-JY", "中共江州市教育局党组", UnitKind.DEPARTMENT, "JZ", "education"),
    ("JZ-JY-01", "市教育局机关第一党支部", UnitKind.BRANCH, "JZ-JY", "education"),
    ("JZ-WJ", "中共江州市卫生健康委员会党组", UnitKind.DEPARTMENT, "JZ", "health"),
    ("JZ-WJ-01", "市卫健委机关党支部", UnitKind.BRANCH, "JZ-WJ", "health"),
    ("JZ-JT", "中共江州市交通运输局党组", UnitKind.DEPARTMENT, "JZ", "transport"),
    ("JZ-JT-01", "市交通运输局机关党支部", UnitKind.BRANCH, "JZ-JT", "transport"),
    ("JZ-HB", "中共江州市生态环境局党组", UnitKind.DEPARTMENT, "JZ", "ecology"),
    ("JZ-HB-01", "市生态环境局机关党支部", UnitKind.BRANCH, "JZ-HB", "ecology"),
    # the schools of the other counties, the city government's party group (the vice-mayor's
    # unit) and two member units of the leading group
    ("JZ-JB-SX", "江北区实验小学党支部", UnitKind.BRANCH, "JZ-JB", "education"),
    ("JZ-LS-YZ", "临山县第一中学党支部", UnitKind.BRANCH, "JZ-LS", "education"),
    ("JZ-ZF", "中共江州市人民政府党组", UnitKind.DEPARTMENT, "JZ", None),
    ("JZ-XC", "中共江州市委宣传部", UnitKind.DEPARTMENT, "JZ", None),
    ("JZ-JW", "中共江州市纪委监委机关", UnitKind.DEPARTMENT, "JZ", None),
]

# 分类指导: each unit's class (level, field, special kind), as the office's register has it
CLASSES: dict[str, tuple[str, str, str]] = {
    "JZ": (UnitLevel.CITY, UnitDomain.ORGAN, ""),
    "JZ-JB": (UnitLevel.COUNTY, UnitDomain.ORGAN, ""),
    "JZ-JB-HX": (UnitLevel.TOWNSHIP, UnitDomain.COMMUNITY, ""),
    "JZ-JB-HX-01": (UnitLevel.VILLAGE, UnitDomain.COMMUNITY, ""),
    "JZ-JB-HX-02": (UnitLevel.VILLAGE, UnitDomain.COMMUNITY, ""),
    "JZ-JB-HX-03": (UnitLevel.TOWNSHIP, UnitDomain.ORGAN, ""),
    "JZ-JB-DS": (UnitLevel.TOWNSHIP, UnitDomain.RURAL, ""),
    "JZ-JB-DS-01": (UnitLevel.VILLAGE, UnitDomain.RURAL, ""),
    "JZ-JB-DS-02": (UnitLevel.VILLAGE, UnitDomain.RURAL, ""),
    "JZ-JB-SX": (UnitLevel.COUNTY, UnitDomain.SCHOOL, ""),
    "JZ-NH": (UnitLevel.COUNTY, UnitDomain.ORGAN, ""),
    "JZ-NH-QS": (UnitLevel.TOWNSHIP, UnitDomain.RURAL, ""),
    "JZ-NH-QS-01": (UnitLevel.VILLAGE, UnitDomain.RURAL, ""),
    "JZ-NH-QS-02": (UnitLevel.VILLAGE, UnitDomain.RURAL, ""),
    "JZ-NH-ZX": (UnitLevel.COUNTY, UnitDomain.SCHOOL, ""),
    "JZ-NH-ZX-01": (UnitLevel.COUNTY, UnitDomain.SCHOOL, ""),
    "JZ-LS": (UnitLevel.COUNTY, UnitDomain.ORGAN, ""),
    "JZ-LS-GX": (UnitLevel.TOWNSHIP, UnitDomain.ENTERPRISE, ""),
    "JZ-LS-GX-01": (UnitLevel.TOWNSHIP, UnitDomain.ENTERPRISE, UnitSpecial.TWO_NEW),
    "JZ-LS-GX-02": (UnitLevel.TOWNSHIP, UnitDomain.ORGAN, ""),
    "JZ-LS-YZ": (UnitLevel.COUNTY, UnitDomain.SCHOOL, ""),
    "JZ-JY": (UnitLevel.CITY, UnitDomain.ORGAN, ""),
    "JZ-JY-01": (UnitLevel.CITY, UnitDomain.ORGAN, ""),
    "JZ-WJ": (UnitLevel.CITY, UnitDomain.ORGAN, ""),
    "JZ-WJ-01": (UnitLevel.CITY, UnitDomain.ORGAN, ""),
    "JZ-JT": (UnitLevel.CITY, UnitDomain.ORGAN, ""),
    "JZ-JT-01": (UnitLevel.CITY, UnitDomain.ORGAN, ""),
    "JZ-HB": (UnitLevel.CITY, UnitDomain.ORGAN, ""),
    "JZ-HB-01": (UnitLevel.CITY, UnitDomain.ORGAN, ""),
    "JZ-ZF": (UnitLevel.CITY, UnitDomain.ORGAN, ""),
    "JZ-XC": (UnitLevel.CITY, UnitDomain.ORGAN, ""),
    "JZ-JW": (UnitLevel.CITY, UnitDomain.ORGAN, ""),
}

# 行业系统主管部门: the department that supervises each sector
SUPERVISORS = {"education": "JZ-JY", "health": "JZ-WJ", "transport": "JZ-JT", "ecology": "JZ-HB"}

# username, full name, title, unit code, role — the first five are the documented demo users
# (README.md); seed_demo prints them all
USERS: list[tuple[str, str, str, str, str]] = [
    ("office", "王海燕", "市委主题教育领导小组办公室副主任", "JZ", Role.OFFICE),
    ("county_office", "李建国", "江北区委主题教育领导小组办公室主任", "JZ-JB", Role.OFFICE),
    ("leader", "陈志远", "市委常委、组织部部长", "JZ", Role.LEADER),
    ("secretary", "赵丽华", "滨江社区党支部书记", "JZ-JB-HX-01", Role.SECRETARY),
    ("viewer", "周明", "省委巡回指导组成员", "JZ", Role.VIEWER),
    ("nh_office", "孙伟", "南湖县委主题教育领导小组办公室主任", "JZ-NH", Role.OFFICE),
    ("ls_office", "钱芳", "临山县委主题教育领导小组办公室主任", "JZ-LS", Role.OFFICE),
    ("jy_office", "邵红梅", "市教育局党组主题教育领导小组办公室主任", "JZ-JY", Role.OFFICE),
    ("wj_office", "蒋文斌", "市卫健委党组主题教育领导小组办公室主任", "JZ-WJ", Role.OFFICE),
    ("jt_office", "陆海波", "市交通运输局党组主题教育领导小组办公室主任", "JZ-JT", Role.OFFICE),
    ("hb_office", "汪晓琴", "市生态环境局党组主题教育领导小组办公室主任", "JZ-HB", Role.OFFICE),
    ("jb_leader", "吴强", "江北区委书记", "JZ-JB", Role.LEADER),
    ("nh_leader", "郑卫东", "南湖县委书记", "JZ-NH", Role.LEADER),
    ("ls_leader", "冯晓东", "临山县县长", "JZ-LS", Role.LEADER),
    ("city_leader2", "黄立新", "副市长", "JZ", Role.LEADER),
    ("sec_liuan", "刘洋", "柳岸社区党支部书记", "JZ-JB-HX-02", Role.SECRETARY),
    ("sec_hxjg", "何静", "河西街道机关党支部书记", "JZ-JB-HX-03", Role.SECRETARY),
    ("sec_taoyuan", "马春生", "桃园村党支部书记", "JZ-JB-DS-01", Role.SECRETARY),
    ("sec_shiqiao", "罗永红", "石桥村党支部书记", "JZ-JB-DS-02", Role.SECRETARY),
    ("sec_shanqian", "高德明", "山前村党支部书记", "JZ-NH-QS-01", Role.SECRETARY),
    ("sec_hetang", "林秀英", "荷塘村党支部书记", "JZ-NH-QS-02", Role.SECRETARY),
    ("sec_nhzx", "谢文", "南湖县中学第一党支部书记", "JZ-NH-ZX-01", Role.SECRETARY),
    ("sec_gxqy", "宋佳", "高新园区企业联合党支部书记", "JZ-LS-GX-01", Role.SECRETARY),
    ("sec_gxjg", "唐磊", "高新园区机关党支部书记", "JZ-LS-GX-02", Role.SECRETARY),
    ("sec_jy", "韩冬梅", "市教育局机关第一党支部书记", "JZ-JY-01", Role.SECRETARY),
    ("sec_wj", "曹阳", "市卫健委机关党支部书记", "JZ-WJ-01", Role.SECRETARY),
    ("sec_jt", "彭涛", "市交通运输局机关党支部书记", "JZ-JT-01", Role.SECRETARY),
    ("sec_hb", "董琳", "市生态环境局机关党支部书记", "JZ-HB-01", Role.SECRETARY),
    ("member", "袁小峰", "滨江社区党员", "JZ-JB-HX-01", Role.MEMBER),
    ("vice_mayor", "许文华", "副市长（分管交通运输、生态环境）", "JZ-ZF", Role.LEADER),
    ("xc_office", "田静", "市委宣传部办公室主任", "JZ-XC", Role.OFFICE),
    ("jw_office", "孔德明", "市纪委监委机关党委办公室主任", "JZ-JW", Role.OFFICE),
    ("sec_jbsx", "沈晓燕", "江北区实验小学党支部书记", "JZ-JB-SX", Role.SECRETARY),
    ("sec_lsyz", "袁志刚", "临山县第一中学党支部书记", "JZ-LS-YZ", Role.SECRETARY),
]

# The lines of responsibility beside the tree: the vice-mayor's portfolio (分管) and the
# sector scope of the supervising departments' offices (行业系统).
BESIDE_TREE: list[tuple[str, str, str]] = [
    ("vice_mayor", "JZ-JT", Role.IN_CHARGE),
    ("vice_mayor", "JZ-HB", Role.IN_CHARGE),
    ("jy_office", "JZ-JY", Role.SECTOR),
    ("wj_office", "JZ-WJ", Role.SECTOR),
]

# 第一责任人: the principal responsible comrade of each party committee
FIRST_RESPONSIBLE = {"JZ-JB": "jb_leader", "JZ-NH": "nh_leader", "JZ-LS": "ls_leader"}

DEMO_LOGINS = USERS[:5]

PARENT: dict[str, str | None] = {code: parent for code, _name, _kind, parent, _sector in UNITS}


def _on_unit(unit_code: str, role: str) -> str | None:
    return next((u[0] for u in USERS if u[3] == unit_code and u[4] == role), None)


def keeper_of(unit_code: str) -> str:
    """Who keeps a unit's records in the demo: a branch's secretary; for a committee or a
    bureau's party group, its leadership-group office; else the office above."""
    return (
        _on_unit(unit_code, Role.SECRETARY)
        or _on_unit(unit_code, Role.OFFICE)
        or office_above(unit_code)
    )


def office_above(unit_code: str) -> str:
    """The leadership-group office on the nearest unit strictly above (who verifies)."""
    parent = PARENT[unit_code]
    while parent is not None:
        office = _on_unit(parent, Role.OFFICE)
        if office is not None:
            return office
        parent = PARENT[parent]
    raise LookupError(f"no office above {unit_code}")


def leader_over(unit_code: str) -> str:
    """The leader on the unit or the nearest unit above: who answers for its work."""
    code: str | None = unit_code
    while code is not None:
        leader = _on_unit(code, Role.LEADER)
        if leader is not None:
            return leader
        code = PARENT[code]
    raise LookupError(f"no leader over {unit_code}")


@dataclass
class DemoOrg:
    units: dict[str, OrgUnit] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)

    def refreshed(self) -> DemoOrg:
        """The units read afresh: inserting siblings in code order moves the paths of those
        loaded earlier."""
        units = {u.code: u for u in OrgUnit.objects.filter(code__in=list(self.units))}
        return DemoOrg(units=units, users=self.users)


@transaction.atomic
def seed_org() -> DemoOrg:
    """Create the demo units and users; running it again changes nothing."""
    org = DemoOrg()
    sectors = {}
    for code, name in SECTORS:
        sectors[code], _ = Sector.objects.get_or_create(code=code, defaults={"name": name})
    existing = {u.code: u for u in OrgUnit.objects.filter(code__in=[u[0] for u in UNITS])}
    for code, name, kind, parent_code, sector_code in UNITS:
        unit = existing.get(code)
        if unit is None:
            parent = org.units[parent_code] if parent_code else None
            if parent is not None:
                parent.refresh_from_db()
            unit = unit_create(
                code=code,
                name=name,
                kind=kind,
                parent=parent,
                sector=sectors[sector_code] if sector_code else None,
            )
        org.units[code] = unit
    password = ""  # hashed once, for the first user created: everyone has the same one
    for username, full_name, title, unit_code, role in USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(
                username=username,
                full_name=full_name,
                title=title,
                email=f"{username}@example.invalid",
            )
            password = password or make_password(DEMO_PASSWORD)
            user.password = password
            user.save()
        role_grant(user=user, unit=org.units[unit_code], role=role)
        org.users[username] = user
    for username, unit_code, role in BESIDE_TREE:
        role_grant(user=org.users[username], unit=org.units[unit_code], role=role)
    for sector_code, unit_code in SUPERVISORS.items():
        Sector.objects.filter(code=sector_code).update(supervisor=org.units[unit_code])
    for code, (level, domain, special) in CLASSES.items():
        unit_set_responsibility(
            unit=org.units[code],
            level=level,
            domain=domain,
            special=special,
            first_responsible=org.users.get(FIRST_RESPONSIBLE.get(code, "")),
        )
    return org
