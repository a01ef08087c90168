"""The smaller things a secretary and an office stumble on: each assignment once on the
to-do page, a passed follow-up date red only for whoever must act, the menu by what the
user may do and in the words of its pages."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse

from campaign.models import AssignmentState
from tests.campaign.factories import AssignmentFactory, TaskFactory

pytestmark = pytest.mark.django_db


def test_the_to_do_page_lists_each_assignment_once(campaign, tree, people, use_campaign):
    today = date(2026, 11, 20)
    due_soon = AssignmentFactory(
        task=TaskFactory(campaign=campaign, issuer=tree.county_a, title="学习党章（近期）"),
        unit=tree.branch_a1,
        due_date=today + timedelta(days=3),
    )
    overdue = AssignmentFactory(
        task=TaskFactory(campaign=campaign, issuer=tree.county_a, title="专题党课（逾期）"),
        unit=tree.branch_a1,
        due_date=today - timedelta(days=3),
    )
    later = AssignmentFactory(
        task=TaskFactory(campaign=campaign, issuer=tree.county_a, title="年度总结（以后）"),
        unit=tree.branch_a1,
        due_date=today + timedelta(days=60),
        state=AssignmentState.PENDING,
    )
    page = use_campaign(people.secretary_a).get(reverse("campaign:todo")).content.decode()
    for assignment in (due_soon, overdue, later):
        link = f'href="{reverse("campaign:assignment-detail", args=[assignment.pk])}"'
        assert page.count(link) == 1, assignment.task.title
    assert "本单位其他任务" in page


def test_a_passed_follow_up_is_red_only_for_the_office_that_must_make_it(
    campaign, tree, people, use_campaign
):
    from supervision import services as supervision_services

    supervision_services.visit_create(
        actor=people.county_office,
        campaign=campaign,
        unit=tree.branch_a1,
        visited_on=date(2026, 11, 2),
        visitors="李建国",
        methods=["on_site"],
        guidance="建立台账",
        follow_up_on=date(2026, 11, 10),
        findings=[],
    )
    secretary = use_campaign(people.secretary_a).get(reverse("campaign:todo")).content.decode()
    assert "督导回访" in secretary or "回访" in secretary
    assert "list-group-item-danger" not in secretary
    assert "待督导组另行安排回访" in secretary


def _menu(client) -> str:
    html = client.get(reverse("campaign:assignment-list")).content.decode()
    return html[html.index('id="mainnav"') : html.index("</nav>")]


def test_the_menu_follows_what_the_user_may_do_and_names_pages_as_they_do(
    campaign, tree, people, use_campaign
):
    secretary = _menu(use_campaign(people.secretary_a))
    assert reverse("campaign:activity-list") in secretary
    assert reverse("research:decision-list") not in secretary
    assert reverse("rectification:ledger-import") not in secretary
    office = _menu(use_campaign(people.county_office))
    assert reverse("research:decision-list") in office
    assert reverse("rectification:ledger-import") in office
    # the menu and the page say the same: 销号核验
    assert "销号核验" in office and "销号审核" not in office
    page = use_campaign(people.county_office).get(reverse("rectification:verify-queue"))
    assert "销号核验" in page.content.decode()


def test_weeks_are_written_as_people_write_them():
    from django.utils import translation

    from reports.periods import Week

    with translation.override("zh-hans"):
        assert Week(2026, 49).label == "2026年第49周"
        assert Week(2026, 49).short_label == "第49周"
    with translation.override("en"):
        assert Week(2026, 49).label == "week 49 of 2026"


def test_the_login_button_is_in_the_theme_red_and_its_fields_line_up(client):
    page = client.get(reverse("accounts:login")).content.decode()
    assert "btn-theme" in page and "btn-primary" not in page
    assert page.count('class="form-control form-control-lg"') == 2


def test_problem_codes_and_dates_do_not_wrap_on_a_desktop(campaign, tree, people, use_campaign):
    from pathlib import Path

    from tests.rectification.factories import make_problem

    make_problem(campaign=campaign, unit=tree.branch_a1)
    page = use_campaign(people.county_office).get(reverse("rectification:problem-list"))
    assert page.content.decode().count("cell-nowrap") >= 2
    css = Path("static/css/app.css").read_text(encoding="utf-8")
    assert ".cell-nowrap { white-space: nowrap;" in css


def test_the_menu_is_kept_by_kinds_of_role_and_language_and_follows_a_new_role(
    campaign, tree, people, use_campaign
):
    from accounts.roles import Role
    from tests.factories import grant

    # two secretaries of different branches: the same menu, worked out once
    first = _menu(use_campaign(people.secretary_a))
    second = _menu(use_campaign(people.secretary_b))
    # the pages' links, before the person's own menu (his name)
    assert first.split('<ul class="navbar-nav">')[0] == second.split('<ul class="navbar-nav">')[0]
    assert reverse("rectification:ledger-import") not in first
    # a role that may deploy, granted later, shows its pages on the next page opened
    grant(people.secretary_a, tree.county_a, Role.OFFICE)
    assert reverse("rectification:ledger-import") in _menu(use_campaign(people.secretary_a))
    assert reverse("rectification:ledger-import") not in _menu(use_campaign(people.secretary_b))
    # the menu worked out in Chinese is not served in English
    client = use_campaign(people.secretary_b)
    client.cookies["django_language"] = "en"
    english = _menu(client)
    assert "Activities" in english and "活动" not in english
