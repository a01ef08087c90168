"""第一责任人: a unit whose lag stays red two weeks running is escalated to the first
responsible person who answers for it (主要负责同志要切实履行第一责任人责任).

Every unit naming a first responsible person is looked at with its units one level down
(those that do not name their own): the lagging score of :mod:`.figures.units` for the
week of ``today`` and the week before. Red in both: the person is told, once a week per
unit, through ``notifications/events.py:notify``.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from accounts.models import OrgUnit
from campaign.models import Campaign
from notifications.events import EventKind, notify

from .figures.units import UnitLine, lagging_units, lines_of_units
from .periods import Period


def _red(lines: list[UnitLine]) -> set[int]:
    return {line.unit.pk for line in lines if line.rag == "red"}


def red_two_weeks(*, campaign: Campaign, unit: OrgUnit, today: date) -> list[OrgUnit]:
    """``unit`` and its units one level down that were red this week and the week before
    (four queries)."""
    found: list[set[int]] = []
    units: dict[int, OrgUnit] = {}
    for day in (today, today - timedelta(days=7)):
        period = Period.on(day)
        lines = lines_of_units(campaign=campaign, units=[unit], period=period)
        lines += lagging_units(campaign=campaign, unit=unit, period=period)
        units.update({line.unit.pk: line.unit for line in lines})
        found.append(_red(lines))
    both = found[0] & found[1]
    return sorted((units[pk] for pk in both), key=lambda u: u.path)


@transaction.atomic
def escalate_lagging(*, today: date) -> int:
    """Tell each first responsible person of the units of his that lag red two weeks
    running; returns how many notifications were asked for."""
    sent = 0
    week = today.isocalendar()
    answering = list(
        OrgUnit.objects.filter(first_responsible__isnull=False, is_active=True)
        .select_related("first_responsible")
        .order_by("path")
    )
    own = {u.pk for u in answering}
    for campaign in Campaign.objects.filter(is_active=True).select_related("root_unit"):
        for unit in answering:
            person = unit.first_responsible
            if person is None or not unit.path.startswith(campaign.root_unit.path):
                continue
            for red in red_two_weeks(campaign=campaign, unit=unit, today=today):
                if red.pk != unit.pk and red.pk in own:
                    continue  # a unit naming its own first responsible person tells him
                link = reverse("dashboard:office") + "?" + urlencode({"unit": red.code})
                sent += notify(
                    kind=EventKind.URGED,
                    recipients=[person.pk],
                    title=_("%(unit)s has lagged (red) two weeks running") % {"unit": red.name},
                    body=_(
                        "As first responsible person of %(answering)s, please see to it: "
                        "overdue work and slow progress kept %(unit)s red on the dashboard "
                        "this week and last week."
                    )
                    % {"answering": unit.name, "unit": red.name},
                    link=link,
                    unit=red,
                    once_key=f"escalation:{campaign.pk}:{red.pk}:{week.year}-{week.week}",
                )
    return sent
