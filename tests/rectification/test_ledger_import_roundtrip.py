"""A ledger sent back up (rows naming a kept problem by its 编号): whatever rule a service
would refuse comes back as a line of the import report, at its row and column, and nothing
is written; none stops the import with an error."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from accounts.roles import Role
from rectification import services
from rectification.ledger_export import HEADERS
from rectification.ledger_import import ledger_import
from rectification.models import Measure, MeasureState, Problem, ProgressNote
from tests.factories import UserFactory, grant
from tests.rectification.conftest import TODAY
from tests.rectification.factories import make_campaign, make_problem
from tests.rectification.test_ledger_import import xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(tree):
    return make_campaign(tree.city)


@pytest.fixture
def problem(tree, people, campaign):
    """A problem in rectification with one measure and the approved deadline 2026-12-31."""
    problem = make_problem(
        campaign=campaign, unit=tree.branch_a1, actor=people.secretary_a, measures=1
    )
    services.problem_start(problem=problem, actor=people.secretary_a)
    return problem


def code(problem: Problem) -> str:
    return f"{problem.unit.code}-{problem.number}"


def row(problem: Problem, **cells: Any) -> list[Any]:
    """A row of the export's columns for ``problem`` (its first measure unless told)."""
    values = {
        "序号": 1,
        "编号": f"{code(problem)}.1",
        "问题类别": problem.category,
        "问题来源": "自查自纠",
        "问题描述": problem.description,
        "整改措施": "整改措施1：建立学习台账",
        "责任领导": problem.responsible_leader_name,
        "责任人": problem.responsible_person_name,
        "整改时限": "2026-12-31",
        "措施完成情况": "未开始",
        "问题状态": "整改中",
    }
    values.update(cells)
    return [values.get(header, "") for header in HEADERS]


def run(rows: list[list[Any]], *, campaign, unit, user, dry_run: bool = False):
    return ledger_import(
        upload=xlsx([list(HEADERS), *rows]),
        campaign=campaign,
        unit=unit,
        user=user,
        dry_run=dry_run,
        today=TODAY,
    )


def written(problem: Problem) -> tuple[int, int, list[str]]:
    measures = Measure.objects.filter(problem=problem)
    return (
        measures.count(),
        ProgressNote.objects.filter(measure__problem=problem).count(),
        list(measures.order_by("order").values_list("state", flat=True)),
    )


def test_a_new_measure_ending_after_the_approved_deadline_is_a_line_not_an_error(
    tree, people, campaign, problem
):
    before = written(problem)
    rows = [
        row(problem, 整改进展="2026-11-12 完成第一次检查"),  # a change that would be written
        row(problem, 编号="", 整改措施="开展专题研讨", 整改时限="2027-03-31"),
    ]
    for dry_run in (True, False):
        preview = run(
            rows, campaign=campaign, unit=tree.branch_a1, user=people.secretary_a, dry_run=dry_run
        )
        assert not preview.written
        [error] = preview.errors
        assert error.row == 3 and "整改时限" in error.column
        assert "2026-12-31" in error.reason  # the approved deadline, named
    assert written(problem) == before  # the note of the first row was not written either


def test_notes_on_a_draft_and_dates_in_the_future_are_lines(tree, people, campaign):
    draft = make_problem(
        campaign=campaign, unit=tree.branch_a1, actor=people.secretary_a, measures=1
    )
    preview = run(
        [row(draft, 整改进展="2026-11-12 完成第一次检查", 问题状态="未启动")],
        campaign=campaign,
        unit=tree.branch_a1,
        user=people.secretary_a,
    )
    [error] = preview.errors
    assert error.row == 2 and "整改进展" in error.column
    assert written(draft) == (1, 0, [MeasureState.NOT_STARTED])


def test_a_completion_date_in_the_future_is_a_line(tree, people, campaign, problem):
    preview = run(
        [row(problem, 措施完成情况="已完成", 实际完成时间="2026-12-25")],
        campaign=campaign,
        unit=tree.branch_a1,
        user=people.secretary_a,
    )
    [error] = preview.errors
    assert error.row == 2 and "实际完成时间" in error.column
    assert written(problem) == (1, 0, [MeasureState.NOT_STARTED])


def test_a_note_dated_in_the_future_is_a_line(tree, people, campaign, problem):
    preview = run(
        [row(problem, 整改进展="2026-12-01 计划召开推进会")],
        campaign=campaign,
        unit=tree.branch_a1,
        user=people.secretary_a,
    )
    [error] = preview.errors
    assert error.row == 2 and "整改进展" in error.column


def test_a_leader_may_not_update_a_problem_someone_else_leads(tree, people, campaign, problem):
    leader = UserFactory(username="leader_b", full_name="钱副书记")
    grant(leader, tree.county_a, Role.LEADER)
    before = written(problem)
    preview = run(  # he names himself, as a leader must: the problem is still 张书记's
        [row(problem, 责任领导="钱副书记", 整改进展="2026-11-12 完成第一次检查")],
        campaign=campaign,
        unit=tree.branch_a1,
        user=leader,
    )
    assert preview.errors and not preview.written
    assert any("编号" in e.column for e in preview.errors)
    assert written(problem) == before


def test_a_refusal_met_while_writing_takes_back_what_was_written(
    tree, people, campaign, problem, monkeypatch
):
    """Whatever a service refuses that the preview did not foresee: a line, not an error,
    and the rows written before it are taken back."""
    other = make_problem(
        campaign=campaign,
        unit=tree.branch_a1,
        actor=people.secretary_a,
        measures=1,
        description="会议文件偏多",
    )
    services.problem_start(problem=other, actor=people.secretary_a)
    before = written(problem), written(other)

    def refuse(**kwargs):
        raise ValidationError({"completed_on": ["不能记为已完成。"]})

    monkeypatch.setattr(services, "measure_set_state", refuse)
    preview = run(
        [
            row(problem, 整改进展="2026-11-12 完成第一次检查"),
            row(other, 序号=2, 编号=f"{code(other)}.1", 措施完成情况="已完成"),
        ],
        campaign=campaign,
        unit=tree.branch_a1,
        user=people.secretary_a,
    )
    assert not preview.written
    [error] = preview.errors
    assert error.row == 3 and "实际完成时间" in error.column and error.reason == "不能记为已完成。"
    assert (written(problem), written(other)) == before


def test_a_good_update_still_writes(tree, people, campaign, problem):
    preview = run(
        [
            row(problem, 整改进展="2026-11-12 完成第一次检查"),
            row(problem, 编号="", 整改措施="开展专题研讨", 整改时限="2026-12-20"),
        ],
        campaign=campaign,
        unit=tree.branch_a1,
        user=people.secretary_a,
    )
    assert preview.errors == [] and preview.written
    assert written(problem) == (2, 1, [MeasureState.IN_PROGRESS, MeasureState.NOT_STARTED])
    assert Measure.objects.get(problem=problem, order=2).deadline == date(2026, 12, 20)
