"""成果转化: a report's suggestions (对策建议) tracked to the decision, rectification measure or
long-term mechanism that adopted them; the report page shows each, or "not yet adopted";
the dashboard's figure is its one definition (dashboard/figures/research.py)."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accounts.roles import Role
from dashboard.figures.research import adoption_figures
from dashboard.periods import Period
from rectification.models import Measure, Mechanism, Problem, ProblemSource
from research import services
from research.models import Adoption, FindingKind
from tests.factories import UserFactory, grant
from tests.research.factories import make_decision, make_finding, make_project, make_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(campaign, tree, people):
    project = make_project(campaign=campaign, lead=people.leader, unit=tree.county_a)
    report = make_report(project=project)
    first = make_finding(
        project=project,
        report=report,
        kind=FindingKind.SUGGESTION,
        description="建议推行便民服务站周末轮值",
    )
    second = make_finding(
        project=project,
        report=report,
        kind=FindingKind.SUGGESTION,
        description="建议建立村级代办员制度",
        unit=tree.branch_a1,
    )
    problem = make_finding(project=project, report=report, description="服务站开放时间短")
    decision = make_decision(
        campaign=campaign, unit=tree.county_a, projects=[project], title="周末轮值的决定"
    )
    rectification = Problem.objects.create(
        campaign=campaign,
        unit=tree.branch_a1,
        number=1,
        category="服务群众",
        source=ProblemSource.RESEARCH,
        description="代办服务缺位",
        discovered_on=date(2026, 11, 1),
    )
    measure = Measure.objects.create(problem=rectification, description="设立村级代办员")
    mechanism = Mechanism.objects.create(
        campaign=campaign,
        unit=tree.county_a,
        title="便民服务长效机制",
        kind="mechanism",
        issued_on=date(2026, 11, 15),
    )
    return {
        "project": project,
        "report": report,
        "first": first,
        "second": second,
        "problem": problem,
        "decision": decision,
        "measure": measure,
        "mechanism": mechanism,
    }


def test_a_suggestion_is_adopted_by_exactly_one_record_in_scope(world, people, tree, campaign):
    first = world["first"]
    with pytest.raises(ValidationError) as exc:
        services.adoption_create(finding=first, actor=people.leader, adopted_on=date(2026, 11, 12))
    assert "decision" in exc.value.message_dict  # none named
    with pytest.raises(ValidationError):
        services.adoption_create(
            finding=first,
            actor=people.leader,
            adopted_on=date(2026, 11, 12),
            decision=world["decision"],
            mechanism=world["mechanism"],
        )
    with pytest.raises(ValidationError) as exc:
        services.adoption_create(
            finding=first,
            actor=people.leader,
            adopted_on=date(2026, 12, 1),  # after today (20 November)
            decision=world["decision"],
        )
    assert "adopted_on" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:  # a problem found is not a suggestion
        services.adoption_create(
            finding=world["problem"],
            actor=people.leader,
            adopted_on=date(2026, 11, 12),
            decision=world["decision"],
        )
    assert "finding" in exc.value.message_dict
    # a decision of county B is outside the leader's scope
    leader_b = UserFactory(username="leader_b")
    grant(leader_b, tree.county_b, Role.LEADER)
    other = make_decision(campaign=campaign, unit=tree.county_b, title="乙县的决定")
    with pytest.raises(ValidationError) as exc:
        services.adoption_create(
            finding=first, actor=people.leader, adopted_on=date(2026, 11, 12), decision=other
        )
    assert "decision" in exc.value.message_dict
    # someone who may not change the research may not record its adoption
    with pytest.raises(PermissionDenied):
        services.adoption_create(
            finding=first,
            actor=people.secretary_a,
            adopted_on=date(2026, 11, 12),
            decision=world["decision"],
        )
    adoption = services.adoption_create(
        finding=first,
        actor=people.leader,
        adopted_on=date(2026, 11, 12),
        decision=world["decision"],
    )
    assert adoption.record == world["decision"] and adoption.events.count() == 1
    with pytest.raises(ValidationError):  # once per record
        services.adoption_create(
            finding=first,
            actor=people.leader,
            adopted_on=date(2026, 11, 13),
            decision=world["decision"],
        )
    for field in ("measure", "mechanism"):
        services.adoption_create(
            finding=world["second"],
            actor=people.county_office,
            adopted_on=date(2026, 11, 16),
            **{field: world[field]},
        )
    assert Adoption.objects.count() == 3


def test_the_report_page_shows_what_adopted_each_suggestion(client, world, people):
    services.adoption_create(
        finding=world["first"],
        actor=people.leader,
        adopted_on=date(2026, 11, 12),
        decision=world["decision"],
    )
    client.force_login(people.county_office)
    page = client.get(reverse("research:report-detail", args=[world["report"].pk])).content
    page = page.decode()
    first = page.split(f'data-suggestion="{world["first"].pk}"')[1].split("</li>")[0]
    second = page.split(f'data-suggestion="{world["second"].pk}"')[1].split("</li>")[0]
    assert "周末轮值的决定" in first and "2026-11-12" in first
    assert reverse("research:decision-detail", args=[world["decision"].pk]) in first
    assert "尚未采纳" in second


def test_the_adoption_form_records_it(client, world, people):
    client.force_login(people.leader)
    url = reverse("research:finding-adopt", args=[world["first"].pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"adopted_on": "2026-11-12"})
    assert "请选择采纳该建议的一项记录" in response.content.decode()
    response = client.post(url, {"adopted_on": "2026-11-12", "decision": world["decision"].pk})
    assert response.status_code == 302
    assert response["Location"] == reverse("research:report-detail", args=[world["report"].pk])
    assert Adoption.objects.get().decision == world["decision"]
    # not a suggestion: no such page; the viewer reads the research but does not change it,
    # a branch secretary does not see county A's research at all
    assert (
        client.get(reverse("research:finding-adopt", args=[world["problem"].pk])).status_code == 404
    )
    client.force_login(people.viewer)
    assert client.get(url).status_code == 403
    client.force_login(people.secretary_a)
    assert client.get(url).status_code == 404


def test_the_figure_counts_adopted_suggestions_as_of_the_day(world, people, tree, campaign):
    def figure(unit, day):
        return adoption_figures(campaign=campaign, unit=unit, period=Period.on(day))

    assert (
        figure(tree.city, date(2026, 11, 20)).suggestions,
        figure(tree.city, date(2026, 11, 20)).adopted,
    ) == (2, 0)
    services.adoption_create(
        finding=world["first"],
        actor=people.leader,
        adopted_on=date(2026, 11, 12),
        decision=world["decision"],
    )
    half = figure(tree.county_a, date(2026, 11, 20))
    assert (half.suggestions, half.adopted, half.rate, half.not_adopted) == (2, 1, 50.0, 1)
    services.adoption_create(
        finding=world["first"],
        actor=people.leader,
        adopted_on=date(2026, 11, 18),
        mechanism=world["mechanism"],
    )
    services.adoption_create(
        finding=world["second"],
        actor=people.leader,
        adopted_on=date(2026, 11, 19),
        measure=world["measure"],
    )
    now = figure(tree.city, date(2026, 11, 20))
    assert (now.suggestions, now.adopted, now.rate) == (2, 2, 100.0)  # each once
    # as of an earlier day: the suggestions were recorded only on 20 November
    assert figure(tree.city, date(2026, 11, 15)).suggestions == 0
    # by the research's unit: county B's subtree has none
    assert figure(tree.county_b, date(2026, 11, 20)).suggestions == 0
