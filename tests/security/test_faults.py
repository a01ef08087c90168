"""A database error in the middle of an import or a workflow step leaves nothing half-written."""

from __future__ import annotations

import io
from datetime import date
from unittest import mock

import pytest
from django.db import DatabaseError
from openpyxl import Workbook

from rectification import services
from rectification.ledger_import import ledger_import
from rectification.models import (
    Measure,
    Problem,
    ProblemState,
    ProblemTransition,
    ProgressNote,
)
from tests.rectification.factories import make_campaign, make_problem

pytestmark = pytest.mark.django_db(transaction=True)

HEADER = ["序号", "问题类别", "问题来源", "问题描述", "整改措施", "责任领导", "责任单位",
          "责任人", "整改时限", "整改进展", "完成情况/状态", "备注"]  # fmt: skip


def _ledger(rows: int) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    for i in range(1, rows + 1):
        ws.append([i, "工作作风", "自查自纠", f"问题{i}", f"措施{i}", "张书记", "", "李委员",
                   "2026-12-31", "2026-11-20 已召开专题会", "整改中", ""])  # fmt: skip
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _counts() -> tuple[int, int, int, int]:
    return (
        Problem.objects.count(),
        Measure.objects.count(),
        ProgressNote.objects.count(),
        ProblemTransition.objects.count(),
    )


def test_database_error_after_problems_were_inserted_rolls_the_import_back(tree) -> None:
    campaign = make_campaign(tree.city)
    data = _ledger(5)
    before = _counts()
    inserted = {}

    def failing_bulk_create(objs, *args, **kwargs):
        inserted["problems"] = Problem.objects.filter(unit=tree.branch_a1).count()
        raise DatabaseError("connection lost")

    with mock.patch.object(type(Measure.objects), "bulk_create", side_effect=failing_bulk_create):
        with pytest.raises(DatabaseError):
            ledger_import(
                upload=data,
                campaign=campaign,
                unit=tree.branch_a1,
                user=None,
                today=date(2026, 11, 27),
            )
    assert inserted["problems"] == 5  # the problems were in when the error came
    assert _counts() == before
    # Once the database is back, the same file imports whole.
    preview = ledger_import(
        upload=data, campaign=campaign, unit=tree.branch_a1, user=None, today=date(2026, 11, 27)
    )
    assert preview.written
    assert Problem.objects.filter(unit=tree.branch_a1).count() == 5


def test_database_error_in_a_workflow_step_leaves_the_problem_as_it_was(tree) -> None:
    campaign = make_campaign(tree.city)
    problem = make_problem(campaign=campaign, unit=tree.branch_a1)
    assert problem.state == ProblemState.DRAFT
    before = _counts()
    with mock.patch.object(
        type(ProblemTransition.objects), "create", side_effect=DatabaseError("disk full")
    ):
        with pytest.raises(DatabaseError):
            services.problem_start(problem=problem, actor=None)
    problem.refresh_from_db()
    assert problem.state == ProblemState.DRAFT
    assert _counts() == before
    services.problem_start(problem=problem, actor=None)
    problem.refresh_from_db()
    assert problem.state == ProblemState.IN_RECTIFICATION
    assert _counts()[3] == before[3] + 1
