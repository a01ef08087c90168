"""Every figure of the office dashboard against the hand-built data set (see conftest)."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from dashboard import selectors as sel

from .conftest import TODAY

pytestmark = pytest.mark.django_db


def board_for(people, dataset, unit):
    return sel.office_dashboard(
        user=people.city_office, campaign=dataset.campaign, unit=unit, today=TODAY
    )


def test_workstreams(tree, people, dataset):
    board = board_for(people, dataset, tree.city)
    lines = {w.key: w.counts for w in board.workstreams}
    assert (
        lines["study"].total,
        lines["study"].done,
        lines["study"].due,
        lines["study"].overdue,
    ) == (3, 2, 0, 1)
    assert lines["study"].percent_done == 67
    assert (
        lines["rectification"].total,
        lines["rectification"].due,
        lines["rectification"].overdue,
    ) == (2, 2, 0)
    assert lines["rectification"].percent_done == 0
    assert lines["research"].total == 0 and lines["development"].total == 0
    total = board.assignments_total
    assert (total.total, total.done, total.due, total.overdue, total.percent_done) == (
        5,
        2,
        2,
        1,
        40,
    )


def test_activities_this_week_and_trend(tree, people, dataset):
    board = board_for(people, dataset, tree.city)
    week = board.activities_this_week
    assert (week.week, week.study, week.development, week.total) == (date(2026, 11, 16), 3, 1, 4)
    assert [(p.week.isoformat(), p.total) for p in board.trend] == [
        ("2026-09-28", 1),
        ("2026-10-05", 1),
        ("2026-10-12", 1),
        ("2026-10-19", 0),
        ("2026-10-26", 1),
        ("2026-11-02", 0),
        ("2026-11-09", 1),
        ("2026-11-16", 4),
    ]


def test_research(tree, people, dataset):
    r = board_for(people, dataset, tree.city).research
    assert (r.leaders, r.on_track_quarter, r.with_report_year, r.reports_this_year) == (1, 1, 1, 1)
    assert (r.decisions, r.decisions_without_research) == (2, 1)
    b = board_for(people, dataset, tree.county_b).research
    assert (b.leaders, b.reports_this_year, b.decisions, b.decisions_without_research) == (
        0,
        0,
        1,
        1,
    )


def test_rectification(tree, people, dataset):
    p = board_for(people, dataset, tree.city).rectification
    assert p["total"] == 6  # the withdrawn problem is not counted
    assert p["closed"] == 2
    assert p["closure_rate"] == 33.3
    assert p["overdue"] == 1
    assert p["stale"] == 1
    assert p["needs_plan"] == 1
    assert p["closed_this_week"] == 1
    assert {key: n for _label, key, n in p["by_source"]} == {
        "self_review": 2,
        "opinions": 1,
        "superior": 1,
        "guidance_group": 0,
        "research": 0,
        "supervision": 1,
        "petition": 1,
        "meeting": 0,
    }
    assert {key: n for _label, key, n in p["by_type"]} == {
        "immediate": 1,
        "deadline": 4,
        "ongoing": 1,
    }


def test_lagging_units_of_the_city(tree, people, dataset):
    lines = board_for(people, dataset, tree.city).lagging
    assert [line.unit for line in lines] == [tree.county_a, tree.county_b]
    a, b = lines
    # county A: 2 of 6 items overdue, 1 of 3 assignments done, 1 of 1 长期坚持 stale
    assert (a.overdue_share, a.completion, a.stale_share) == (33.3, 33.3, 100.0)
    assert a.score == 60.0 and a.rag == "red"
    assert a.cells == {"overdue": "red", "completion": "red", "stale": "red"}
    # county B: nothing overdue, 1 of 2 assignments done
    assert (b.overdue_share, b.completion, b.stale_share) == (0.0, 50.0, 0.0)
    assert b.score == 20.0 and b.rag == "amber"
    assert b.cells == {"overdue": "green", "completion": "red", "stale": "green"}


def test_lagging_branches(tree, people, dataset):
    lines = board_for(people, dataset, tree.committee_a).lagging
    assert [(line.unit, line.score, line.rag) for line in lines] == [
        (tree.branch_a2, 80.0, "red"),
        (tree.branch_a1, 30.0, "amber"),
    ]
    assert board_for(people, dataset, tree.branch_a1).lagging == []


def test_formalism_signals(tree, people, dataset):
    signals = board_for(people, dataset, tree.city).signals
    copied = signals["copied"]
    assert copied.count == 2
    assert [sorted(a.pk for a in g["records"]) for g in copied.groups] == [
        sorted([dataset.activities["copy_a1"].pk, dataset.activities["copy_b1"].pk])
    ]
    rush = signals["rush"]
    assert rush.count == 3
    assert rush.groups[0]["unit"] == tree.branch_a2
    assert rush.groups[0]["day"] == date(2026, 11, 9)
    assert {a.pk for a in rush.groups[0]["records"]} == {
        dataset.activities[k].pk for k in ("rush1", "rush2", "rush3")
    }
    assert signals["no_evidence"].count == 1
    assert signals["no_evidence"].records == [dataset.problems["P4"]]
    assert signals["no_research"].count == 1
    assert signals["no_research"].records == [dataset.decisions["bare"]]
    # within county A alone, nothing is copied across units and no decision lacks research
    a = board_for(people, dataset, tree.county_a).signals
    assert (a["copied"].count, a["rush"].count, a["no_evidence"].count, a["no_research"].count) == (
        0,
        3,
        0,
        0,
    )


def test_page_shows_the_figures_and_links(tree, people, dataset, office_client):
    response = office_client.get(reverse("dashboard:office"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-unit="T-A" data-rag="red"' in html
    assert f'?unit={tree.county_a.code}"' in html  # drill-down link
    problems = reverse("rectification:problem-list")
    assert f"{problems}?unit={tree.county_a.pk}&amp;overdue=1" in html  # red cell → records
    assert "<svg" in html


def test_drill_down_to_a_branch(tree, people, dataset, office_client):
    response = office_client.get(reverse("dashboard:office"), {"unit": tree.branch_a2.code})
    assert response.status_code == 200
    board = response.context["board"]
    assert board.unit == tree.branch_a2
    assert board.ancestors == [tree.city, tree.county_a, tree.committee_a]
    assert board.rectification["stale"] == 1
    assert board.lagging == []


def test_county_office_sees_its_county_only(client, tree, people, dataset):
    client.force_login(people.county_office)
    response = client.get(reverse("dashboard:office"))
    assert response.context["board"].unit == tree.county_a
    assert response.context["board"].rectification["total"] == 3
    assert client.get(reverse("dashboard:office"), {"unit": tree.county_b.code}).status_code == 404
    assert client.get(reverse("dashboard:office"), {"unit": "NOPE"}).status_code == 404


def test_viewer_reads_without_write_buttons(client, tree, people, dataset):
    client.force_login(people.viewer)
    response = client.get(reverse("dashboard:office"))
    assert response.status_code == 200
    assert reverse("supervision:visit-create") not in response.content.decode()


def test_outsider_and_anonymous(client, people, dataset):
    assert client.get(reverse("dashboard:office")).status_code == 302
    client.force_login(people.outsider)
    assert client.get(reverse("dashboard:office")).status_code == 404
    assert client.get(reverse("dashboard:leader")).status_code == 404


def test_leader_home(client, tree, people, dataset):
    from rectification.models import Problem

    Problem.objects.filter(pk__in=[dataset.problems["P1"].pk, dataset.problems["P5"].pk]).update(
        responsible_leader=people.leader
    )
    client.force_login(people.leader)
    response = client.get(reverse("dashboard:leader"))
    assert response.status_code == 200
    home = response.context["home"]
    assert home.summary.projects_this_quarter == 1
    assert home.summary.reports_this_year == 1
    assert home.quarter_ends == date(2026, 12, 31)
    assert [p.pk for p in response.context["problems"]] == [
        dataset.problems["P1"].pk
    ]  # P5 is in county B, out of his scope
    assert home.overdue_problems == 1
    assert home.next_deadline is None
    assert len(home.projects) == 1 and len(home.reports) == 1
    # an office user with no leader role has no leader's home
    client.force_login(people.city_office)
    assert client.get(reverse("dashboard:leader")).status_code == 404


def test_summary_digest_sees_through_spacing_digits_and_punctuation(tree, dataset):
    from campaign.models import Activity, summary_digest

    copied = "按照上级部署要求，认真组织开展主题教育学习活动，党员干部积极参与。"
    assert summary_digest(copied) == summary_digest(
        " 按照上级部署要求 认真组织开展主题教育学习活动!党员干部积极参与2 "
    )
    assert summary_digest(copied) != summary_digest(
        "组织党员到社区开展志愿服务，帮助群众解决实际困难。"
    )
    activity = Activity.objects.filter(campaign=dataset.campaign).first()
    assert activity is not None
    activity.summary = copied
    activity.save(update_fields=["summary"])
    activity.refresh_from_db()
    assert activity.summary_digest == summary_digest(copied)
