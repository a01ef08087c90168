"""Extension requests (延期申请): a unit asks to move its problem's deadline or change its
type, with a reason; the office above approves or refuses with a comment. Until it is
approved, the old deadline counts (``rules.schedule_change_refusal``)."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import User
from campaign.services import record_extension_answer
from notifications import events

from .. import rules
from ..models import ExtensionRequest, ExtensionState, Problem
from .common import locked, require_edit
from .workflow import require_verifier


@transaction.atomic
def extension_request(
    *, problem: Problem, actor: User | None, new_type: str, new_deadline: date | None, reason: str
) -> ExtensionRequest:
    """The unit asks for a new deadline or type; nothing changes until it is approved."""
    problem = locked(problem)
    require_edit(actor, problem)
    errors = rules.extension_refusals(
        problem,
        type=new_type,
        deadline=new_deadline,
        reason=reason,
        pending=problem.extensions.filter(state=ExtensionState.PENDING).exists(),
    )
    if errors:
        raise ValidationError(errors)
    extension = ExtensionRequest.objects.create(
        problem=problem,
        old_type=problem.type,
        old_deadline=problem.deadline,
        new_type=new_type,
        new_deadline=new_deadline,
        reason=reason.strip(),
        requested_by=actor,
    )
    events.waiting_for_extension(unit=problem.unit)
    return extension


@transaction.atomic
def extension_decide(
    *, request: ExtensionRequest, actor: User | None, approve: bool, comment: str = ""
) -> ExtensionRequest:
    """The office above approves (the problem takes the new deadline and type) or refuses
    (a comment is needed) a pending request."""
    request = ExtensionRequest.objects.select_for_update().get(pk=request.pk)
    problem = locked(request.problem)
    require_verifier(actor, problem)
    open_refusal = (
        _("Only an open problem can have its deadline moved (it is “%(state)s”).")
        % {"state": problem.get_state_display()}
        if problem.state not in rules.OPEN_STATES
        else None
    )
    record_extension_answer(
        request, actor=actor, approve=approve, comment=comment, open_refusal=open_refusal
    )
    if approve:
        problem.type = request.new_type
        problem.deadline = request.new_deadline
        problem.save(update_fields=["type", "deadline", "updated_at"])
    events.extension_decided(
        unit=problem.unit,
        requested_by=request.requested_by_id,
        what=problem.description,
        approved=approve,
        asked=request.asked_text,
        comment=request.comment,
        link=reverse("rectification:problem-detail", args=[problem.pk]),
        actor=actor,
    )
    return request
