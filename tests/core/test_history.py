from datetime import date

import pghistory

from campaign.models import Campaign
from core.history import history_for
from rectification.models import Problem, ProblemSource, ProblemType


def test_history_shows_who_changed_what_with_names_and_labels(people, tree):
    campaign = Campaign.objects.create(
        name="测试", root_unit=tree.city, start_date=date(2026, 1, 1), end_date=date(2026, 12, 31)
    )
    with pghistory.context(user=people.secretary_a.pk):
        problem = Problem.objects.create(
            campaign=campaign,
            unit=tree.branch_a1,
            number=1,
            category="工作作风",
            source=ProblemSource.SELF_REVIEW,
            description="会议多",
            discovered_on=date(2026, 3, 1),
            type=ProblemType.DEADLINE,
        )
    with pghistory.context(user=people.county_office.pk):
        problem.type = ProblemType.IMMEDIATE
        problem.responsible_person = people.secretary_a
        problem.save()
    entries = history_for(problem)
    assert [e.created for e in entries] == [False, True]
    change = {c.field: c for c in entries[0].changes}
    assert entries[0].actor == str(people.county_office)
    assert change["type"].before == "限期整改" and change["type"].after == "立行立改"
    assert change["responsible_person_id"].after == str(people.secretary_a)
    assert change["responsible_person_id"].label == str(
        Problem._meta.get_field("responsible_person").verbose_name
    )


def _problem(campaign, tree):
    return Problem.objects.create(
        campaign=campaign,
        unit=tree.branch_a1,
        number=7,
        category="工作作风",
        source=ProblemSource.SELF_REVIEW,
        description="会议多",
        discovered_on=date(2026, 3, 1),
        type=ProblemType.DEADLINE,
    )


def test_history_reads_for_people_not_developers(people, tree, settings):
    """Local time written the Chinese way, names instead of logins and commands, and no
    rows for fields nobody reads."""
    from datetime import UTC, datetime

    import time_machine
    from django.utils import translation

    from core.history import when

    campaign = Campaign.objects.create(
        name="测试", root_unit=tree.city, start_date=date(2026, 1, 1), end_date=date(2026, 12, 31)
    )
    people.county_office.full_name = "李建国"
    people.county_office.save()
    with time_machine.travel("2026-12-01 09:21:51+00:00", tick=False):
        with pghistory.context(command="seed_demo"):
            problem = _problem(campaign, tree)
        with pghistory.context(command="import_ledger"):
            problem.description = "会议多、文件多"
            problem.save()
        with pghistory.context(user=people.county_office.pk, command="import_ledger"):
            problem.category = "形式主义"
            problem.save()
        with pghistory.context(command="send_reminders"):
            problem.deadline = date(2026, 12, 31)
            problem.save()
        with pghistory.context(user=people.county_office.pk):
            problem.updated_at = problem.updated_at  # only "updated at" moves
            problem.save()
    with translation.override("zh-hans"):
        entries = history_for(problem)
        assert [e.actor for e in entries] == [
            "定时提醒",
            "李建国（系统导入）",
            "系统导入",
            "系统",
        ]
        # the moment of a change (kept by the database's clock) in local time
        assert entries[0].at_display == when(entries[0].at)
        assert when(datetime(2026, 12, 1, 9, 21, 51, 555676, tzinfo=UTC)) == "2026年12月1日 17:21"
        assert entries[0].changes[0].after == "2026年12月31日"
        assert when(problem.discovered_on) == "2026年3月1日"
    fields = {c.field for e in entries for c in e.changes}
    assert "updated_at" not in fields and not any(f.endswith("_digest") for f in fields)
    assert all("seed_demo" not in e.actor for e in entries)
    with translation.override("en"):
        assert when(datetime(2026, 12, 1, 9, 21, tzinfo=UTC)) == "1 Dec 2026, 17:21"


def test_a_date_time_value_is_shown_in_local_time(people, tree):
    from django.utils import translation

    from campaign.models import AssignmentState
    from tests.campaign.factories import AssignmentFactory, TaskFactory

    campaign = Campaign.objects.create(
        name="测试", root_unit=tree.city, start_date=date(2026, 1, 1), end_date=date(2026, 12, 31)
    )
    assignment = AssignmentFactory(
        task=TaskFactory(campaign=campaign, issuer=tree.county_a), unit=tree.branch_a1
    )
    from datetime import datetime
    from zoneinfo import ZoneInfo

    with pghistory.context(user=people.secretary_a.pk):
        assignment.state = AssignmentState.SUBMITTED
        assignment.submitted_at = datetime(2026, 12, 1, 9, 21, 51, 555676, tzinfo=ZoneInfo("UTC"))
        assignment.save()
    with translation.override("zh-hans"):
        changes = {c.field: c.after for c in history_for(assignment)[0].changes}
    assert changes["submitted_at"] == "2026年12月1日 17:21"


def test_every_history_on_a_page_is_one_collapsible_block(client, people, tree):
    from pathlib import Path

    template = Path("templates/includes/history.html").read_text(encoding="utf-8")
    assert "<details" in template and "at_display" in template
    # every page that shows a history uses the one include
    for path in Path("templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        if "entry.actor" in text:
            assert path.name == "history.html", path
