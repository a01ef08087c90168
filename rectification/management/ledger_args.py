"""Arguments shared by the ledger commands."""

from __future__ import annotations

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from accounts.models import OrgUnit
from campaign.models import Campaign


def campaign_and_unit(campaign_id: str, unit_code: str) -> tuple[Campaign, OrgUnit]:
    """The campaign and unit named on the command line, or a clear refusal."""
    campaign = Campaign.objects.filter(pk=campaign_id).first() if campaign_id.isdigit() else None
    if campaign is None:
        raise CommandError(_("No campaign with id %(id)s.") % {"id": campaign_id})
    unit = OrgUnit.objects.filter(code=unit_code).first()
    if unit is None:
        raise CommandError(_("No unit with code %(code)s.") % {"code": unit_code})
    return campaign, unit
