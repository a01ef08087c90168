"""Which tasks a reader sees, and the completion counted for him, against the plain
definition read record by record: a task is seen by whoever's role covers its issuer, or
covers a unit it was assigned to; its completion counts the assignments to the units his
roles cover.

The tasks reach the tree in every way a deployment can: within the issuer's subtree, from a
department of the leading group across the tree (outside its own subtree), from above into
one subtree only, and one task reaching nobody."""

from __future__ import annotations

from datetime import date

import pytest

from accounts import permissions
from accounts.models import OrgUnit, Sector, UnitKind
from accounts.roles import Action, Role
from campaign import selectors
from campaign.models import Assignment, AssignmentState, Task, TaskNotice
from tests.campaign.factories import AssignmentFactory, CampaignFactory, TaskFactory
from tests.factories import UserFactory, grant, make_unit

pytestmark = pytest.mark.django_db

DUE = date(2026, 12, 15)


@pytest.fixture
def scene(tree, people):
    campaign = CampaignFactory(root_unit=tree.city)
    department = make_unit(tree.city, kind=UnitKind.DEPARTMENT, name="组织部", code="T-D")
    department.refresh_from_db()
    health = Sector.objects.create(code="health", name="卫生系统", supervisor=tree.county_b)
    OrgUnit.objects.filter(pk=tree.branch_a2.pk).update(sector=health)

    def task(issuer, title, *reach):
        t = TaskFactory(campaign=campaign, issuer=issuer, title=title, due_date=DUE)
        for unit, state in reach:
            AssignmentFactory(task=t, unit=unit, state=state)
        return t

    s = AssignmentState
    tasks = [
        task(
            tree.city,
            "全市",
            (tree.branch_a1, s.ACCEPTED),
            (tree.branch_a2, s.SUBMITTED),
            (tree.branch_b1, s.RETURNED),
        ),
        task(tree.city, "只到乙县", (tree.branch_b1, s.ACCEPTED)),
        task(tree.city, "只到甲二", (tree.branch_a2, s.PENDING)),
        task(
            tree.county_a,
            "甲县自己的",
            (tree.branch_a1, s.IN_PROGRESS),
            (tree.committee_a, s.ACCEPTED),
        ),
        task(tree.county_b, "乙县自己的", (tree.branch_b1, s.SUBMITTED)),
        # a department of the leading group deploys across the tree, outside its subtree
        task(department, "组织部跨树", (tree.branch_a1, s.RETURNED), (tree.county_b, s.PENDING)),
        task(tree.committee_a, "镇党委", (tree.branch_a2, s.ACCEPTED)),
        task(tree.city, "没有下发"),
    ]
    county_b_office = UserFactory(username="county_b_office")
    grant(county_b_office, tree.county_b, Role.OFFICE)
    health_office = UserFactory(username="health_office")
    grant(health_office, tree.county_b, Role.SECTOR)
    department_office = UserFactory(username="department_office")
    grant(department_office, department, Role.OFFICE)
    in_charge = UserFactory(username="in_charge")
    grant(in_charge, tree.committee_a, Role.IN_CHARGE)
    two_roles = UserFactory(username="two_roles")
    grant(two_roles, tree.branch_b1, Role.SECRETARY)
    grant(two_roles, tree.branch_a2, Role.MEMBER)
    readers = [
        *(getattr(people, name) for name in vars(people)),
        county_b_office,
        health_office,
        department_office,
        in_charge,
        two_roles,
    ]
    for t in tasks:
        TaskNotice.objects.create(task=t, file="notices/n.pdf", original_name="n.pdf")
    return {"campaign": campaign, "tasks": tasks, "readers": readers}


def _plainly_visible(user, task: Task) -> bool:
    return permissions.can(user, Action.VIEW, task.issuer) or any(
        permissions.can(user, Action.VIEW, a.unit) for a in task.assignments.all()
    )


def _plain_completion(user, task: Task) -> tuple[int, int, int, int]:
    mine = [a for a in task.assignments.all() if permissions.can(user, Action.VIEW, a.unit)]

    def n(state: str) -> int:
        return sum(1 for a in mine if a.state == state)

    return (
        len(mine),
        n(AssignmentState.ACCEPTED),
        n(AssignmentState.SUBMITTED),
        n(AssignmentState.RETURNED),
    )


def test_each_reader_sees_the_tasks_the_plain_rule_gives(scene):
    every = list(Task.objects.select_related("issuer").prefetch_related("assignments__unit"))
    for user in scene["readers"]:
        permissions.forget_grants(user)
        expected = {t.title for t in every if _plainly_visible(user, t)}
        assert {t.title for t in Task.objects.visible_to(user)} == expected, user.username
        notices = TaskNotice.objects.visible_to(user).values_list("task__title", flat=True)
        assert set(notices) == expected, user.username


def test_the_edges_of_the_rule(scene, tree, people):
    def titles(user):
        return {t.title for t in Task.objects.visible_to(user)}

    county_b_office = next(u for u in scene["readers"] if u.username == "county_b_office")
    health_office = next(u for u in scene["readers"] if u.username == "health_office")
    # the office of the sibling county never sees county A's own task nor one sent to A only
    assert not titles(county_b_office) & {"甲县自己的", "只到甲二", "镇党委"}
    assert "组织部跨树" in titles(county_b_office)  # it reached county B itself
    # a member sees what reached his branch; the sector office what reached its sector
    assert titles(people.member_a) == {"全市", "甲县自己的", "组织部跨树"}
    assert "只到甲二" in titles(health_office) and "镇党委" in titles(health_office)
    # a leader on county A: the county's subtree; the outsider nothing
    assert "只到乙县" not in titles(people.leader)
    assert titles(people.outsider) == set()


def test_the_completion_counts_the_readers_units_only(scene):
    campaign = scene["campaign"]
    for user in scene["readers"]:
        permissions.forget_grants(user)
        tasks = list(selectors.tasks_for(user, campaign=campaign))
        counted = selectors.with_completion(tasks, user)
        for task in counted:
            plain = _plain_completion(
                user, Task.objects.prefetch_related("assignments__unit").get(pk=task.pk)
            )
            got = (task.n_total, task.n_accepted, task.n_submitted, task.n_returned)
            assert got == plain, (user.username, task.title)


def test_a_deploy_rule_other_than_view_keeps_to_the_issuer(scene, tree, people):
    assert {t.title for t in Task.objects.visible_to(people.county_office, Action.DEPLOY)} == {
        "甲县自己的",
        "镇党委",
    }
    assert Assignment.objects.count() == 11


def test_seen_by_keeps_what_visible_to_keeps(scene):
    for user in scene["readers"]:
        permissions.forget_grants(user)
        assert set(Assignment.objects.seen_by(user)) == set(Assignment.objects.visible_to(user)), (
            user.username
        )


def test_the_database_copies_the_units_path_on_every_write(scene, tree):
    task = scene["tasks"][-1]
    Assignment.objects.bulk_create(
        [Assignment(task=task, unit=tree.branch_b1, due_date=DUE)]  # as deployment writes
    )
    moved = Assignment.objects.get(task=task)
    Assignment.objects.filter(pk=moved.pk).update(unit=tree.branch_a2)  # a change of unit
    for assignment in Assignment.objects.select_related("unit"):
        assert assignment.unit_path == assignment.unit.path
    assert Assignment.objects.get(pk=moved.pk).unit_path == tree.branch_a2.path
