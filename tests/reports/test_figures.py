"""The figures of the weekly report on the hand-built data set (see conftest)."""

from __future__ import annotations

import pytest

from reports.periods import Week
from reports.selectors import weekly_figures
from tests.reports.conftest import TODAY, WEEK

pytestmark = pytest.mark.django_db


def test_week_parsing_and_bounds():
    week = Week.parse("2026-W48")
    assert str(week) == "2026-W48"
    assert (week.monday.isoformat(), week.sunday.isoformat()) == ("2026-11-23", "2026-11-29")
    assert str(week.previous()) == "2026-W47"
    assert str(Week.parse("2027-W01").previous()) == "2026-W53"
    for bad in ("2026-48", "2026-W54", "2025-W53", "W48", ""):
        with pytest.raises(ValueError):
            Week.parse(bad)


def test_county_headline_figures(data, tree):
    f = weekly_figures(data.campaign, tree.county_a, WEEK, today=TODAY)
    a = f.assignments
    assert (a.total, a.due, a.done, a.overdue) == (3, 2, 1, 1)
    assert a.completion_rate == 50.0
    assert (a.done_this_week, a.done_last_week, a.change) == (1, 0, 1)
    act = f.activities
    assert (act.this_week, act.last_week, act.participants_this_week, act.to_date) == (2, 1, 35, 3)
    p = f.problems
    assert (p.total, p.closed, p.overdue, p.closed_this_week, p.closed_last_week) == (3, 1, 1, 1, 0)
    assert p.closure_rate == 33.3
    r = f.research
    assert (r.leader_count, r.on_track_quarter, r.with_report_this_year) == (1, 1, 1)
    assert (r.reports_this_week, r.reports_last_week) == (1, 0)
    assert [row.name for row in r.leaders] == ["王县长"]


def test_city_figures_and_unit_table(data, tree):
    f = weekly_figures(data.campaign, tree.city, WEEK, today=TODAY)
    assert (f.assignments.due, f.assignments.done, f.assignments.overdue) == (3, 2, 1)
    assert f.assignments.completion_rate == 66.7
    assert (f.assignments.done_this_week, f.assignments.done_last_week) == (1, 1)
    assert (f.activities.this_week, f.activities.last_week) == (3, 1)
    assert (f.problems.total, f.problems.closed, f.problems.closure_rate) == (4, 2, 50.0)
    rows = {row.unit.code: row for row in f.units}
    assert list(rows) == ["T-A", "T-B"]
    a, b = rows["T-A"], rows["T-B"]
    assert (a.assignments.due, a.assignments.done, a.assignments.overdue) == (2, 1, 1)
    assert (b.assignments.due, b.assignments.done, b.assignments.overdue) == (1, 1, 0)
    assert (a.activities.this_week, b.activities.this_week) == (2, 1)
    assert (a.problems.total, a.problems.closed, a.problems.overdue) == (3, 1, 1)
    assert (b.problems.total, b.problems.closed, b.problems.closure_rate) == (1, 1, 100.0)
    assert [x.unit.code for x in f.overdue_assignments] == ["T-A-1-2"]
    assert [x.description for x in f.overdue_problems] == ["会议记录不完整"]
    trend = {str(week): (acts, closed) for week, acts, closed in f.trend}
    assert len(f.trend) == 8
    assert trend["2026-W48"] == (3, 1)
    assert trend["2026-W47"] == (1, 0)
    assert trend["2026-W46"] == (0, 1)


def test_a_past_week_is_counted_as_it_ended(data, tree):
    """The report of W47 does not count what was accepted or closed in W48."""
    f = weekly_figures(data.campaign, tree.city, Week(2026, 47), today=TODAY)
    assert (f.assignments.done, f.assignments.done_this_week) == (1, 1)
    assert (f.problems.closed, f.problems.closed_this_week, f.problems.closed_last_week) == (
        1,
        0,
        1,
    )
    assert f.activities.this_week == 1


def test_query_count_does_not_grow_with_units(data, tree, django_assert_max_num_queries):
    from tests.factories import make_unit

    # 14, with 推动发展 (3) and the week's visits, cases, plans and mechanisms (4), and
    # 成果转化 (suggestions adopted, 1)
    with django_assert_max_num_queries(22) as small:
        weekly_figures(data.campaign, tree.city, WEEK, today=TODAY)
    for _ in range(5):
        make_unit(tree.city, kind="county")
    with django_assert_max_num_queries(len(small.captured_queries)):
        weekly_figures(data.campaign, tree.city, WEEK, today=TODAY)
