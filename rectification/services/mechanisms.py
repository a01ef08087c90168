"""Long-term mechanisms (长效机制): the rules and institutions a unit sets up so that its
problems stay solved."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.models import OrgUnit, User
from accounts.roles import Action
from campaign.models import Campaign

from ..models import Mechanism, MechanismKind, Problem
from .common import clean_document, problems_of


@transaction.atomic
def mechanism_create(
    *,
    campaign: Campaign,
    unit: OrgUnit,
    actor: User | None,
    title: str,
    kind: str,
    issued_on: date | None,
    description: str = "",
    document: Any = None,
    problems: Iterable[Problem] = (),
) -> Mechanism:
    if actor is not None and not permissions.can(actor, Action.EDIT_PROBLEMS, unit):
        raise PermissionDenied(_("You may not record mechanisms for this unit."))
    errors: dict[str, list[str]] = {}
    if not (title or "").strip():
        errors["title"] = [_("Give the mechanism a title.")]
    if kind not in MechanismKind.values:
        errors["kind"] = [_("Choose the kind of mechanism.")]
    if issued_on is None:
        errors["issued_on"] = [_("Give the date it was issued.")]
    elif issued_on > timezone.localdate():
        errors["issued_on"] = [_("The issue date cannot be in the future.")]
    if errors:
        raise ValidationError(errors)
    clean_document(document)
    linked = problems_of(campaign=campaign, unit=unit, problems=problems)
    mechanism = Mechanism.objects.create(
        campaign=campaign,
        unit=unit,
        title=title.strip(),
        kind=kind,
        issued_on=issued_on,
        description=(description or "").strip(),
        document=document or "",
        document_name=(document.name[:255] if document else ""),
        created_by=actor,
    )
    mechanism.problems.set(linked)
    return mechanism
