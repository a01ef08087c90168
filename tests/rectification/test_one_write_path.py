"""The ledger import and the form are one write path: the same row, entered through the
pages or imported, ends in the same state with the same refusals."""

from __future__ import annotations

import pytest
from django.urls import reverse

from rectification.ledger_import import ledger_import
from rectification.models import MeasureState, Problem, ProblemState
from tests.rectification.conftest import TODAY
from tests.rectification.factories import make_campaign
from tests.rectification.test_ledger_import import HEADER, good_row, xlsx

pytestmark = pytest.mark.django_db

FORM = {
    "source": "self_review",
    "category": "工作作风",
    "description": "问题1",
    "type": "deadline",
    "deadline": "2026-12-31",
    "discovered_on": "2026-11-20",
    "responsible_leader_name": "张书记",
    "responsible_person_name": "李委员",
}


@pytest.fixture
def campaign(tree):
    return make_campaign(tree.city)


def _import(rows, *, campaign, unit, user):
    return ledger_import(
        upload=xlsx([HEADER, *rows]), campaign=campaign, unit=unit, user=user, today=TODAY
    )


def _through_the_pages(client, *, unit, **fields) -> tuple[Problem, str]:
    """Enter the problem and its measure, start it, mark the measure done and ask for
    销号, as a user of the pages does; the problem and the last answer's text."""
    response = client.post(
        reverse("rectification:problem-create"), {**FORM, **fields, "unit": unit.pk}
    )
    assert response.status_code == 302, response.content.decode()
    problem = Problem.objects.get(description=fields.get("description", FORM["description"]))
    client.post(
        reverse("rectification:measure-create", args=[problem.pk]), {"m-description": "措施1"}
    )
    client.post(reverse("rectification:problem-transition", args=[problem.pk, "start"]))
    measure = problem.measures.get()
    client.post(
        reverse("rectification:measure-state", args=[measure.pk]),
        {f"s{measure.pk}-state": MeasureState.DONE, f"s{measure.pk}-completed_on": "2026-11-20"},
    )
    response = client.post(
        reverse("rectification:problem-transition", args=[problem.pk, "submit"]),
        {"sub-note": "已整改"},
    )
    problem.refresh_from_db()
    return problem, response.content.decode()


@pytest.mark.parametrize(("who", "word"), [("secretary_a", "待销号"), ("county_office", "已销号")])
def test_a_row_up_for_closing_ends_where_the_form_ends(login, tree, people, campaign, who, word):
    user = getattr(people, who)
    by_form, page = _through_the_pages(login(user), unit=tree.branch_a1)
    preview = _import([good_row(2, state=word)], campaign=campaign, unit=tree.branch_a1, user=user)
    by_import = Problem.objects.get(description="问题2")

    assert by_form.state == by_import.state == ProblemState.IN_RECTIFICATION
    assert [m.state for m in by_form.measures.all()] == [MeasureState.DONE]
    assert [m.state for m in by_import.measures.all()] == [MeasureState.DONE]
    assert by_form.submitted_at is None and by_import.submitted_at is None
    # the form's refusal is the import's reason, word for word
    reason = "申请销号前，每条整改措施都须上传佐证材料；缺少佐证的措施：第1条。"
    assert reason in page
    [note] = preview.notes
    assert reason in note.reason and note.column.startswith("K")


def test_a_leader_names_himself_in_the_form_and_in_the_import(login, tree, people, campaign):
    leader = people.leader
    client = login(leader)
    refusal = "领导只能录入本人担任责任领导的问题。"

    response = client.post(
        reverse("rectification:problem-create"), {**FORM, "unit": tree.branch_a1.pk}
    )
    assert response.status_code == 200 and refusal in response.content.decode()
    preview = _import([good_row(1)], campaign=campaign, unit=tree.branch_a1, user=leader)
    assert not preview.written
    assert [(e.row, e.column, e.reason) for e in preview.errors] == [(2, "F（责任领导）", refusal)]
    assert not Problem.objects.exists()

    response = client.post(
        reverse("rectification:problem-create"),
        {**FORM, "unit": tree.branch_a1.pk, "responsible_leader": leader.pk},
    )
    assert response.status_code == 302
    preview = _import(
        [good_row(1, description="问题2", leader=leader.full_name)],
        campaign=campaign,
        unit=tree.branch_a1,
        user=leader,
    )
    assert preview.written
    by_form = Problem.objects.get(description="问题1")
    by_import = Problem.objects.get(description="问题2")
    assert by_form.responsible_leader == by_import.responsible_leader == leader


def test_a_secretary_names_any_leader_in_both(login, tree, people, campaign):
    client = login(people.secretary_a)
    response = client.post(
        reverse("rectification:problem-create"), {**FORM, "unit": tree.branch_a1.pk}
    )
    assert response.status_code == 302
    preview = _import(
        [good_row(1, description="问题2")],
        campaign=campaign,
        unit=tree.branch_a1,
        user=people.secretary_a,
    )
    assert preview.written
    names = set(Problem.objects.values_list("responsible_leader_name", "responsible_leader"))
    assert names == {("张书记", None)}


def test_a_draft_row_keeps_no_measure_done(tree, people, campaign):
    """A measure cannot be done (nor in progress) before rectification starts; a row that
    cannot start (no responsible leader) keeps its measure not started, and says so."""
    preview = _import(
        [good_row(1, leader="", state="已完成")],
        campaign=campaign,
        unit=tree.branch_a1,
        user=people.secretary_a,
    )
    problem = Problem.objects.get()
    assert problem.state == ProblemState.DRAFT
    assert problem.measures.get().state == MeasureState.NOT_STARTED
    assert [n.row for n in preview.notes] == [2, 2]
    assert problem.measures.get().completed_on is None


def test_a_leaders_ledger_without_a_leader_column_is_refused_row_by_row(tree, people, campaign):
    rows = [["序号", "问题类别", "问题描述", "整改措施", "责任人", "整改时限"]]
    rows += [[1, "其他", "问题1", "措施1", "李委员", "2026-12-31"]]
    preview = ledger_import(
        upload=xlsx(rows), campaign=campaign, unit=tree.branch_a1, user=people.leader, today=TODAY
    )
    assert [(e.row, e.column) for e in preview.errors] == [(2, "—（责任领导）")]
    assert not Problem.objects.exists()
