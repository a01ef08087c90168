"""Benchmark of the weekly PDF reports (DESIGN.md "Budgets": city ≤ 10 s, county ≤ 5 s;
the province ≤ 20 s; the Monday reports of every unit with an office within an hour on one
worker).

Run by ``make bench`` at city and province scale (see conftest): the whole build of a
report is timed, figures (aggregate queries) and layout (WeasyPrint) together, for the
city (at province scale: a city of the province), its largest county and the province.
Not collected by ``make test``.
"""

from __future__ import annotations

import statistics
import time

import pytest

# tests/bench is not a package: pytest loads its conftest as the module "conftest", and the
# results must go to that module's list to reach the printed table and docs/benchmarks.md.
from conftest import record  # type: ignore[import-not-found]

CITY_BUDGET_S = 10.0
COUNTY_BUDGET_S = 5.0
PROVINCE_BUDGET_S = 20.0
MONDAY_BUDGET_S = 3600.0
SAMPLE_PER_LEVEL = 3
REPEAT = 3


def _time_report(campaign, unit, *, repeat: int = REPEAT) -> tuple[float, int, float, int, float]:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from reports.pdf import render_pdf
    from reports.periods import Week
    from reports.selectors import weekly_figures

    week = Week.current()
    samples, figures_samples, cpu_samples = [], [], []
    pages = queries = 0
    for _ in range(repeat):
        reset_queries()
        started, cpu = time.perf_counter(), time.process_time()
        with CaptureQueriesContext(connection) as captured:
            figures = weekly_figures(campaign, unit, week)
        figures_samples.append(time.perf_counter() - started)
        rendered = render_pdf(figures)
        samples.append(time.perf_counter() - started)
        cpu_samples.append(time.process_time() - cpu)
        pages, queries = rendered.page_count, len(captured.captured_queries)
    return (
        statistics.median(samples),
        pages,
        statistics.median(figures_samples),
        queries,
        statistics.median(cpu_samples),
    )


def _record_pdf(scale, label, limit, unit, seconds, pages, figures_s, queries, cpu) -> None:
    record(
        label,
        scale=scale.name,
        budget=f"≤ {limit:.0f} s",
        measured=f"{seconds:.2f} s",
        passed=seconds <= limit,
        note=f"{unit.name}, {pages} pages; figures {figures_s:.2f} s in {queries} queries; "
        f"CPU of the process {cpu:.2f} s",
        value=seconds,
        limit=limit,
        unit="s",
    )


def _largest_county(root):
    from accounts.models import OrgUnit, UnitKind

    county = (
        OrgUnit.objects.filter(path__startswith=root.path, kind=UnitKind.COUNTY_COMMITTEE)
        .order_by("-numchild", "path")
        .first()
    )
    assert county is not None
    return county


@pytest.mark.django_db
def test_city_weekly_pdf(scale):
    measured = _time_report(scale.campaign, scale.city)
    _record_pdf(scale, "city weekly PDF", CITY_BUDGET_S, scale.city, *measured)
    assert measured[0] <= CITY_BUDGET_S


@pytest.mark.django_db
def test_county_weekly_pdf(scale):
    county = _largest_county(scale.city)
    measured = _time_report(scale.campaign, county)
    _record_pdf(scale, "county weekly PDF", COUNTY_BUDGET_S, county, *measured)
    assert measured[0] <= COUNTY_BUDGET_S


@pytest.mark.django_db
def test_province_weekly_pdf(scale):
    if scale.name != "province":
        pytest.skip("the city data set has no province")
    measured = _time_report(scale.campaign, scale.root)
    _record_pdf(scale, "province weekly PDF", PROVINCE_BUDGET_S, scale.root, *measured)
    assert measured[0] <= PROVINCE_BUDGET_S


@pytest.mark.django_db
def test_monday_reports(scale):
    """The Monday run: the report of every unit with an office (the scheduled kinds), built
    one after another on one worker. Timed on a sample of each level (the largest units),
    multiplied by the number of units of that level."""
    from math import ceil

    from accounts.models import OrgUnit
    from reports.services import SCHEDULED_KINDS

    units = OrgUnit.objects.filter(
        path__startswith=scale.root.path, kind__in=SCHEDULED_KINDS, is_active=True
    )
    total = 0.0
    parts = []
    for kind in SCHEDULED_KINDS:
        count = units.filter(kind=kind).count()
        if not count:
            continue
        sample = list(units.filter(kind=kind).order_by("-numchild", "path")[:SAMPLE_PER_LEVEL])
        times = [_time_report(scale.campaign, unit, repeat=1)[0] for unit in sample]
        each = statistics.mean(times)
        total += each * count
        parts.append(f"{count} × {each:.2f} s ({kind})")
    workers = max(1, ceil(total / (MONDAY_BUDGET_S / 2)))
    record(
        "Monday reports (every unit with an office, one worker)",
        scale=scale.name,
        budget=f"≤ {MONDAY_BUDGET_S / 60:.0f} min on one worker",
        measured=f"{total / 60:.1f} min: " + " + ".join(parts),
        passed=total <= MONDAY_BUDGET_S,
        note=f"{units.count()} reports; half that time with {max(2, workers)} workers "
        "(each report is a job of its own)",
        value=total,
        limit=MONDAY_BUDGET_S,
        unit="s",
    )
    assert total <= MONDAY_BUDGET_S
