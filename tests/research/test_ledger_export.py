"""The research ledger (调研台账) in Excel: command and download button."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from research import services
from tests.research.factories import make_finding, make_project, make_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def ledger(campaign, tree, people):
    project = make_project(
        campaign=campaign, lead=people.leader, unit=tree.county_a, topic="=危险的课题"
    )
    make_report(project=project, title="关于基层治理的调研报告")
    finding = make_finding(project=project, unit=tree.branch_a1)
    services.finding_to_problem(finding=finding, actor=None, category="服务群众")
    solved = make_finding(project=project, description="网格员不足")
    services.finding_mark_solved(
        finding=solved, actor=None, how="配齐网格员", solved_on=date(2026, 11, 2)
    )
    return project


def _rows(content):
    sheet = load_workbook(io.BytesIO(content)).active
    return [[c.value for c in row] for row in sheet.iter_rows()]


def test_command_writes_the_ledger(tmp_path, campaign, tree, ledger):
    output = tmp_path / "ledger.xlsx"
    out = io.StringIO()
    call_command("export_research_ledger", campaign=campaign.pk, unit=tree.city.code,
                 output=str(output), stdout=out)  # fmt: skip
    assert "1 research project" in out.getvalue()
    rows = _rows(output.read_bytes())
    assert "调查研究台账" in rows[0][0]
    assert rows[1][:4] == ["序号", "调研领导", "单位", "调研课题"]
    body = rows[2]
    assert body[3] == "'=危险的课题"  # never a formula
    assert body[5] == "蹲点调研"
    assert "甲镇" in body[7] and "甲一村" in body[7]
    assert "已转为问题 T-A-1-1-1" in body[8]
    assert "关于基层治理的调研报告" in body[9]
    assert "配齐网格员" in body[10]


def test_command_refuses_unknown_unit(tmp_path, campaign):
    with pytest.raises(CommandError):
        call_command("export_research_ledger", campaign=campaign.pk, unit="NOPE",
                     output=str(tmp_path / "x.xlsx"))  # fmt: skip


def test_download_button_exports_the_users_scope(client, people, ledger, tree):
    client.force_login(people.county_office)
    page = client.get(reverse("research:compliance")).content.decode()
    assert reverse("research:ledger-export") in page
    response = client.get(reverse("research:ledger-export"))
    assert response.status_code == 200
    rows = _rows(b"".join(response.streaming_content))
    assert tree.county_a.name in rows[0][0] and len(rows) == 3
    client.force_login(people.secretary_b)
    response = client.get(reverse("research:ledger-export"))
    rows = _rows(b"".join(response.streaming_content))
    assert len(rows) == 2  # his branch has no research
    client.force_login(people.outsider)
    assert client.get(reverse("research:ledger-export")).status_code == 404
