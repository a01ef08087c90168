"""Development items: progress from milestones, dates, evidence."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from campaign import selectors, services
from campaign.models import DevelopmentItem, DevelopmentState
from dashboard.figures.development import development_figures
from dashboard.periods import Period

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(campaign, tree, people):
    return services.development_create(
        actor=people.secretary_a,
        campaign=campaign,
        unit=tree.branch_a1,
        category="livelihood",
        title="老旧小区加装电梯",
        target="年内3台",
        due_date=date(2026, 12, 31),
        responsible_leader=people.leader,
    )


def test_progress_is_computed_from_milestones(item, people):
    today = date(2026, 11, 20)
    milestones = [
        services.milestone_add(actor=people.secretary_a, item=item, title=t, due_on=d)
        for t, d in [
            ("征求意见", date(2026, 10, 1)),
            ("方案审批", date(2026, 11, 1)),
            ("开工", date(2026, 12, 1)),
            ("投用", date(2026, 12, 31)),
        ]
    ]
    services.milestone_set_done(
        actor=people.secretary_a, milestone=milestones[0], done_on=date(2026, 10, 2), today=today
    )
    services.milestone_set_done(
        actor=people.secretary_a, milestone=milestones[1], done_on=date(2026, 11, 3), today=today
    )
    annotated = selectors.with_progress(DevelopmentItem.objects.filter(pk=item.pk)).get()
    assert (annotated.milestone_done, annotated.milestone_total, annotated.progress) == (2, 4, 50)


def test_no_milestone_means_zero_progress(item):
    assert selectors.with_progress(DevelopmentItem.objects.all()).get().progress == 0


def test_a_milestone_cannot_be_reached_in_the_future(item, people):
    m = services.milestone_add(
        actor=people.secretary_a, item=item, title="开工", due_on=date(2026, 12, 1)
    )
    with pytest.raises(ValidationError) as excinfo:
        services.milestone_set_done(
            actor=people.secretary_a,
            milestone=m,
            done_on=date(2026, 11, 21),
            today=date(2026, 11, 20),
        )
    assert "done_on" in excinfo.value.message_dict
    m.refresh_from_db()
    assert m.done_on is None


def test_due_date_not_before_the_campaign(campaign, tree, people):
    with pytest.raises(ValidationError) as excinfo:
        services.development_create(
            actor=people.secretary_a,
            campaign=campaign,
            unit=tree.branch_a1,
            category="rural",
            title="x",
            target="y",
            due_date=date(2026, 8, 1),
        )
    assert "due_date" in excinfo.value.message_dict
    assert not DevelopmentItem.objects.exists()


def test_read_only_roles_cannot_write(item, people):
    with pytest.raises(PermissionDenied):
        services.milestone_add(actor=people.viewer, item=item, title="x", due_on=date(2026, 12, 1))


def test_counts_for_the_dashboard(item, people, campaign, tree):
    m = services.milestone_add(
        actor=people.secretary_a, item=item, title="a", due_on=date(2026, 11, 1)
    )
    services.milestone_set_done(
        actor=people.secretary_a, milestone=m, done_on=date(2026, 11, 1), today=date(2026, 11, 20)
    )
    figures = development_figures(
        campaign=campaign, unit=tree.city, period=Period.on(date(2026, 11, 20))
    )
    assert (figures.total, figures.completed, figures.overdue) == (1, 1, 0)
    # a week before the milestone was reached the item was not completed
    before = development_figures(
        campaign=campaign, unit=tree.city, period=Period.on(date(2026, 10, 30))
    )
    assert (before.completed, before.completion_rate) == (0, 0.0)


def _milestones(item, people, n: int):
    return [
        services.milestone_add(
            actor=people.secretary_a, item=item, title=f"节点{i}", due_on=date(2026, 11, 10 + i)
        )
        for i in range(n)
    ]


def test_the_state_follows_the_milestones(item, people):
    today = date(2026, 11, 20)
    first, second = _milestones(item, people, 2)
    item.refresh_from_db()
    assert item.state == DevelopmentState.NOT_STARTED
    services.milestone_set_done(
        actor=people.secretary_a, milestone=first, done_on=date(2026, 11, 12), today=today
    )
    item.refresh_from_db()
    assert (item.state, item.completed_on) == (DevelopmentState.IN_PROGRESS, None)
    services.milestone_set_done(
        actor=people.secretary_a, milestone=second, done_on=date(2026, 11, 15), today=today
    )
    item.refresh_from_db()
    assert (item.state, item.completed_on) == (DevelopmentState.COMPLETED, date(2026, 11, 15))
    # a milestone reopened takes it back
    services.milestone_set_done(
        actor=people.secretary_a, milestone=second, done_on=None, today=today
    )
    item.refresh_from_db()
    assert (item.state, item.completed_on) == (DevelopmentState.IN_PROGRESS, None)


def test_closing_needs_a_completed_item_with_evidence_and_an_office_above(
    item, people, tree, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    today = date(2026, 11, 20)
    (only,) = _milestones(item, people, 1)
    with pytest.raises(ValidationError):
        services.development_close(actor=people.county_office, item=item, today=today)
    services.milestone_set_done(
        actor=people.secretary_a, milestone=only, done_on=today, today=today
    )
    item.refresh_from_db()
    with pytest.raises(ValidationError, match="佐证材料"):
        services.development_close(actor=people.county_office, item=item, today=today)
    services.development_add_evidence(
        actor=people.secretary_a,
        item=item,
        files=[SimpleUploadedFile("验收.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")],
    )
    with pytest.raises(PermissionDenied):  # the branch cannot close its own item
        services.development_close(actor=people.secretary_a, item=item, today=today)
    closed = services.development_close(actor=people.county_office, item=item, today=today)
    assert (closed.state, closed.closed_on) == (DevelopmentState.CLOSED, today)
    with pytest.raises(ValidationError):
        services.milestone_set_done(
            actor=people.secretary_a, milestone=only, done_on=None, today=today
        )


def test_the_peoples_verdict_on_a_completed_practical_matter(item, people):
    today = date(2026, 11, 20)
    with pytest.raises(ValidationError):  # not on the list
        services.development_set_verdict(actor=people.secretary_a, item=item, verdict="satisfied")
    services.development_update(
        actor=people.secretary_a,
        item=item,
        category=item.category,
        title=item.title,
        target=item.target,
        due_date=item.due_date,
        for_the_people=True,
    )
    with pytest.raises(ValidationError):  # not yet completed
        services.development_set_verdict(actor=people.secretary_a, item=item, verdict="satisfied")
    (only,) = _milestones(item, people, 1)
    services.milestone_set_done(
        actor=people.secretary_a, milestone=only, done_on=today, today=today
    )
    item.refresh_from_db()
    services.development_set_verdict(actor=people.secretary_a, item=item, verdict="satisfied")
    figures = development_figures(campaign=item.campaign, unit=item.unit, period=Period.on(today))
    assert (figures.people_total, figures.people_completed, figures.people_satisfied) == (1, 1, 1)
    assert figures.people_rate == 100.0


def test_milestones_due_are_reminded_to_the_leader_and_the_secretaries(item, people):
    from notifications.sources import milestones as milestone_reminders

    (due,) = _milestones(item, people, 1)  # due 11-10
    items = [r for r in milestone_reminders(date(2026, 11, 9)) if r.item_id == due.pk]
    assert len(items) == 1
    assert set(items[0].recipients) == {people.leader.pk, people.secretary_a.pk}
    DevelopmentItem.objects.filter(pk=item.pk).update(state=DevelopmentState.CLOSED)
    assert not [r for r in milestone_reminders(date(2026, 11, 9)) if r.item_id == due.pk]
