"""The campaign's models, one module per aggregate: the campaign itself, tasks and their
assignments, activities, development items."""

from .activities import (
    DEVELOPMENT_KINDS,
    Activity,
    ActivityAttachment,
    ActivityKind,
    AttachmentKind,
    Attendance,
    summary_digest,
)
from .campaign import Campaign, Objective, Workstream
from .development import (
    DEVELOPMENT_TRANSITIONS,
    DevelopmentAttachment,
    DevelopmentCategory,
    DevelopmentItem,
    DevelopmentMilestone,
    DevelopmentState,
    PeopleVerdict,
)
from .leading_group import LeadingGroupMember
from .meetings import (
    KIND_FOR_UNIT,
    MeetingAttachment,
    MeetingFileKind,
    MeetingKind,
    ReviewMeeting,
)
from .tasks import (
    OPEN_STATES,
    TRANSITIONS,
    Assignment,
    AssignmentEvidence,
    AssignmentExtension,
    AssignmentState,
    ExtensionAnswer,
    ExtensionState,
    Recurrence,
    Task,
    TaskNotice,
    overdue_q,
)

__all__ = [
    "DEVELOPMENT_KINDS",
    "DEVELOPMENT_TRANSITIONS",
    "KIND_FOR_UNIT",
    "OPEN_STATES",
    "TRANSITIONS",
    "Activity",
    "ActivityAttachment",
    "ActivityKind",
    "Assignment",
    "AssignmentEvidence",
    "AssignmentExtension",
    "AssignmentState",
    "AttachmentKind",
    "Attendance",
    "Campaign",
    "DevelopmentAttachment",
    "DevelopmentCategory",
    "DevelopmentItem",
    "DevelopmentMilestone",
    "DevelopmentState",
    "ExtensionAnswer",
    "ExtensionState",
    "LeadingGroupMember",
    "MeetingAttachment",
    "MeetingFileKind",
    "MeetingKind",
    "Objective",
    "PeopleVerdict",
    "Recurrence",
    "ReviewMeeting",
    "Task",
    "TaskNotice",
    "Workstream",
    "overdue_q",
    "summary_digest",
]
