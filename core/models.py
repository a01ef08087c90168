"""Background jobs whose progress a page follows (big exports, imports, on-demand reports),
and the security log."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import OrgUnit
from accounts.scoping import ScopedQuerySet

from .uploads import generated_upload_path


class JobState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class BackgroundJobQuerySet(ScopedQuerySet):
    scope_field = "unit"


class AuditEventQuerySet(ScopedQuerySet):
    scope_field = "unit"


def default_expiry() -> object:
    return timezone.now() + timedelta(days=7)


class Job(models.Model):
    """The lifecycle every background job shares (``core/jobs.py`` drives it).

    ``queued_at`` is when its task was last handed to the broker (empty: not yet, e.g. the
    broker was down); ``attempts`` counts the workers that took it; ``heartbeat_at`` is
    renewed by the worker running it, so a job whose worker died is recognised by its
    lease running out rather than by its state alone.
    """

    state = models.CharField(
        _("state"), max_length=16, choices=JobState.choices, default=JobState.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    queued_at = models.DateTimeField(_("sent to the queue at"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def is_finished(self) -> bool:
        return self.state in (JobState.DONE, JobState.FAILED)

    @property
    def waiting_for_queue(self) -> bool:
        """Queued but not yet handed to the broker: it starts when the broker answers."""
        return self.state == JobState.QUEUED and self.queued_at is None


class BackgroundJob(Job):
    """A long job started from a page: its progress, its file when ready, its error if any.

    The file is downloaded through ``core:job-download``, which re-checks the scope.
    """

    kind = models.CharField(_("kind"), max_length=32)
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    file = models.FileField(_("file"), upload_to=generated_upload_path, blank=True)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), default=default_expiry)

    objects = BackgroundJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"


class AuditEvent(models.Model):
    """Security-relevant events that are not record changes: logins, failed logins,
    exports, imports and downloads of reports. Record changes are kept by the history
    triggers."""

    class Kind(models.TextChoices):
        LOGIN = "login", _("Login")
        LOGIN_FAILED = "login_failed", _("Failed login")
        LOGOUT = "logout", _("Logout")
        EXPORT = "export", _("Export")
        IMPORT = "import", _("Import")
        DOWNLOAD = "download", _("Download")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    username = models.CharField(_("username"), max_length=150, blank=True)
    unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind} {self.username}"


class Liveness(models.Model):
    """When a background process last showed it was alive (``worker``: the last periodic
    sweep a worker ran). ``/healthz`` reads it."""

    name = models.CharField(_("name"), max_length=32, primary_key=True)
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("sign of life")
        verbose_name_plural = _("signs of life")

    def __str__(self) -> str:
        return f"{self.name} {self.at:%Y-%m-%d %H:%M:%S}"


class UnitVersion(models.Model):
    """How often the records of one unit changed (``core/unit_versions.py``): a row per unit
    written to, kept by PostgreSQL triggers on the tracked tables; the row of ``unit_id`` 0
    counts the writes that belong to no one unit. A subtree's version is read over the rows
    whose path lies under the subtree's path, so a write moves the versions of its unit and
    of every unit above it, and of no other."""

    unit_id = models.BigIntegerField()  # no foreign key: rows outlive units
    # the kind of records counted in this row ("" for most): a figure that reads only some
    # tables is keyed on their topic's version alone
    topic = models.CharField(max_length=16, blank=True, default="")
    # byte order, so that a subtree is the range [path, path + "~")
    path = models.CharField(max_length=255, db_collation="C")
    changes = models.BigIntegerField(default=0)  # statements that wrote the unit's records
    stamp = models.BigIntegerField(default=0)  # the latest write's number (a sequence)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit_id", "topic"], name="core_unitversion_unit_topic")
        ]
        indexes = [
            models.Index(
                fields=["path"],
                include=["topic", "changes", "stamp"],
                name="core_unitversion_path",
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.topic}: {self.changes}"
