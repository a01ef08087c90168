"""The campaign's models, one module per aggregate: the campaign itself, tasks and their
assignments, activities, development items."""

from .activities import (
    DEVELOPMENT_KINDS,
    Activity,
    ActivityAttachment,
    ActivityKind,
    summary_digest,
)
from .campaign import Campaign, Objective, Workstream
from .development import (
    DevelopmentAttachment,
    DevelopmentCategory,
    DevelopmentItem,
    DevelopmentMilestone,
)
from .leading_group import LeadingGroupMember
from .tasks import (
    OPEN_STATES,
    TRANSITIONS,
    Assignment,
    AssignmentEvidence,
    AssignmentState,
    Recurrence,
    Task,
    overdue_q,
)

__all__ = [
    "DEVELOPMENT_KINDS",
    "OPEN_STATES",
    "TRANSITIONS",
    "Activity",
    "ActivityAttachment",
    "ActivityKind",
    "Assignment",
    "AssignmentEvidence",
    "AssignmentState",
    "Campaign",
    "DevelopmentAttachment",
    "DevelopmentCategory",
    "DevelopmentItem",
    "DevelopmentMilestone",
    "LeadingGroupMember",
    "Objective",
    "Recurrence",
    "Task",
    "Workstream",
    "overdue_q",
    "summary_digest",
]
