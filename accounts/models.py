from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pghistory
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

from core.robots import mask_robot_url, validate_robot_url

from .roles import Role
from .scoping import ScopedQuerySet

if TYPE_CHECKING:
    from .scoping import ScopeUser


class UserQuerySet(models.QuerySet["User"]):
    def visible_to(self, user: ScopeUser) -> UserQuerySet:
        """Users holding a role on a unit the viewer can see (and the viewer himself)."""
        if user.is_superuser:
            return self
        units = OrgUnit.objects.visible_to(user)
        return self.filter(
            models.Q(pk=user.pk) | models.Q(role_assignments__unit__in=units)
        ).distinct()


class TrackerUserManager(UserManager.from_queryset(UserQuerySet)):  # type: ignore[misc]
    pass


@pghistory.track(exclude=["password", "last_login"])
class User(AbstractUser):
    full_name = models.CharField(_("full name"), max_length=64, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    title = models.CharField(_("job title"), max_length=64, blank=True)
    must_change_password = models.BooleanField(_("must change password"), default=False)
    # The person's user id on the work platforms (from the organisation import or linked by
    # himself once after a password login): signing in there signs him in here.
    wecom_userid = models.CharField(_("WeCom user id"), max_length=64, blank=True, db_default="")
    dingtalk_userid = models.CharField(
        _("DingTalk user id"), max_length=64, blank=True, db_default=""
    )

    objects = TrackerUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]
        constraints = [
            models.UniqueConstraint(
                fields=["wecom_userid"],
                condition=~models.Q(wecom_userid=""),
                name="user_wecom_userid_unique",
            ),
            models.UniqueConstraint(
                fields=["dingtalk_userid"],
                condition=~models.Q(dingtalk_userid=""),
                name="user_dingtalk_userid_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.username


class Sector(models.Model):
    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=64, unique=True)
    # 行业系统主管部门: its office may be given the sector scope (Role.SECTOR on this unit)
    supervisor = models.ForeignKey(
        "OrgUnit",
        verbose_name=_("supervising department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sectors_supervised",
    )

    class Meta:
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class UnitKind(models.TextChoices):
    PROVINCE_COMMITTEE = "province", _("Province committee")
    CITY_COMMITTEE = "city", _("City committee")
    COUNTY_COMMITTEE = "county", _("County/district committee")
    DEPARTMENT = "department", _("City department")
    PARTY_COMMITTEE = "committee", _("Party committee")
    GENERAL_BRANCH = "general_branch", _("General branch")
    BRANCH = "branch", _("Branch")


# Classes for guidance (分类指导): the level, the field and special kinds of organisation.
class UnitLevel(models.TextChoices):
    CITY = "city", _("City level")
    COUNTY = "county", _("County level")
    TOWNSHIP = "township", _("Township/subdistrict level")
    VILLAGE = "village", _("Village/community level")


class UnitDomain(models.TextChoices):
    ORGAN = "organ", _("Government organ")
    RURAL = "rural", _("Rural")
    COMMUNITY = "community", _("Urban community")
    ENTERPRISE = "enterprise", _("Enterprise")
    SCHOOL = "school", _("School")
    HOSPITAL = "hospital", _("Hospital")
    INSTITUTION = "institution", _("Public institution")
    SOCIAL = "social", _("Social organisation")


class UnitSpecial(models.TextChoices):
    TWO_NEW = "two_new", _("New economic and social organisation")
    JOINT = "joint", _("Joint organisation")
    TEMPORARY = "temporary", _("Temporary organisation")
    MOBILE = "mobile", _("Mobile members' organisation")


class OrgUnitQuerySet(MP_NodeQuerySet, ScopedQuerySet):
    scope_field = ""


class OrgUnitManager(MP_NodeManager):
    def get_queryset(self) -> OrgUnitQuerySet:
        return OrgUnitQuerySet(self.model, using=self._db).order_by("path")

    def visible_to(self, user: Any, action: Any = None) -> OrgUnitQuerySet:
        qs = self.get_queryset()
        return qs.visible_to(user) if action is None else qs.visible_to(user, action)


# The robot address carries the group's key: it is kept out of the history.
@pghistory.track(exclude=["webhook_url"])
class OrgUnit(MP_Node):
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=128)
    kind = models.CharField(_("kind"), max_length=16, choices=UnitKind.choices)
    sector = models.ForeignKey(
        Sector,
        verbose_name=_("sector"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="units",
    )
    level = models.CharField(_("level"), max_length=16, choices=UnitLevel.choices, blank=True)
    domain = models.CharField(_("field"), max_length=16, choices=UnitDomain.choices, blank=True)
    special = models.CharField(
        _("special kind"), max_length=16, choices=UnitSpecial.choices, blank=True
    )
    # 第一责任人: the principal responsible comrade of a party committee or organisation;
    # the units below without their own answer to the nearest one above.
    first_responsible = models.ForeignKey(
        "User",
        verbose_name=_("first responsible person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    webhook_url = models.URLField(
        _("group-robot webhook"),
        blank=True,
        validators=[validate_robot_url],
        help_text=_("WeCom or DingTalk group robot address for reminders"),
    )
    is_active = models.BooleanField(_("active"), default=True)

    # No node_order_by: a new child is appended, so existing paths never move (records and
    # caches holding a path stay right); lists sort siblings by name or code themselves.
    objects = OrgUnitManager()

    class Meta:
        verbose_name = _("organisation unit")
        verbose_name_plural = _("organisation units")
        ordering = ["path"]
        indexes = [
            # one level of a subtree (depth, path prefix), read without the rest of the
            # tree: the dashboard's blocks are found level by level (core/unit_versions.py)
            models.Index(
                fields=["depth", "path"],
                opclasses=["int4_ops", "varchar_pattern_ops"],
                name="orgunit_level",
            ),
            # the committees of a kind within a subtree (the city and county leaders who
            # owe research, read by the compliance matrix and the dashboard) without
            # reading the province's branches
            models.Index(
                fields=["kind", "path"],
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops"],
                name="orgunit_kind",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def webhook_masked(self) -> str:
        """The robot address as anyone is shown it: its key hidden."""
        return mask_robot_url(self.webhook_url)

    def is_within(self, other: OrgUnit) -> bool:
        """True when self is other or lies in other's subtree."""
        return self.path.startswith(other.path)


@pghistory.track()
class RoleAssignment(models.Model):
    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="role_assignments"
    )
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="role_assignments"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.UniqueConstraint(fields=["user", "unit", "role"], name="unique_role_assignment")
        ]
        ordering = ["unit__path", "role"]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.unit}"


@pghistory.track()
class PartyMember(models.Model):
    """A party member of a unit (usually a branch), on the unit's roll whether or not he
    has an account: the secretary ticks who attended a study session from this list."""

    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="party_members"
    )
    name = models.CharField(_("name"), max_length=64)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    title = models.CharField(_("title"), max_length=64, blank=True)
    user = models.ForeignKey(
        User,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="party_memberships",
    )
    is_active = models.BooleanField(_("on the roll"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("party member")
        verbose_name_plural = _("party members")
        ordering = ["unit__path", "pk"]
        indexes = [models.Index(fields=["unit", "is_active"], name="member_roll")]

    def __str__(self) -> str:
        return self.name
