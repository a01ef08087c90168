"""Telling people that something happened to their work: the one way every app notifies.

A service that passes or returns a submission, deploys a task, returns a problem at 销号 or
urges a unit calls one of the functions below inside its transaction. The notifications
are in-app at once (the header's unread badge counts them); the channels each person has
(email, personal application messages, the unit's group robot) carry them afterwards in
batches (``services.send_event_batches``), so nobody gets a storm.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts import permissions

from .models import EventKind, Notification

__all__ = [
    "EventKind",
    "close_returned",
    "extension_decided",
    "follow_up_due",
    "notify",
    "notify_many",
    "research_report_reviewed",
    "submission_reviewed",
    "task_deployed",
    "waiting",
]


@dataclass(frozen=True)
class Message:
    """One event for a group of people: the same title, text and link for each."""

    recipients: Iterable[int | None]
    title: str
    body: str = ""
    link: str = ""
    unit: Any = None


def notify(
    *,
    kind: str,
    recipients: Iterable[int | None],
    title: str,
    body: str = "",
    link: str = "",
    unit: Any = None,
    actor: Any = None,
    once_key: str = "",
) -> int:
    """Notify each recipient (user ids) once; the actor is never told of his own act.

    ``once_key`` names a notification a person gets at most once (for example the 催办
    of one unit on one day): a second call with the same key for the same person adds
    nothing. Returns how many recipients were asked for (after dropping the actor and
    duplicates).
    """
    return notify_many(
        kind=kind,
        messages=[Message(recipients, title, body, link, unit)],
        actor=actor,
        once_key=once_key,
    )


def notify_many(
    *, kind: str, messages: Iterable[Message], actor: Any = None, once_key: str = ""
) -> int:
    """Several messages of one kind in one insert (a task deployed to many units)."""
    actor_id = getattr(actor, "pk", None)
    rows = []
    for message in messages:
        ids = sorted({r for r in message.recipients if r is not None and r != actor_id})
        rows += [
            Notification(
                recipient_id=recipient_id,
                kind=kind,
                title=message.title[:255],
                body=message.body,
                link=message.link[:255],
                unit=message.unit,
                actor_id=actor_id,
                once_key=once_key[:100],
            )
            for recipient_id in ids
        ]
    if rows:
        Notification.objects.bulk_create(rows, ignore_conflicts=bool(once_key))
    return len(rows)


def _site_language() -> Any:
    return translation.override(settings.LANGUAGE_CODE)


# ---------------------------------------------------------------- the events of the apps


def submission_reviewed(*, assignment: Any, actor: Any, passed: bool) -> int:
    """A unit's submission was passed or returned (with the reason): its people are told."""
    unit = assignment.unit
    people = permissions.people_of_units([unit.pk]).get(unit.pk, [])
    people.append(assignment.submitted_by_id)
    link = reverse("campaign:assignment-detail", args=[assignment.pk])
    with _site_language():
        task = assignment.task.title
        if passed:
            title = _("Submission passed: %(task)s") % {"task": task}
            body = assignment.review_comment or _("The office accepted the submission.")
        else:
            title = _("Submission returned: %(task)s") % {"task": task}
            body = _("Reason: %(reason)s") % {"reason": assignment.return_reason}
    return notify(
        kind=EventKind.PASSED if passed else EventKind.RETURNED,
        recipients=people,
        title=title,
        body=body,
        link=link,
        unit=unit,
        actor=actor,
    )


def task_deployed(*, task: Any, assignments: Iterable[Any], actor: Any) -> int:
    """A task reached units: the people of each unit are told, with a link to its part."""
    first: dict[int, Any] = {}
    for assignment in sorted(assignments, key=lambda a: (a.due_date, a.period)):
        first.setdefault(assignment.unit_id, assignment)
    if not first:
        return 0
    people = permissions.people_of_units(first)
    with _site_language():
        title = _("New task: %(task)s") % {"task": task.title}
        messages = [
            Message(
                people.get(unit_id, []),
                title,
                _("Deployed by %(issuer)s; due on %(date)s.")
                % {"issuer": task.issuer.name, "date": assignment.due_date.isoformat()},
                reverse("campaign:assignment-detail", args=[assignment.pk])
                if assignment.pk
                else "",
                assignment.unit,
            )
            for unit_id, assignment in first.items()
        ]
    return notify_many(kind=EventKind.DEPLOYED, messages=messages, actor=actor)


def close_returned(*, problem: Any, actor: Any, reason: str) -> int:
    """销号 refused: the unit's people and the people responsible for the problem."""
    unit = problem.unit
    people = permissions.people_of_units([unit.pk]).get(unit.pk, [])
    people += [problem.responsible_leader_id, problem.responsible_person_id]
    with _site_language():
        title = _("Returned at closing: %(problem)s") % {"problem": _short(problem.description)}
        body = _("Reason: %(reason)s") % {"reason": reason}
    return notify(
        kind=EventKind.CLOSE_RETURNED,
        recipients=people,
        title=title,
        body=body,
        link=reverse("rectification:problem-detail", args=[problem.pk]),
        unit=unit,
        actor=actor,
    )


def research_report_reviewed(*, report: Any, review: Any, actor: Any) -> int:
    """The office accepted or returned a research report: the people of the report's unit
    and its author are told, with the office's comment."""
    unit = report.unit
    people = permissions.people_of_units([unit.pk]).get(unit.pk, [])
    people.append(report.author_id)
    accepted = review.decision == "accepted"
    with _site_language():
        if accepted:
            title = _("Research report accepted: %(title)s") % {"title": _short(report.title)}
            body = review.comment or _(
                "The office found the real situation, analysis and insight in it."
            )
        else:
            title = _("Research report returned: %(title)s") % {"title": _short(report.title)}
            body = _("Comment: %(comment)s") % {"comment": review.comment}
    return notify(
        kind=EventKind.REPORT_ACCEPTED if accepted else EventKind.REPORT_RETURNED,
        recipients=people,
        title=title,
        body=body,
        link=reverse("research:report-detail", args=[report.pk]),
        unit=unit,
        actor=actor,
    )


def extension_decided(
    *,
    unit: Any,
    requested_by: int | None,
    what: str,
    approved: bool,
    asked: str,
    comment: str,
    link: str,
    actor: Any,
) -> int:
    """An extension request (延期申请, of a problem or an assignment) was answered: the
    requesting unit's people and whoever asked are told, with the office's comment."""
    people: list[int | None] = [*permissions.people_of_units([unit.pk]).get(unit.pk, [])]
    people.append(requested_by)
    with _site_language():
        if approved:
            title = _("Extension approved: %(what)s") % {"what": _short(what)}
            body = _("The new due date %(date)s counts from now.") % {"date": asked}
        else:
            title = _("Extension refused: %(what)s") % {"what": _short(what)}
            body = _("The due date stays as it was.")
        if comment:
            body += " " + _("Comment: %(comment)s") % {"comment": comment}
    return notify(
        kind=EventKind.EXTENSION,
        recipients=people,
        title=title,
        body=body,
        link=link,
        unit=unit,
        actor=actor,
    )


def follow_up_due(*, visit: Any, people: Iterable[int]) -> int:
    """A supervision follow-up at the unit is due: once per visit and date."""
    with _site_language():
        title = _("Supervision follow-up on %(date)s") % {"date": visit.follow_up_on.isoformat()}
        body = _("The office returns to %(unit)s to see what was changed.") % {
            "unit": visit.unit.name
        }
    return notify(
        kind=EventKind.FOLLOW_UP,
        recipients=people,
        title=title,
        body=body,
        link=reverse("supervision:visit-detail", args=[visit.pk]),
        unit=visit.unit,
        once_key=f"follow_up:{visit.pk}:{visit.follow_up_on.isoformat()}",
    )


def _short(text: str, size: int = 40) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= size else text[: size - 1] + "…"


# ---------------------------------------------------------------- what waits for an office

REVIEW = "review"
VERIFY = "verify"
RESEARCH_REVIEW = "research_review"
EXTEND = "extend"
QUEUE_PAGES = {
    REVIEW: "campaign:review-queue",
    VERIFY: "rectification:verify-queue",
    RESEARCH_REVIEW: "research:review-queue",
    EXTEND: "rectification:verify-queue",
}
_MARK = "\x00n\x00"


def _waiting_title(queue: str, count: Any) -> str:
    with _site_language():
        if queue == REVIEW:
            return _("%(count)s submissions wait for your review") % {"count": count}
        if queue == RESEARCH_REVIEW:
            return _("%(count)s research reports wait for your review") % {"count": count}
        if queue == EXTEND:
            return _("%(count)s extension requests wait for your answer") % {"count": count}
        return _("%(count)s problems wait for your closing verification") % {"count": count}


def waiting(*, queue: str, recipients: Iterable[int], unit: Any = None) -> int:
    """Something new waits in an office's queue: one notification per person and day,
    its count raised by each new item and unread again, so a busy day is one line."""
    ids = sorted({r for r in recipients if r is not None})
    if not ids:
        return 0
    link = reverse(QUEUE_PAGES[queue])
    head, _mark, tail = _waiting_title(queue, _MARK).partition(_MARK)
    key = f"waiting:{queue}:{timezone.localdate().isoformat()}"
    now = timezone.now()
    table = connection.ops.quote_name(Notification._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {table} (recipient_id, title, body, link, kind, unit_id, once_key,
                count, created)
            SELECT r, %s, '', %s, %s, %s, %s, 1, %s FROM unnest(%s::bigint[]) AS r
            ON CONFLICT (recipient_id, once_key) WHERE NOT (once_key = '')
            DO UPDATE SET count = {table}.count + 1,
                title = left(%s || ({table}.count + 1)::text || %s, 255),
                read_at = NULL, channels_at = NULL, created = EXCLUDED.created
            """,  # noqa: S608 (the table name from the model, values as parameters)
            [
                (head + "1" + tail)[:255],
                link,
                EventKind.WAITING.value,
                getattr(unit, "pk", None),
                key,
                now,
                ids,
                head,
                tail,
            ],
        )
    return len(ids)


def waiting_for_review(*, assignment: Any) -> int:
    """A submission arrived: the office of the unit that issued the task (or the nearest
    office above it)."""
    issuer = assignment.task.issuer
    people = permissions.nearest_offices_above(issuer, strictly=False)
    return waiting(queue=REVIEW, recipients=people, unit=issuer)


def waiting_for_report_review(*, report: Any) -> int:
    """A research report was submitted: the office of the nearest unit above its unit."""
    people = permissions.nearest_offices_above(report.unit)
    return waiting(queue=RESEARCH_REVIEW, recipients=people, unit=report.unit)


def waiting_for_extension(*, unit: Any) -> int:
    """An extension request (延期申请) of a unit's problem or assignment arrived: the office
    of the nearest unit above it, who answers it (the rule of 销号)."""
    people = permissions.nearest_offices_above(unit)
    return waiting(queue=EXTEND, recipients=people, unit=unit)


def waiting_for_closing(*, problem: Any) -> int:
    """A problem was submitted for 销号: the office of the nearest unit above it."""
    people = permissions.nearest_offices_above(problem.unit)
    return waiting(queue=VERIFY, recipients=people, unit=problem.unit)
