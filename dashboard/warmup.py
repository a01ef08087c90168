"""The morning's dashboards, counted before anyone asks: the blocks of figures are keyed on
the day (``dashboard/rollup.py``), so the first visitor after midnight would wait for the
whole tree to be counted (seconds at city scale, a minute at province scale).

Shortly after midnight (config/settings.py ``CELERY_BEAT_SCHEDULE``) the subtree versions
are restarted (``core.unit_versions.restart``: the version reads stay short), then, for each
active campaign, the dashboard of its root is computed (which counts every block of the
tree in one pass of grouped queries) and then those of the units above the party
committees (the city, the counties and departments: the offices that read a dashboard),
whose blocks come from the cache and whose figures read over their scope are cached too.
A dashboard asked for afterwards runs only the page's fixed few queries.
"""

from __future__ import annotations

from datetime import date

from accounts.models import OrgUnit, UnitKind
from campaign.models import Campaign
from core import unit_versions

from . import selectors

# Units of these kinds (and below) read the dashboard of their committee's office only;
# those above them have an office of their own.
BELOW_OFFICES = (UnitKind.PARTY_COMMITTEE, UnitKind.GENERAL_BRANCH, UnitKind.BRANCH)


def office_units(campaign: Campaign) -> list[OrgUnit]:
    """The campaign's root and the active units above the party committees, root first."""
    root = campaign.root_unit
    return list(
        OrgUnit.objects.filter(path__startswith=root.path, is_active=True, numchild__gt=0)
        .exclude(kind__in=BELOW_OFFICES)
        .order_by("path")
    )


def warm_dashboards(*, today: date) -> int:
    """Restart the versions, then compute and cache the office dashboards of every active
    campaign as of ``today``; returns the number of dashboards computed."""
    unit_versions.restart()
    unit_versions.tidy()
    done = 0
    for campaign in Campaign.objects.filter(is_active=True).select_related("root_unit"):
        units = office_units(campaign)
        if not any(u.pk == campaign.root_unit_id for u in units):
            units.insert(0, campaign.root_unit)
        for unit in units:
            selectors.office_dashboard_rolled_up(
                user=None,
                campaign=campaign,
                unit=unit,
                today=today,
                version=unit_versions.subtree_version(unit.path),
            )
            done += 1
    return done
