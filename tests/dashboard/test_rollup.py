"""The rolled-up dashboard shows the same numbers as the dashboard counted from scratch, on
every unit of the tree, before and after changes of each kind (cached blocks reused)."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, models
from django.test.utils import CaptureQueriesContext

from accounts.models import OrgUnit, UnitKind
from campaign.models import Activity, Assignment, AssignmentState
from campaign.models.activities import summary_digest
from campaign.services import activity_create
from core.unit_versions import subtree_version
from dashboard import selectors
from rectification.models import Measure, Problem, ProblemState
from tests.factories import make_unit

from .conftest import TODAY, make_activity, make_problem

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def own_cache(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "test-rollup",
        }
    }
    from django.core.cache import cache

    cache.clear()


def plain(value: Any) -> Any:
    """Every number of a dashboard, records as their ids (the rush groups' records, which
    the database hands out in no set order, as a set)."""
    if isinstance(value, models.Model):
        return (value._meta.label, value.pk)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
        out.pop("ancestors", None)
        return out
    if isinstance(value, dict):
        out = {k: plain(v) for k, v in value.items()}
        if "records" in out and "day" in out:
            out["records"] = sorted(out["records"])
        return out
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def assert_same(people, campaign) -> None:
    for unit in OrgUnit.objects.filter(path__startswith=campaign.root_unit.path):
        old = selectors.office_dashboard(
            user=people.city_office, campaign=campaign, unit=unit, today=TODAY
        )
        new = selectors.office_dashboard_rolled_up(
            user=people.city_office,
            campaign=campaign,
            unit=unit,
            today=TODAY,
            version=subtree_version(unit.path),
        )
        assert plain(new) == plain(old), unit.code


def test_rolled_up_equals_from_scratch(tree, people, dataset):
    campaign = dataset.campaign
    assert_same(people, campaign)  # every block counted
    assert_same(people, campaign)  # every block from the cache

    # an activity logged through the service in a branch
    activity_create(
        actor=people.secretary_a,
        campaign=campaign,
        unit=tree.branch_a1,
        kind="party_day",
        held_on=TODAY,
        summary="支部组织党员集中学习党的二十大报告并开展交流研讨，形成学习记录",
        participants=12,
        hours=Decimal(2),
    )
    assert_same(people, campaign)

    # copied summaries across two committees of county A and across the counties: a
    # second committee, a summary of committee A's copied there once both are cached, then
    # in county B (its block counted later), then at the county itself; then the original
    # edited (the copies still pair with one another), and one copy deleted
    committee_a2 = make_unit(tree.county_a, kind=UnitKind.PARTY_COMMITTEE)
    branch_a21 = make_unit(committee_a2)
    make_activity(campaign, branch_a21, TODAY, "第二党委支部开展主题党日活动，重温入党誓词")
    original = make_activity(
        campaign, tree.branch_a1, TODAY, "支部集中学习习近平新时代中国特色社会主义思想专题"
    )
    assert_same(people, campaign)
    copy_a2 = make_activity(
        campaign, branch_a21, TODAY, "支部集中学习：习近平新时代中国特色社会主义思想专题 2"
    )
    assert_same(people, campaign)
    make_activity(
        campaign, tree.branch_b1, TODAY, "支部集中学习习近平新时代中国特色社会主义思想专题！"
    )
    assert_same(people, campaign)
    make_activity(
        campaign, tree.county_a, TODAY, "支部集中学习习近平新时代中国特色社会主义思想专题。"
    )
    assert_same(people, campaign)
    Activity.objects.filter(pk=original.pk).update(
        summary="支部学习党的二十届三中全会精神并开展讨论交流",
        summary_digest=summary_digest("支部学习党的二十届三中全会精神并开展讨论交流"),
    )
    assert_same(people, campaign)
    Activity.objects.filter(pk=copy_a2.pk).delete()
    assert_same(people, campaign)
    signal = selectors.office_dashboard_rolled_up(
        user=people.city_office,
        campaign=campaign,
        unit=tree.city,
        today=TODAY,
        version=subtree_version(tree.city.path),
    ).signals["copied"]
    assert signal.count >= 2  # the copies in county B and at county A still pair

    # a problem updated, then closed, through raw updates (as the admin's bulk actions)
    p1 = dataset.problems["P1"]
    Problem.objects.filter(pk=p1.pk).update(deadline=date(2026, 12, 20))
    assert_same(people, campaign)
    Problem.objects.filter(pk=dataset.problems["P5"].pk).update(state=ProblemState.SUBMITTED)
    assert_same(people, campaign)

    # evidence is a grandchild of the problem: the signal must follow it
    Measure.objects.create(problem=dataset.problems["P5"], description="措施", state="done")
    assert_same(people, campaign)

    # a bulk import into a new branch under county B (a unit without children of its own)
    branch = make_unit(tree.county_b)
    Activity.objects.bulk_create(
        [
            Activity(
                campaign=campaign,
                unit=branch,
                kind="study",
                held_on=date(2026, 11, 17),
                summary=f"导入的第{i}次学习记录，内容各不相同，逐条登记",
            )
            for i in range(5)
        ]
    )
    assert_same(people, campaign)

    # a record moved from one branch to another moves both
    Problem.objects.filter(pk=dataset.problems["P3"].pk).update(unit=tree.branch_b1, number=99)
    assert_same(people, campaign)

    # an assignment accepted, a unit renamed and made inactive
    Assignment.objects.filter(unit=tree.branch_a2).update(state=AssignmentState.ACCEPTED)
    OrgUnit.objects.filter(pk=tree.branch_a2.pk).update(name="改名支部", is_active=False)
    assert_same(people, campaign)

    # a leader added to county B (the leaders' compliance), a research project of his
    from accounts.roles import Role
    from research.models import ProjectState, ResearchFocus, ResearchMethod, ResearchProject
    from tests.factories import grant

    grant(people.secretary_b, tree.county_b, Role.LEADER)
    assert_same(people, campaign)
    ResearchProject.objects.create(
        campaign=campaign,
        unit=tree.county_a,  # filed elsewhere: it counts for its lead all the same
        lead=people.secretary_b,
        topic="基层治理调研",
        focus=ResearchFocus.MAJOR_ISSUE,
        method=ResearchMethod.ONSITE,
        start_date=date(2026, 11, 2),
        end_date=date(2026, 11, 6),
        state=ProjectState.DONE,
    )
    assert_same(people, campaign)

    # a problem deleted, and an activity at the county itself
    Problem.objects.filter(pk=dataset.problems["P7"].pk).delete()
    make_activity(campaign, tree.county_a, date(2026, 11, 16), "县委理论学习中心组集体学习")
    make_problem(campaign, tree.city, deadline=date(2026, 11, 3))
    assert_same(people, campaign)


def test_a_change_in_one_branch_recounts_only_its_path(tree, people, dataset):
    campaign = dataset.campaign
    city = campaign.root_unit

    def rolled_up():
        return selectors.office_dashboard_rolled_up(
            user=people.city_office,
            campaign=campaign,
            unit=city,
            today=TODAY,
            version=subtree_version(city.path),
        )

    with CaptureQueriesContext(connection) as cold:
        rolled_up()
    make_activity(campaign, tree.branch_b1, TODAY, "支部书记讲党课，党员交流学习体会并作记录")
    with CaptureQueriesContext(connection) as after:
        rolled_up()
    # county B's block (its branch changed) and the city's own records are counted again;
    # committee A's block comes from the cache, so one pass of counting fewer
    assert len(after.captured_queries) < len(cold.captured_queries)
    Problem.objects.filter(pk=dataset.problems["P1"].pk).update(description="问题描述已修改")
    assert_same(people, campaign)


def test_each_group_is_keyed_on_every_table_it_reads(tree, people, dataset):
    """A group's parts are kept under the versions of its tables' topics: every table its
    queries read is one of them, a table every group reads (units, records of no topic), or
    global (its writes move every version)."""
    import re

    from django.apps import apps

    from core import unit_versions
    from dashboard.figures.parts import EVERY_GROUP_READS, GROUPS, Grouping, count_parts
    from dashboard.periods import Period
    from dashboard.versions import TOPICS

    tracked = {m._meta.db_table: m for m in unit_versions.tracked_models()}
    models_by_table = {m._meta.db_table: m for m in apps.get_models()}
    city = dataset.campaign.root_unit
    for group, topics in GROUPS.items():
        with CaptureQueriesContext(connection) as ctx:
            count_parts(
                campaign=dataset.campaign,
                period=Period.on(TODAY),
                grouping=Grouping(subtrees=(city.path,), length=len(city.path) + 3),
                groups=(group,),
            )
        tables = {
            table
            for query in ctx.captured_queries
            for table in re.findall(r'(?:FROM|JOIN)\s+"(\w+)"', query["sql"])
        }
        assert tables, group
        for table in tables:
            model = tracked.get(table)
            assert model is not None, f"{group} reads {table}, whose writes move no version"
            label = models_by_table[table]._meta.label
            keyed = (*topics, *EVERY_GROUP_READS)
            assert (
                unit_versions.path_of(model) == unit_versions.GLOBAL
                or TOPICS.get(label, "") in keyed
            ), f"{group} reads {label} (topic {TOPICS.get(label, '')!r}), not keyed on it"


def test_a_change_recounts_only_the_groups_reading_its_table(tree, people, dataset, monkeypatch):
    from dashboard import rollup

    campaign = dataset.campaign
    counted: list[str] = []
    count_parts = rollup.count_parts

    def spy(**kwargs: Any) -> Any:
        counted.extend(kwargs["groups"])
        return count_parts(**kwargs)

    monkeypatch.setattr(rollup, "count_parts", spy)

    def recounted() -> set[str]:
        counted.clear()
        assert_same(people, campaign)
        return set(counted)

    assert recounted() == set(rollup.GROUPS)  # a cold cache: everything
    assert recounted() == set()  # all from the cache
    activity_create(
        actor=people.secretary_a,
        campaign=campaign,
        unit=tree.branch_a1,
        kind="party_day",
        held_on=TODAY,
        summary="支部书记讲专题党课，党员结合岗位实际交流发言并形成记录",
        participants=9,
        hours=Decimal(2),
    )
    assert recounted() == {"activities", "rush"}
    Problem.objects.filter(pk=dataset.problems["P1"].pk).update(description="问题描述已修改")
    assert recounted() == {"problems"}
    Assignment.objects.filter(unit=tree.branch_b1).update(state=AssignmentState.ACCEPTED)
    assert recounted() == {"assignments", "rush"}
    from research.models import Decision

    Decision.objects.filter(pk=dataset.decisions["bare"].pk).update(decided_on=date(2026, 11, 2))
    assert recounted() == {"decisions"}
    # a unit renamed: every group reads the units
    OrgUnit.objects.filter(pk=tree.branch_b1.pk).update(name="改名支部")
    assert recounted() == set(rollup.GROUPS)
