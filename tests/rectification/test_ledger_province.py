"""The province's ledger: one workbook per city, in a zip (the command, the page, the job)."""

from __future__ import annotations

import zipfile
from io import BytesIO

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import OrgUnit, UnitKind
from accounts.roles import Role
from core.models import BackgroundJob, JobState
from rectification import ledger_views
from rectification.ledger_export import export_unit_ledger
from rectification.ledger_province import export_province_ledger
from tests.factories import UserFactory, grant, make_unit
from tests.rectification.conftest import NOW
from tests.rectification.factories import make_campaign, make_problem

pytestmark = pytest.mark.django_db

EXPORT_URL = "rectification:ledger-export"


@pytest.fixture(autouse=True)
def _frozen_time():
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture
def province():
    """A province of two cities (three and two problems) and an empty third city."""
    root = make_unit(None, kind=UnitKind.PROVINCE_COMMITTEE, name="测试省委", code="P")
    cities = []
    for n, problems in ((1, 3), (2, 2), (3, 0)):
        city = make_unit(root, kind=UnitKind.CITY_COMMITTEE, name=f"第{n}市委", code=f"P{n}")
        branch = make_unit(city, name=f"第{n}市支部", code=f"P{n}-1")
        cities.append((city, branch, problems))
    campaign = make_campaign(root)
    for _city, branch, problems in cities:
        for _ in range(problems):
            make_problem(campaign=campaign, unit=branch)
    office = UserFactory(username="province_office")
    grant(office, root, Role.OFFICE)
    return root, campaign, office


def _workbooks(data: bytes) -> dict[str, int]:
    """Each workbook of the zip with its number of sheet rows."""
    with zipfile.ZipFile(BytesIO(data)) as archive:
        return {
            name: load_workbook(BytesIO(archive.read(name))).active.max_row
            for name in archive.namelist()
        }


def test_one_workbook_per_city_with_problems(province, tmp_path):
    root, campaign, _office = province
    target = tmp_path / "province.zip"
    steps: list[tuple[int, int]] = []
    count = export_province_ledger(
        campaign=campaign, unit=root, target=str(target), progress=lambda d, t: steps.append((d, t))
    )
    assert count == 5
    books = _workbooks(target.read_bytes())
    assert sorted(books) == ["01-第1市委.xlsx", "02-第2市委.xlsx"]
    assert books["01-第1市委.xlsx"] > books["02-第2市委.xlsx"]
    assert steps[-1] == (5, 5)


def test_each_workbook_of_the_zip_is_that_citys_own_ledger(province, tmp_path):
    """Every workbook of the province's zip opens and holds what the city's own export
    holds: the same sheet, cell for cell and merge for merge."""
    root, campaign, _office = province
    first = OrgUnit.objects.get(code="P1-1")
    make_problem(campaign=campaign, unit=first, measures=3, remarks="=重点督办")
    make_problem(campaign=campaign, unit=first, measures=0)
    target = tmp_path / "province.zip"
    export_province_ledger(campaign=campaign, unit=root, target=str(target))
    with zipfile.ZipFile(target) as archive:
        names = archive.namelist()
        books = {name: archive.read(name) for name in names}
    assert names == ["01-第1市委.xlsx", "02-第2市委.xlsx"]
    for name, city in zip(names, ("P1", "P2"), strict=True):
        own = BytesIO()
        export_unit_ledger(campaign=campaign, unit=OrgUnit.objects.get(code=city), target=own)
        with zipfile.ZipFile(BytesIO(books[name])) as got, zipfile.ZipFile(own) as expected:
            assert got.namelist() == expected.namelist()
            sheet = "xl/worksheets/sheet1.xml"
            assert got.read(sheet) == expected.read(sheet)
        opened = load_workbook(BytesIO(books[name])).active
        alone = load_workbook(own).active
        assert list(opened.values) == list(alone.values)
        assert {str(r) for r in opened.merged_cells.ranges} == {
            str(r) for r in alone.merged_cells.ranges
        }
    merged = {str(r) for r in load_workbook(BytesIO(books[names[0]])).active.merged_cells.ranges}
    assert {"A1:R1", "A6:A8", "E6:E8"} <= merged


def test_command_writes_a_zip(province, tmp_path, capsys):
    _root, campaign, _office = province
    target = tmp_path / "ledger.zip"
    call_command("export_ledger", campaign=str(campaign.pk), unit="P", output=str(target))
    assert len(_workbooks(target.read_bytes())) == 2


def test_the_province_office_downloads_a_zip(client, province):
    _root, _campaign, office = province
    client.force_login(office)
    response = client.get(reverse(EXPORT_URL))
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(".zip")
    assert len(_workbooks(b"".join(response.streaming_content))) == 2


def test_a_large_province_export_is_a_job_that_writes_a_zip(
    client, province, monkeypatch, django_capture_on_commit_callbacks
):
    root, _campaign, office = province
    monkeypatch.setattr(ledger_views, "SMALL_EXPORT", 2)
    client.force_login(office)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse(EXPORT_URL))
    job = BackgroundJob.objects.get()
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.state == JobState.DONE and job.unit == root
    assert job.file_name.endswith(".zip")
    download = client.get(reverse("core:job-download", args=[job.pk]))
    assert len(_workbooks(b"".join(download.streaming_content))) == 2


def test_a_city_office_in_the_province_still_gets_one_workbook(client, province):
    city = OrgUnit.objects.get(code="P1")
    user = UserFactory(username="city_office")
    grant(user, city, Role.OFFICE)
    client.force_login(user)
    response = client.get(reverse(EXPORT_URL))
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(".xlsx")
