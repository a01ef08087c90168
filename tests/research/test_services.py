"""The rules of the research services: bad input refused with nothing saved."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from accounts.models import OrgUnit
from accounts.roles import Role
from rectification.models import Problem, ProblemSource
from research import services
from research.models import (
    Decision,
    Finding,
    ProjectState,
    ReportState,
    ResearchFocus,
    ResearchMethod,
    ResearchProject,
    ResearchReport,
)
from research.selectors import decisions_for, decisions_without_research
from tests.factories import UserFactory, grant
from tests.research.factories import (
    make_decision,
    make_finding,
    make_project,
    make_report,
)

pytestmark = pytest.mark.django_db


def _project_args(campaign, tree, people, **overrides):
    args = {
        "campaign": campaign,
        "unit": tree.county_a,
        "lead": people.leader,
        "actor": people.leader,
        "topic": "乡村振兴调研",
        "focus": ResearchFocus.CHOKEPOINT,
        "method": ResearchMethod.ONSITE,
        "start_date": date(2026, 11, 1),
        "end_date": date(2026, 11, 3),
        "sites": ["甲镇", "甲一村"],
        "state": ProjectState.DONE,
    }
    args.update(overrides)
    return args


def test_leader_records_his_own_project(campaign, tree, people):
    project = services.project_create(**_project_args(campaign, tree, people))
    assert project.lead == people.leader
    assert project.site_list == ["甲镇", "甲一村"]
    assert (project.year, project.quarter) == (2026, 4)


def test_project_ending_before_it_starts_is_refused(campaign, tree, people):
    with pytest.raises(ValidationError) as exc:
        services.project_create(
            **_project_args(campaign, tree, people, end_date=date(2026, 10, 31))
        )
    assert "end_date" in exc.value.message_dict
    assert "2026-10-31" in exc.value.message_dict["end_date"][0]
    assert not ResearchProject.objects.exists()


def test_project_dates_are_also_a_database_constraint(campaign, tree, people):
    project = services.project_create(**_project_args(campaign, tree, people))
    with pytest.raises(IntegrityError), transaction.atomic():
        ResearchProject.objects.filter(pk=project.pk).update(end_date=date(2026, 1, 1))


def test_lead_must_be_a_leader(campaign, tree, people):
    with pytest.raises(ValidationError) as exc:
        services.project_create(
            **_project_args(campaign, tree, people, lead=people.secretary_a, actor=None)
        )
    assert "lead" in exc.value.message_dict
    assert not ResearchProject.objects.exists()


def test_leader_cannot_record_research_led_by_someone_else(campaign, tree, people):
    other = UserFactory(username="leader_a2")
    grant(other, tree.county_a, Role.LEADER)
    with pytest.raises(ValidationError) as exc:
        services.project_create(**_project_args(campaign, tree, people, lead=other))
    assert "lead" in exc.value.message_dict


def test_office_records_research_for_a_leader_in_scope(campaign, tree, people):
    project = services.project_create(
        **_project_args(campaign, tree, people, actor=people.county_office)
    )
    assert project.lead == people.leader
    with pytest.raises(PermissionDenied):
        services.project_create(**_project_args(campaign, tree, people, actor=people.secretary_a))


def test_leader_edits_only_his_own_project(campaign, tree, people):
    project = make_project(campaign=campaign, lead=people.leader, unit=tree.county_a)
    other = UserFactory(username="leader_a2")
    grant(other, tree.county_a, Role.LEADER)
    with pytest.raises(PermissionDenied):
        services.project_update(project=project, actor=other, topic="改")
    services.project_update(project=project, actor=people.leader, topic="改过的课题")
    services.project_update(project=project, actor=people.county_office, notes="办公室补充")
    project.refresh_from_db()
    assert (project.topic, project.notes) == ("改过的课题", "办公室补充")
    with pytest.raises(PermissionDenied):
        services.project_update(project=project, actor=people.viewer, topic="x")


def test_report_author_is_the_lead(campaign, tree, people):
    project = make_project(campaign=campaign, lead=people.leader, unit=tree.county_a)
    report = services.report_create(
        campaign=campaign,
        projects=[project],
        author=people.leader,
        actor=people.leader,
        title="调研报告",
        written_on=date(2026, 11, 20),
        body="# 一\n内容",
        state=ReportState.SUBMITTED,
    )
    assert report.author == people.leader and report.year == 2026


def test_report_whose_author_is_not_the_lead_is_refused(campaign, tree, people):
    project = make_project(campaign=campaign, lead=people.leader, unit=tree.county_a)
    with pytest.raises(ValidationError) as exc:
        services.report_create(
            campaign=campaign,
            projects=[project],
            author=people.county_office,
            actor=people.county_office,
            title="代写的报告",
            written_on=date(2026, 11, 20),
            body="内容",
        )
    assert "projects" in exc.value.message_dict
    assert not ResearchReport.objects.exists()


def test_report_dated_in_the_future_is_refused(campaign, tree, people):
    project = make_project(campaign=campaign, lead=people.leader, unit=tree.county_a)
    with pytest.raises(ValidationError) as exc:
        make_report(project=project, written_on=date(2026, 11, 21))
    assert "written_on" in exc.value.message_dict
    assert not ResearchReport.objects.exists()


def test_report_needs_a_text_or_a_document(campaign, tree, people):
    project = make_project(campaign=campaign, lead=people.leader, unit=tree.county_a)
    with pytest.raises(ValidationError) as exc:
        make_report(project=project, body="")
    assert "body" in exc.value.message_dict


def test_finding_becomes_a_problem_once_linked_both_ways(campaign, tree, people):
    project = make_project(campaign=campaign, lead=people.leader, unit=tree.county_a)
    finding = make_finding(project=project, unit=tree.branch_a1)
    problem = services.finding_to_problem(
        finding=finding, actor=people.leader, category="服务群众", deadline=date(2026, 12, 31)
    )
    finding.refresh_from_db()
    assert finding.problem == problem
    assert Problem.objects.get(pk=problem.pk).finding == finding
    assert problem.unit == tree.branch_a1
    assert problem.source == ProblemSource.RESEARCH
    assert problem.number == 1
    with translation.override("zh-hans"), pytest.raises(ValidationError, match="只能转一次"):
        services.finding_to_problem(finding=finding, actor=people.leader, category="服务群众")
    assert Problem.objects.count() == 1


def test_one_problem_per_finding_is_a_database_constraint(campaign, tree, people):
    project = make_project(campaign=campaign, lead=people.leader, unit=tree.county_a)
    first = make_finding(project=project, unit=tree.branch_a1)
    second = make_finding(project=project, unit=tree.branch_a1, description="另一个")
    problem = services.finding_to_problem(finding=first, actor=None, category="其他")
    with pytest.raises(IntegrityError), transaction.atomic():
        Finding.objects.filter(pk=second.pk).update(problem=problem)


def test_finding_marked_solved_says_how(campaign, tree, people):
    project = make_project(campaign=campaign, lead=people.leader, unit=tree.county_a)
    finding = make_finding(project=project)
    with pytest.raises(ValidationError):
        services.finding_mark_solved(finding=finding, actor=people.leader, how=" ")
    services.finding_mark_solved(finding=finding, actor=people.leader, how="延长开放时间")
    finding.refresh_from_db()
    assert finding.is_solved and finding.solved_on == date(2026, 11, 20)


def test_decision_with_and_without_research(campaign, tree, people):
    project = make_project(campaign=campaign, lead=people.leader, unit=tree.county_a)
    cited = services.decision_create(
        campaign=campaign,
        unit=tree.county_a,
        actor=people.county_office,
        title="有依据的决定",
        decided_on=date(2026, 11, 10),
        body="内容",
        projects=[project],
    )
    bare = make_decision(campaign=campaign, unit=tree.county_a, title="拍脑袋的决定")
    flags = {
        d.pk: (d.cites_projects or d.cites_reports)
        for d in decisions_for(people.city_office, campaign)
    }
    assert flags == {cited.pk: True, bare.pk: False}
    stats = decisions_without_research(campaign=campaign, units_queryset=OrgUnit.objects.all())
    assert (stats.total, stats.without_research) == (2, 1)


def test_research_cited_must_come_before_the_decision(campaign, tree, people):
    """先调研后决策: research begun only after the decision does not count (flagged)."""
    later = make_project(
        campaign=campaign, lead=people.leader, unit=tree.county_a, start=date(2026, 11, 15)
    )
    decided = services.decision_create(
        campaign=campaign,
        unit=tree.county_a,
        actor=people.county_office,
        title="先决策后补调研",
        decided_on=date(2026, 11, 10),
        body="内容",
        projects=[later],
    )
    [flag] = [
        d.cites_projects or d.cites_reports for d in decisions_for(people.city_office, campaign)
    ]
    assert decided and flag is False
    stats = decisions_without_research(campaign=campaign, units_queryset=OrgUnit.objects.all())
    assert (stats.total, stats.without_research) == (1, 1)


def test_decision_citing_research_outside_scope_is_refused(campaign, tree, people):
    leader_b = UserFactory(username="leader_b")
    grant(leader_b, tree.county_b, Role.LEADER)
    outside = make_project(campaign=campaign, lead=leader_b, unit=tree.county_b)
    with pytest.raises(ValidationError) as exc:
        services.decision_create(
            campaign=campaign,
            unit=tree.county_a,
            actor=people.county_office,
            title="决定",
            decided_on=date(2026, 11, 10),
            body="内容",
            projects=[outside],
        )
    assert "projects" in exc.value.message_dict
    assert not Decision.objects.exists()
