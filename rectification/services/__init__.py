"""Writes of the rectification workstream, by concern: problems, the workflow up to
closing (销号), measures with their notes and evidence, special plans, mechanisms.

Every write is keyword-only, typed and one transaction; refusals raise ``ValidationError``
with a message the user can act on (``PermissionDenied`` when the actor may not act at
all). The rules they apply are ``rectification.rules``. ``actor=None`` means a system
write (a management command or an import run under ``pghistory.context``): the permission
checks are the caller's, the rules still apply.

Callers use ``from rectification import services`` and ``services.problem_close(...)``;
the names below are that interface (with the two exceptions the services raise).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError

from .extensions import extension_decide, extension_request
from .measures import (
    evidence_add,
    measure_add,
    measure_set_state,
    measure_update,
    progress_note_add,
)
from .mechanisms import mechanism_create
from .plans import (
    MilestoneInput,
    milestone_add,
    milestone_mark_done,
    special_plan_create,
    special_plan_update,
)
from .problems import PROBLEM_EDITABLE_FIELDS, problem_create, problem_delete, problem_update
from .workflow import (
    Satisfaction,
    problem_close,
    problem_reopen,
    problem_return,
    problem_start,
    problem_submit_for_closing,
    problem_withdraw,
)

__all__ = [
    "PROBLEM_EDITABLE_FIELDS",
    "MilestoneInput",
    "PermissionDenied",
    "Satisfaction",
    "ValidationError",
    "evidence_add",
    "extension_decide",
    "extension_request",
    "measure_add",
    "measure_set_state",
    "measure_update",
    "mechanism_create",
    "milestone_add",
    "milestone_mark_done",
    "problem_close",
    "problem_create",
    "problem_delete",
    "problem_reopen",
    "problem_return",
    "problem_start",
    "problem_submit_for_closing",
    "problem_update",
    "problem_withdraw",
    "progress_note_add",
    "special_plan_create",
    "special_plan_update",
]
