"""The city's organisation tree, its users and roles, and its campaign."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.hashers import make_password

from accounts.models import OrgUnit, RoleAssignment, Sector, UnitKind, User
from accounts.roles import Role
from campaign.defaults import PROBLEM_CATEGORIES
from campaign.models import Campaign, Objective
from demo.bulk import bulk_create_with_history
from demo.campaign import CAMPAIGN_NAME, FUNDAMENTAL_TASK, GENERAL_REQUIREMENT, OBJECTIVES
from demo.org import DEMO_PASSWORD

from .base import CityData, person_name, place_name

COUNTIES = [
    "江北区",
    "江南区",
    "南湖县",
    "临山县",
    "青川县",
    "白石县",
    "云溪县",
    "东平县",
    "西林县",
    "安河县",
    "长宁县",
    "丰乐县",
]
DEPARTMENTS = [
    "教育局",
    "卫生健康委",
    "交通运输局",
    "生态环境局",
    "财政局",
    "人社局",
    "民政局",
    "住建局",
    "农业农村局",
    "水利局",
    "商务局",
    "文旅局",
    "应急管理局",
    "市场监管局",
    "统计局",
    "医保局",
    "林业局",
    "自然资源局",
    "发改委",
    "工信局",
    "科技局",
    "司法局",
    "公安局",
    "退役军人事务局",
    "审计局",
    "国资委",
    "体育局",
    "信访局",
    "城管局",
    "粮食和储备局",
    "机关事务局",
    "档案馆",
    "供销社",
    "妇联",
    "团市委",
    "总工会",
    "科协",
    "侨联",
    "残联",
    "红十字会",
    "政数局",
    "行政审批局",
    "气象局",
    "地震局",
    "税务局",
    "海关",
    "邮政管理局",
    "烟草专卖局",
    "电力公司",
    "水务集团",
    "城投集团",
    "交投集团",
    "文旅集团",
    "农商银行",
    "市第一人民医院",
    "市中医院",
    "职业技术学院",
    "市第一中学",
    "市实验小学",
    "广播电视台",
]


def _unit(
    path: str,
    depth: int,
    numchild: int,
    code: str,
    name: str,
    kind: str,
    sector: Sector | None = None,
) -> OrgUnit:
    return OrgUnit(
        path=path, depth=depth, numchild=numchild, code=code, name=name, kind=kind, sector=sector
    )


def seed_org(data: CityData) -> None:
    rng = data.rng
    step = OrgUnit._get_path
    sectors = [
        Sector.objects.get_or_create(code=f"city-{i}", defaults={"name": n})[0]
        for i, n in enumerate(["教育系统", "卫生健康系统", "交通运输系统", "国资企业"])
    ]
    units: list[OrgUnit] = []
    if data.parent is None:
        city_path = step(None, 1, 1 + OrgUnit.objects.filter(depth=1).count())
    else:
        city_path = step(data.parent.path, data.parent.depth + 1, data.position)
    top = len(city_path) // OrgUnit.steplen  # the city's depth
    units.append(
        _unit(
            city_path,
            top,
            len(COUNTIES) + len(DEPARTMENTS),
            data.code,
            data.name,
            UnitKind.CITY_COMMITTEE,
        )
    )
    kinds_per_parent: list[tuple[OrgUnit, int, str]] = []
    for i, county in enumerate(COUNTIES, start=1):
        path = step(city_path, top + 1, i)
        unit = _unit(
            path,
            top + 1,
            40,
            f"{data.code}-C{i:02d}",
            f"中共{county}委员会",
            UnitKind.COUNTY_COMMITTEE,
        )
        units.append(unit)
        kinds_per_parent.append((unit, 40, "town"))
    for j, dept in enumerate(DEPARTMENTS, start=1):
        path = step(city_path, top + 1, len(COUNTIES) + j)
        sector = sectors[j % len(sectors)] if j <= 20 else None
        unit = _unit(
            path,
            top + 1,
            2,
            f"{data.code}-D{j:02d}",
            f"中共市{dept}党组",
            UnitKind.DEPARTMENT,
            sector,
        )
        units.append(unit)
        kinds_per_parent.append((unit, 2, "dept"))
    committees: list[OrgUnit] = []
    branches: list[OrgUnit] = []
    for parent, count, flavour in kinds_per_parent:
        for k in range(1, count + 1):
            path = step(parent.path, top + 2, k)
            code = f"{parent.code}-{k:02d}"
            if flavour == "town":
                name = f"中共{place_name(rng)}镇委员会"
                kind = UnitKind.PARTY_COMMITTEE
            else:
                name = f"{parent.name.removeprefix('中共').removesuffix('党组')}机关党委"
                kind = UnitKind.PARTY_COMMITTEE
            committee = _unit(path, top + 2, 10, code, name, kind, parent.sector)
            committees.append(committee)
            for b in range(1, 11):
                bpath = step(path, top + 3, b)
                if flavour == "town":
                    bname = f"{place_name(rng)}{'村' if b <= 7 else '社区'}党支部"
                else:
                    bname = f"{name.removeprefix('中共').removesuffix('机关党委')}第{b}党支部"
                branches.append(
                    _unit(
                        bpath, top + 3, 0, f"{code}-{b:02d}", bname, UnitKind.BRANCH, parent.sector
                    )
                )
    units.extend(committees)
    units.extend(branches)
    bulk_create_with_history(OrgUnit, units)
    by_code = {u.code: u for u in OrgUnit.objects.filter(path__startswith=city_path)}
    data.city = by_code[data.code]
    data.counties = [by_code[u.code] for u in units if u.kind == UnitKind.COUNTY_COMMITTEE]
    data.committees = [by_code[u.code] for u in committees]
    data.branches = [by_code[u.code] for u in branches]


def seed_users(data: CityData) -> None:
    rng = data.rng
    password = make_password(DEMO_PASSWORD)
    users: list[User] = []
    roles: list[tuple[int, str, str]] = []  # (index into users, unit code, role)

    def add(username: str, unit: OrgUnit, role: str, title: str) -> None:
        users.append(
            User(
                username=username,
                full_name=person_name(rng),
                title=title,
                password=password,
                email=f"{username}@example.invalid",
            )
        )
        roles.append((len(users) - 1, unit.code, role))

    assert data.city is not None
    # the city's own users are sz_…; in a province each city's names start with its prefix
    pre = data.user_prefix
    city = pre or "sz"
    for i in range(6):
        add(f"{city}_office{i}", data.city, Role.OFFICE, "市委主题教育办工作人员")
    for i in range(12):
        add(f"{city}_leader{i}", data.city, Role.LEADER, "市领导")
    for i in range(20):
        add(f"{city}_viewer{i}", data.city, Role.VIEWER, "省委巡回指导组成员")
    for c, county in enumerate(data.counties, start=1):
        for i in range(3):
            add(f"{pre}c{c:02d}_office{i}", county, Role.OFFICE, "县委主题教育办工作人员")
        for i in range(8):
            add(f"{pre}c{c:02d}_leader{i}", county, Role.LEADER, "县领导")
    for n, branch in enumerate(data.branches):
        add(f"{pre}b{n:05d}", branch, Role.SECRETARY, "党支部书记")
    member_branches = data.rng.sample(data.branches, 8000 - len(users))
    for n, branch in enumerate(member_branches):
        add(f"{pre}m{n:05d}", branch, Role.MEMBER, "党员")
    bulk_create_with_history(User, users)
    ids = dict(
        User.objects.filter(username__in=[u.username for u in users]).values_list("username", "pk")
    )
    unit_ids = dict(
        OrgUnit.objects.filter(path__startswith=data.city.path).values_list("code", "pk")
    )
    assignments = []
    for index, code, role in roles:
        user_id = ids[users[index].username]
        unit_id = unit_ids[code]
        assignments.append(RoleAssignment(user_id=user_id, unit_id=unit_id, role=role))
        data.names[user_id] = users[index].full_name
        data.users_by_unit.setdefault(unit_id, []).append(user_id)
        if role == Role.SECRETARY:
            data.secretaries[unit_id] = user_id
        elif role == Role.LEADER:
            data.leaders.append((user_id, unit_id))
        elif role == Role.OFFICE:
            data.office_users.append(user_id)
    bulk_create_with_history(RoleAssignment, assignments)


def seed_campaign(data: CityData) -> None:
    assert data.city is not None
    start = data.today - timedelta(days=150)
    campaign = Campaign.objects.create(
        name=f"{CAMPAIGN_NAME}（全市）",
        root_unit=data.city,
        start_date=start,
        end_date=data.today + timedelta(days=60),
        general_requirement=GENERAL_REQUIREMENT,
        fundamental_task=FUNDAMENTAL_TASK,
        problem_categories=PROBLEM_CATEGORIES,
    )
    Objective.objects.bulk_create(
        Objective(campaign=campaign, order=i, title=t, description=d)
        for i, (t, d) in enumerate(OBJECTIVES, start=1)
    )
    data.campaign = campaign
