"""指导意见: the 巡回指导组 (the viewer) leaves guidance on a unit in its scope; the office
answers it or turns it into problems of the units concerned in one step, linked both ways."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from rectification.models import Problem, ProblemSource
from supervision import services
from supervision.models import GuidanceNote, GuidanceState
from tests.rectification.factories import make_campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(tree):
    return make_campaign(tree.city)


def _note(campaign, tree, people) -> GuidanceNote:
    return services.guidance_create(
        actor=people.viewer,
        campaign=campaign,
        unit=tree.county_a,
        text="部分支部检视问题不深不透，照搬照抄上级清单",
        given_on=date(2026, 11, 18),
    )


def test_only_the_touring_group_gives_guidance(campaign, tree, people):
    with pytest.raises(PermissionDenied):
        services.guidance_create(
            actor=people.county_office,
            campaign=campaign,
            unit=tree.county_a,
            text="x",
            given_on=date(2026, 11, 18),
        )
    with pytest.raises(ValidationError):
        services.guidance_create(
            actor=people.viewer, campaign=campaign, unit=tree.county_a, text=" ", given_on=None
        )
    assert _note(campaign, tree, people).state == GuidanceState.OPEN


def test_the_office_turns_guidance_into_problems_linked_both_ways(campaign, tree, people):
    note = _note(campaign, tree, people)
    with pytest.raises(PermissionDenied):  # not the other county's office, not the group
        services.guidance_to_problems(
            actor=people.viewer, note=note, units=[tree.branch_a1], category="工作作风"
        )
    problems = services.guidance_to_problems(
        actor=people.county_office,
        note=note,
        units=[tree.branch_a1, tree.branch_a2],
        category="工作作风",
    )
    note.refresh_from_db()
    assert note.state == GuidanceState.CONVERTED
    assert {p.unit for p in problems} == {tree.branch_a1, tree.branch_a2}
    assert all(p.source == ProblemSource.GUIDANCE_GROUP for p in problems)
    assert set(note.problems.all()) == set(problems)
    assert list(Problem.objects.get(pk=problems[0].pk).guidance_notes.all()) == [note]
    with pytest.raises(ValidationError):  # dealt with once
        services.guidance_answer(actor=people.county_office, note=note, answer="已整改")


def test_pages_queue_and_answer(campaign, tree, people, login):
    note = _note(campaign, tree, people)
    office = login(people.county_office)
    session = office.session
    session["campaign_id"] = campaign.pk
    session.save()
    page = office.get(reverse("supervision:guidance-list"))
    assert page.status_code == 200 and "照搬照抄" in page.content.decode()
    response = office.post(
        reverse("supervision:guidance-answer", args=[note.pk]), {"a-answer": "已督促整改"}
    )
    assert response.status_code == 302
    note.refresh_from_db()
    assert note.state == GuidanceState.ANSWERED and note.answered_by == people.county_office
    other = login(people.secretary_b)
    assert other.get(reverse("supervision:guidance-detail", args=[note.pk])).status_code == 404
