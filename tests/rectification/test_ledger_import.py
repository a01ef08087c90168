"""The ledger import: messy real-world sheets, the round trip, all or nothing, bad input and
the command (the upload page and its jobs: test_ledger_import_jobs.py)."""

from __future__ import annotations

import zipfile
from datetime import date, datetime
from io import BytesIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook, load_workbook
from pghistory.models import Events

from rectification import services
from rectification.ledger_export import export_unit_ledger
from rectification.ledger_import import (
    LedgerFileError,
    ledger_import,
    ledger_preview,
    parse_date,
)
from rectification.models import (
    Measure,
    MeasureState,
    Problem,
    ProblemSource,
    ProblemState,
    ProblemTransition,
    ProblemType,
    ProgressNote,
)
from tests.factories import UserFactory, grant
from tests.rectification.conftest import TODAY
from tests.rectification.factories import make_campaign, make_problem

pytestmark = pytest.mark.django_db

IMPORT_URL = "rectification:ledger-import"
HEADER = ["序号", "问题类别", "问题来源", "问题描述", "整改措施", "责任领导", "责任单位",
          "责任人", "整改时限", "整改进展", "完成情况/状态", "备注"]  # fmt: skip


def xlsx(
    rows: list[list[Any]],
    *,
    merges: tuple[str, ...] = (),
    text_cells: dict[str, str] | None = None,
) -> bytes:
    """A workbook built as people build theirs (normal mode, merged cells, anything)."""
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    for cells in merges:
        ws.merge_cells(cells)
    for ref, text in (text_cells or {}).items():
        ws[ref].value = text
        ws[ref].data_type = "s"  # text that merely looks like a formula
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def good_row(seq: Any = 1, **overrides: Any) -> list[Any]:
    values = {
        "seq": seq,
        "category": "工作作风",
        "source": "自查自纠",
        "description": f"问题{seq}",
        "measure": f"措施{seq}",
        "leader": "张书记",
        "unit": "",
        "person": "李委员",
        "deadline": "2026-12-31",
        "progress": "",
        "state": "整改中",
        "remarks": "",
    }
    values.update(overrides)
    return list(values.values())


@pytest.fixture
def campaign(tree):
    return make_campaign(tree.city)


def run(data: bytes, *, campaign, unit, user=None, dry_run: bool = False):
    return ledger_import(
        upload=data, campaign=campaign, unit=unit, user=user, dry_run=dry_run, today=TODAY
    )


# --- messy sheets ----------------------------------------------------------------------------


def test_messy_ledger_with_title_notes_merges_shuffled_columns_and_date_forms(
    tree, people, campaign
):
    existing = make_problem(campaign=campaign, unit=tree.branch_a1)
    leader = UserFactory(username="zhang", full_name="张明")
    grant(leader, tree.branch_a1, "leader")
    for username in ("li1", "li2"):  # two people of the same name: kept as text
        grant(UserFactory(username=username, full_name="李强"), tree.branch_a1, "member")
    rows = [
        ["甲一支部主题教育检视问题整改台账", None, None, None, None, None, None, None, None],
        ["填报单位：甲一支部（盖章）", None, None, None, "填报时间：2026年11月"],
        # shuffled columns, variant names, stray spaces and a line break
        ["序 号", "存在问题", "类别", "整改举措", "完成时限", "整改\n状态", "责任人",
         "牵头领导", "责任单位"],
        [1, "理论学习不深入", "理论学习", "制定学习计划", "2026/12/31", "未启动", "李强", "张明",
         "甲一支部"],
        [None, None, None, "每月集中学习", datetime(2027, 1, 15), "进行中", "王芳", None, None],
        [2, "服务群众不到位", "服务群众方面", "建立走访制度", "2026.12.20", "已整改", "王芳",
         "张明", "甲一支部"],
        [3, "会风文风不实", "工作作风", "精简会议文件", "立行立改", "已完成", "王芳", "张明", None],
        [4, "制度执行不严", "其他", "健全长效机制", "长期坚持", "整改中", "王芳", "张明", None],
        [5, "学习笔记不全", "理论学习", "补齐笔记", "2026年12月31日", "整改中", "王芳", "张明",
         None],
        [None, None, None, None, None, None, None, None, None],
        ["填表人：王芳", None, None, None, None, None, None, None, None],
    ]  # fmt: skip
    data = xlsx(rows, merges=("A1:I1", "A4:A5", "B4:B5", "C4:C5", "H4:H5", "I4:I5"))
    preview = run(data, campaign=campaign, unit=tree.branch_a1, user=people.secretary_a)
    assert preview.errors == []
    assert preview.written and preview.header_row == 3
    problems = list(
        Problem.objects.filter(unit=tree.branch_a1).exclude(pk=existing.pk).order_by("number")
    )
    assert [p.number for p in problems] == [2, 3, 4, 5, 6]
    first, second, immediate, ongoing, chinese = problems
    assert first.description == "理论学习不深入" and first.category == "理论学习"
    assert first.source == ProblemSource.SELF_REVIEW  # no source column: 自查自纠
    assert first.type == ProblemType.DEADLINE and first.deadline == date(2027, 1, 15)
    assert first.responsible_leader == leader and first.responsible_leader_name == "张明"
    assert first.responsible_unit == tree.branch_a1
    assert first.responsible_person is None and first.responsible_person_name == "李强"
    assert first.state == ProblemState.IN_RECTIFICATION
    measures = list(first.measures.order_by("order"))
    assert [(m.description, m.deadline, m.state, m.responsible_person_name) for m in measures] == [
        ("制定学习计划", date(2026, 12, 31), MeasureState.NOT_STARTED, "李强"),
        ("每月集中学习", date(2027, 1, 15), MeasureState.IN_PROGRESS, "王芳"),
    ]
    assert second.category == "服务群众" and second.deadline == date(2026, 12, 20)
    assert second.measures.get().state == MeasureState.DONE
    assert immediate.type == ProblemType.IMMEDIATE and immediate.deadline is None
    assert ongoing.type == ProblemType.ONGOING and ongoing.deadline is None
    assert chinese.deadline == date(2026, 12, 31)
    # one workflow step per problem, recorded with the importer
    steps = ProblemTransition.objects.filter(problem__in=problems)
    assert steps.count() == 5 and {s.actor_id for s in steps} == {people.secretary_a.pk}
    # history is kept by the triggers, with the importer and the command as context
    event = Events.objects.filter(pgh_obj_model="rectification.Problem", pgh_obj_id=first.pk).get()
    assert event.pgh_context["command"] == "import_ledger"
    assert event.pgh_context["user"] == people.secretary_a.pk


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("2026-12-31", date(2026, 12, 31)),
        ("2026/12/31", date(2026, 12, 31)),
        ("2026.12.31", date(2026, 12, 31)),
        ("2026年12月31日", date(2026, 12, 31)),
        ("2026 年 3 月 5 日前", date(2026, 3, 5)),
        ("2026年2月底", date(2026, 2, 28)),
        (datetime(2026, 12, 31, 0, 0), date(2026, 12, 31)),
        (46387, date(2026, 12, 31)),
    ],
)
def test_date_forms(written, expected):
    assert parse_date(written) == expected


@pytest.mark.parametrize("written", ["2026-02-30", "2026年13月1日", "明年底", "2026-12"])
def test_impossible_or_unreadable_dates(written):
    with pytest.raises(ValueError):
        parse_date(written)


def test_progress_notes_with_dates_become_notes(tree, people, campaign):
    rows = [HEADER, good_row(progress="2026-11-01 召开动员会\n2026年11月15日：完成自查\n补充说明")]
    run(xlsx(rows), campaign=campaign, unit=tree.branch_a1, user=people.secretary_a)
    notes = list(ProgressNote.objects.order_by("noted_on").values_list("noted_on", "text"))
    assert notes == [
        (date(2026, 11, 1), "召开动员会"),
        (date(2026, 11, 15), "完成自查\n补充说明"),
    ]
    assert Problem.objects.get().last_progress_on == date(2026, 11, 15)


# --- round trip ----------------------------------------------------------------------------


def _snapshot(unit) -> list[tuple]:
    problems = []
    for p in Problem.objects.filter(unit=unit).order_by("number"):
        measures = [
            (
                m.description,
                m.responsible_person.display_name
                if m.responsible_person
                else (m.responsible_person_name or p.responsible_person_name),
                m.deadline or p.deadline,
                m.state,
                [(n.noted_on, n.text) for n in m.progress_notes.order_by("noted_on", "pk")],
            )
            for m in p.measures.order_by("order", "pk")
        ]
        problems.append(
            (
                p.category,
                p.source,
                p.description,
                p.responsible_leader_name,
                p.responsible_unit.name if p.responsible_unit else p.responsible_unit_name,
                p.type,
                p.deadline,
                p.state,
                p.remarks,
                measures,
            )
        )
    return problems


def test_round_trip_gives_back_the_same_problems_and_measures(tree, people, campaign):
    person = UserFactory(username="wang", full_name="王五")
    grant(person, tree.branch_a1, "member")
    first = make_problem(
        campaign=campaign,
        unit=tree.branch_a1,
        measures=0,
        responsible_unit_name="甲一支部",
        remarks="重点",
    )
    m1 = services.measure_add(
        problem=first,
        actor=None,
        description="建立学习台账",
        responsible_person=person,
        deadline=date(2026, 12, 15),
    )
    services.measure_add(
        problem=first, actor=None, description="-每月检查一次", deadline=date(2026, 12, 31)
    )
    services.problem_start(problem=first, actor=None)
    services.measure_set_state(measure=m1, actor=None, state=MeasureState.DONE)
    services.progress_note_add(measure=m1, actor=None, text="已建立", noted_on=date(2026, 11, 10))
    immediate = make_problem(
        campaign=campaign,
        unit=tree.branch_a1,
        measures=1,
        type=ProblemType.IMMEDIATE,
        source=ProblemSource.PETITION,
        category="服务群众",
        description="=窗口服务态度差",
    )
    services.problem_start(problem=immediate, actor=None)
    ongoing = make_problem(
        campaign=campaign, unit=tree.branch_a1, measures=2, type=ProblemType.ONGOING
    )
    services.problem_start(problem=ongoing, actor=None)
    make_problem(campaign=campaign, unit=tree.branch_a1, measures=0, category="其他")  # draft
    submitted = make_problem(campaign=campaign, unit=tree.branch_a1, measures=1)
    Problem.objects.filter(pk=submitted.pk).update(state=ProblemState.SUBMITTED)
    Measure.objects.filter(problem=submitted).update(state=MeasureState.DONE)

    target = BytesIO()
    export_unit_ledger(campaign=campaign, unit=tree.branch_a1, target=target)
    # Copied into another unit: the 编号 name A1's problems, so they are cleared first
    # (a row without one is a new problem).
    book = load_workbook(BytesIO(target.getvalue()))
    sheet = book.worksheets[0]
    for row in range(3, sheet.max_row):  # the last row is the 填报 line
        sheet.cell(row=row, column=2).value = None
    copied = BytesIO()
    book.save(copied)
    preview = run(
        copied.getvalue(), campaign=campaign, unit=tree.branch_a2, user=people.county_office
    )
    assert preview.errors == [] and preview.written
    expected = _snapshot(tree.branch_a1)
    # A ledger carries no evidence: the problem up for 销号 comes back in rectification,
    # as far as the form could take it, and the report says so (docs/rules.md).
    assert expected[4][7] == ProblemState.SUBMITTED
    expected[4] = (*expected[4][:7], ProblemState.IN_RECTIFICATION, *expected[4][8:])
    assert _snapshot(tree.branch_a2) == expected
    assert len(preview.notes) == 1 and "待销号" in str(preview.notes[0])
    assert (
        Problem.objects.get(unit=tree.branch_a2, number=1).measures.get(order=1).responsible_person
        == person
    )


# --- all or nothing and bad rows -------------------------------------------------------------


def test_one_bad_row_writes_nothing_and_reports_each_bad_row(tree, people, campaign):
    rows = [
        ["台账"],
        HEADER,
        good_row(1),
        good_row(2, deadline="2026-02-30"),
        good_row(3, description=""),
        good_row(4, category="不存在的类别"),
        good_row(5, source="网上传言"),
        good_row(6, state="差不多了"),
        good_row(7, measure="+追加措施"),
        good_row(8, remarks="@某人"),
        good_row(9, deadline=""),
        good_row(10),
    ]
    data = xlsx(rows, text_cells={"D13": "=手工输入的等号"})
    before = Problem.objects.count()
    preview = run(data, campaign=campaign, unit=tree.branch_a1, user=people.secretary_a)
    assert Problem.objects.count() == before and not preview.written
    found = {(e.row, e.column.split("（")[0]) for e in preview.errors}
    assert found == {
        (4, "I"), (5, "D"), (6, "B"), (7, "C"), (8, "K"), (9, "E"), (10, "L"), (11, "I"), (13, "D")
    }  # fmt: skip
    messages = {e.row: str(e) for e in preview.errors}
    assert "第 4 行" in messages[4] and "2026-02-30" in messages[4]
    assert "不能为空" in messages[5]


def test_formula_cells_are_reported_not_evaluated(tree, people, campaign):
    rows = [HEADER, good_row(1), good_row(2, deadline="=DATE(2026,12,31)")]
    preview = run(xlsx(rows), campaign=campaign, unit=tree.branch_a1, user=people.secretary_a)
    assert [(e.row, e.column) for e in preview.errors] == [(3, "I（整改时限）")]
    assert "公式" in preview.errors[0].reason
    assert not Problem.objects.exists()


def test_several_rows_of_one_problem_each_need_a_measure(tree, people, campaign):
    rows = [HEADER, good_row(1), good_row(1, measure="")]
    preview = run(xlsx(rows), campaign=campaign, unit=tree.branch_a1, user=people.secretary_a)
    assert [(e.row, e.column) for e in preview.errors] == [(3, "E（整改措施）")]


@pytest.mark.parametrize("who", ["secretary_a", "county_office"])
@pytest.mark.parametrize("word", ["待销号", "已销号"])
def test_rows_up_for_closing_come_in_rectification_with_a_note(tree, people, campaign, who, word):
    """No evidence comes with a ledger: whoever imports it, a problem marked 待销号 or 已销号
    is written as the form could leave it, in rectification with its measures done."""
    rows = [HEADER, good_row(1, state=word), good_row(1, measure="措施二", state="整改中")]
    preview = run(xlsx(rows), campaign=campaign, unit=tree.branch_a1, user=getattr(people, who))
    assert preview.errors == [] and preview.written
    problem = Problem.objects.get()
    assert problem.state == ProblemState.IN_RECTIFICATION
    assert problem.submitted_at is None and problem.closed_at is None
    assert [m.state for m in problem.measures.order_by("order")] == [MeasureState.DONE] * 2
    [note] = preview.notes
    assert (note.row, note.column) == (2, "K（完成情况/状态）")
    assert word in note.reason and "整改中" in note.reason and "佐证" in note.reason
    assert ProblemTransition.objects.get().to_state == ProblemState.IN_RECTIFICATION


def test_no_header_is_refused(tree, campaign):
    with pytest.raises(LedgerFileError, match="表头"):
        run(xlsx([["随便写的"], ["甲", "乙", "丙"]]), campaign=campaign, unit=tree.branch_a1)


def test_header_without_a_required_column_is_refused(tree, campaign):
    rows = [["序号", "问题类别", "问题描述", "整改措施"], [1, "其他", "问题", "措施"]]
    with pytest.raises(LedgerFileError, match="整改时限"):
        run(xlsx(rows), campaign=campaign, unit=tree.branch_a1)


@pytest.mark.parametrize(
    "data",
    [b"", b"%PDF-1.7 not a workbook", b"PK\x03\x04 broken zip", "问题,措施\n".encode()],
)
def test_not_an_xlsx_is_refused(tree, campaign, data):
    with pytest.raises(LedgerFileError, match="xlsx"):
        run(data, campaign=campaign, unit=tree.branch_a1)


def test_a_zip_that_is_not_a_workbook_is_refused(tree, campaign):
    out = BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(LedgerFileError, match="xlsx"):
        run(out.getvalue(), campaign=campaign, unit=tree.branch_a1)


def test_zip_bomb_is_refused_before_it_is_opened(tree, campaign):
    out = BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (16 * 1024 * 1024))
    assert len(out.getvalue()) < 100_000
    with pytest.raises(LedgerFileError, match="解压"):
        run(out.getvalue(), campaign=campaign, unit=tree.branch_a1)


def test_file_over_the_limit_is_refused(tree, campaign, settings):
    settings.IMPORT_MAX_BYTES = 1024
    data = xlsx([HEADER] + [good_row(i, description="很长的问题描述" * 20) for i in range(1, 80)])
    assert len(data) > 1024
    with pytest.raises(LedgerFileError, match="MB"):
        run(data, campaign=campaign, unit=tree.branch_a1)


# --- the command ---------------------------------------------------------------------------


def test_command_imports_and_counts(tree, campaign, tmp_path, capsys):
    path = tmp_path / "ledger.xlsx"
    path.write_bytes(xlsx([HEADER, good_row(1), good_row(1, measure="措施二"), good_row(2)]))
    call_command("import_ledger", str(path), campaign=str(campaign.pk), unit=tree.branch_a1.code)
    assert "2" in capsys.readouterr().out
    assert Problem.objects.count() == 2 and Measure.objects.count() == 3


def test_command_dry_run_writes_nothing(tree, campaign, tmp_path, capsys):
    path = tmp_path / "ledger.xlsx"
    path.write_bytes(xlsx([HEADER, good_row(1)]))
    call_command(
        "import_ledger",
        str(path),
        campaign=str(campaign.pk),
        unit=tree.branch_a1.code,
        dry_run=True,
    )
    assert "1" in capsys.readouterr().out
    assert not Problem.objects.exists()


def test_command_bad_rows_exit_non_zero_one_line_each(tree, campaign, tmp_path, capsys):
    path = tmp_path / "ledger.xlsx"
    path.write_bytes(
        xlsx([HEADER, good_row(1, deadline="2026-13-01"), good_row(2), good_row(3, category="")])
    )
    with pytest.raises(CommandError):
        call_command(
            "import_ledger", str(path), campaign=str(campaign.pk), unit=tree.branch_a1.code
        )
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(lines) == 2
    assert lines[0].startswith("第 2 行") and "I" in lines[0]
    assert lines[1].startswith("第 4 行") and "B" in lines[1]
    assert not Problem.objects.exists()


def test_command_reports_rows_written_otherwise_than_they_read(tree, campaign, tmp_path, capsys):
    path = tmp_path / "ledger.xlsx"
    path.write_bytes(xlsx([HEADER, good_row(1, state="待销号"), good_row(2, state="已销号")]))
    call_command("import_ledger", str(path), campaign=str(campaign.pk), unit=tree.branch_a1.code)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("第 2 行") and "待销号" in lines[0] and "整改中" in lines[0]
    assert lines[1].startswith("第 3 行") and "已销号" in lines[1]
    assert set(Problem.objects.values_list("state", flat=True)) == {ProblemState.IN_RECTIFICATION}


@pytest.mark.parametrize(("campaign_id", "unit_code"), [("999999", "T-A-1-1"), ("{pk}", "NOPE")])
def test_command_unknown_campaign_or_unit(tree, campaign, tmp_path, campaign_id, unit_code):
    path = tmp_path / "ledger.xlsx"
    path.write_bytes(xlsx([HEADER, good_row(1)]))
    with pytest.raises(CommandError, match=unit_code if unit_code == "NOPE" else "999999"):
        call_command(
            "import_ledger",
            str(path),
            campaign=campaign_id.format(pk=campaign.pk),
            unit=unit_code,
        )


def test_command_refuses_a_non_xlsx(tree, campaign, tmp_path):
    path = tmp_path / "ledger.xlsx"
    path.write_text("序号,问题描述\n1,问题\n")
    with pytest.raises(CommandError, match="xlsx"):
        call_command("import_ledger", str(path), campaign=str(campaign.pk), unit="T-A-1-1")


# --- the upload page -------------------------------------------------------------------------


def test_preview_by_the_upload_helper_matches_names_in_scope(tree, people, campaign):
    other = UserFactory(username="far", full_name="远方的人")
    grant(other, tree.branch_b1, "secretary")
    rows = [HEADER, good_row(1, person="远方的人", unit="乙一支部")]
    preview = ledger_preview(
        upload=xlsx(rows), campaign=campaign, unit=tree.branch_a1, user=people.secretary_a
    )
    problem = preview.problems[0]
    assert problem.person_id is None and problem.person_name == "远方的人"
    assert problem.unit_id is None and problem.unit_name == "乙一支部"


# --- the admin's plain tables (django-import-export) -------------------------------------------


def _dataset(rows: list[dict[str, Any]]):
    import tablib

    data = tablib.Dataset(headers=list(rows[0]))
    for row in rows:
        data.append(list(row.values()))
    return data


def _problem_row(campaign, unit_code: str, number: int) -> dict[str, Any]:
    return {
        "id": "",
        "campaign": campaign.pk,
        "unit": unit_code,
        "number": number,
        "category": "其他",
        "source": ProblemSource.SELF_REVIEW,
        "description": f"表格问题{number}",
        "type": ProblemType.DEADLINE,
        "deadline": "2026-12-31",
        "discovered_on": "2026-11-01",
        "state": ProblemState.DRAFT,
        "mass_concern": 0,
        "long_unresolved": 0,
    }


def test_resource_export_is_scoped(tree, people, campaign):
    from rectification.resources import MeasureResource, ProblemResource

    make_problem(campaign=campaign, unit=tree.branch_a1, description="甲的问题")
    make_problem(campaign=campaign, unit=tree.branch_b1, description="乙的问题")
    exported = ProblemResource(user=people.secretary_a).export()
    assert exported["description"] == ["甲的问题"]
    assert exported["unit"] == [tree.branch_a1.code]
    assert len(MeasureResource(user=people.secretary_a).export()) == 1
    assert len(ProblemResource(user=people.city_office).export()) == 2


def test_resource_import_is_all_or_nothing_and_scoped(tree, people, campaign):
    from rectification.resources import ProblemResource

    rows = [
        _problem_row(campaign, tree.branch_a1.code, 1),
        _problem_row(campaign, tree.branch_b1.code, 1),  # not his unit
    ]
    result = ProblemResource(user=people.secretary_a).import_data(
        _dataset(rows), dry_run=False, rollback_on_validation_errors=True, use_transactions=True
    )
    assert result.has_validation_errors() and not result.has_errors()
    assert "T-B-1" in str(result.invalid_rows[0].error_dict["unit"])
    assert not Problem.objects.exists()
    result = ProblemResource(user=people.secretary_a).import_data(
        _dataset(rows[:1]),
        dry_run=False,
        rollback_on_validation_errors=True,
        use_transactions=True,
    )
    assert not result.has_errors() and not result.has_validation_errors()
    assert Problem.objects.get().unit == tree.branch_a1


def test_resource_import_keeps_the_workflow_and_the_leader_rule(tree, people, campaign):
    from rectification.resources import MeasureResource, ProblemResource

    def load(resource, rows):
        return resource.import_data(
            _dataset(rows), dry_run=False, rollback_on_validation_errors=True, use_transactions=True
        )

    closed = {**_problem_row(campaign, tree.branch_a1.code, 1), "state": ProblemState.CLOSED}
    result = load(ProblemResource(user=people.secretary_a), [closed])
    assert "state" in result.invalid_rows[0].error_dict
    draft = _problem_row(campaign, tree.branch_a1.code, 1)
    result = load(ProblemResource(user=people.leader), [draft])  # names no leader
    assert "responsible_leader" in result.invalid_rows[0].error_dict
    assert not Problem.objects.exists()
    problem = make_problem(campaign=campaign, unit=tree.branch_a1)
    measure = problem.measures.get()
    row = {"id": measure.pk, "problem": problem.pk, "order": 1, "description": "措施",
           "state": MeasureState.DONE}  # fmt: skip
    result = load(MeasureResource(user=people.secretary_a), [row])
    assert "state" in result.invalid_rows[0].error_dict  # not done before rectification starts
    assert Measure.objects.get().state == MeasureState.NOT_STARTED


def test_admin_imports_roll_back_on_validation_errors():
    from django.contrib import admin

    from rectification.models import Measure as MeasureModel

    for model in (Problem, MeasureModel):
        kwargs = admin.site._registry[model].get_import_data_kwargs()
        assert kwargs["rollback_on_validation_errors"] is True


# --- the ledger sent down, filled in and sent back up ----------------------------------------


def test_export_fill_in_and_import_back_updates_without_duplicates(tree, people, campaign):
    from rectification.ledger_export import HEADERS

    problem = make_problem(
        campaign=campaign, unit=tree.branch_a1, actor=people.secretary_a, measures=2
    )
    services.problem_start(problem=problem, actor=people.secretary_a)
    first = problem.measures.get(order=1)
    services.progress_note_add(
        measure=first, actor=people.secretary_a, text="已建立台账", noted_on=date(2026, 11, 5)
    )
    before = Problem.objects.count()

    target = BytesIO()
    export_unit_ledger(campaign=campaign, unit=tree.branch_a1, target=target)
    book = load_workbook(BytesIO(target.getvalue()))
    sheet = book.worksheets[0]
    progress = HEADERS.index("整改进展") + 1
    state = HEADERS.index("措施完成情况") + 1
    done = HEADERS.index("实际完成时间") + 1
    assert sheet.cell(row=3, column=2).value == f"{problem.unit.code}-{problem.number}.1"
    sheet.cell(row=3, column=progress).value += "\n2026-11-12 完成第一次检查"
    sheet.cell(row=4, column=progress).value = "2026-11-13 研讨方案已印发"
    sheet.cell(row=4, column=state).value = "已完成"
    sheet.cell(row=4, column=done).value = "2026-11-13"
    filled = BytesIO()
    book.save(filled)

    preview = run(
        filled.getvalue(), campaign=campaign, unit=tree.branch_a1, user=people.secretary_a
    )
    assert preview.errors == [] and preview.written
    [row] = preview.problems
    assert row.outcome == "updated" and row.problem_id == problem.pk
    assert any("未开始 → 已完成" in str(c) or "→" in str(c) for c in row.changes)
    assert Problem.objects.count() == before  # updated, not duplicated
    assert [n.text for n in first.progress_notes.order_by("noted_on")] == [
        "已建立台账",
        "完成第一次检查",
    ]
    second = problem.measures.get(order=2)
    assert second.state == MeasureState.DONE and second.completed_on == date(2026, 11, 13)
    assert second.progress_notes.get().author == people.secretary_a
    # the history shows the import, by the person who imported it
    event = second.events.order_by("pgh_id").last()
    assert event.pgh_context.metadata["user"] == people.secretary_a.pk
    assert event.pgh_context.metadata["command"] == "import_ledger"

    again = run(filled.getvalue(), campaign=campaign, unit=tree.branch_a1, user=people.secretary_a)
    assert again.errors == [] and [p.outcome for p in again.problems] == ["unchanged"]
    assert Problem.objects.count() == before
    assert first.progress_notes.count() == 2 and second.progress_notes.count() == 1


def test_a_deadline_changed_in_the_file_is_not_taken(tree, people, campaign):
    from rectification.ledger_export import HEADERS

    problem = make_problem(
        campaign=campaign, unit=tree.branch_a1, actor=people.secretary_a, measures=1
    )
    services.problem_start(problem=problem, actor=people.secretary_a)
    target = BytesIO()
    export_unit_ledger(campaign=campaign, unit=tree.branch_a1, target=target)
    book = load_workbook(BytesIO(target.getvalue()))
    book.worksheets[0].cell(row=3, column=HEADERS.index("整改时限") + 1).value = "2027-06-30"
    changed = BytesIO()
    book.save(changed)
    preview = run(
        changed.getvalue(), campaign=campaign, unit=tree.branch_a1, user=people.secretary_a
    )
    assert preview.errors == [] and [p.outcome for p in preview.problems] == ["unchanged"]
    assert "延期申请" in str(preview.notes[0])
    assert Problem.objects.get(pk=problem.pk).deadline == date(2026, 12, 31)
