"""Roles and the permission table of DESIGN.md ("who sees what").

A role on a unit covers its whole subtree, except ``member``, which covers the unit alone,
and ``sector``, which covers the units of the sectors the unit supervises, across the tree.
The table, extended with the lines of responsibility, is in docs/security.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OFFICE = "office", _("Leadership-group office")
    LEADER = "leader", _("Leader")
    SECRETARY = "secretary", _("Branch secretary")
    MEMBER = "member", _("Member")
    VIEWER = "viewer", _("Viewer (group member / guidance group)")
    # -- lines of responsibility beside the tree (分管, 行业系统) --------------------------
    # 分管: a leader in charge of a department outside his subtree (one role per unit of his
    # portfolio): reads, follows and urges it, never writes.
    IN_CHARGE = "in_charge", _("Leader in charge (portfolio)")
    # 行业系统主管部门: on the supervising department, the units of the sectors it
    # supervises (``Sector.supervisor``) wherever they lie: read, supervise, urge.
    SECTOR = "sector", _("Sector supervision")


class Action(StrEnum):
    VIEW = "view"
    LOG = "log"  # log activities, answer assignments
    RESEARCH = "research"  # research projects and reports (a leader: his own)
    EDIT_PROBLEMS = "edit_problems"  # problems and measures (a leader: as responsible leader)
    DEPLOY = "deploy"  # deploy tasks, review and return submissions, supervision, cases
    CLOSE = "close"  # verify and close a problem
    REVIEW = "review"  # review a research report (有实情、有分析、有见解): accept or return
    EXPORT = "export"  # export ledgers, download reports
    MANAGE = "manage"  # users and units
    OVERSEE = "oversee"  # watch the campaign: dashboards, task lists, supervision
    FOLLOW_RESEARCH = "follow_research"  # research lists and the compliance matrix
    LEAD = "lead"  # a leader's own page: his research obligations and the problems he leads
    # -- lines of responsibility beside the tree --------------------------------------
    SUPERVISE = "supervise"  # supervision visits and their guidance (指导意见), follow-ups
    URGE = "urge"  # 催办: press a lagging unit or an overdue item (never one's own unit)
    GUIDE = "guide"  # the province's 巡回指导组 leaves its 指导意见 on a unit


# The tree's materialised path: each level adds this many characters (treebeard's default).
STEP = 4


@dataclass(frozen=True)
class Rule:
    """Who may do an action: one of ``roles`` on the record's unit or above it (a member:
    on the unit itself); ``below_only``: on a unit strictly above it; ``own_only``: and the
    user is the record's owner (the model's ``owner_field``)."""

    roles: frozenset[str]
    below_only: bool = False
    own_only: bool = False


def _rule(*roles: str, below_only: bool = False, own_only: bool = False) -> Rule:
    return Rule(frozenset(roles), below_only=below_only, own_only=own_only)


# The permission table of DESIGN.md ("who sees what"): action → the rules that allow it.
RULES: dict[Action, tuple[Rule, ...]] = {
    Action.VIEW: (_rule(*Role.values),),
    Action.LOG: (_rule(Role.SECRETARY, Role.LEADER, Role.OFFICE),),
    Action.RESEARCH: (_rule(Role.OFFICE), _rule(Role.LEADER, own_only=True)),
    Action.EDIT_PROBLEMS: (
        _rule(Role.SECRETARY, Role.OFFICE),
        _rule(Role.LEADER, own_only=True),
    ),
    Action.DEPLOY: (_rule(Role.OFFICE),),
    # 销号 by an office above the unit that reported the problem, never by the unit itself
    Action.CLOSE: (_rule(Role.OFFICE, below_only=True),),
    # a research report is reviewed by an office above the report's unit, never its own
    Action.REVIEW: (_rule(Role.OFFICE, below_only=True),),
    Action.EXPORT: (_rule(Role.SECRETARY, Role.LEADER, Role.OFFICE, Role.VIEWER),),
    Action.MANAGE: (_rule(Role.OFFICE),),
    Action.OVERSEE: (_rule(Role.OFFICE, Role.VIEWER),),
    Action.FOLLOW_RESEARCH: (_rule(Role.OFFICE, Role.VIEWER, Role.LEADER),),
    Action.LEAD: (_rule(Role.LEADER),),
    # -- lines of responsibility beside the tree ----------------------------------------
    Action.SUPERVISE: (_rule(Role.OFFICE, Role.SECTOR),),
    # 催办 by an office over a unit below it (never its own), or along a line beside the tree
    Action.URGE: (_rule(Role.OFFICE, below_only=True), _rule(Role.SECTOR, Role.IN_CHARGE)),
    Action.GUIDE: (_rule(Role.VIEWER),),
}

# 分管 and 行业系统 read and follow what they oversee (never LOG, EDIT_PROBLEMS, DEPLOY,
# CLOSE or MANAGE: 销号 stays with the office above the unit).
# (VIEW already names every role.)
for _action in (Action.EXPORT, Action.OVERSEE, Action.FOLLOW_RESEARCH):
    RULES[_action] = (*RULES[_action], _rule(Role.IN_CHARGE, Role.SECTOR))

# Action → every role that appears in one of its rules.
PERMISSIONS: dict[Action, frozenset[str]] = {
    action: frozenset().union(*(rule.roles for rule in rules)) for action, rules in RULES.items()
}

# The home page of each role, in order: the first role a user holds decides his.
HOME_BY_ROLE: tuple[tuple[str, str], ...] = (
    (Role.OFFICE, "dashboard:office"),
    (Role.VIEWER, "dashboard:office"),
    (Role.LEADER, "dashboard:leader"),
    (Role.SECTOR, "dashboard:scope"),
    (Role.IN_CHARGE, "dashboard:scope"),
    (Role.SECRETARY, "campaign:todo"),
    (Role.MEMBER, "campaign:activity-list"),
)
