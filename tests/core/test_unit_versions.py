"""The subtree versions move with every write to a record of the subtree, through a service,
a bulk import or a raw change, and with no write elsewhere."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from campaign.models import Activity
from campaign.services import activity_create
from core import unit_versions
from core.unit_versions import GLOBAL, subtree_version, tracked_models
from dashboard.versions import UNIT_PATHS
from rectification.models import Measure, ProgressNote
from tests.dashboard.conftest import make_campaign, make_problem

pytestmark = pytest.mark.django_db


def versions(tree) -> dict[str, str]:
    units = {
        "city": tree.city,
        "county_a": tree.county_a,
        "committee_a": tree.committee_a,
        "branch_a1": tree.branch_a1,
        "branch_a2": tree.branch_a2,
        "county_b": tree.county_b,
        "branch_b1": tree.branch_b1,
    }
    return {name: subtree_version(unit.path) for name, unit in units.items()}


def moved(before: dict[str, str], after: dict[str, str]) -> set[str]:
    return {name for name in before if before[name] != after[name]}


PATH_A1 = {"city", "county_a", "committee_a", "branch_a1"}


def test_every_tracked_model_is_declared():
    """A new tracked model must say which unit its rows belong to (or that none does)."""
    labels = {model._meta.label for model in tracked_models()}
    assert labels - set(UNIT_PATHS) == set()
    assert set(UNIT_PATHS) - labels == set()


def test_the_triggers_are_installed_for_every_tracked_table():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'core_unitversion_%'")
        (count,) = cursor.fetchone()
    assert count == 3 * len(tracked_models())


def test_a_write_through_a_service_moves_its_path_only(tree, people):
    campaign = make_campaign(tree.city)
    before = versions(tree)
    activity_create(
        actor=people.secretary_a,
        campaign=campaign,
        unit=tree.branch_a1,
        kind="party_day",
        held_on=date(2026, 11, 18),
        summary="主题党日",
        participants=8,
        hours=Decimal(1),
    )
    assert moved(before, versions(tree)) == PATH_A1


def test_a_bulk_import_moves_the_paths_of_its_units(tree):
    campaign = make_campaign(tree.city)
    before = versions(tree)
    Activity.objects.bulk_create(
        [
            Activity(campaign=campaign, unit=unit, kind="study", held_on=date(2026, 11, 17))
            for unit in (tree.branch_a2, tree.branch_b1, tree.branch_a2)
        ]
    )
    assert moved(before, versions(tree)) == {
        "city",
        "county_a",
        "committee_a",
        "branch_a2",
        "county_b",
        "branch_b1",
    }


def test_a_raw_change_moves_the_old_unit_and_the_new(tree):
    campaign = make_campaign(tree.city)
    activity = Activity.objects.create(
        campaign=campaign, unit=tree.branch_a1, kind="study", held_on=date(2026, 11, 17)
    )
    before = versions(tree)
    Activity.objects.filter(pk=activity.pk).update(summary="改过")  # as the admin does
    assert moved(before, versions(tree)) == PATH_A1
    before = versions(tree)
    Activity.objects.filter(pk=activity.pk).update(unit=tree.branch_b1)
    assert moved(before, versions(tree)) == PATH_A1 | {"county_b", "branch_b1"}
    before = versions(tree)
    Activity.objects.filter(pk=activity.pk).delete()
    assert moved(before, versions(tree)) == {"city", "county_b", "branch_b1"}


def test_a_record_below_a_problem_moves_the_problem_s_unit(tree):
    campaign = make_campaign(tree.city)
    problem = make_problem(campaign, tree.branch_b1)
    before = versions(tree)
    measure = Measure.objects.create(problem=problem, description="措施")
    ProgressNote.objects.create(measure=measure, noted_on=date(2026, 11, 18), text="进展")
    assert moved(before, versions(tree)) == {"city", "county_b", "branch_b1"}


def test_a_write_that_belongs_to_no_unit_moves_every_version(tree, people):
    assert unit_versions.path_of(type(people.secretary_a)) == GLOBAL
    before = versions(tree)
    type(people.secretary_a).objects.filter(pk=people.secretary_a.pk).update(full_name="新名字")
    assert moved(before, versions(tree)) == set(before)


def test_topics_move_with_their_tables_only(tree, people):
    from accounts.roles import Role
    from core.unit_versions import GLOBAL_TOPIC, topic_versions
    from tests.factories import grant

    campaign = make_campaign(tree.city)
    before = topic_versions(tree.county_a.path)
    make_problem(campaign, tree.branch_a1)
    after = topic_versions(tree.county_a.path)
    assert after.get("activities") == before.get("activities")
    assert after.get("roles") == before.get("roles")
    assert after.get(GLOBAL_TOPIC) == before.get(GLOBAL_TOPIC)
    Activity.objects.create(
        campaign=campaign, unit=tree.branch_a2, kind="study", held_on=date(2026, 11, 17)
    )
    grant(people.member_a, tree.branch_a1, Role.LEADER)
    again = topic_versions(tree.county_a.path)
    assert again["activities"] != after.get("activities")
    assert again["roles"] != after.get("roles")
    assert topic_versions(tree.county_b.path).get("activities") is None  # not in county B


def test_an_update_of_no_row_moves_nothing(tree):
    from campaign.models import Task

    before = versions(tree)
    Activity.objects.filter(pk=0).update(summary="无")
    Task.objects.filter(pk=0).update(title="无")
    assert moved(before, versions(tree)) == set()


def test_a_restart_clears_the_units_rows_and_no_version_comes_back(tree, people):
    from core.models import UnitVersion

    campaign = make_campaign(tree.city)
    make_problem(campaign, tree.branch_a1)
    seen = [versions(tree)]
    assert unit_versions.restart() > 0
    assert set(UnitVersion.objects.values_list("unit_id", flat=True)) <= {0}
    seen.append(versions(tree))
    make_problem(campaign, tree.branch_b1)
    seen.append(versions(tree))
    unit_versions.restart()
    seen.append(versions(tree))
    make_problem(campaign, tree.branch_a1)
    seen.append(versions(tree))
    # a version read again means the same records: only for subtrees without a write between
    for name in seen[0]:
        values = [v[name] for v in seen]
        for i, value in enumerate(values):
            for j in range(i + 1, len(values)):
                if values[j] == value:
                    assert len(set(values[i : j + 1])) == 1, (name, values)
    assert moved(seen[3], seen[4]) == PATH_A1


def test_a_login_moves_no_version(tree, people, client):
    before = versions(tree)
    client.force_login(people.secretary_a)  # writes the user's last_login
    people.secretary_a.refresh_from_db()
    assert people.secretary_a.last_login is not None
    assert versions(tree) == before
    people.secretary_a.first_name = "新名"
    people.secretary_a.save()  # a name is shown wherever the person acts
    assert moved(before, versions(tree)) == set(before)
