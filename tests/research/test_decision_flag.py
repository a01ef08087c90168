"""先调研后决策: a decision citing only research that came after it is flagged wherever the
flag is read (the list, its page, the dashboard's count and signal), for reports as for
projects, and the flag follows the dates when they change."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from accounts.models import OrgUnit
from dashboard.figures.research import decision_figures
from dashboard.periods import Period
from research import services
from research.models import Decision
from research.selectors import decisions_for, decisions_without_research, with_research_flag
from tests.research.factories import make_project, make_report

pytestmark = pytest.mark.django_db


def flagged(campaign, user) -> dict[str, bool]:
    return {
        d.title: not (d.cites_projects or d.cites_reports) for d in decisions_for(user, campaign)
    }


def test_a_decision_citing_only_a_later_report_is_flagged_everywhere(
    client, campaign, tree, people
):
    project = make_project(
        campaign=campaign, lead=people.leader, unit=tree.county_a, start=date(2026, 11, 12)
    )
    later = make_report(project=project, written_on=date(2026, 11, 15), title="事后补写的报告")
    earlier = make_report(project=project, written_on=date(2026, 11, 9), title="事前的报告")
    only_later = services.decision_create(
        campaign=campaign,
        unit=tree.county_a,
        actor=people.county_office,
        title="补调研的决定",
        decided_on=date(2026, 11, 10),
        body="内容",
        reports=[later],
        projects=[project],  # begun on 12 November: after the decision too
    )
    services.decision_create(
        campaign=campaign,
        unit=tree.county_a,
        actor=people.county_office,
        title="有依据的决定",
        decided_on=date(2026, 11, 10),
        body="内容",
        reports=[earlier, later],
    )
    assert flagged(campaign, people.city_office) == {"补调研的决定": True, "有依据的决定": False}
    stats = decisions_without_research(campaign=campaign, units_queryset=OrgUnit.objects.all())
    assert (stats.total, stats.without_research) == (2, 1)
    figures = decision_figures(
        campaign=campaign, unit=tree.city, period=Period.on(date(2026, 11, 20))
    )
    assert (figures.total, figures.without_research) == (2, 1)

    client.force_login(people.county_office)
    page = client.get(reverse("research:decision-detail", args=[only_later.pk])).content.decode()
    assert "不调研不决策、先调研后决策" in page
    listed = client.get(reverse("research:decision-list"), {"flagged": "1"}).content.decode()
    assert "补调研的决定" in listed and "有依据的决定" not in listed
    client.force_login(people.city_office)
    board = client.get(reverse("dashboard:office")).context["board"]
    assert board.research.decisions_without_research == 1
    assert [d.title for d in board.signals["no_research"].records] == ["补调研的决定"]


def test_the_flag_follows_the_dates(campaign, tree, people):
    project = make_project(
        campaign=campaign, lead=people.leader, unit=tree.county_a, start=date(2026, 11, 1)
    )
    report = make_report(project=project, written_on=date(2026, 11, 5))
    decision = services.decision_create(
        campaign=campaign,
        unit=tree.county_a,
        actor=people.county_office,
        title="决定",
        decided_on=date(2026, 11, 10),
        body="内容",
        reports=[report],
    )

    def is_flagged() -> bool:
        d = with_research_flag(Decision.objects.filter(pk=decision.pk)).get()
        return not (d.cites_projects or d.cites_reports)

    assert not is_flagged()
    # the decision moved before the report: the report no longer came first
    services.decision_update(
        decision=decision,
        actor=people.county_office,
        unit=tree.county_a,
        title="决定",
        decided_on=date(2026, 11, 4),
        body="内容",
        reports=[report],
    )
    assert is_flagged()
    # a report written on the day of the decision counts (on or before it)
    services.report_update(
        report=report,
        actor=people.leader,
        title=report.title,
        written_on=date(2026, 11, 4),
        body=report.body,
        state=report.state,
        projects=[project],
    )
    assert not is_flagged()
