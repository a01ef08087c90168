"""Deploying a task to many units: the right assignments, once, per period."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import OrgUnit, UnitKind
from campaign import services
from campaign.models import Assignment, Recurrence, Task, Workstream

pytestmark = pytest.mark.django_db


def _task(campaign, issuer, people, **kw):
    return services.task_create(
        actor=kw.pop("actor", people.city_office),
        campaign=campaign,
        issuer=issuer,
        workstream=Workstream.STUDY,
        title="专题读书班",
        due_date=kw.pop("due_date", date(2026, 12, 15)),
        **kw,
    )


def test_every_branch_under_a_unit_once_also_when_run_twice(campaign, tree, people):
    task = _task(campaign, tree.city, people)
    branches = OrgUnit.objects.filter(path__startswith=tree.county_a.path, kind=UnitKind.BRANCH)
    assert services.task_deploy(actor=people.city_office, task=task, units=branches) == 2
    assert services.task_deploy(actor=people.city_office, task=task, units=branches) == 0
    assert set(Assignment.objects.values_list("unit__code", flat=True)) == {"T-A-1-1", "T-A-1-2"}
    a = Assignment.objects.first()
    assert a.due_date == date(2026, 12, 15) and a.period == "" and a.state == "pending"


def test_a_county_office_deploys_only_inside_its_county(campaign, tree, people):
    task = _task(campaign, tree.county_a, people, actor=people.county_office)
    with pytest.raises(PermissionDenied):
        services.task_deploy(actor=people.county_office, task=task, units=[tree.branch_b1])
    assert not Assignment.objects.exists()


def test_a_secretary_cannot_deploy(campaign, tree, people):
    with pytest.raises(PermissionDenied):
        _task(campaign, tree.branch_a1, people, actor=people.secretary_a)
    assert not Task.objects.exists()


@pytest.mark.parametrize(
    ("due", "field"), [(date(2026, 8, 31), "due_date"), (date(2027, 2, 1), "due_date")]
)
def test_due_date_inside_the_campaign(due, field, campaign, tree, people):
    with pytest.raises(ValidationError) as excinfo:
        _task(campaign, tree.city, people, due_date=due)
    assert field in excinfo.value.message_dict
    assert not Task.objects.exists()


def test_quarterly_periods(campaign, tree, people):
    task = _task(
        campaign, tree.city, people, recurrence=Recurrence.QUARTERLY, due_date=date(2027, 1, 20)
    )
    services.task_deploy(actor=people.city_office, task=task, units=[tree.branch_a1])
    rows = list(
        Assignment.objects.order_by("period").values_list(
            "period", "period_start", "period_end", "due_date"
        )
    )
    assert rows == [
        ("2026Q3", date(2026, 7, 1), date(2026, 9, 30), date(2026, 9, 30)),
        ("2026Q4", date(2026, 10, 1), date(2026, 12, 31), date(2026, 12, 31)),
        ("2027Q1", date(2027, 1, 1), date(2027, 3, 31), date(2027, 1, 20)),
    ]
    assert services.task_deploy(actor=people.city_office, task=task, units=[tree.branch_a1]) == 0


def test_yearly_periods():
    periods = services.task_periods(
        recurrence=Recurrence.YEARLY, start=date(2026, 9, 1), due_date=date(2027, 6, 30)
    )
    assert [(p.label, p.due) for p in periods] == [
        ("2026", date(2026, 12, 31)),
        ("2027", date(2027, 6, 30)),
    ]


def test_one_off_period():
    periods = services.task_periods(
        recurrence=Recurrence.NONE, start=date(2026, 9, 1), due_date=date(2026, 10, 1)
    )
    assert [(p.label, p.start, p.due) for p in periods] == [("", None, date(2026, 10, 1))]


def test_editing_the_due_date_moves_open_assignments(campaign, tree, people):
    task = _task(campaign, tree.city, people)
    services.task_deploy(
        actor=people.city_office, task=task, units=[tree.branch_a1, tree.branch_a2]
    )
    Assignment.objects.filter(unit=tree.branch_a2).update(state="accepted")
    services.task_update(
        actor=people.city_office,
        task=task,
        title="新标题",
        description="",
        evidence_required="",
        due_date=date(2026, 12, 20),
    )
    dues = dict(Assignment.objects.values_list("unit__code", "due_date"))
    assert dues == {"T-A-1-1": date(2026, 12, 20), "T-A-1-2": date(2026, 12, 15)}
