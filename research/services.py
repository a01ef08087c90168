"""Writes of the field-research workstream.

Permission: the office edits research in its scope; a leader edits only the projects he
leads and the reports he wrote; everyone else reads in scope. Refusals raise
``ValidationError`` (bad input, keyed by field) or ``PermissionDenied``.
``actor=None`` is a system write (demo seed, commands): the rules still apply.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.models import OrgUnit, User
from accounts.permissions import can
from accounts.roles import Action
from campaign.models import Campaign
from core.uploads import validate_upload
from notifications import events

from .models import (
    AUTHOR_STATES,
    Adoption,
    Decision,
    Finding,
    FindingKind,
    ProjectAttachment,
    ProjectState,
    ReportDocument,
    ReportReview,
    ReportState,
    ResearchFocus,
    ResearchMethod,
    ResearchProject,
    ResearchReport,
    ReviewDecision,
)

# --- permissions -------------------------------------------------------------------------


def may_record_research(user: Any, unit: OrgUnit) -> bool:
    """May the user record research (his own, for a leader) for this unit?"""
    return can(user, Action.RESEARCH, unit)


def is_leader_only(user: Any, unit: OrgUnit) -> bool:
    """True when the user records research for the unit only as a leader (his own)."""
    return not permissions.can_all(user, Action.RESEARCH, unit)


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _is_leader(user: User, unit: OrgUnit) -> bool:
    """Does the person lead the unit (a leader's role on it or above it)? Asked of someone
    else than the actor: the lead of a research, who may become a problem's leader."""
    return permissions.holds_for(user, Action.LEAD, unit)


# --- projects ----------------------------------------------------------------------------


def _clean_project(
    *,
    campaign: Campaign,
    unit: OrgUnit,
    lead: User,
    topic: str,
    focus: str,
    method: str,
    start_date: date | None,
    end_date: date | None,
    state: str,
) -> None:
    errors: dict[str, list[str]] = {}
    if not (topic or "").strip():
        errors["topic"] = [_("Give the topic of the research.")]
    if focus not in ResearchFocus.values:
        errors["focus"] = [_("Choose the focus of the research.")]
    if method not in ResearchMethod.values:
        errors["method"] = [_("Choose how the research is done.")]
    if state not in ProjectState.values:
        errors["state"] = [_("Choose the state of the research.")]
    if start_date is None:
        errors["start_date"] = [_("Give the start date.")]
    if end_date is None:
        errors["end_date"] = [_("Give the end date.")]
    if start_date and end_date and end_date < start_date:
        errors["end_date"] = [
            _("The research cannot end (%(end)s) before it starts (%(start)s).")
            % {"end": end_date.isoformat(), "start": start_date.isoformat()}
        ]
    if not unit.is_within(campaign.root_unit):
        errors["unit"] = [_("This unit does not take part in the campaign.")]
    if not _is_leader(lead, unit):
        errors["lead"] = [
            _("%(name)s is not a leader of %(unit)s; the research must be led by a leader.")
            % {"name": lead.display_name, "unit": unit.name}
        ]
    if errors:
        raise ValidationError(errors)


def _clean_lead_for_actor(actor: User | None, unit: OrgUnit, lead: User) -> None:
    if actor is None:
        return
    _require(may_record_research(actor, unit), _("You may not record research for this unit."))
    if is_leader_only(actor, unit) and lead.pk != actor.pk:
        raise ValidationError({"lead": [_("A leader records only the research he leads.")]})


def _sites_text(sites: Iterable[str] | str) -> str:
    lines = sites.splitlines() if isinstance(sites, str) else list(sites)
    return "\n".join(line.strip() for line in lines if line and line.strip())


@transaction.atomic
def project_create(
    *,
    campaign: Campaign,
    unit: OrgUnit,
    lead: User,
    actor: User | None,
    topic: str,
    focus: str,
    method: str,
    start_date: date,
    end_date: date,
    sites: Iterable[str] | str = "",
    state: str = ProjectState.PLANNED,
    notes: str = "",
    participants: Sequence[User] = (),
) -> ResearchProject:
    _clean_lead_for_actor(actor, unit, lead)
    _clean_project(
        campaign=campaign,
        unit=unit,
        lead=lead,
        topic=topic,
        focus=focus,
        method=method,
        start_date=start_date,
        end_date=end_date,
        state=state,
    )
    project = ResearchProject.objects.create(
        campaign=campaign,
        unit=unit,
        lead=lead,
        topic=topic.strip(),
        focus=focus,
        method=method,
        sites=_sites_text(sites),
        start_date=start_date,
        end_date=end_date,
        state=state,
        notes=notes.strip(),
        created_by=actor,
    )
    if participants:
        project.participants.set([p for p in participants if p.pk != lead.pk])
    return project


@transaction.atomic
def project_update(
    *,
    project: ResearchProject,
    actor: User | None,
    participants: Sequence[User] | None = None,
    **fields: Any,
) -> ResearchProject:
    if actor is not None:
        _require(
            permissions.may(actor, Action.RESEARCH, project),
            _("You may not change this research project."),
        )
    allowed = {"unit", "lead", "topic", "focus", "method", "sites", "start_date", "end_date",
               "state", "notes"}  # fmt: skip
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    values = {name: fields.get(name, getattr(project, name)) for name in allowed}
    if "sites" in fields:
        values["sites"] = _sites_text(fields["sites"])
    _clean_lead_for_actor(actor, values["unit"], values["lead"])
    _clean_project(
        campaign=project.campaign,
        unit=values["unit"],
        lead=values["lead"],
        topic=values["topic"],
        focus=values["focus"],
        method=values["method"],
        start_date=values["start_date"],
        end_date=values["end_date"],
        state=values["state"],
    )
    if values["lead"].pk != project.lead_id and project.reports.exists():
        raise ValidationError(
            {"lead": [_("The lead cannot change once a report has been written on the project.")]}
        )
    for name, value in values.items():
        setattr(project, name, value.strip() if isinstance(value, str) else value)
    project.save()
    if participants is not None:
        project.participants.set([p for p in participants if p.pk != project.lead_id])
    return project


@transaction.atomic
def project_attach(
    *, project: ResearchProject, actor: User | None, upload: Any
) -> ProjectAttachment:
    if actor is not None:
        _require(
            permissions.may(actor, Action.RESEARCH, project),
            _("You may not change this research project."),
        )
    try:
        validate_upload(upload)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from exc
    return ProjectAttachment.objects.create(
        project=project,
        file=upload,
        original_name=upload.name[:255],
        size=upload.size,
        uploaded_by=actor,
    )


# --- reports -----------------------------------------------------------------------------


def _clean_report(
    *,
    projects: Sequence[ResearchProject],
    author: User,
    title: str,
    body: str,
    written_on: date | None,
    state: str,
    has_document: bool,
    campaign: Campaign,
) -> None:
    errors: dict[str, list[str]] = {}
    if not (title or "").strip():
        errors["title"] = [_("Give the title of the report.")]
    if not projects:
        errors["projects"] = [_("Choose the research the report is about.")]
    elif any(p.campaign_id != campaign.pk for p in projects):
        errors["projects"] = [_("The research must belong to the report's campaign.")]
    else:
        others = sorted({p.lead.display_name for p in projects if p.lead_id != author.pk})
        if others:
            errors["projects"] = [
                _(
                    "A report is written by the lead of the research himself; %(author)s did "
                    "not lead the research of %(others)s."
                )
                % {"author": author.display_name, "others": "、".join(others)}
            ]
    if written_on is None:
        errors["written_on"] = [_("Give the date of the report.")]
    elif written_on > timezone.localdate():
        errors["written_on"] = [_("The date of a report cannot be in the future.")]
    if state not in AUTHOR_STATES:
        errors["state"] = [_("Choose the state of the report: draft or submitted.")]
    if not (body or "").strip() and not has_document:
        errors["body"] = [_("Write the report here or upload it as a document.")]
    if errors:
        raise ValidationError(errors)


def _clean_document_upload(document: Any) -> None:
    if document is None:
        return
    try:
        validate_upload(document)
    except ValidationError as exc:
        raise ValidationError({"document": exc.messages}) from exc


@transaction.atomic
def report_create(
    *,
    campaign: Campaign,
    projects: Sequence[ResearchProject],
    author: User,
    actor: User | None,
    title: str,
    written_on: date,
    body: str = "",
    state: str = ReportState.DRAFT,
    document: Any = None,
) -> ResearchReport:
    projects = list(projects)
    if actor is not None:
        for project in projects:
            _require(
                permissions.may(actor, Action.RESEARCH, project),
                _("You may not write a report on research you may not change."),
            )
    _clean_document_upload(document)
    _clean_report(
        projects=projects,
        author=author,
        title=title,
        body=body,
        written_on=written_on,
        state=state,
        has_document=document is not None,
        campaign=campaign,
    )
    report = ResearchReport.objects.create(
        campaign=campaign,
        unit=projects[0].unit,
        title=title.strip(),
        body=body.strip(),
        author=author,
        written_on=written_on,
        state=state,
        submitted_at=timezone.now() if state == ReportState.SUBMITTED else None,
        created_by=actor,
    )
    report.projects.set(projects)
    if document is not None:
        _store_document(report, document, actor)
    if report.state == ReportState.SUBMITTED:
        _tell_the_reviewers(report)
    return report


def _tell_the_reviewers(report: ResearchReport) -> None:
    events.waiting_for_report_review(report=report)


def _store_document(report: ResearchReport, document: Any, actor: User | None) -> ReportDocument:
    return ReportDocument.objects.create(
        report=report,
        file=document,
        original_name=document.name[:255],
        size=document.size,
        uploaded_by=actor,
    )


@transaction.atomic
def report_update(
    *,
    report: ResearchReport,
    actor: User | None,
    title: str,
    written_on: date,
    body: str,
    state: str,
    projects: Sequence[ResearchProject],
    document: Any = None,
) -> ResearchReport:
    if actor is not None:
        _require(
            permissions.may(actor, Action.RESEARCH, report), _("You may not change this report.")
        )
    # the state as it stands now (the office may have reviewed it since the page was read)
    report.state = (
        ResearchReport.objects.select_for_update().values_list("state", flat=True).get(pk=report.pk)
    )
    if not report.is_editable:
        raise ValidationError(
            _("The office has accepted this report; it can no longer be changed.")
        )
    projects = list(projects)
    _clean_document_upload(document)
    _clean_report(
        projects=projects,
        author=report.author,
        title=title,
        body=body,
        written_on=written_on,
        state=state,
        has_document=document is not None or report.documents.exists(),
        campaign=report.campaign,
    )
    report.title = title.strip()
    report.body = body.strip()
    report.written_on = written_on
    newly_submitted = state == ReportState.SUBMITTED and report.state != ReportState.SUBMITTED
    if newly_submitted:
        report.submitted_at = timezone.now()  # (again, after a return: back in the queue)
    if state == ReportState.SUBMITTED or report.state != ReportState.RETURNED:
        report.state = state
    # a returned report saved as a draft stays returned until it is submitted again
    report.unit = projects[0].unit
    report.save()
    report.projects.set(projects)
    if document is not None:
        _store_document(report, document, actor)
    if newly_submitted:
        _tell_the_reviewers(report)
    return report


# --- findings ----------------------------------------------------------------------------


@transaction.atomic
def finding_create(
    *,
    project: ResearchProject,
    actor: User | None,
    kind: str,
    description: str,
    unit: OrgUnit | None = None,
    focus: str | None = None,
    report: ResearchReport | None = None,
) -> Finding:
    if actor is not None:
        _require(
            permissions.may(actor, Action.RESEARCH, project),
            _("You may not change this research project."),
        )
    unit = unit or project.unit
    errors: dict[str, list[str]] = {}
    if kind not in FindingKind.values:
        errors["kind"] = [_("Say whether this is a problem or a suggestion.")]
    if not (description or "").strip():
        errors["description"] = [_("Describe what the research found.")]
    if focus is None:
        focus = project.focus
    if focus and focus not in ResearchFocus.values:
        errors["focus"] = [_("Choose the focus of the research.")]
    if not unit.is_within(project.campaign.root_unit):
        errors["unit"] = [_("This unit does not take part in the campaign.")]
    elif actor is not None and not actor.is_superuser and not permissions.covers_any(actor, unit):
        errors["unit"] = [_("This unit is outside your scope.")]
    if report is not None and not report.projects.filter(pk=project.pk).exists():
        errors["report"] = [_("The report is not about this research.")]
    if errors:
        raise ValidationError(errors)
    return Finding.objects.create(
        project=project,
        report=report,
        unit=unit,
        kind=kind,
        focus=focus,
        description=description.strip(),
        created_by=actor,
    )


def problem_service_ready() -> bool:
    """The action "turn into a problem" is offered once the rectification app has it."""
    try:
        from rectification import services as rectification_services
    except ImportError:
        return False
    return hasattr(rectification_services, "problem_create")


@transaction.atomic
def finding_to_problem(
    *,
    finding: Finding,
    actor: User | None,
    category: str,
    type: str | None = None,
    deadline: date | None = None,
    discovered_on: date | None = None,
) -> Any:
    """Turn a finding into a rectification problem (source 调研发现) of the unit concerned,
    once only; the two stay linked both ways."""
    from rectification import services as rectification_services
    from rectification.models import ProblemSource, ProblemType

    finding = (
        Finding.objects.select_for_update()
        .select_related("project", "project__campaign", "project__lead", "unit")
        .get(pk=finding.pk)
    )
    project = finding.project
    if actor is not None:
        _require(
            permissions.may(actor, Action.RESEARCH, project),
            _("You may not change this research project."),
        )
    if finding.problem_id is not None:
        raise ValidationError(
            _("This finding has already been turned into a problem; it can be done only once.")
        )
    lead_covers = _is_leader(project.lead, finding.unit)
    problem = rectification_services.problem_create(
        campaign=project.campaign,
        unit=finding.unit,
        actor=actor,
        description=finding.description,
        source=ProblemSource.RESEARCH,
        category=category,
        discovered_on=discovered_on or timezone.localdate(),
        type=type or ProblemType.DEADLINE,
        deadline=deadline,
        responsible_leader=project.lead if lead_covers else None,
        remarks=_("Found by the research “%(topic)s”") % {"topic": project.topic},
    )
    finding.problem = problem
    try:
        with transaction.atomic():
            finding.save(update_fields=["problem", "updated_at"])
    except IntegrityError as exc:
        raise ValidationError(
            _("This finding has already been turned into a problem; it can be done only once.")
        ) from exc
    return problem


@transaction.atomic
def finding_mark_solved(
    *, finding: Finding, actor: User | None, how: str, solved_on: date | None = None
) -> Finding:
    if actor is not None:
        _require(
            permissions.may(actor, Action.RESEARCH, finding.project),
            _("You may not change this research project."),
        )
    errors: dict[str, list[str]] = {}
    if not (how or "").strip():
        errors["how"] = [_("Say how the problem was solved.")]
    solved_on = solved_on or timezone.localdate()
    if solved_on > timezone.localdate():
        errors["solved_on"] = [_("The date cannot be in the future.")]
    if errors:
        raise ValidationError(errors)
    finding.solved_on = solved_on
    finding.solved_how = how.strip()
    finding.solved_by = actor
    finding.save(update_fields=["solved_on", "solved_how", "solved_by", "updated_at"])
    return finding


# --- decisions ---------------------------------------------------------------------------


def _clean_decision(
    *,
    actor: User | None,
    campaign: Campaign,
    unit: OrgUnit,
    title: str,
    body: str,
    decided_on: date | None,
    projects: Sequence[ResearchProject],
    reports: Sequence[ResearchReport],
) -> None:
    errors: dict[str, list[str]] = {}
    if not (title or "").strip():
        errors["title"] = [_("Give the title of the decision.")]
    if not (body or "").strip():
        errors["body"] = [_("Give the content of the decision.")]
    if decided_on is None:
        errors["decided_on"] = [_("Give the date of the decision.")]
    if not unit.is_within(campaign.root_unit):
        errors["unit"] = [_("This unit does not take part in the campaign.")]
    if actor is not None:
        visible_projects = set(
            ResearchProject.objects.visible_to(actor)
            .filter(pk__in=[p.pk for p in projects])
            .values_list("pk", flat=True)
        )
        if len(visible_projects) != len({p.pk for p in projects}):
            errors["projects"] = [_("Only research within your scope can be cited.")]
        visible_reports = set(
            ResearchReport.objects.visible_to(actor)
            .filter(pk__in=[r.pk for r in reports])
            .values_list("pk", flat=True)
        )
        if len(visible_reports) != len({r.pk for r in reports}):
            errors["reports"] = [_("Only research within your scope can be cited.")]
    if any(p.campaign_id != campaign.pk for p in projects):
        errors.setdefault("projects", [_("The research must belong to the campaign.")])
    if any(r.campaign_id != campaign.pk for r in reports):
        errors.setdefault("reports", [_("The research must belong to the campaign.")])
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def decision_create(
    *,
    campaign: Campaign,
    unit: OrgUnit,
    actor: User | None,
    title: str,
    decided_on: date,
    body: str,
    projects: Sequence[ResearchProject] = (),
    reports: Sequence[ResearchReport] = (),
) -> Decision:
    if actor is not None:
        _require(may_record_research(actor, unit), _("You may not record decisions for this unit."))
    projects, reports = list(projects), list(reports)
    _clean_decision(
        actor=actor,
        campaign=campaign,
        unit=unit,
        title=title,
        body=body,
        decided_on=decided_on,
        projects=projects,
        reports=reports,
    )
    decision = Decision.objects.create(
        campaign=campaign,
        unit=unit,
        title=title.strip(),
        decided_on=decided_on,
        body=body.strip(),
        created_by=actor,
    )
    decision.projects.set(projects)
    decision.reports.set(reports)
    return decision


@transaction.atomic
def decision_update(
    *,
    decision: Decision,
    actor: User | None,
    unit: OrgUnit,
    title: str,
    decided_on: date,
    body: str,
    projects: Sequence[ResearchProject] = (),
    reports: Sequence[ResearchReport] = (),
) -> Decision:
    if actor is not None:
        _require(
            permissions.may(actor, Action.RESEARCH, decision),
            _("You may not change this decision."),
        )
        _require(may_record_research(actor, unit), _("You may not record decisions for this unit."))
    projects, reports = list(projects), list(reports)
    _clean_decision(
        actor=actor,
        campaign=decision.campaign,
        unit=unit,
        title=title,
        body=body,
        decided_on=decided_on,
        projects=projects,
        reports=reports,
    )
    decision.unit = unit
    decision.title = title.strip()
    decision.decided_on = decided_on
    decision.body = body.strip()
    decision.save()
    decision.projects.set(projects)
    decision.reports.set(reports)
    return decision


# --- the office's review (有实情、有分析、有见解) -----------------------------------------


def may_review(user: Any, report: ResearchReport) -> bool:
    """May the user review the report now: it waits for review, and he runs the office of
    a unit above the report's unit (``RULES[REVIEW]``, the same rule as the queue)."""
    return report.state == ReportState.SUBMITTED and permissions.may(user, Action.REVIEW, report)


@transaction.atomic
def report_review(
    *,
    report: ResearchReport,
    actor: User,
    accept: bool,
    has_facts: bool,
    has_analysis: bool,
    has_insight: bool,
    comment: str = "",
) -> ReportReview:
    """Accept the report (all three criteria met) or return it to its author with a
    comment; the author's unit and the author are told of the decision."""
    report = (
        ResearchReport.objects.select_for_update()
        .select_related("unit", "author")
        .get(pk=report.pk)
    )
    _require(
        permissions.may(actor, Action.REVIEW, report),
        _("Only the office of a unit above the report's unit may review it."),
    )
    if report.state != ReportState.SUBMITTED:
        raise ValidationError(_("Only a submitted report waits for review."))
    comment = (comment or "").strip()
    criteria = {"has_facts": has_facts, "has_analysis": has_analysis, "has_insight": has_insight}
    if accept:
        missing = [name for name, met in criteria.items() if not met]
        if missing:
            raise ValidationError(
                {
                    name: [
                        _(
                            "A report is accepted only when it has the real situation, "
                            "analysis and insight; tick all three or "
                            "return it."
                        )
                    ]
                    for name in missing
                }
            )
    elif not comment:
        raise ValidationError(
            {"comment": [_("Say what the author should improve before returning the report.")]}
        )
    review = ReportReview.objects.create(
        report=report,
        decision=ReviewDecision.ACCEPTED if accept else ReviewDecision.RETURNED,
        comment=comment,
        reviewer=actor,
        reviewed_at=timezone.now(),
        **criteria,
    )
    report.state = ReportState.ACCEPTED if accept else ReportState.RETURNED
    report.save(update_fields=["state", "updated_at"])
    events.research_report_reviewed(report=report, review=review, actor=actor)
    return review


# --- 成果转化: suggestions adopted ---------------------------------------------------------


ADOPTING_FIELDS = ("decision", "measure", "mechanism")


@transaction.atomic
def adoption_create(
    *,
    finding: Finding,
    actor: User | None,
    adopted_on: date | None,
    decision: Decision | None = None,
    measure: Any = None,
    mechanism: Any = None,
    note: str = "",
) -> Adoption:
    """Record that a suggestion was taken up by a decision, a rectification measure or a
    long-term mechanism (exactly one, within the actor's scope and the campaign)."""
    from rectification.models import Measure, Mechanism

    if actor is not None:
        _require(
            permissions.may(actor, Action.RESEARCH, finding.project),
            _("You may not change this research project."),
        )
    errors: dict[str, list[str]] = {}
    if finding.kind != FindingKind.SUGGESTION:
        errors["finding"] = [_("Only a suggestion is adopted.")]
    named: dict[str, Any] = {
        name: record
        for name, record in (("decision", decision), ("measure", measure), ("mechanism", mechanism))
        if record is not None
    }
    if len(named) != 1:
        errors["decision"] = [
            _("Choose one record that adopted it: a decision, a measure or a mechanism.")
        ]
    if adopted_on is None:
        errors["adopted_on"] = [_("Give the date it was adopted.")]
    elif adopted_on > timezone.localdate():
        errors["adopted_on"] = [_("The date cannot be in the future.")]
    campaign_id = finding.project.campaign_id
    models_by_field: dict[str, Any] = {
        "decision": Decision,
        "measure": Measure,
        "mechanism": Mechanism,
    }
    for name, record in named.items():
        model = models_by_field[name]
        in_campaign = (
            record.problem.campaign_id if name == "measure" else record.campaign_id
        ) == campaign_id
        visible = actor is None or model.objects.visible_to(actor).filter(pk=record.pk).exists()
        if not (in_campaign and visible):
            errors[name] = [_("Only a record of the campaign within your scope can be named.")]
        elif Adoption.objects.filter(finding=finding, **{name: record}).exists():
            errors[name] = [_("This adoption has already been recorded.")]
    if errors:
        raise ValidationError(errors)
    return Adoption.objects.create(
        finding=finding,
        adopted_on=adopted_on,
        note=(note or "").strip(),
        created_by=actor,
        **named,
    )
