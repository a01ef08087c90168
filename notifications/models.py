"""The notification centre, the reminder log and the channel deliveries.

A reminder is claimed by inserting its ``ReminderLog`` row: the unique constraint on
(item, recipient, kind, day) makes a second run, a retried task or a duplicate beat tick
harmless. Each email (one a day per person, all their items) or group-robot message is a
``Delivery``; deliveries are sent in batches, one task per batch. A person's delivery
finds its reminders as those of its run (the person's, of its day, written at its
moment); a robot message, a slice of its unit's items, is linked to its reminders.
"""

from __future__ import annotations

from datetime import time

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import OrgUnit
from accounts.scoping import ScopedQuerySet
from core.robots import mask_robot_url


class ItemKind(models.TextChoices):
    ASSIGNMENT = "assignment", _("Task assignment")
    MILESTONE = "milestone", _("Development milestone")
    PROBLEM = "problem", _("Problem")
    MEASURE = "measure", _("Rectification measure")
    RESEARCH = "research", _("Research obligation")


class ReminderKind(models.TextChoices):
    DUE_IN_3_DAYS = "due_3", _("Due in 3 days")
    DUE_IN_1_DAY = "due_1", _("Due tomorrow")
    OVERDUE = "overdue", _("Overdue")
    RESEARCH = "research", _("No research project this quarter")
    RESEARCH_REPORT = "research_report", _("No research report this year")


# What happened, for event notifications (``notifications.events.notify``).
class EventKind(models.TextChoices):
    PASSED = "passed", _("Submission passed")
    RETURNED = "returned", _("Submission returned")
    DEPLOYED = "deployed", _("New task")
    CLOSE_RETURNED = "close_returned", _("Returned at closing")
    WAITING = "waiting", _("Waiting in your queue")
    URGED = "urged", _("Urged by the office")
    FOLLOW_UP = "follow_up", _("Supervision follow-up due")
    REPORT_ACCEPTED = "report_accepted", _("Research report accepted")
    REPORT_RETURNED = "report_returned", _("Research report returned")
    EXTENSION = "extension", _("Extension request answered")


# Kinds repeated once a week while the condition lasts (the others go out on one day).
WEEKLY_KINDS = frozenset(
    {ReminderKind.OVERDUE, ReminderKind.RESEARCH, ReminderKind.RESEARCH_REPORT}
)


class NotificationQuerySet(models.QuerySet["Notification"]):
    def for_user(self, user: object) -> NotificationQuerySet:
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(recipient_id=user.pk)  # type: ignore[attr-defined]

    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)


class ReminderLogQuerySet(ScopedQuerySet):
    scope_field = "unit"


class ReminderLog(models.Model):
    # A log itself, written once per reminder by the daily run in bulk: no change history
    # of its own (that would double the writes of the largest batch job).
    """One reminder about one item to one person, on one day. Written once, never updated."""

    item_kind = models.CharField(_("item kind"), max_length=16, choices=ItemKind.choices)
    item_id = models.BigIntegerField(_("item"))
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="reminders",
        db_index=False,  # the (recipient, day) index serves it
    )
    kind = models.CharField(_("reminder kind"), max_length=16, choices=ReminderKind.choices)
    day = models.DateField(_("day"))
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="reminders"
    )
    due_date = models.DateField(_("due date"))
    title = models.CharField(_("title"), max_length=255)
    link = models.CharField(_("link"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ReminderLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-day", "pk"]
        # The day first: the plan reads the last seven days' log from this index alone.
        constraints = [
            models.UniqueConstraint(
                fields=["day", "item_kind", "item_id", "recipient", "kind"],
                name="unique_reminder_per_day_item_recipient_kind",
            )
        ]
        # A person's digest reads its reminders by (recipient, day).
        indexes = [models.Index(fields=["recipient", "day"], name="reminder_recipient_day_idx")]

    def __str__(self) -> str:
        return f"{self.day} {self.kind} {self.item_kind}#{self.item_id} → {self.recipient_id}"


class Notification(models.Model):
    # The daily reminder run writes hundreds of thousands of these in one statement: no
    # index entry that no query reads (the person's notifications are read through the
    # (recipient, created) index; unit and actor, empty on reminders, are indexed where
    # set), and no commit-time check of a key to the reminder written by that statement.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
        db_index=False,
    )
    title = models.CharField(_("title"), max_length=255)
    body = models.TextField(_("message"), blank=True)
    link = models.CharField(_("link"), max_length=255, blank=True)
    kind = models.CharField(
        _("kind"), max_length=16, choices=ReminderKind.choices + EventKind.choices
    )
    unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
        db_index=False,
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("from"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    once_key = models.CharField(_("once key"), max_length=100, blank=True, db_default="")
    # How many things one batched notification stands for ("3 submissions wait …").
    count = models.PositiveIntegerField(_("count"), default=1, db_default=1)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    # When an event was handed to the person's outside channels (email, personal message,
    # group robot) by the batch run; reminders have their own deliveries and stay empty.
    channels_at = models.DateTimeField(_("sent to channels"), null=True, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    # Written by the same statement as its reminder (the claim), so the key cannot point
    # at nothing; a reminder deleted through the ORM empties it (on_delete).
    reminder = models.OneToOneField(
        ReminderLog,
        verbose_name=_("reminder"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notification",
        db_constraint=False,
    )

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "once_key"],
                condition=~models.Q(once_key=""),
                name="notification_once_per_key",
            )
        ]
        indexes = [
            models.Index(fields=["recipient", "-created"]),
            models.Index(
                fields=["recipient"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread_idx",
            ),
            models.Index(
                fields=["unit"],
                condition=models.Q(unit__isnull=False),
                name="notification_unit_idx",
            ),
            models.Index(
                fields=["actor"],
                condition=models.Q(actor__isnull=False),
                name="notification_actor_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    WEBHOOK = "webhook", _("Group robot")
    WECOM_APP = "wecom_app", _("WeCom message")
    DINGTALK_APP = "dingtalk_app", _("DingTalk message")


# Personal application messages: the channel → the platform and the user's id field.
PERSONAL_CHANNELS = {
    Channel.WECOM_APP: ("wecom", "wecom_userid"),
    Channel.DINGTALK_APP: ("dingtalk", "dingtalk_userid"),
}


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RETRYING = "retrying", _("Retrying")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class DeliveryQuerySet(ScopedQuerySet):
    scope_field = "unit"


class Delivery(models.Model):
    """One message on one channel: an email to a person, or a post to a unit's group robot."""

    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="deliveries"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    target = models.CharField(_("address"), max_length=500)
    day = models.DateField(_("day"))
    reminders = models.ManyToManyField(
        ReminderLog, verbose_name=_("reminders"), related_name="deliveries"
    )
    # The events a batch of event notifications carries (empty for a reminder digest).
    notifications = models.ManyToManyField(
        Notification, verbose_name=_("notifications"), related_name="deliveries", blank=True
    )
    state = models.CharField(
        _("state"), max_length=16, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-day", "-pk"]
        indexes = [models.Index(fields=["state", "day"])]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.target_display}"

    def can_retry(self) -> bool:
        """Only a failed delivery is sent again (by the office, after fixing the address)."""
        return self.state == DeliveryState.FAILED

    @property
    def target_display(self) -> str:
        """The address as shown to anyone: a robot URL without its secret key."""
        if self.channel == Channel.WEBHOOK:
            return mask_robot_url(self.target)
        return self.target


class UrgeItem(models.TextChoices):
    UNIT = "unit", _("Lagging unit")
    PROBLEM = "problem", _("Problem")
    ASSIGNMENT = "assignment", _("Task assignment")


class UrgeQuerySet(ScopedQuerySet):
    scope_field = "unit"


class Urge(models.Model):
    """One 催办: an office pressed a lagging unit or one of its overdue items. At most once
    a day per unit and item (the unique constraint); a log, written once."""

    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="urges"
    )
    item_kind = models.CharField(_("item kind"), max_length=16, choices=UrgeItem.choices)
    item_id = models.BigIntegerField(_("item"))
    day = models.DateField(_("day"))
    title = models.CharField(_("title"), max_length=255)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("urged by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recipients = models.PositiveIntegerField(_("people told"), default=0)
    created_at = models.DateTimeField(_("urged at"), auto_now_add=True)

    objects = UrgeQuerySet.as_manager()

    class Meta:
        verbose_name = _("urge")
        verbose_name_plural = _("urges")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "item_kind", "item_id", "day"], name="urge_once_a_day"
            )
        ]
        indexes = [models.Index(fields=["item_kind", "item_id"])]

    def __str__(self) -> str:
        return f"{self.day} {self.item_kind}#{self.item_id}"


class NotifyPreference(models.Model):
    """How a person wants to be told, beyond the notification centre (always on): by email,
    by personal message on WeCom / DingTalk, and hours when nothing is sent (it waits)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notify_preference",
    )
    email = models.BooleanField(_("by email"), default=True)
    personal = models.BooleanField(_("by WeCom / DingTalk message"), default=True)
    quiet_from = models.TimeField(_("quiet from"), null=True, blank=True)
    quiet_to = models.TimeField(_("quiet until"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return str(self.user_id)

    def quiet_at(self, moment: time) -> bool:
        """Is ``moment`` (local time) inside the quiet hours (they may span midnight)?"""
        start, end = self.quiet_from, self.quiet_to
        if start is None or end is None or start == end:
            return False
        if start < end:
            return start <= moment < end
        return moment >= start or moment < end
