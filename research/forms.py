"""Forms of the research pages. Choices come from the user's scope; the rules are checked
again by the services, whose messages are shown next to the fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts import permissions
from accounts.models import OrgUnit, UnitKind, User
from accounts.permissions import scope_q
from accounts.roles import Action
from campaign.models import Campaign
from core.pages import preselect_unit
from rectification.models import Measure, Mechanism

from .models import (
    AUTHOR_STATES,
    Decision,
    Finding,
    FindingKind,
    ProjectState,
    ResearchFocus,
    ResearchMethod,
    ResearchProject,
    ResearchReport,
)

# Units are offered by their name alone (the unit's own str), within one research's
# subtree or among the committees and departments of the user's scope.
RESEARCH_UNIT_KINDS = (
    UnitKind.PROVINCE_COMMITTEE,
    UnitKind.CITY_COMMITTEE,
    UnitKind.COUNTY_COMMITTEE,
    UnitKind.DEPARTMENT,
)
OUT_OF_SCOPE = _("Only research within your scope can be cited.")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.display_name}（{obj.title}）" if obj.title else str(obj.display_name)


class UsersChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.display_name}（{obj.title}）" if obj.title else str(obj.display_name)


class ProjectsChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.topic}（{obj.lead.display_name}，{obj.start_date:%Y-%m-%d}）"


class ReportsChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.title}（{obj.author.display_name}，{obj.written_on:%Y-%m-%d}）"


def research_units(user: Any, campaign: Campaign) -> QuerySet[OrgUnit]:
    """Units the user may record research for (committees and departments)."""
    qs = OrgUnit.objects.visible_to(user, Action.RESEARCH).filter(
        kind__in=RESEARCH_UNIT_KINDS,
        is_active=True,
        path__startswith=campaign.root_unit.path,
    )
    return qs.order_by("path")


def leaders_in_scope(user: Any) -> QuerySet[User]:
    scope = scope_q(user, "unit", Action.RESEARCH)
    leaders = permissions.people_who_may(Action.LEAD, scope=scope, active_only=False)
    return leaders.order_by("username")


def cadres_in_scope(user: Any) -> QuerySet[User]:
    """People who may join a research group: those with a role on a committee or
    department in scope."""
    scope = scope_q(user, "unit")
    cadres = permissions.people_who_may(
        Action.VIEW, kinds=RESEARCH_UNIT_KINDS, scope=scope, active_only=False
    )
    return cadres.order_by("username")


class ProjectForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=OrgUnit.objects.none())
    lead = UserChoiceField(label=_("Lead"), queryset=User.objects.none())
    topic = forms.CharField(label=_("Topic"), max_length=200)
    focus = forms.ChoiceField(label=_("Focus"), choices=ResearchFocus.choices)
    method = forms.ChoiceField(
        label=_("Method"),
        choices=ResearchMethod.choices,
        help_text=_(
            "Only on-site and online research count for the quarterly rule (each leader at "
            "least one a quarter); forums and visits, questionnaire surveys and other "
            "methods are recorded but do not count."
        ),
    )
    sites = forms.CharField(
        label=_("Sites visited"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One site per line"),
    )
    start_date = forms.DateField(label=_("Start date"), widget=DateInput())
    end_date = forms.DateField(label=_("End date"), widget=DateInput())
    state = forms.ChoiceField(label=_("State"), choices=ProjectState.choices)
    participants = UsersChoiceField(
        label=_("Participants"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("Hold Ctrl (⌘ on a Mac) to choose several."),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, user: Any, campaign: Campaign, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        units = research_units(user, campaign)
        _f(self, "unit").queryset = units
        self.leader_only = permissions.own_records_only(user, Action.RESEARCH)
        if self.leader_only:
            _f(self, "lead").queryset = User.objects.filter(pk=user.pk)
            self.fields["lead"].initial = user.pk
            self.fields["lead"].widget = forms.HiddenInput()
            own = permissions.unit_ids_for(user, Action.RESEARCH)
            units = units.filter(pk__in=own)
            _f(self, "unit").queryset = units
        else:
            _f(self, "lead").queryset = leaders_in_scope(user)
        preselect_unit(self.fields["unit"], units, permissions.home_unit(user, Action.RESEARCH))
        _f(self, "participants").queryset = cadres_in_scope(user)
        for name, field in self.fields.items():
            _style(name, field)

    def has_units(self) -> bool:
        return _has_units(self)


def _f(form: forms.Form, name: str) -> Any:
    """A field of the form, typed loosely (model choice fields have a queryset)."""
    return form.fields[name]


def _style(name: str, field: forms.Field) -> None:
    widget = field.widget
    if isinstance(widget, forms.HiddenInput):
        return
    if isinstance(widget, (forms.Select, forms.SelectMultiple)):
        widget.attrs.setdefault("class", "form-select")
    elif isinstance(widget, forms.CheckboxInput):
        widget.attrs.setdefault("class", "form-check-input")
    else:
        widget.attrs.setdefault("class", "form-control")


def _has_units(form: forms.Form) -> bool:
    return bool(_f(form, "unit").queryset.exists())


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style("file", self.fields["file"])


def report_projects(user: Any, campaign: Campaign, *, author: User | None = None) -> QuerySet:
    """Projects the user may write a report on (a leader: those he leads)."""
    from .selectors import editable_projects

    qs = editable_projects(user, campaign)
    if author is not None:
        qs = qs.filter(lead=author)
    return qs.select_related("lead")


class ReportForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    projects = ProjectsChoiceField(
        label=_("Research reported on"),
        queryset=ResearchProject.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 4}),
        help_text=_("Hold Ctrl (⌘ on a Mac) to choose several."),
        error_messages={"invalid_choice": _("Choose research you led (or may record).")},
    )
    written_on = forms.DateField(label=_("Date"), widget=DateInput())
    state = forms.ChoiceField(
        label=_("State"),
        choices=[(s.value, s.label) for s in AUTHOR_STATES],
        help_text=_(
            "A submitted report goes to the office above for review "
            "(real situation, analysis, insight)."
        ),
    )
    body = forms.CharField(
        label=_("Text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_("Start a line with # for a heading; leave an empty line between paragraphs."),
    )
    document = forms.FileField(
        label=_("Or upload the report"),
        required=False,
        help_text=_("Word or PDF; it is kept with the report."),
    )

    def __init__(
        self, *args: Any, user: Any, campaign: Campaign, author: User | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        _f(self, "projects").queryset = report_projects(user, campaign, author=author)
        for name, field in self.fields.items():
            _style(name, field)


class FindingForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=FindingKind.choices)
    focus = forms.ChoiceField(
        label=_("Focus"), choices=[("", "—"), *ResearchFocus.choices], required=False
    )
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}))
    unit = forms.ModelChoiceField(label=_("Unit concerned"), queryset=OrgUnit.objects.none())
    report = forms.ModelChoiceField(
        label=_("Research report"), queryset=ResearchReport.objects.none(), required=False
    )

    def __init__(self, *args: Any, user: Any, project: ResearchProject, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _f(self, "unit").queryset = (
            OrgUnit.objects.visible_to(user)
            .filter(path__startswith=project.campaign.root_unit.path, is_active=True)
            .filter(path__startswith=project.unit.path)
            .order_by("path")
        )
        self.fields["unit"].initial = project.unit_id
        self.fields["focus"].initial = project.focus
        _f(self, "report").queryset = project.reports.all()
        for name, field in self.fields.items():
            _style(name, field)


class ToProblemForm(forms.Form):
    category = forms.ChoiceField(label=_("Problem category"))
    type = forms.ChoiceField(label=_("Type of rectification"))
    deadline = forms.DateField(label=_("Deadline"), required=False, widget=DateInput())

    def __init__(self, *args: Any, campaign: Campaign, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from rectification.models import ProblemType

        categories = list(campaign.problem_categories or [])
        _f(self, "category").choices = [(c, c) for c in categories]
        _f(self, "type").choices = ProblemType.choices
        self.fields["type"].initial = ProblemType.DEADLINE
        for name, field in self.fields.items():
            _style(name, field)


class SolveForm(forms.Form):
    how = forms.CharField(label=_("How it was solved"), widget=forms.Textarea(attrs={"rows": 4}))
    solved_on = forms.DateField(label=_("Solved on"), widget=DateInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            _style(name, field)


class DecisionForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=OrgUnit.objects.none())
    title = forms.CharField(label=_("Title"), max_length=200)
    decided_on = forms.DateField(label=_("Date"), widget=DateInput())
    body = forms.CharField(label=_("Content"), widget=forms.Textarea(attrs={"rows": 8}))
    projects = ProjectsChoiceField(
        label=_("Research projects cited"),
        queryset=ResearchProject.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
        error_messages={"invalid_choice": OUT_OF_SCOPE},
    )
    reports = ReportsChoiceField(
        label=_("Research reports cited"),
        queryset=ResearchReport.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
        error_messages={"invalid_choice": OUT_OF_SCOPE},
    )

    def __init__(self, *args: Any, user: Any, campaign: Campaign, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _f(self, "unit").queryset = research_units(user, campaign)
        _f(self, "projects").queryset = (
            ResearchProject.objects.visible_to(user)
            .filter(campaign=campaign)
            .select_related("lead")
        )
        _f(self, "reports").queryset = (
            ResearchReport.objects.visible_to(user)
            .filter(campaign=campaign)
            .select_related("author")
        )
        for name, field in self.fields.items():
            _style(name, field)

    def has_units(self) -> bool:
        return _has_units(self)


class ReviewForm(forms.Form):
    """The office's review: the speech's three criteria, and a comment (needed to return)."""

    has_facts = forms.BooleanField(label=_("It has the real situation"), required=False)
    has_analysis = forms.BooleanField(label=_("It has analysis"), required=False)
    has_insight = forms.BooleanField(label=_("It has insight"), required=False)
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed to return the report: say what to improve."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            _style(name, field)


class AdoptionForm(forms.Form):
    """成果转化: the record that took up a suggestion (one of the three) and the date."""

    decision = forms.ModelChoiceField(
        label=_("Adopted by a decision"), queryset=Decision.objects.none(), required=False
    )
    measure = forms.ModelChoiceField(
        label=_("Adopted by a rectification measure"),
        queryset=Measure.objects.none(),
        required=False,
    )
    mechanism = forms.ModelChoiceField(
        label=_("Adopted by a long-term mechanism"),
        queryset=Mechanism.objects.none(),
        required=False,
    )
    adopted_on = forms.DateField(label=_("Adopted on"), widget=DateInput())
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, user: Any, finding: Finding, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        campaign = finding.project.campaign
        _f(self, "decision").queryset = (
            Decision.objects.visible_to(user).filter(campaign=campaign).order_by("-decided_on")
        )
        _f(self, "decision").label_from_instance = lambda d: f"{d.title}（{d.decided_on:%Y-%m-%d}）"
        # the measures of the problems of the unit the suggestion concerns and below it
        _f(self, "measure").queryset = (
            Measure.objects.visible_to(user)
            .filter(
                problem__campaign=campaign,
                problem__unit__path__startswith=finding.unit.path,
            )
            .select_related("problem", "problem__unit")
            .order_by("problem__unit__path", "problem__number", "order")
        )
        _f(self, "measure").label_from_instance = lambda m: (
            f"{m.problem.unit.code}-{m.problem.number}.{m.order} {m.description[:40]}"
        )
        _f(self, "mechanism").queryset = (
            Mechanism.objects.visible_to(user).filter(campaign=campaign).order_by("-issued_on")
        )
        for name, field in self.fields.items():
            _style(name, field)
