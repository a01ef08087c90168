"""Every transition of the problem workflow and every refusal, with its recorded step."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from rectification import services
from rectification.models import (
    MeasureState,
    Problem,
    ProblemSource,
    ProblemState,
    ProblemTransition,
    ProblemType,
)
from tests.rectification.factories import make_campaign, make_problem

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def png(name: str = "photo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


@pytest.fixture
def campaign(tree):
    return make_campaign(tree.city)


def finish_measures(problem: Problem, actor) -> None:
    for measure in problem.measures.all():
        services.measure_set_state(measure=measure, actor=actor, state=MeasureState.DONE)
        services.evidence_add(measure=measure, actor=actor, upload=png())


def steps(problem: Problem) -> list[tuple[str, str]]:
    return list(
        ProblemTransition.objects.filter(problem=problem)
        .order_by("at", "pk")
        .values_list("from_state", "to_state")
    )


def test_create_numbers_within_unit_and_campaign(campaign, tree, people):
    first = make_problem(campaign=campaign, unit=tree.branch_a1, actor=people.secretary_a)
    second = make_problem(campaign=campaign, unit=tree.branch_a1, actor=people.secretary_a)
    other_unit = make_problem(campaign=campaign, unit=tree.branch_b1, actor=people.secretary_b)
    other_campaign = make_problem(
        campaign=make_campaign(tree.city, name="另一次"), unit=tree.branch_a1, actor=None
    )
    assert (first.number, second.number, other_unit.number, other_campaign.number) == (1, 2, 1, 1)
    assert first.state == ProblemState.DRAFT
    assert steps(first) == [("", ProblemState.DRAFT)]
    assert first.reported_by == people.secretary_a


def test_create_refuses_unknown_category_and_deadline_on_ongoing(campaign, tree, people):
    with pytest.raises(ValidationError) as exc:
        services.problem_create(
            campaign=campaign,
            unit=tree.branch_a1,
            actor=people.secretary_a,
            description="问题",
            source=ProblemSource.SELF_REVIEW,
            category="不存在的类别",
            discovered_on=date(2026, 11, 1),
        )
    assert "category" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.problem_create(
            campaign=campaign,
            unit=tree.branch_a1,
            actor=people.secretary_a,
            description="问题",
            source=ProblemSource.SELF_REVIEW,
            category="其他",
            discovered_on=date(2026, 11, 1),
            type=ProblemType.ONGOING,
            deadline=date(2026, 12, 1),
        )
    assert "deadline" in exc.value.message_dict
    assert not Problem.objects.exists()


def test_create_out_of_scope_or_read_only_is_refused(campaign, tree, people):
    for user in (people.secretary_b, people.viewer, people.member_a, people.outsider):
        with pytest.raises(PermissionDenied):
            make_problem(campaign=campaign, unit=tree.branch_a1, actor=user)


def test_full_journey_records_every_step(campaign, tree, people):
    problem = make_problem(campaign=campaign, unit=tree.branch_a1, actor=people.secretary_a)
    services.problem_start(problem=problem, actor=people.secretary_a)
    finish_measures(problem, people.secretary_a)
    services.problem_submit_for_closing(problem=problem, actor=people.secretary_a)
    services.problem_return(problem=problem, actor=people.county_office, reason="佐证材料不充分")
    services.problem_submit_for_closing(problem=problem, actor=people.secretary_a)
    services.problem_close(problem=problem, actor=people.county_office, note="核查属实")
    problem.refresh_from_db()
    assert problem.state == ProblemState.CLOSED
    assert problem.closed_by == people.county_office
    assert steps(problem) == [
        ("", "draft"),
        ("draft", "in_rectification"),
        ("in_rectification", "submitted"),
        ("submitted", "in_rectification"),
        ("in_rectification", "submitted"),
        ("submitted", "closed"),
    ]
    returned = ProblemTransition.objects.get(
        problem=problem, from_state="submitted", to_state="in_rectification"
    )
    assert returned.reason == "佐证材料不充分"
    assert returned.actor == people.county_office


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"measures": 0}, "__all__"),
        ({"deadline": None}, "deadline"),
        ({"responsible_leader_name": ""}, "responsible_leader"),
        ({"responsible_person_name": ""}, "responsible_person"),
    ],
)
def test_leaving_draft_needs_measures_deadline_and_responsibility(
    campaign, tree, people, change, field
):
    problem = make_problem(
        campaign=campaign, unit=tree.branch_a1, actor=people.secretary_a, **change
    )
    with pytest.raises(ValidationError) as exc:
        services.problem_start(problem=problem, actor=people.secretary_a)
    assert field in exc.value.message_dict
    problem.refresh_from_db()
    assert problem.state == ProblemState.DRAFT
    assert len(steps(problem)) == 1


def test_ongoing_needs_no_deadline_and_immediate_needs_nothing(campaign, tree, people):
    ongoing = make_problem(
        campaign=campaign, unit=tree.branch_a1, actor=people.secretary_a, type=ProblemType.ONGOING
    )
    services.problem_start(problem=ongoing, actor=people.secretary_a)
    immediate = make_problem(
        campaign=campaign,
        unit=tree.branch_a1,
        actor=people.secretary_a,
        type=ProblemType.IMMEDIATE,
        deadline=None,
        measures=0,
        responsible_leader_name="",
        responsible_person_name="",
    )
    services.problem_start(problem=immediate, actor=people.secretary_a)
    assert Problem.objects.get(pk=immediate.pk).state == ProblemState.IN_RECTIFICATION


def test_immediate_problem_closed_the_same_day(campaign, tree, people):
    problem = make_problem(
        campaign=campaign,
        unit=tree.branch_a1,
        actor=people.secretary_a,
        type=ProblemType.IMMEDIATE,
        deadline=date(2026, 11, 20),
    )
    services.problem_start(problem=problem, actor=people.secretary_a)
    finish_measures(problem, people.secretary_a)
    services.problem_submit_for_closing(problem=problem, actor=people.secretary_a)
    services.problem_close(problem=problem, actor=people.county_office)
    problem.refresh_from_db()
    assert problem.closed_at.date() == problem.created_at.date()


def test_submit_needs_every_measure_done_with_evidence(campaign, tree, people):
    problem = make_problem(
        campaign=campaign, unit=tree.branch_a1, actor=people.secretary_a, measures=2
    )
    services.problem_start(problem=problem, actor=people.secretary_a)
    first, second = problem.measures.all()
    services.measure_set_state(measure=first, actor=people.secretary_a, state=MeasureState.DONE)
    services.evidence_add(measure=first, actor=people.secretary_a, upload=png())
    with pytest.raises(ValidationError, match="必须完成"):
        services.problem_submit_for_closing(problem=problem, actor=people.secretary_a)
    services.measure_set_state(measure=second, actor=people.secretary_a, state=MeasureState.DONE)
    with pytest.raises(ValidationError, match="佐证"):
        services.problem_submit_for_closing(problem=problem, actor=people.secretary_a)
    services.evidence_add(measure=second, actor=people.secretary_a, upload=png())
    services.problem_submit_for_closing(problem=problem, actor=people.secretary_a)
    assert Problem.objects.get(pk=problem.pk).state == ProblemState.SUBMITTED


def test_submit_without_measures_is_refused(campaign, tree, people):
    problem = make_problem(
        campaign=campaign,
        unit=tree.branch_a1,
        actor=people.secretary_a,
        type=ProblemType.IMMEDIATE,
        measures=0,
    )
    services.problem_start(problem=problem, actor=people.secretary_a)
    with pytest.raises(ValidationError):
        services.problem_submit_for_closing(problem=problem, actor=people.secretary_a)


@pytest.fixture
def submitted(campaign, tree, people):
    problem = make_problem(campaign=campaign, unit=tree.branch_a1, actor=people.secretary_a)
    services.problem_start(problem=problem, actor=people.secretary_a)
    finish_measures(problem, people.secretary_a)
    return services.problem_submit_for_closing(problem=problem, actor=people.secretary_a)


@pytest.mark.parametrize(
    "who", ["secretary_a", "leader", "viewer", "secretary_b", "member_a", "outsider"]
)
def test_only_an_office_above_may_close_or_return(submitted, people, who):
    user = getattr(people, who)
    with pytest.raises(PermissionDenied):
        services.problem_close(problem=submitted, actor=user)
    with pytest.raises(PermissionDenied):
        services.problem_return(problem=submitted, actor=user, reason="不行")
    assert Problem.objects.get(pk=submitted.pk).state == ProblemState.SUBMITTED


def test_office_of_the_reporting_unit_itself_may_not_close(campaign, tree, people):
    problem = make_problem(campaign=campaign, unit=tree.county_a, actor=people.county_office)
    services.problem_start(problem=problem, actor=people.county_office)
    finish_measures(problem, people.county_office)
    services.problem_submit_for_closing(problem=problem, actor=people.county_office)
    with pytest.raises(PermissionDenied):
        services.problem_close(problem=problem, actor=people.county_office)
    services.problem_close(problem=problem, actor=people.city_office)
    assert Problem.objects.get(pk=problem.pk).state == ProblemState.CLOSED


def test_city_office_may_close_a_branch_problem(submitted, people):
    services.problem_close(problem=submitted, actor=people.city_office)
    assert Problem.objects.get(pk=submitted.pk).closed_by == people.city_office


def test_return_needs_a_reason(submitted, people):
    with pytest.raises(ValidationError) as exc:
        services.problem_return(problem=submitted, actor=people.county_office, reason="  ")
    assert "reason" in exc.value.message_dict


def test_close_only_from_submitted(campaign, tree, people):
    problem = make_problem(campaign=campaign, unit=tree.branch_a1, actor=people.secretary_a)
    with pytest.raises(ValidationError):
        services.problem_close(problem=problem, actor=people.county_office)
    services.problem_start(problem=problem, actor=people.secretary_a)
    with pytest.raises(ValidationError):
        services.problem_close(problem=problem, actor=people.county_office)
    with pytest.raises(ValidationError):
        services.problem_start(problem=problem, actor=people.secretary_a)


@pytest.mark.parametrize("state_steps", [0, 1, 2])
def test_withdraw_from_any_open_state_with_reason(campaign, tree, people, state_steps):
    problem = make_problem(campaign=campaign, unit=tree.branch_a1, actor=people.secretary_a)
    if state_steps >= 1:
        services.problem_start(problem=problem, actor=people.secretary_a)
    if state_steps >= 2:
        finish_measures(problem, people.secretary_a)
        services.problem_submit_for_closing(problem=problem, actor=people.secretary_a)
    with pytest.raises(ValidationError):
        services.problem_withdraw(problem=problem, actor=people.secretary_a, reason="")
    services.problem_withdraw(problem=problem, actor=people.secretary_a, reason="与第1号问题重复")
    problem.refresh_from_db()
    assert problem.state == ProblemState.WITHDRAWN
    assert problem.withdrawn_reason == "与第1号问题重复"
    assert steps(problem)[-1][1] == ProblemState.WITHDRAWN


def test_closed_or_withdrawn_cannot_change_or_be_withdrawn(submitted, people):
    services.problem_close(problem=submitted, actor=people.county_office)
    with pytest.raises(ValidationError):
        services.problem_withdraw(problem=submitted, actor=people.secretary_a, reason="x")
    with pytest.raises(ValidationError):
        services.problem_update(problem=submitted, actor=people.secretary_a, description="改")
    with pytest.raises(ValidationError):
        services.measure_add(problem=submitted, actor=people.secretary_a, description="新措施")


def test_problems_are_never_deleted(submitted, people):
    with pytest.raises(ValidationError):
        services.problem_delete(problem=submitted, actor=people.city_office)
    assert Problem.objects.filter(pk=submitted.pk).exists()


def test_update_in_rectification_keeps_the_rules(campaign, tree, people):
    problem = make_problem(campaign=campaign, unit=tree.branch_a1, actor=people.secretary_a)
    services.problem_start(problem=problem, actor=people.secretary_a)
    with pytest.raises(ValidationError):
        services.problem_update(problem=problem, actor=people.secretary_a, deadline=None)
    services.problem_update(problem=problem, actor=people.secretary_a, description="改写后的描述")
    assert Problem.objects.get(pk=problem.pk).description == "改写后的描述"


def test_leader_edits_only_problems_he_leads(campaign, tree, people):
    other = make_problem(campaign=campaign, unit=tree.branch_a1, actor=people.secretary_a)
    with pytest.raises(PermissionDenied):
        services.problem_update(problem=other, actor=people.leader, description="改写")
    with pytest.raises(PermissionDenied):
        services.problem_start(problem=other, actor=people.leader)
    his = make_problem(
        campaign=campaign,
        unit=tree.branch_a1,
        actor=people.secretary_a,
        responsible_leader=people.leader,
    )
    services.problem_update(problem=his, actor=people.leader, description="改写后的描述")
    services.problem_start(problem=his, actor=people.leader)
    with pytest.raises(ValidationError):
        services.problem_update(problem=his, actor=people.leader, responsible_leader=None)
    # a leader may enter a problem only as its responsible leader
    with pytest.raises(ValidationError):
        make_problem(campaign=campaign, unit=tree.branch_a1, actor=people.leader)
    make_problem(
        campaign=campaign,
        unit=tree.branch_a1,
        actor=people.leader,
        responsible_leader=people.leader,
    )


def test_measure_rules(campaign, tree, people):
    problem = make_problem(
        campaign=campaign, unit=tree.branch_a1, actor=people.secretary_a, measures=0
    )
    with pytest.raises(ValidationError) as exc:
        services.measure_add(
            problem=problem, actor=people.secretary_a, description="措施", deadline=date(2027, 2, 1)
        )
    assert "deadline" in exc.value.message_dict
    measure = services.measure_add(problem=problem, actor=people.secretary_a, description="措施")
    assert measure.order == 1
    with pytest.raises(ValidationError):
        services.measure_set_state(
            measure=measure, actor=people.secretary_a, state=MeasureState.DONE
        )
    services.problem_start(problem=problem, actor=people.secretary_a)
    with pytest.raises(ValidationError):
        services.measure_set_state(
            measure=measure,
            actor=people.secretary_a,
            state=MeasureState.DONE,
            completed_on=date(2026, 12, 1),
        )
    services.measure_set_state(measure=measure, actor=people.secretary_a, state=MeasureState.DONE)
    measure.refresh_from_db()
    assert measure.completed_on == date(2026, 11, 20)


def test_a_draft_problem_measure_is_not_in_progress_nor_takes_notes(campaign, tree, people):
    problem = make_problem(campaign=campaign, unit=tree.branch_a1, actor=people.secretary_a)
    measure = problem.measures.get()
    with pytest.raises(ValidationError) as exc:
        services.measure_set_state(
            measure=measure, actor=people.secretary_a, state=MeasureState.IN_PROGRESS
        )
    assert exc.value.messages == ["请先开始整改，再将整改措施标为进行中。"]
    with pytest.raises(ValidationError) as exc:
        services.progress_note_add(measure=measure, actor=people.secretary_a, text="已开会")
    assert exc.value.messages == ["请先开始整改，再记录整改进展。"]
    assert not measure.progress_notes.exists()
    assert not measure.can_move_to(MeasureState.IN_PROGRESS)
    services.problem_start(problem=problem, actor=people.secretary_a)
    measure.refresh_from_db()
    assert measure.can_move_to(MeasureState.IN_PROGRESS)


def test_progress_note_moves_measure_and_problem(campaign, tree, people):
    problem = make_problem(campaign=campaign, unit=tree.branch_a1, actor=people.secretary_a)
    services.problem_start(problem=problem, actor=people.secretary_a)
    measure = problem.measures.get()
    services.progress_note_add(
        measure=measure,
        actor=people.secretary_a,
        text="已召开专题会议",
        noted_on=date(2026, 11, 18),
    )
    measure.refresh_from_db()
    problem.refresh_from_db()
    assert measure.state == MeasureState.IN_PROGRESS
    assert problem.last_progress_on == date(2026, 11, 18)
    services.progress_note_add(
        measure=measure, actor=people.secretary_a, text="较早的记录", noted_on=date(2026, 11, 2)
    )
    problem.refresh_from_db()
    assert problem.last_progress_on == date(2026, 11, 18)
    with pytest.raises(ValidationError):
        services.progress_note_add(
            measure=measure, actor=people.secretary_a, text="未来", noted_on=date(2026, 11, 21)
        )
    with pytest.raises(ValidationError):
        services.progress_note_add(measure=measure, actor=people.secretary_a, text=" ")


def test_evidence_refuses_bad_files(campaign, tree, people):
    problem = make_problem(campaign=campaign, unit=tree.branch_a1, actor=people.secretary_a)
    measure = problem.measures.get()
    with pytest.raises(ValidationError) as exc:
        services.evidence_add(
            measure=measure,
            actor=people.secretary_a,
            upload=SimpleUploadedFile("x.png", b"<html>", content_type="image/png"),
        )
    assert "file" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.evidence_add(
            measure=measure,
            actor=people.secretary_a,
            upload=SimpleUploadedFile("x.exe", b"MZ", content_type="application/octet-stream"),
        )
    assert not measure.evidence.exists()
