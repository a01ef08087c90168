"""The work-platform ids of people: the organisation import's columns, one person each."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.models import User

from .workbooks import USER_HEADER, build_workbook, write

pytestmark = pytest.mark.django_db

HEADER = [*USER_HEADER, "企业微信账号", "钉钉账号"]


def run(path, *args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_org", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_import_links_wecom_and_dingtalk_ids(tree, tmp_path):
    users = [
        ["w_sec", "周伟", "13800000011", "T-A-1-1", "支部书记", "zhouwei", "ding-zhouwei"],
        ["w_mem", "吴敏", "13800000012", "T-A-1-1", "党员", "", ""],
    ]
    content = build_workbook([], users, user_header=HEADER)
    run(write(tmp_path, content), "--passwords", str(tmp_path / "p.xlsx"))
    person = User.objects.get(username="w_sec")
    assert (person.wecom_userid, person.dingtalk_userid) == ("zhouwei", "ding-zhouwei")
    assert User.objects.get(username="w_mem").wecom_userid == ""


def test_an_id_given_twice_or_already_taken_is_refused_with_row_and_column(tree, people, tmp_path):
    people.secretary_b.wecom_userid = "taken"
    people.secretary_b.save()
    users = [
        ["w_one", "郑一", "", "T-A-1-1", "党员", "same", ""],
        ["w_two", "郑二", "", "T-A-1-1", "党员", "same", ""],
        ["w_three", "郑三", "", "T-A-1-1", "党员", "taken", ""],
    ]
    path = write(tmp_path, build_workbook([], users, user_header=HEADER))
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_org", str(path), stderr=err)
    lines = err.getvalue().strip().splitlines()
    assert len(lines) == 2
    assert "人员" in lines[0] and "4" in lines[0] and "“same”" in lines[0] and "两个人" in lines[0]
    assert "5" in lines[1] and "“taken”" in lines[1] and "已关联" in lines[1]
    assert not User.objects.filter(username__startswith="w_").exists()


def test_my_linked_accounts_and_settings_pages(client, people, settings):
    settings.WECOM_CORP_ID, settings.WECOM_AGENT_ID, settings.WECOM_SECRET = "ww", "1", "s"
    client.force_login(people.secretary_a)
    page = client.get(reverse("accounts:linked-accounts")).content.decode()
    assert "企业微信" in page and "未关联" in page and "?link=1" in page
    response = client.post(
        reverse("notifications:settings"),
        {"email": "on", "quiet_from": "22:00", "quiet_to": ""},
    )
    assert response.status_code == 200
    assert "请同时填写免打扰的开始和结束时间。" in response.content.decode()
    client.post(
        reverse("notifications:settings"),
        {"email": "on", "quiet_from": "22:00", "quiet_to": "07:30"},
    )
    pref = people.secretary_a.notify_preference
    assert (pref.email, pref.personal, str(pref.quiet_from), str(pref.quiet_to)) == (
        True,
        False,
        "22:00:00",
        "07:30:00",
    )
