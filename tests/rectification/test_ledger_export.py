"""The ledger export: layout of the produced file, the command, the views and the job."""

from __future__ import annotations

import threading
from datetime import date
from io import BytesIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from core.models import BackgroundJob, JobState
from rectification import ledger_views, services
from rectification.ledger_export import (
    COLUMNS,
    FOOTER,
    HEADERS,
    LedgerExporter,
    export_unit_ledger,
)
from rectification.models import MeasureState, Problem, ProblemSource, ProblemType
from tests.factories import UserFactory
from tests.rectification.conftest import NOW
from tests.rectification.factories import make_campaign, make_problem

pytestmark = pytest.mark.django_db

EXPORT_URL = "rectification:ledger-export"


@pytest.fixture(autouse=True)
def _frozen_time():
    # Time starts at the same instant as the other rectification tests but ticks, so that
    # a real worker thread (the queue test) keeps its clocks moving.
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture
def campaign(tree):
    return make_campaign(tree.city)


@pytest.fixture
def ledger(tree, people, campaign):
    """Four problems of branch A1 and one of branch B1, shaped to test every cell."""
    person = UserFactory(username="wang", full_name="王五")
    first = make_problem(
        campaign=campaign,
        unit=tree.branch_a1,
        measures=0,
        description="理论学习流于形式",
        responsible_leader_name="张书记",
        responsible_unit_name="甲一支部",
        remarks="重点问题",
    )
    m1 = services.measure_add(
        problem=first,
        actor=None,
        description="建立学习台账",
        responsible_person=person,
        deadline=date(2026, 12, 15),
    )
    services.measure_add(
        problem=first,
        actor=None,
        description="开展专题研讨",
        responsible_person_name="赵六",
        deadline=date(2026, 12, 31),
    )
    services.problem_start(problem=first, actor=None)
    services.measure_set_state(measure=m1, actor=None, state=MeasureState.IN_PROGRESS)
    services.progress_note_add(
        measure=m1, actor=None, text="已建立台账", noted_on=date(2026, 11, 10)
    )
    services.progress_note_add(
        measure=m1, actor=None, text="完成第一次检查", noted_on=date(2026, 11, 18)
    )
    make_problem(
        campaign=campaign,
        unit=tree.branch_a1,
        measures=0,
        type=ProblemType.IMMEDIATE,
        description="会议室长明灯",
        source=ProblemSource.OPINIONS,
        category="工作作风",
    )
    make_problem(
        campaign=campaign,
        unit=tree.branch_a1,
        measures=1,
        type=ProblemType.ONGOING,
        description="联系群众不够经常",
        category="服务群众",
    )
    make_problem(
        campaign=campaign,
        unit=tree.branch_a1,
        measures=0,
        description='=HYPERLINK("http://example.invalid")',
        remarks="@提醒",
    )
    make_problem(campaign=campaign, unit=tree.branch_b1, description="乙县的问题")
    return first


def col(header: str) -> str:
    """The letter of a ledger column, by its name."""
    return get_column_letter(HEADERS.index(header) + 1)


def at(header: str) -> int:
    """The 0-based index of a ledger column, by its name."""
    return HEADERS.index(header)


def body(ws) -> list[list]:
    """The ledger's rows below the header, without the 填报 line."""
    return [[c.value for c in row] for row in ws.iter_rows(min_row=3) if row[0].value != FOOTER]


def _open(data: bytes):
    return load_workbook(BytesIO(data)).worksheets[0]


def _export(campaign, unit) -> bytes:
    target = BytesIO()
    export_unit_ledger(campaign=campaign, unit=unit, target=target)
    return target.getvalue()


def test_layout_title_header_merges_and_print_setup(tree, campaign, ledger):
    ws = _open(_export(campaign, tree.county_a))
    assert "甲县委" in ws["A1"].value and campaign.name in ws["A1"].value
    last = get_column_letter(len(HEADERS))
    assert f"A1:{last}1" in {str(r) for r in ws.merged_cells.ranges}
    assert tuple(c.value for c in ws[2]) == HEADERS
    assert ws.freeze_panes == "A3"
    assert ws.row_dimensions[1].height == 32  # the title row prints taller
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == 9  # A4
    assert ws.page_setup.fitToWidth == 1
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$2:$2"
    assert ws.page_setup.fitToHeight == 0  # as many pages down as it takes
    widths = {c.header: c.width for c in COLUMNS}
    assert ws.column_dimensions[col("问题描述")].width == widths["问题描述"]
    assert ws.column_dimensions["A"].width == widths["序号"]
    assert all(ws.column_dimensions[col(h)].width for h in HEADERS)
    assert ws[f"{col('问题描述')}3"].alignment.wrap_text
    assert ws[f"{col('整改进展')}3"].alignment.wrap_text
    merged = {str(r) for r in ws.merged_cells.ranges}
    # The first problem has two measures: its own cells merge over rows 3-4.
    for header in ("序号", "问题类别", "问题来源", "问题描述", "责任领导", "问题状态", "备注"):
        assert f"{col(header)}3:{col(header)}4" in merged
    # Different codes, persons, deadlines and progress per measure: not merged.
    for header in ("编号", "责任人", "整改时限", "整改进展", "措施完成情况"):
        assert f"{col(header)}3:{col(header)}4" not in merged
    # Single-row problems: no merge at all.
    assert not any(r.startswith(("A5:", "A6:", "A7:")) for r in merged)
    # County B is outside the subtree; the 填报 line closes the table, across it.
    assert ws.max_row == 8 and ws["A8"].value == FOOTER
    assert f"A8:{last}8" in merged


def test_values_of_each_row(tree, campaign, ledger):
    ws = _open(_export(campaign, tree.branch_a1))
    first, second, immediate, ongoing, _formula = body(ws)

    def cells(row, *headers):
        return [row[at(h)] for h in headers]

    assert cells(
        first, "序号", "编号", "问题类别", "问题来源", "问题描述", "整改措施", "责任领导"
    ) == [1, "T-A-1-1-1.1", "理论学习", "自查自纠", "理论学习流于形式", "建立学习台账", "张书记"]
    assert cells(first, "责任单位", "责任人", "整改时限") == ["甲一支部", "王五", "2026-12-15"]
    assert first[at("整改进展")] == "2026-11-10 已建立台账\n2026-11-18 完成第一次检查"
    assert cells(first, "措施完成情况", "问题状态", "备注") == ["整改中", "整改中", "重点问题"]
    assert second[0] is None and second[at("问题描述")] is None  # merged: only the top cell
    assert cells(second, "编号", "整改措施", "责任人", "整改时限", "整改进展", "措施完成情况") == [
        "T-A-1-1-1.2",
        "开展专题研讨",
        "赵六",
        "2026-12-31",
        None,  # each measure's progress stands with it
        "未开始",
    ]
    assert cells(immediate, "序号", "编号", "问题来源", "整改时限") == [
        2,
        "T-A-1-1-2",
        "征求意见",
        "立行立改（2026-12-31）",
    ]
    assert immediate[at("整改措施")] is None and immediate[at("问题状态")] == "未启动"
    assert ongoing[at("整改时限")] == "长期坚持" and ongoing[at("责任人")] == "李委员"


def test_formula_like_text_is_never_a_formula(tree, campaign, ledger):
    ws = _open(_export(campaign, tree.branch_a1))
    description = ws[f"{col('问题描述')}7"]
    assert description.data_type == "s"
    assert description.value == '\'=HYPERLINK("http://example.invalid")'
    assert ws[f"{col('备注')}7"].value == "'@提醒"
    for row in ws.iter_rows():
        for cell in row:
            assert cell.data_type != "f"


def test_problem_without_measure_gets_one_row_and_closed_state(tree, people, campaign):
    problem = make_problem(
        campaign=campaign, unit=tree.branch_a1, measures=0, type=ProblemType.IMMEDIATE
    )
    Problem.objects.filter(pk=problem.pk).update(
        state="closed", closed_by=people.county_office, closed_at=timezone.now()
    )
    ws = _open(_export(campaign, tree.branch_a1))
    assert ws.max_row == 4  # its row and the 填报 line
    assert ws[f"{col('问题状态')}3"].value == "已销号"
    assert ws[f"{col('销号审核人')}3"].value == people.county_office.display_name
    assert ws[f"{col('销号时间')}3"].value == "2026-11-20"


def test_query_count_does_not_grow_with_problems(tree, campaign):
    def queries() -> int:
        exporter = LedgerExporter(
            problems=Problem.objects.filter(campaign=campaign),
            title="t",
            progress=lambda d, t: None,
        )
        with CaptureQueriesContext(connection) as ctx:
            exporter.write(BytesIO())
        return len(ctx.captured_queries)

    make_problem(campaign=campaign, unit=tree.branch_a1, measures=2)
    few = queries()
    for _ in range(12):
        make_problem(campaign=campaign, unit=tree.branch_a2, measures=3)
    assert queries() == few <= 5


def test_progress_callback_reports_to_the_end(tree, campaign):
    for _ in range(5):
        make_problem(campaign=campaign, unit=tree.branch_a1)
    calls: list[tuple[int, int]] = []
    LedgerExporter(
        problems=Problem.objects.filter(campaign=campaign),
        title="t",
        progress=lambda d, t: calls.append((d, t)),
        progress_every=2,
    ).write(BytesIO())
    assert calls == [(2, 5), (4, 5), (5, 5)]


# --- the command ---------------------------------------------------------------------------


def test_command_writes_the_unit_subtree(tree, campaign, ledger, tmp_path, capsys):
    output = tmp_path / "ledger.xlsx"
    call_command(
        "export_ledger", campaign=str(campaign.pk), unit=tree.county_a.code, output=str(output)
    )
    ws = load_workbook(output).worksheets[0]
    assert ws.max_row == 8
    assert "4" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("campaign_id", "unit_code", "message"),
    [("999999", "T-A", "999999"), ("{pk}", "NOPE", "NOPE"), ("abc", "T-A", "abc")],
)
def test_command_refuses_unknown_campaign_or_unit(
    tree, campaign, tmp_path, campaign_id, unit_code, message
):
    with pytest.raises(CommandError, match=message):
        call_command(
            "export_ledger",
            campaign=campaign_id.format(pk=campaign.pk),
            unit=unit_code,
            output=str(tmp_path / "x.xlsx"),
        )


# --- the views -----------------------------------------------------------------------------


def _choose(client, campaign):
    session = client.session
    session["campaign_id"] = campaign.pk
    session.save()


def test_anonymous_goes_to_login(client, campaign):
    response = client.get(reverse(EXPORT_URL))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_outsider_gets_404(login, people, campaign):
    assert login(people.outsider).get(reverse(EXPORT_URL)).status_code == 404


def test_member_may_not_export(login, people, campaign):
    assert login(people.member_a).get(reverse(EXPORT_URL)).status_code == 403


@pytest.mark.parametrize("who", ["viewer", "secretary_a", "county_office", "leader", "city_office"])
def test_export_roles_download_their_scope(login, people, tree, campaign, ledger, who):
    client = login(getattr(people, who))
    response = client.get(reverse(EXPORT_URL))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    ws = _open(b"".join(response.streaming_content))
    descriptions = {row[at("问题描述")] for row in body(ws) if row[at("问题描述")]}
    sees_b = who in ("viewer", "city_office")
    assert ("乙县的问题" in descriptions) is sees_b
    assert "理论学习流于形式" in descriptions


def test_export_follows_the_list_filters(login, people, tree, campaign, ledger):
    client = login(people.county_office)
    response = client.get(reverse(EXPORT_URL), {"source": ProblemSource.OPINIONS, "page": "3"})
    ws = _open(b"".join(response.streaming_content))
    assert [row[at("问题描述")] for row in body(ws)] == ["会议室长明灯"]
    response = client.get(reverse(EXPORT_URL), {"unit": tree.branch_b1.pk})
    ws = _open(b"".join(response.streaming_content))
    assert body(ws) == []  # outside his scope: nothing, not even the unit's name
    assert "乙一支部" not in ws["A1"].value


def test_large_export_runs_as_a_job(
    login, people, tree, campaign, ledger, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(ledger_views, "SMALL_EXPORT", 2)
    client = login(people.county_office)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse(EXPORT_URL), {"state": "open"})
    job = BackgroundJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("core:job-detail", args=[job.pk])
    job.refresh_from_db()
    assert job.state == JobState.DONE and job.progress == 100
    assert job.unit == tree.county_a and job.requested_by == people.county_office
    download = client.get(reverse("core:job-download", args=[job.pk]))
    ws = _open(b"".join(download.streaming_content))
    assert ws.max_row == 8  # and the 填报 line
    # Someone else in another county cannot fetch it.
    other = login(people.secretary_b).get(reverse("core:job-download", args=[job.pk]))
    assert other.status_code == 404


def test_job_rechecks_the_requester_scope(people, tree, campaign, ledger):
    from accounts.models import RoleAssignment
    from accounts.permissions import forget_grants
    from core.jobs import job_create
    from rectification.tasks import export_ledger_job

    job = job_create(
        kind="ledger_export",
        unit=tree.county_a,
        requested_by=people.county_office,
        params={"campaign": campaign.pk, "filters": {}, "title": "t"},
        enqueue=lambda pk: None,
    )
    RoleAssignment.objects.filter(user=people.county_office).delete()
    forget_grants(people.county_office)
    export_ledger_job.run(job.pk)
    job.refresh_from_db()
    assert job.state == JobState.FAILED and not job.file
    # A job that is no longer queued is left alone (a second delivery does nothing).
    export_ledger_job.run(job.pk)
    job.refresh_from_db()
    assert job.state == JobState.FAILED


# --- a real worker -------------------------------------------------------------------------


REDIS_URL = "redis://127.0.0.1:6379/7"


@pytest.fixture
def celery_app_on_redis():
    import redis

    from config.celery import app

    # Fail, never skip: the queue test is the proof that the job path works.
    redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    saved = {
        key: app.conf.get(key)
        for key in ("broker_url", "task_always_eager", "broker_connection_retry_on_startup")
    }
    app.conf.update(broker_url=REDIS_URL, task_always_eager=False)
    _reset_connections(app)
    yield app
    app.conf.update(saved)
    _reset_connections(app)


def _reset_connections(app) -> None:
    """Drop pooled broker connections so the next send uses the broker configured now."""
    if app._pool is not None:
        app._pool.force_close_all()
        app._pool = None
    app.amqp._producer_pool = None


@pytest.mark.queue
@pytest.mark.django_db(transaction=True)
def test_job_with_a_real_worker(celery_app_on_redis, login, people, tree, campaign, monkeypatch):
    from celery.contrib.testing.worker import start_worker

    for _ in range(4):
        make_problem(campaign=campaign, unit=tree.branch_a1, measures=2)
    monkeypatch.setattr(ledger_views, "SMALL_EXPORT", 1)
    client = login(people.county_office)
    with start_worker(
        celery_app_on_redis,
        pool="solo",
        perform_ping_check=False,
        shutdown_timeout=30,
        loglevel="WARNING",
    ):
        response = client.get(reverse(EXPORT_URL))
        job = BackgroundJob.objects.get()
        assert response["Location"] == reverse("core:job-detail", args=[job.pk])
        done = threading.Event()
        for _ in range(300):
            job.refresh_from_db()
            if job.is_finished:
                break
            done.wait(0.1)
    assert job.state == JobState.DONE, job.error
    page = client.get(reverse("core:job-detail", args=[job.pk]))
    assert reverse("core:job-download", args=[job.pk]) in page.content.decode()
    ws = _open(b"".join(client.get(reverse("core:job-download", args=[job.pk])).streaming_content))
    assert ws.max_row == 2 + 8 + 1  # and the 填报 line


def test_rows_are_as_tall_as_their_wrapped_text_merged_cells_included(tree, campaign):
    from core.xlsx import LINE_HEIGHT, text_lines

    long_text = "基层减负落实不到位，" * 20
    problem = make_problem(
        campaign=campaign, unit=tree.branch_a1, measures=2, description=long_text
    )
    services.problem_start(problem=problem, actor=None)  # notes follow the start
    services.progress_note_add(
        measure=problem.measures.first(),
        actor=None,
        text="完成第一次检查\n" * 3,
        noted_on=date(2026, 11, 10),
    )
    ws = _open(_export(campaign, tree.branch_a1))
    first, second = ws.row_dimensions[3].height, ws.row_dimensions[4].height
    assert first and second
    # the description is merged over both rows: together they hold all its lines
    needed = text_lines(long_text, ws.column_dimensions[col("问题描述")].width) * LINE_HEIGHT
    assert first + second >= needed
    # the progress notes stand in the first measure's row only: it is the taller one
    assert first > second
