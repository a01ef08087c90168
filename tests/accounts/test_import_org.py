"""import_org: the command, the office's upload page and the admin import."""

from __future__ import annotations

import io

import pytest
import tablib
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from accounts.admin import OrgUnitAdmin
from accounts.models import OrgUnit, RoleAssignment, Sector, User
from accounts.resources import OrgUnitResource
from core.models import BackgroundJob, JobState
from tests.factories import UserFactory

from .workbooks import UNIT_HEADER, build_workbook, write, zip_bomb

pytestmark = pytest.mark.django_db

GOOD_UNITS = [
    ["T-C", "丙县委", "县委", "T", ""],
    ["T-C-1", "丙镇党委", "党委", "T-C", ""],
    ["T-C-1-1", "丙一支部", "党支部", "T-C-1", "教育系统"],
    ["T-C-2", "丙县中学党总支", "党总支", "T-C", "教育系统"],
]
GOOD_USERS = [
    ["c_office", "钱多多", "13800000001", "T-C", "办公室"],
    ["c_sec", "孙小小", 13800000002, "T-C-1-1", "支部书记"],
    ["c_sec", "孙小小", "13800000002", "T-C-2", "党员"],
]


def run(path, *args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_org", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_good_workbook_is_imported(tree, tmp_path):
    path = write(tmp_path, build_workbook(GOOD_UNITS, GOOD_USERS))
    passwords = tmp_path / "pw.xlsx"
    out, _ = run(path, "--passwords", str(passwords))
    assert "单位：新增4个" in out and "用户：新增2个" in out
    county = OrgUnit.objects.get(code="T-C")
    tree.city.refresh_from_db()
    assert county.is_within(tree.city) and county.kind == "county"
    branch = OrgUnit.objects.get(code="T-C-1-1")
    assert branch.is_within(county) and branch.kind == "branch"
    assert branch.sector == Sector.objects.get(name="教育系统")
    assert OrgUnit.objects.get(code="T-C-2").kind == "general_branch"
    sec = User.objects.get(username="c_sec")
    assert sec.must_change_password and sec.phone == "13800000002"
    assert set(RoleAssignment.objects.filter(user=sec).values_list("unit__code", "role")) == {
        ("T-C-1-1", "secretary"),
        ("T-C-2", "member"),
    }
    # Each new user's password is in the file, once, and works.
    assert (passwords.stat().st_mode & 0o077) == 0
    sheet = load_workbook(passwords).active
    rows = {r[0]: r for r in sheet.iter_rows(min_row=3, values_only=True) if r[0]}
    assert set(rows) == {"c_office", "c_sec"}
    assert User.objects.get(username="c_sec").check_password(rows["c_sec"][4])
    assert rows["c_sec"][4] not in out


def test_english_headers_in_any_order_without_title(tree, tmp_path):
    units = [["branch", "T-A-1", "甲三支部", "T-A-1-3"]]
    users = [["branch secretary", "T-A-1-3", "Li Si", "lisi"]]
    content = build_workbook(
        units,
        users,
        unit_header=["Kind", "Parent code", "Name", "Code"],
        user_header=["Role", "Unit code", "Name", "Username"],
        title=None,
    )
    out, _ = run(write(tmp_path, content), "--passwords", str(tmp_path / "p.xlsx"))
    assert "单位：新增1个" in out
    assert RoleAssignment.objects.filter(
        user__username="lisi", unit__code="T-A-1-3", role="secretary"
    ).exists()


def test_dry_run_writes_nothing(tree, tmp_path):
    before = (OrgUnit.objects.count(), User.objects.count())
    out, _ = run(write(tmp_path, build_workbook(GOOD_UNITS, GOOD_USERS)), "--dry-run")
    assert "仅检查，未写入任何数据" in out and "单位：新增4个" in out
    assert (OrgUnit.objects.count(), User.objects.count()) == before
    assert not list(tmp_path.glob("org-passwords-*"))


def test_bad_rows_are_all_reported_and_nothing_is_written(tree, tmp_path):
    units = [
        *GOOD_UNITS,
        ["T-D", "丁县委", "乡镇", "T", ""],  # row 8: unknown kind
        ["T-E-1", "戊支部", "党支部", "NOPE", ""],  # row 9: unknown parent
        ["T-C", "重复", "县委", "T", ""],  # row 10: duplicate code
    ]
    users = [
        *GOOD_USERS,
        ["bad name!", "某人", "", "T-C", "党员"],  # row 5
        ["ok_user", "某人", "", "T-Z", "书记"],  # row 6: unknown unit
        ["ok_user2", "某人", "", "T-C", "主任"],  # row 7: unknown role
    ]
    before = (OrgUnit.objects.count(), User.objects.count(), RoleAssignment.objects.count())
    with pytest.raises(CommandError) as excinfo:
        run(write(tmp_path, build_workbook(units, users)))
    assert excinfo.value.returncode == 1
    assert (
        OrgUnit.objects.count(),
        User.objects.count(),
        RoleAssignment.objects.count(),
    ) == before


def test_bad_row_lines_name_sheet_row_column_and_reason(tree, tmp_path, capsys):
    units = [*GOOD_UNITS, ["T-D", "丁县委", "乡镇", "T", ""]]
    users = [*GOOD_USERS, ["ok_user", "某人", "", "T-Z", "书记"]]
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_org", str(write(tmp_path, build_workbook(units, users))), stderr=err)
    lines = err.getvalue().strip().splitlines()
    assert len(lines) == 2
    assert "单位" in lines[0] and "8" in lines[0] and "乡镇" in lines[0]
    assert "人员" in lines[1] and "6" in lines[1] and "T-Z" in lines[1]


def test_rerun_changes_nothing(tree, tmp_path):
    path = write(tmp_path, build_workbook(GOOD_UNITS, GOOD_USERS))
    run(path, "--passwords", str(tmp_path / "a.xlsx"))
    out, _ = run(path, "--passwords", str(tmp_path / "b.xlsx"))
    assert "单位：新增0个，更新0个；用户：新增0个，更新0个；角色：新增0个" in out
    assert not (tmp_path / "b.xlsx").exists()


def test_existing_unit_is_not_moved(tree, tmp_path):
    units = [["T-A-1-1", "甲一支部", "党支部", "T-B", ""]]
    with pytest.raises(CommandError):
        run(write(tmp_path, build_workbook(units, [])))
    tree.branch_a1.refresh_from_db()
    assert tree.branch_a1.path.startswith(tree.committee_a.path)


def test_parent_loop_is_reported(tree, tmp_path):
    units = [["L-1", "甲", "党委", "L-2", ""], ["L-2", "乙", "党委", "L-1", ""]]
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_org", str(write(tmp_path, build_workbook(units, []))), stderr=err)
    assert err.getvalue().count("\n") >= 2


def test_non_xlsx_is_refused(tree, tmp_path):
    path = write(tmp_path, b"code,name\nX,Y\n", name="org.csv")
    with pytest.raises(CommandError, match=r"\.xlsx"):
        run(path)
    path = write(tmp_path, b"not a zip at all", name="fake.xlsx")
    with pytest.raises(CommandError):
        run(path)


def test_oversize_is_refused(tree, tmp_path, settings):
    settings.IMPORT_MAX_BYTES = 1024
    with pytest.raises(CommandError, match="MB"):
        run(write(tmp_path, build_workbook(GOOD_UNITS, GOOD_USERS) + b"\0" * 2048))


def test_zip_bomb_is_refused(tree, tmp_path, settings):
    settings.IMPORT_MAX_BYTES = 64 * 1024
    content = zip_bomb(5 * 1024 * 1024)
    assert len(content) < settings.IMPORT_MAX_BYTES
    with pytest.raises(CommandError, match="MB"):
        run(write(tmp_path, content))


# The office's upload page ------------------------------------------------------------


@pytest.fixture
def upload(django_capture_on_commit_callbacks):
    """Post the workbook and run the job it queues (in-process without a broker)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    def post(client, content, *, dry_run=False, name="org.xlsx"):
        data = {"file": SimpleUploadedFile(name, content)}
        if dry_run:
            data["dry_run"] = "on"
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("accounts:org-import"), data)

    return post


def test_office_imports_under_its_own_units(client, upload, people, tree):
    client.force_login(people.county_office)
    units = [["T-A-1-9", "甲九支部", "党支部", "T-A-1", ""]]
    users = [["a9_sec", "周九", "", "T-A-1-9", "书记"]]
    response = upload(client, build_workbook(units, users))
    job = BackgroundJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:org-import-job", args=[job.pk])
    assert job.state == JobState.DONE and job.result["ok"], job.error
    assert not default_storage.exists(job.params["upload"])  # the workbook is not kept
    page = client.get(response["Location"]).content.decode()
    download = reverse("core:job-download", args=[job.pk])
    assert download in page
    # nobody else may fetch the passwords, not even the city office
    client.force_login(people.city_office)
    assert client.get(download).status_code == 404
    assert client.get(response["Location"]).status_code == 404
    client.force_login(people.county_office)
    sheet_response = client.get(download)
    assert sheet_response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in sheet_response["Cache-Control"]
    sheet = load_workbook(io.BytesIO(sheet_response.content)).active
    rows = [r for r in sheet.iter_rows(min_row=3, values_only=True) if r[0]]
    assert rows[0][0] == "a9_sec"
    assert User.objects.get(username="a9_sec").must_change_password
    # downloaded once: deleted from the server
    assert client.get(download).status_code == 404
    job.refresh_from_db()
    assert not job.file


def test_office_check_only(client, upload, people, tree):
    client.force_login(people.county_office)
    units = [["T-A-1-9", "甲九支部", "党支部", "T-A-1", ""]]
    response = upload(client, build_workbook(units, []), dry_run=True)
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "尚未写入" in page
    assert not OrgUnit.objects.filter(code="T-A-1-9").exists()


def test_office_cannot_import_outside_its_scope(client, upload, people, tree):
    client.force_login(people.county_office)
    units = [["T-B-9", "乙九支部", "党支部", "T-B", ""]]
    users = [
        ["intruder", "某人", "", "T-B-1", "办公室"],
        ["secretary_b", "改名", "", "T-A-1", "党员"],
    ]
    response = upload(client, build_workbook(units, users))
    assert response.status_code == 302
    text = client.get(response["Location"]).content.decode()
    assert text.count("<li>") >= 3
    assert not OrgUnit.objects.filter(code="T-B-9").exists()
    assert not User.objects.filter(username="intruder").exists()


def test_upload_page_refuses_bad_files(client, upload, people, tree, settings):
    client.force_login(people.county_office)
    response = upload(client, b"a,b\n", name="org.csv")
    assert "id_file_error" in response.content.decode()
    settings.IMPORT_MAX_BYTES = 64 * 1024
    response = upload(client, zip_bomb(5 * 1024 * 1024))
    assert "id_file_error" in response.content.decode()


def test_upload_page_outsider_and_anonymous(client, people):
    assert client.get(reverse("accounts:org-import")).status_code == 302
    client.force_login(people.outsider)
    assert client.get(reverse("accounts:org-import")).status_code == 403


# The admin, through django-import-export -----------------------------------------------


def test_admin_import_is_all_or_nothing(tree, rf):
    admin_user = UserFactory(username="root", is_staff=True, is_superuser=True)
    kwargs = OrgUnitAdmin(OrgUnit, None).get_import_data_kwargs(request=rf.get("/"))
    assert kwargs["rollback_on_validation_errors"] is True
    dataset = tablib.Dataset()
    dataset.load(
        build_workbook([["T-G", "庚县委", "县委", "T", ""], ["T-H", "辛县委", "不存在", "T", ""]]),
        format="xlsx",
    )
    result = OrgUnitResource().import_data(dataset, dry_run=False, user=admin_user, **kwargs)
    assert result.has_validation_errors()
    assert not OrgUnit.objects.filter(code__in=["T-G", "T-H"]).exists()


def test_admin_import_good_sheet(tree):
    dataset = tablib.Dataset()
    dataset.load(
        build_workbook(
            [["T-G", "庚县委", "县委", "T", ""], ["T-G-1", "庚一支部", "党支部", "T-G", ""]]
        ),
        format="xlsx",
    )
    result = OrgUnitResource().import_data(
        dataset, dry_run=False, rollback_on_validation_errors=True, use_transactions=True
    )
    assert not result.has_errors() and not result.has_validation_errors()
    child = OrgUnit.objects.get(code="T-G-1")
    assert child.is_within(OrgUnit.objects.get(code="T-G"))


def test_admin_import_page_refuses_zip_bomb(client, tree, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    admin_user = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    settings.IMPORT_MAX_BYTES = 64 * 1024
    response = client.post(
        reverse("admin:accounts_orgunit_import"),
        {"format": "0", "import_file": SimpleUploadedFile("bomb.xlsx", zip_bomb(5 * 1024 * 1024))},
    )
    assert response.status_code == 200
    assert not OrgUnit.objects.exclude(code__startswith="T").exists()
    assert response.context["form"].errors


def test_the_members_roll_is_imported_once(tree, tmp_path):
    from openpyxl import Workbook

    from accounts.models import PartyMember

    workbook = load_workbook(io.BytesIO(build_workbook(GOOD_UNITS, GOOD_USERS)))
    roll = workbook.create_sheet("党员名册")
    roll.append(["江州市党员名册"])
    roll.append(["姓名", "单位编码", "手机号", "职务"])
    roll.append(["周一鸣", "T-C-1-1", "13900000001", "宣传委员"])
    roll.append(["吴二妹", "T-C-1-1", "", ""])
    roll.append(["郑三强", "T-A-1", "", ""])  # a branch already in the system
    buffer = io.BytesIO()
    workbook.save(buffer)
    path = write(tmp_path, buffer.getvalue())
    out, _ = run(path)
    assert "党员：新增3名" in out
    assert set(PartyMember.objects.values_list("unit__code", "name", "title")) == {
        ("T-C-1-1", "周一鸣", "宣传委员"),
        ("T-C-1-1", "吴二妹", ""),
        ("T-A-1", "郑三强", ""),
    }
    out, _ = run(path)  # again: nobody twice
    assert "党员：新增0名" in out and PartyMember.objects.count() == 3

    bad = Workbook()
    sheet = bad.active
    sheet.append(["姓名", "单位编码"])
    sheet.append(["", "T-A-1"])
    sheet.append(["钱四", "NOPE"])
    buffer = io.BytesIO()
    bad.save(buffer)
    err = io.StringIO()
    with pytest.raises(CommandError) as excinfo:
        call_command("import_org", str(write(tmp_path, buffer.getvalue(), "bad.xlsx")), stderr=err)
    assert str(excinfo.value).startswith("2行有误")
    lines = err.getvalue().splitlines()
    assert len(lines) == 2 and "NOPE" in lines[1]
    assert PartyMember.objects.count() == 3


# ---------------------------------------------------------------- the words of real registers


def test_the_kind_words_of_real_registers_map_to_kinds_and_classes(tree, tmp_path):
    units = [
        ["T-R", "乙县机关工委", "党工委", "T-B", ""],
        ["T-R-1", "县直机关党委", "机关党委", "T-R", ""],
        ["T-R-2", "工业园区企业联合党支部", "企业联合党支部", "T-R", ""],
        ["T-R-3", "桥头村党总支", "村党总支", "T-R", ""],
        ["T-R-4", "防汛临时党支部", "临时党支部", "T-R", ""],
        ["T-R-5", "某社会组织党支部", "社会组织党支部", "T-R", ""],
        ["T-R-6", "县中学党委", "党委", "T-R", "", "县级", "学校"],
    ]
    header = [*UNIT_HEADER, "层级", "领域"]
    run(write(tmp_path, build_workbook(units, [], unit_header=header)))
    got = {
        u.code: (u.kind, u.level, u.domain, u.special)
        for u in OrgUnit.objects.filter(code__startswith="T-R")
    }
    assert got == {
        "T-R": ("committee", "", "", ""),
        "T-R-1": ("committee", "", "organ", ""),
        "T-R-2": ("branch", "", "enterprise", "joint"),
        "T-R-3": ("general_branch", "", "rural", ""),
        "T-R-4": ("branch", "", "", "temporary"),
        "T-R-5": ("branch", "", "social", "two_new"),
        "T-R-6": ("committee", "county", "school", ""),
    }


def test_a_word_that_names_no_organisation_is_still_refused_in_chinese(tree, tmp_path):
    units = [*GOOD_UNITS, ["T-D", "丁县委", "党小组", "T", ""]]
    err = io.StringIO()
    with pytest.raises(CommandError) as excinfo:
        call_command("import_org", str(write(tmp_path, build_workbook(units, []))), stderr=err)
    assert str(excinfo.value) == "1行有误，未写入任何数据。"
    assert "党小组" in err.getvalue()


def test_portfolio_sector_supervisors_and_first_responsible_persons(tree, tmp_path):
    from accounts.roles import Role

    units = [
        ["T-J", "丙市教育局党组", "党组", "T", "", "教育系统", "c_vice"],
        ["T-J-1", "丙县中学党支部", "学校党支部", "T-B", "教育系统", ""],
    ]
    header = [*UNIT_HEADER, "主管行业", "第一责任人"]
    users = [
        ["c_vice", "许副市长", "", "T-A", "领导"],
        ["c_vice", "许副市长", "", "T-J", "分管领导"],
        ["c_edu", "教育局办公室", "", "T-J", "行业主管部门"],
    ]
    run(
        write(tmp_path, build_workbook(units, users, unit_header=header)),
        "--passwords",
        str(tmp_path / "pw.xlsx"),
    )
    bureau = OrgUnit.objects.get(code="T-J")
    assert Sector.objects.get(name="教育系统").supervisor == bureau
    assert bureau.first_responsible.username == "c_vice"
    roles = set(RoleAssignment.objects.filter(unit=bureau).values_list("user__username", "role"))
    assert roles == {("c_vice", Role.IN_CHARGE), ("c_edu", Role.SECTOR)}
    # the bureau's office sees the school in county B through its sector
    edu = User.objects.get(username="c_edu")
    assert OrgUnit.objects.visible_to(edu).filter(code="T-J-1").exists()


def test_only_the_city_names_a_sectors_supervisor(people, tree):
    units = [["T-A-9", "甲县教育局党组", "党组", "T-A", "", "教育系统"]]
    header = [*UNIT_HEADER, "主管行业"]
    content = build_workbook(units, [], unit_header=header)
    from accounts.org_import import check_rows, read_workbook

    plan = check_rows(read_workbook(io.BytesIO(content)), actor=people.county_office)
    assert [e.column for e in plan.errors] == ["主管行业系统"]
