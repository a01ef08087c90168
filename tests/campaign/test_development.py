"""Development items: progress from milestones, dates, evidence."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from campaign import selectors, services
from campaign.models import DevelopmentItem
from dashboard.figures.development import development_counts
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
    counts = development_counts(
        campaign=campaign, unit=tree.city, period=Period.on(date(2026, 11, 20))
    )
    assert counts == {"total": 1, "completed": 1, "overdue": 0}
