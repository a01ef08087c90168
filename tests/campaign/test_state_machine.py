"""The assignment state machine: every allowed and every refused transition."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from campaign import services
from campaign.models import TRANSITIONS, Assignment
from campaign.models import AssignmentState as S
from tests.campaign.factories import ActivityFactory, AssignmentFactory, TaskFactory

pytestmark = pytest.mark.django_db

ALL = list(S.values)
ALLOWED = {(a, b) for a, targets in TRANSITIONS.items() for b in targets}


@pytest.fixture
def task(campaign, tree):
    return TaskFactory(campaign=campaign, issuer=tree.county_a)


def _make(task, tree, state, **extra):
    return AssignmentFactory(task=task, unit=tree.branch_a1, state=state, **extra)


def _do(target, assignment, people, tree, campaign):
    """Ask the service that leads to ``target``."""
    if target == S.IN_PROGRESS:
        return services.assignment_start(actor=people.secretary_a, assignment=assignment)
    if target == S.SUBMITTED:
        activity = ActivityFactory(campaign=campaign, unit=tree.branch_a1)
        return services.assignment_submit(
            actor=people.secretary_a, assignment=assignment, activities=[activity]
        )
    if target == S.ACCEPTED:
        return services.assignment_accept(actor=people.county_office, assignment=assignment)
    if target == S.RETURNED:
        return services.assignment_return(
            actor=people.county_office, assignment=assignment, reason="缺少签到表"
        )
    raise AssertionError(target)


TARGETS = [S.IN_PROGRESS, S.SUBMITTED, S.ACCEPTED, S.RETURNED]


def test_the_table_matches_the_design():
    assert ALLOWED == {
        (S.PENDING, S.IN_PROGRESS),
        (S.PENDING, S.SUBMITTED),
        (S.IN_PROGRESS, S.SUBMITTED),
        (S.SUBMITTED, S.ACCEPTED),
        (S.SUBMITTED, S.RETURNED),
        (S.RETURNED, S.IN_PROGRESS),
    }


@pytest.mark.parametrize("source", ALL)
@pytest.mark.parametrize("target", TARGETS)
def test_every_transition(source, target, task, tree, people, campaign):
    assignment = _make(task, tree, source)
    # A returned assignment is resubmitted in one step (returned → in_progress → submitted).
    allowed = (source, target) in ALLOWED or (source, target) == (S.RETURNED, S.SUBMITTED)
    if allowed:
        result = _do(target, assignment, people, tree, campaign)
        assignment.refresh_from_db()
        assert assignment.state == target == result.state
    else:
        with pytest.raises(ValidationError) as excinfo:
            _do(target, assignment, people, tree, campaign)
        assert "state" in excinfo.value.message_dict
        assignment.refresh_from_db()
        assert assignment.state == source


def test_resubmission_passes_through_in_progress_in_the_history(task, tree, people, campaign):
    from core.history import history_for

    assignment = _make(task, tree, S.RETURNED, return_reason="缺少照片")
    _do(S.SUBMITTED, assignment, people, tree, campaign)
    states = [c.after for e in history_for(assignment) for c in e.changes if c.field == "state"]
    # The history shows either the stored value or its label, depending on its display.
    assert states[0] in (S.SUBMITTED, str(S.SUBMITTED.label))
    assert states[1] in (S.IN_PROGRESS, str(S.IN_PROGRESS.label))


def test_return_needs_a_reason(task, tree, people):
    assignment = _make(task, tree, S.SUBMITTED)
    with pytest.raises(ValidationError) as excinfo:
        services.assignment_return(actor=people.county_office, assignment=assignment, reason=" ")
    assert "reason" in excinfo.value.message_dict
    assignment.refresh_from_db()
    assert assignment.state == S.SUBMITTED


def test_return_keeps_the_reason_for_the_unit(task, tree, people):
    assignment = _make(task, tree, S.SUBMITTED)
    services.assignment_return(
        actor=people.county_office, assignment=assignment, reason="照片不清晰"
    )
    assignment.refresh_from_db()
    assert assignment.return_reason == "照片不清晰"
    assert assignment.reviewed_by == people.county_office


def test_submit_needs_evidence_or_a_note(task, tree, people):
    assignment = _make(task, tree, S.PENDING)
    with pytest.raises(ValidationError) as excinfo:
        services.assignment_submit(actor=people.secretary_a, assignment=assignment)
    assert "note" in excinfo.value.message_dict
    assignment.refresh_from_db()
    assert assignment.state == S.PENDING
    services.assignment_submit(actor=people.secretary_a, assignment=assignment, note="已完成")
    assignment.refresh_from_db()
    assert assignment.state == S.SUBMITTED


@pytest.mark.parametrize("who", ["viewer", "member_a", "secretary_b", "outsider", "leader"])
def test_only_the_office_reviews(who, task, tree, people):
    assignment = _make(task, tree, S.SUBMITTED)
    with pytest.raises(PermissionDenied):
        services.assignment_accept(actor=getattr(people, who), assignment=assignment)


@pytest.mark.parametrize("who", ["viewer", "member_a", "secretary_b", "outsider"])
def test_only_loggers_of_the_unit_answer(who, task, tree, people):
    assignment = _make(task, tree, S.PENDING)
    with pytest.raises(PermissionDenied):
        services.assignment_start(actor=getattr(people, who), assignment=assignment)


def test_overdue_is_derived(task, tree):
    from datetime import date

    from campaign.models import Assignment

    late = _make(task, tree, S.IN_PROGRESS, due_date=date(2026, 11, 1))
    done = AssignmentFactory(
        task=task, unit=tree.branch_a2, state=S.ACCEPTED, due_date=date(2026, 11, 1)
    )
    today = date(2026, 11, 20)
    assert late.is_overdue_on(today) and not done.is_overdue_on(today)
    assert list(Assignment.objects.overdue(today)) == [late]


@pytest.mark.parametrize("state", ALL)
def test_the_record_says_what_it_may_do_next(state):
    """The pages ask the assignment; its answers follow the table."""
    assignment = Assignment(state=state)
    assert assignment.can_start() is (state == S.PENDING)
    assert assignment.can_submit() is (state in (S.PENDING, S.IN_PROGRESS, S.RETURNED))
    assert assignment.can_review() is (state == S.SUBMITTED)
