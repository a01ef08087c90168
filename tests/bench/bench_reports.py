"""Benchmark of the weekly PDF reports (DESIGN.md "Budgets": city ≤ 10 s, county ≤ 5 s).

Run by ``make bench`` against the ``seed_demo --scale city`` data set (see conftest): the
whole build of a report is timed, figures (aggregate queries) and layout (WeasyPrint)
together, for the city and for its largest county. Not collected by ``make test``.
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
REPEAT = 3


def _time_report(campaign, unit) -> tuple[float, int, float, int, float]:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from reports.pdf import render_pdf
    from reports.periods import Week
    from reports.selectors import weekly_figures

    week = Week.current()
    samples, figures_samples, cpu_samples = [], [], []
    pages = queries = 0
    for _ in range(REPEAT):
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


@pytest.mark.django_db
def test_city_weekly_pdf(city):
    root, campaign = city
    seconds, pages, figures_s, queries, cpu = _time_report(campaign, root)
    record(
        "city weekly PDF",
        budget=f"≤ {CITY_BUDGET_S:.0f} s",
        measured=f"{seconds:.2f} s",
        passed=seconds <= CITY_BUDGET_S,
        note=f"{pages} pages; figures {figures_s:.2f} s in {queries} queries; "
        f"CPU of the process {cpu:.2f} s",
    )
    assert seconds <= CITY_BUDGET_S


@pytest.mark.django_db
def test_county_weekly_pdf(city):
    from accounts.models import OrgUnit, UnitKind

    root, campaign = city
    county = (
        OrgUnit.objects.filter(path__startswith=root.path, kind=UnitKind.COUNTY_COMMITTEE)
        .order_by("-numchild", "path")
        .first()
    )
    assert county is not None
    seconds, pages, figures_s, queries, cpu = _time_report(campaign, county)
    record(
        "county weekly PDF",
        budget=f"≤ {COUNTY_BUDGET_S:.0f} s",
        measured=f"{seconds:.2f} s",
        passed=seconds <= COUNTY_BUDGET_S,
        note=f"{county.name}, {pages} pages; figures {figures_s:.2f} s in {queries} queries; "
        f"CPU of the process {cpu:.2f} s",
    )
    assert seconds <= COUNTY_BUDGET_S
