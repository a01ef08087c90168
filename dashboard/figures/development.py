"""推动发展: the development items (key tasks and practical matters for the people).

An item is completed when it has milestones and every one is reached; overdue when its due
date has passed on the as-of day and it is not completed.
"""

from __future__ import annotations

from django.db.models import Count, F, Q

from accounts.models import OrgUnit
from campaign.models import Campaign, DevelopmentItem
from campaign.selectors import with_progress

from ..periods import Period
from .base import within


def development_counts(*, campaign: Campaign, unit: OrgUnit, period: Period) -> dict[str, int]:
    """Development items of the subtree: total, completed, overdue (one query)."""
    items = with_progress(within(DevelopmentItem.objects.filter(campaign=campaign), campaign, unit))
    complete = Q(milestone_total__gt=0, milestone_total=F("milestone_done"))
    return items.aggregate(
        total=Count("pk"),
        completed=Count("pk", filter=complete),
        overdue=Count("pk", filter=Q(due_date__lt=period.as_of) & ~complete),
    )
