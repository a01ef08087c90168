"""Writes of the weekly reports: asking for one, building it, storing it, mailing it.

One row per campaign, unit and ISO week: asking again for the same week rebuilds the row's
file in place. The build runs in a Celery task sent when the request's transaction commits.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.mail import EmailMultiAlternatives
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.models import OrgUnit, UnitKind, User
from accounts.roles import Action
from campaign.models import Campaign
from core import jobs
from core.models import JobState
from core.text import printable
from core.uploads import validate_upload

from .bulletin import bulletin_content, write_bulletin
from .models import Bulletin, WeeklyReport
from .periods import Week
from .selectors import weekly_figures

logger = logging.getLogger(__name__)

SCHEDULED_KINDS = (
    UnitKind.PROVINCE_COMMITTEE,
    UnitKind.CITY_COMMITTEE,
    UnitKind.COUNTY_COMMITTEE,
)


def send_build(report_id: int) -> None:
    """Hand a report's build to the broker (the job type of ``WeeklyReport``)."""
    from .tasks import build_weekly_report

    build_weekly_report.delay(report_id)


def _enqueue_mail(report_id: int) -> None:
    from .tasks import mail_weekly_report

    try:
        mail_weekly_report.delay(report_id)
    except Exception:
        # The broker is down: the report is built and downloadable; the mail goes out
        # when the schedule asks for it again (report_request with mail=True).
        logger.warning("mail of weekly report %s could not be queued", report_id)


@transaction.atomic
def report_request(
    *,
    campaign: Campaign,
    unit: OrgUnit,
    week: Week,
    requested_by: User | None,
    mail: bool = False,
    rebuild: bool = True,
    enqueue: Callable[[int], None] | None = None,
) -> WeeklyReport:
    """Ask for the report of ``unit`` for ``week``; its build is sent on commit.

    A report queued or being built by a live worker is left to finish (the same row is
    returned). With ``rebuild=False`` (the weekly schedule) a report already built is
    kept. A build whose worker died (its lease ran out) is started again: a stuck row
    never blocks a request or the schedule.
    """
    if requested_by is not None and not permissions.can(requested_by, Action.EXPORT, unit):
        raise PermissionDenied
    now = timezone.now()
    report, created = WeeklyReport.objects.select_for_update().get_or_create(
        campaign=campaign,
        unit=unit,
        week=str(week),
        defaults={"requested_by": requested_by, "mail_requested": mail},
    )
    if not created:
        busy = jobs.is_alive(report, now=now)
        keep = busy or (not rebuild and report.state == JobState.DONE)
        if keep:
            if mail and not report.mail_requested:
                report.mail_requested = True
                report.save(update_fields=["mail_requested"])
            if mail and report.state == JobState.DONE and report.mailed_at is None:
                transaction.on_commit(lambda: _enqueue_mail(report.pk))
            return report
        report.state = JobState.QUEUED
        report.progress = 0
        report.error = ""
        report.queued_at = None
        report.requested_at = now
        report.requested_by = requested_by
        report.mail_requested = report.mail_requested or mail
        report.save(
            update_fields=[
                "state",
                "progress",
                "error",
                "queued_at",
                "requested_at",
                "requested_by",
                "mail_requested",
            ]
        )
    jobs.enqueue_on_commit(report, sender=enqueue)
    return report


def report_claim(*, report_id: int) -> WeeklyReport | None:
    """Take a queued report (or one whose worker died); None when another has it."""
    return jobs.claim(
        WeeklyReport.objects.select_related("campaign", "unit", "requested_by"),
        report_id,
        progress=5,
    )


def report_fail(*, report: WeeklyReport, error: str) -> None:
    jobs.fail(WeeklyReport, report.pk, error=error, attempt=report.attempts)


def report_give_up(*, report_id: int, error: str) -> None:
    """The build's retries are spent: fail the report (queued again by its last try)."""
    WeeklyReport.objects.filter(pk=report_id, state=JobState.QUEUED).update(
        state=JobState.FAILED, error=error[:2000]
    )


@transaction.atomic
def report_store(*, report: WeeklyReport, content: bytes, page_count: int) -> WeeklyReport | None:
    """Keep the new PDF in place of the old one; the old file goes once this commits.
    None (and nothing kept) when this worker lost the report to another."""
    old_name = report.file.name if report.file else ""
    storage = report.file.storage
    report.file.save(f"{report.unit.code}-{report.week}.pdf", ContentFile(content), save=False)
    new_name = report.file.name
    stored = jobs.finish(
        report,
        file=new_name,
        page_count=page_count,
        generated_at=timezone.now(),
        generated_by=report.requested_by,
    )
    if not stored:
        transaction.on_commit(lambda: storage.delete(new_name))
        return None
    if old_name and old_name != new_name:
        transaction.on_commit(lambda: storage.delete(old_name))
    return report


TRANSIENT_DB = (OperationalError, InterfaceError)


def report_build(*, report_id: int) -> WeeklyReport | None:
    """Build a queued report: figures, PDF, file. Idempotent: anything not queued is left.

    The requester's right is checked again here (what he may export now, not when he asked).
    A fault is recorded on the report in words its reader understands; transient database
    errors give the report back to the queue and propagate so that the task can retry.
    """
    report = report_claim(report_id=report_id)
    if report is None:
        return None
    try:
        return _build(report)
    except SoftTimeLimitExceeded:
        report_fail(report=report, error=_("The report took too long and was stopped."))
        return None
    except TRANSIENT_DB:
        jobs.requeue(report)
        raise
    except Exception:
        logger.exception("weekly report %s failed", report.pk)
        report_fail(report=report, error=_("The report failed unexpectedly; try again later."))
        raise


def _build(report: WeeklyReport) -> WeeklyReport | None:
    user = report.requested_by
    if user is not None and (
        not user.is_active or not permissions.can(user, Action.EXPORT, report.unit)
    ):
        report_fail(report=report, error=_("You may no longer download this report."))
        return None
    from .pdf import render_pdf  # WeasyPrint is loaded by the processes that render only

    with jobs.keep_alive(report):
        figures = weekly_figures(report.campaign, report.unit, Week.parse(report.week))
        jobs.progress(report, 40)
        rendered = render_pdf(figures, progress=lambda percent: jobs.progress(report, percent))
        stored = report_store(
            report=report, content=rendered.content, page_count=rendered.page_count
        )
    if stored is not None and stored.mail_requested and stored.mailed_at is None:
        report_id = stored.pk
        transaction.on_commit(lambda: _enqueue_mail(report_id))
    return stored


def report_build_now(
    *, campaign: Campaign, unit: OrgUnit, week: Week, requested_by: User | None = None
) -> WeeklyReport:
    """Build in this process (the command line): the stored row is replaced as usual."""
    report = report_request(
        campaign=campaign,
        unit=unit,
        week=week,
        requested_by=requested_by,
        enqueue=lambda _report_id: None,
    )
    if report.state == JobState.RUNNING:
        # Another process is building it: take over rather than wait.
        WeeklyReport.objects.filter(pk=report.pk, state=JobState.RUNNING).update(
            state=JobState.QUEUED
        )
    built = report_build(report_id=report.pk)
    if built is None:
        report.refresh_from_db()
        raise RuntimeError(report.error or "the report could not be built")
    return built


def office_recipients(unit: OrgUnit) -> list[User]:
    """The office staff of the unit itself (role ``office`` on it) who have an address."""
    people = permissions.offices_of([unit.pk], active_only=False)
    return list(people.exclude(email="").order_by("username"))


def report_mail(*, report_id: int) -> int:
    """Mail a finished report to its unit's office; once per report (``mailed_at``).

    SMTP and network errors propagate so that the task retries; returns the number of
    recipients.
    """
    report = (
        WeeklyReport.objects.select_related("campaign", "unit")
        .filter(pk=report_id, state=JobState.DONE, mailed_at__isnull=True)
        .first()
    )
    if report is None or not report.file:
        return 0
    recipients = office_recipients(report.unit)
    if not recipients:
        WeeklyReport.objects.filter(pk=report.pk).update(mailed_at=timezone.now())
        return 0
    period = Week.parse(report.week)
    with translation.override(settings.LANGUAGE_CODE):
        context: dict[str, Any] = {
            "report": report,
            "monday": period.monday,
            "sunday": period.sunday,
        }
        subject = _("Weekly progress report of %(unit)s for %(week)s") % {
            "unit": report.unit.name,
            "week": report.week_label,
        }
        text = render_to_string("reports/email/report.txt", context)
        html = render_to_string("reports/email/report.html", context)
        file_name = report.file_name
    message = EmailMultiAlternatives(
        subject=printable(subject),
        body=printable(text),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email for user in recipients],
    )
    message.attach_alternative(printable(html), "text/html")
    with report.file.open("rb") as pdf:
        message.attach(file_name, pdf.read(), "application/pdf")
    message.send()
    WeeklyReport.objects.filter(pk=report.pk, mailed_at__isnull=True).update(
        mailed_at=timezone.now()
    )
    return len(recipients)


def schedule_weekly_reports(*, week: Week) -> list[WeeklyReport]:
    """The Monday job: the report of the province, the city and every county (each unit
    with an office) of each running campaign."""
    reports = []
    campaigns = Campaign.objects.filter(
        is_active=True, start_date__lte=week.sunday, end_date__gte=week.monday
    ).select_related("root_unit")
    for campaign in campaigns:
        units = OrgUnit.objects.filter(
            path__startswith=campaign.root_unit.path,
            kind__in=SCHEDULED_KINDS,
            is_active=True,
        ).order_by("path")
        for unit in units:
            reports.append(
                report_request(
                    campaign=campaign,
                    unit=unit,
                    week=week,
                    requested_by=None,
                    mail=True,
                    rebuild=False,
                )
            )
    return reports


# ---------------------------------------------------------------- work bulletins


@transaction.atomic
def bulletin_draft(
    *,
    actor: Any,
    campaign: Campaign,
    unit: OrgUnit,
    period_start: date,
    period_end: date,
    next_steps: str = "",
    today: date | None = None,
) -> Bulletin:
    """Number the office's next bulletin and draft it from the period's data."""
    if not permissions.can(actor, Action.DEPLOY, unit):
        raise PermissionDenied
    errors: dict[str, str] = {}
    if period_end < period_start:
        errors["period_end"] = _("The period cannot end before it starts.")
    elif period_end > (today or timezone.localdate()):
        errors["period_end"] = _("The period cannot end in the future.")
    if errors:
        raise ValidationError(errors)
    # numbers are given under a lock on the unit so two drafts never share one
    OrgUnit.objects.select_for_update().filter(pk=unit.pk).first()
    last = Bulletin.objects.filter(campaign=campaign, unit=unit).aggregate(n=Max("number"))["n"]
    number = (last or 0) + 1
    content = bulletin_content(
        campaign=campaign,
        unit=unit,
        number=number,
        period_start=period_start,
        period_end=period_end,
        next_steps=next_steps,
    )
    bulletin = Bulletin(
        campaign=campaign,
        unit=unit,
        number=number,
        period_start=period_start,
        period_end=period_end,
        next_steps=next_steps.strip(),
        created_by=actor,
    )
    bulletin.draft.save(f"bulletin-{number}.docx", ContentFile(write_bulletin(content)), save=False)
    bulletin.save()
    return bulletin


@transaction.atomic
def bulletin_upload_final(*, actor: Any, bulletin: Bulletin, upload: Any) -> Bulletin:
    """Keep the office's edited, final version of the bulletin with its number."""
    if not permissions.can(actor, Action.DEPLOY, bulletin.unit):
        raise PermissionDenied
    try:
        validate_upload(upload)
    except ValidationError as exc:
        raise ValidationError({"final": exc.messages}) from None
    if not upload.name.lower().endswith((".docx", ".pdf", ".doc")):
        raise ValidationError({"final": _("Upload the bulletin as a Word or PDF file.")})
    bulletin.final.save(upload.name, upload, save=False)
    bulletin.final_name = upload.name[:255]
    bulletin.final_uploaded_at = timezone.now()
    bulletin.final_uploaded_by = actor
    bulletin.save(update_fields=["final", "final_name", "final_uploaded_at", "final_uploaded_by"])
    return bulletin
