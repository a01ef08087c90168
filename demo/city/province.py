"""``seed_demo --scale province``: ten cities under a province committee.

Each city is built exactly like ``--scale city`` (its organisation tree, users, tasks,
activities, development items, research and problems) by the same bulk path, under the
province and with its own unit-code and user-name prefix (``DH01-…``, ``dh01…``), plus the
visits its office paid to its party committees. One campaign runs over the whole province
(the province office sees the province; a city office its city). Each city is committed on
its own and nothing of it is kept once it is written, so memory does not grow with the
number of cities.
"""

from __future__ import annotations

import gc
import random
import resource
import time
from collections.abc import Callable
from datetime import date, timedelta
from typing import IO, Any

import pghistory
from django.contrib.auth.hashers import make_password
from django.db import connection, reset_queries, transaction
from django.utils import timezone

from accounts.models import OrgUnit, RoleAssignment, UnitKind, User
from accounts.roles import Role
from campaign.defaults import PROBLEM_CATEGORIES
from campaign.models import Campaign, Objective
from demo.bulk import bulk_create_with_history
from demo.campaign import CAMPAIGN_NAME, FUNDAMENTAL_TASK, GENERAL_REQUIREMENT, OBJECTIVES
from demo.org import DEMO_PASSWORD
from supervision.models import SupervisionVisit, VisitMethod

from . import campaign, org, rectification, research
from .base import CityData, day_between, person_name

PROVINCE_CODE = "DH"
PROVINCE_NAME = "中共东海省委员会"
CITIES = [
    "临江市",
    "云州市",
    "青阳市",
    "南屏市",
    "北川市",
    "东陵市",
    "西塘市",
    "安澜市",
    "宁远市",
    "清河市",
]
VISITS_PER_CITY = 200
GUIDANCE = [
    "对照问题清单逐项建立整改台账，明确责任人和时限，做到整改一项、销号一项。",
    "理论学习要联系实际，读书班要有研讨成果。",
    "走访群众要深入，聚焦民生实事，防止调研走过场。",
    "检视问题要具体，防止以上级指出的问题代替自身查摆。",
    "压实基层党组织责任，主题党日要有主题、有记录、有成效。",
]


def city_code(n: int) -> str:
    return f"{PROVINCE_CODE}{n:02d}"


def city_users(n: int) -> str:
    """The user-name prefix of the province's ``n``-th city: ``dh01_office0``, ``dh01b00000``."""
    return f"{PROVINCE_CODE.lower()}{n:02d}"


# Each city's parts, as in ``--scale city`` (the campaign is the province's).
CITY_SECTIONS: list[tuple[str, Callable[[CityData], None]]] = [
    ("organisation tree", org.seed_org),
    ("users and roles", org.seed_users),
    ("tasks and assignments", campaign.seed_tasks),
    ("activities", campaign.seed_activities),
    ("development items", campaign.seed_development),
    ("research", research.seed_research),
    ("problems and measures", rectification.seed_problems),
]


def peak_mb() -> float:
    """The peak resident memory of this process so far (Linux reports kB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def seed_province(
    *, seed: int, stdout: IO[str] | Any, today: Any = None, cities: int = len(CITIES)
) -> Campaign:
    """Create the province data set; refuses to run twice into the same database."""
    if OrgUnit.objects.filter(code=PROVINCE_CODE).exists():
        stdout.write(
            f"The province data set (unit {PROVINCE_CODE}) already exists; nothing to do.\n"
        )
        raise SystemExit(0)
    today = today or timezone.localdate()
    started = time.monotonic()
    with pghistory.context(command="seed_demo --scale province"):
        with transaction.atomic():
            province, province_campaign = _seed_province_unit(seed, today, cities)
        for n in range(1, cities + 1):
            t0 = time.monotonic()
            data = CityData(
                rng=random.Random(seed * 100 + n),  # noqa: S311
                today=today,
                code=city_code(n),
                name=f"中共{CITIES[(n - 1) % len(CITIES)]}委员会",
                user_prefix=city_users(n),
                parent=province,
                position=n,
                campaign=province_campaign,
            )
            with transaction.atomic():
                for _name, function in CITY_SECTIONS:
                    function(data)
                    reset_queries()
                seed_visits(data)
            del data
            gc.collect()
            with connection.cursor() as cursor:
                # the next city's lookups are planned on the tables as they now are
                cursor.execute("ANALYZE")
            stdout.write(
                f"  city {n}/{cities}: {time.monotonic() - t0:.1f} s "
                f"(peak memory so far {peak_mb():.0f} MB)\n"
            )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    stdout.write(
        f"Province data set ready in {time.monotonic() - started:.1f} s, peak memory "
        f"{peak_mb():.0f} MB (campaign id {province_campaign.pk}).\n"
    )
    return province_campaign


def _seed_province_unit(seed: int, today: Any, cities: int) -> tuple[OrgUnit, Campaign]:
    """The province committee, its office, leaders and guidance group, and the campaign."""
    rng = random.Random(seed)  # noqa: S311
    path = OrgUnit._get_path(None, 1, 1 + OrgUnit.objects.filter(depth=1).count())
    bulk_create_with_history(
        OrgUnit,
        [
            OrgUnit(
                path=path,
                depth=1,
                numchild=cities,
                code=PROVINCE_CODE,
                name=PROVINCE_NAME,
                kind=UnitKind.PROVINCE_COMMITTEE,
            )
        ],
    )
    province = OrgUnit.objects.get(code=PROVINCE_CODE)
    password = make_password(DEMO_PASSWORD)
    prefix = PROVINCE_CODE.lower()
    people = (
        [(f"{prefix}_office{i}", Role.OFFICE, "省委主题教育办工作人员") for i in range(6)]
        + [(f"{prefix}_leader{i}", Role.LEADER, "省领导") for i in range(12)]
        + [(f"{prefix}_guide{i}", Role.VIEWER, "省委巡回指导组成员") for i in range(20)]
    )
    users = [
        User(
            username=username,
            full_name=person_name(rng),
            title=title,
            password=password,
            email=f"{username}@example.invalid",
        )
        for username, _role, title in people
    ]
    bulk_create_with_history(User, users)
    ids = dict(
        User.objects.filter(username__in=[u.username for u in users]).values_list("username", "pk")
    )
    bulk_create_with_history(
        RoleAssignment,
        [
            RoleAssignment(user_id=ids[username], unit_id=province.pk, role=role)
            for username, role, _title in people
        ],
    )
    start = today - timedelta(days=150)
    province_campaign = Campaign.objects.create(
        name=f"{CAMPAIGN_NAME}（全省）",
        root_unit=province,
        start_date=start,
        end_date=today + timedelta(days=60),
        general_requirement=GENERAL_REQUIREMENT,
        fundamental_task=FUNDAMENTAL_TASK,
        problem_categories=PROBLEM_CATEGORIES,
    )
    Objective.objects.bulk_create(
        Objective(campaign=province_campaign, order=i, title=t, description=d)
        for i, (t, d) in enumerate(OBJECTIVES, start=1)
    )
    return province, province_campaign


def seed_visits(data: CityData) -> None:
    """The city office's supervision visits to its party committees, some with a follow-up
    still to do."""
    rng = data.rng
    assert data.campaign is not None and data.city is not None
    start = data.campaign.start_date
    methods = [m for m, _ in VisitMethod.choices]
    office = [uid for uid in data.office_users if uid in data.users_by_unit.get(data.city.pk, [])]
    visits = []
    for committee in rng.sample(data.committees, min(VISITS_PER_CITY, len(data.committees))):
        visited = day_between(rng, start, data.today - timedelta(days=1))
        follow_up: date | None = visited + timedelta(days=rng.choice((7, 10, 14, 21)))
        if rng.random() >= 0.6:
            follow_up = None
        names = "、".join(person_name(rng) for _ in range(rng.randint(2, 3)))
        visits.append(
            SupervisionVisit(
                campaign=data.campaign,
                unit=committee,
                visited_on=visited,
                visitors=f"{data.name.removeprefix('中共').removesuffix('委员会')}"
                f"委主题教育领导小组办公室：{names}",
                methods=rng.sample(methods, rng.randint(1, 3)),
                guidance=rng.choice(GUIDANCE),
                follow_up_on=follow_up,
                follow_up_done_on=follow_up
                if follow_up and follow_up < data.today and rng.random() < 0.5
                else None,
                created_by_id=rng.choice(office) if office else None,
            )
        )
    bulk_create_with_history(SupervisionVisit, visits)
