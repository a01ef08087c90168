"""The demo's bulk writes: entry times in the records and in their history, no edits."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction

from campaign.models import Activity, ActivityKind
from demo.bulk import bulk_create_with_history, set_entered_at
from tests.campaign.factories import CampaignFactory

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _activity(campaign, unit, summary: str) -> Activity:
    return Activity(
        campaign=campaign,
        unit=unit,
        kind=ActivityKind.PARTY_DAY,
        held_on=date(2026, 10, 8),
        summary=summary,
    )


def _events(pk: int) -> list[tuple[str, datetime, datetime]]:
    events = Activity.pgh_event_model.objects.filter(pgh_obj_id=pk).order_by("pgh_id")
    return list(events.values_list("pgh_label", "created_at", "pgh_created_at"))


def test_bulk_inserts_keep_the_entry_times_given_and_write_insert_events(tree):
    campaign = CampaignFactory(root_unit=tree.city)
    times = [datetime(2026, 10, 8, 21, m, tzinfo=SHANGHAI) for m in (5, 40)]
    objs = [_activity(campaign, tree.branch_a1, f"第{n}次学习") for n in (1, 2)]
    with transaction.atomic():
        bulk_create_with_history(Activity, objs, created_at=times)
    for obj, at in zip(objs, times, strict=True):
        assert Activity.objects.get(pk=obj.pk).created_at == at
        [(label, created_at, _)] = _events(obj.pk)
        assert (label, created_at) == ("insert", at)
    # the field stamps new records again afterwards
    assert Activity._meta.get_field("created_at").auto_now_add


def test_entry_time_is_set_without_recording_an_edit(tree):
    campaign = CampaignFactory(root_unit=tree.city)
    activity = _activity(campaign, tree.branch_a1, "学习")
    activity.save()
    at = datetime(2026, 10, 9, 19, 30, tzinfo=SHANGHAI)
    with transaction.atomic():
        set_entered_at(Activity, {activity.pk: at})
    activity.refresh_from_db()
    assert activity.created_at == at
    assert _events(activity.pk) == [("insert", at, at)]
