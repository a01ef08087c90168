"""Which unit each tracked record belongs to, for the subtree versions the dashboard's
cached figures are keyed on (``core/unit_versions.py``): the one registry.

A path leads from a row to its unit (``"unit"``, or through its parent record); ``SELF`` is
the unit itself; ``GLOBAL`` marks a model whose rows are read across units, so a write to it
moves every subtree's version. A new tracked model must be added here
(``tests/core/test_unit_versions.py`` fails until it is).
"""

from __future__ import annotations

from core.unit_versions import GLOBAL, SELF

UNIT_PATHS: dict[str, str] = {
    # accounts
    "accounts.OrgUnit": SELF,
    "accounts.RoleAssignment": "unit",  # the leaders of a subtree are its role holders
    "accounts.PartyMember": "unit",
    "accounts.User": GLOBAL,  # names shown wherever the person acts
    # campaign
    "campaign.Campaign": GLOBAL,
    "campaign.Objective": GLOBAL,
    "campaign.Task": GLOBAL,  # its workstream and campaign count every assignment
    "campaign.TaskNotice": GLOBAL,
    "campaign.Assignment": "unit",
    "campaign.AssignmentEvidence": "assignment__unit",
    "campaign.AssignmentExtension": "assignment__unit",
    "campaign.Activity": "unit",
    "campaign.Attendance": "activity__unit",
    "campaign.ActivityAttachment": "activity__unit",
    "campaign.DevelopmentItem": "unit",
    "campaign.DevelopmentMilestone": "item__unit",
    "campaign.DevelopmentAttachment": "item__unit",
    "campaign.LeadingGroupMember": "unit",
    "campaign.ReviewMeeting": "unit",
    "campaign.MeetingAttachment": "meeting__unit",
    # rectification
    "rectification.Problem": "unit",
    "rectification.Measure": "problem__unit",
    "rectification.ProgressNote": "measure__problem__unit",
    "rectification.MeasureEvidence": "measure__problem__unit",
    "rectification.ProblemTransition": "problem__unit",
    "rectification.ExtensionRequest": "problem__unit",
    "rectification.SatisfactionCheck": "problem__unit",
    "rectification.SpecialPlan": "unit",
    "rectification.SpecialPlanProblem": "problem__unit",
    "rectification.PlanMilestone": "plan__unit",
    "rectification.Mechanism": "unit",
    "rectification.MechanismProblem": "problem__unit",
    # research: projects and reports count for their lead or author whatever the unit they
    # are filed under, and decisions of any unit cite them
    "research.ResearchProject": GLOBAL,
    "research.ResearchReport": GLOBAL,
    "research.ProjectAttachment": "project__unit",
    "research.ReportDocument": "report__unit",
    "research.ProjectParticipant": GLOBAL,
    "research.ReportProject": GLOBAL,
    "research.Finding": "unit",
    "research.Decision": "unit",
    "research.DecisionProject": "decision__unit",
    "research.DecisionReport": "decision__unit",
    "research.ReportReview": GLOBAL,  # a report's state counts for its author anywhere
    "research.Adoption": GLOBAL,
    # supervision
    "supervision.SupervisionVisit": "unit",
    "supervision.SupervisionFinding": "visit__unit",
    "supervision.Case": "unit",
    "supervision.CasePhoto": "case__unit",
    "supervision.GuidanceNote": "unit",
    "supervision.GuidanceNoteProblem": "problem__unit",
    # reports
    "reports.Bulletin": "unit",
}

# Writes counted apart as well. The figures read over a whole scope (dashboard/rollup.py) are
# keyed on the topics of the tables they read: the copied summaries the activities and the
# units' names, the leaders' compliance the roles and the units (and global writes: users,
# research). A committee's parts are kept by the tables they count (``GROUPS`` in
# dashboard/figures/parts.py), each keyed on its tables' topics: an activity logged recounts
# the activities' parts alone. A model read by no figure keeps no topic ("": every part is
# keyed on it too, so a table read by mistake without a topic is never missed).
TOPICS: dict[str, str] = {
    "accounts.RoleAssignment": "roles",
    "accounts.OrgUnit": "units",
    "campaign.Activity": "activities",
    "campaign.Attendance": "activities",
    "campaign.ActivityAttachment": "activities",
    "campaign.Assignment": "assignments",
    "campaign.AssignmentEvidence": "assignments",
    "campaign.AssignmentExtension": "assignments",
    "campaign.DevelopmentItem": "development",
    "campaign.DevelopmentMilestone": "development",
    "campaign.DevelopmentAttachment": "development",
    "rectification.Problem": "problems",
    "rectification.Measure": "problems",
    "rectification.ProgressNote": "problems",
    "rectification.MeasureEvidence": "problems",
    "rectification.ProblemTransition": "problems",
    "rectification.ExtensionRequest": "problems",
    "rectification.SatisfactionCheck": "problems",
    "rectification.SpecialPlan": "problems",
    "rectification.SpecialPlanProblem": "problems",
    "rectification.PlanMilestone": "problems",
    "rectification.Mechanism": "problems",
    "rectification.MechanismProblem": "problems",
    "research.Decision": "decisions",
    "research.DecisionProject": "decisions",
    "research.DecisionReport": "decisions",
    # the suggestions of 成果转化, read over a whole scope (adoptions are global writes)
    "research.Finding": "research",
}

# Columns no figure reads: an update of them alone leaves every version as it was (a login
# writes its time on the user, a global row: without this, every login anywhere would
# have every dashboard counted again).
UNREAD: dict[str, tuple[str, ...]] = {
    "accounts.User": ("last_login",),
}
