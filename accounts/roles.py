"""Roles and the permission table of DESIGN.md ("who sees what").

A role on a unit covers its whole subtree, except ``member``, which covers the unit alone.
"""

from __future__ import annotations

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OFFICE = "office", _("Leadership-group office")
    LEADER = "leader", _("Leader")
    SECRETARY = "secretary", _("Branch secretary")
    MEMBER = "member", _("Member")
    VIEWER = "viewer", _("Viewer (group member / guidance group)")


class Action(StrEnum):
    VIEW = "view"
    LOG = "log"  # log activities, answer assignments
    RESEARCH = "research"  # research projects and reports (a leader: his own)
    EDIT_PROBLEMS = "edit_problems"  # problems and measures (a leader: as responsible leader)
    DEPLOY = "deploy"  # deploy tasks, review and return submissions, supervision, cases
    CLOSE = "close"  # verify and close a problem
    EXPORT = "export"  # export ledgers, download reports
    MANAGE = "manage"  # users and units


PERMISSIONS: dict[Action, frozenset[str]] = {
    Action.VIEW: frozenset(Role.values),
    Action.LOG: frozenset({Role.SECRETARY, Role.LEADER, Role.OFFICE}),
    Action.RESEARCH: frozenset({Role.LEADER, Role.OFFICE}),
    Action.EDIT_PROBLEMS: frozenset({Role.SECRETARY, Role.LEADER, Role.OFFICE}),
    Action.DEPLOY: frozenset({Role.OFFICE}),
    Action.CLOSE: frozenset({Role.OFFICE}),
    Action.EXPORT: frozenset({Role.SECRETARY, Role.LEADER, Role.OFFICE, Role.VIEWER}),
    Action.MANAGE: frozenset({Role.OFFICE}),
}

# Roles whose actions are limited to the user's own records (checked by the caller):
# a leader edits only his own research and the problems he is responsible leader of.
OWN_RECORDS_ONLY: dict[Action, frozenset[str]] = {
    Action.RESEARCH: frozenset({Role.LEADER}),
    Action.EDIT_PROBLEMS: frozenset({Role.LEADER}),
}
