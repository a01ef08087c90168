"""Forms of the rectification pages. They only shape input; the rules are ``rules.py``'s
(the people offered as responsible leader are ``rules.leader_candidates``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts import permissions
from accounts.models import OrgUnit, User
from accounts.roles import Action
from campaign.defaults import category_label
from campaign.models import Campaign
from core.pages import UnitChoiceField, preselect_unit
from core.widgets import QuickSelect, UnitFilterField

from . import rules
from .models import (
    MeasureState,
    MechanismKind,
    Problem,
    ProblemSource,
    ProblemState,
    ProblemType,
    SatisfactionMethod,
    SatisfactionResult,
    SpecialPlan,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class FieldAccess:
    """Typed access to a bound form's fields for setting choices and querysets."""

    fields: dict[str, Any]

    def _field(self, name: str) -> Any:
        return self.fields[name]


def _bootstrap(form: forms.Form) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select | forms.SelectMultiple):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")


def _home(user: Any) -> OrgUnit | None:
    """The unit the user enters problems for first."""
    return permissions.home_unit(user, Action.EDIT_PROBLEMS)


def people_in(user: Any) -> QuerySet[User]:
    return User.objects.visible_to(user).order_by("full_name", "username")


def person_label(obj: User) -> str:
    return f"{obj.display_name}（{obj.title}）" if obj.title else obj.display_name


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return person_label(obj)


def leader_choices(user: Any, units: QuerySet[OrgUnit]) -> list[Any]:
    """The responsible leader's list, in two groups: the people of the reporting unit(s)
    who keep or lead it, then the leaders above (``rules.leader_candidates``)."""
    unit_ids = list(units.values_list("pk", flat=True)[:50])
    own = list(
        permissions.people_who_may(Action.EDIT_PROBLEMS, unit_ids=unit_ids)
        | permissions.people_who_may(Action.LEAD, unit_ids=unit_ids)
    )
    own_ids = {person.pk for person in own}
    above = [p for p in rules.leader_candidates(user) if p.pk not in own_ids]
    return [
        ("", "---------"),
        *([(_("People of the unit"), [(p.pk, person_label(p)) for p in own])] if own else []),
        *([(_("Leaders above"), [(p.pk, person_label(p)) for p in above])] if above else []),
    ]


class ProblemForm(FieldAccess, forms.Form):
    unit = UnitChoiceField(label=_("Reporting unit"), queryset=OrgUnit.objects.none())
    source = forms.ChoiceField(label=_("Source"), choices=ProblemSource.choices)
    category = forms.ChoiceField(label=_("Category"))
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000
    )
    type = forms.ChoiceField(
        label=_("Type"),
        choices=ProblemType.choices,
        help_text=_(
            "A problem to fix at once may be closed at once; a long-term one has no deadline."
        ),
    )
    deadline = forms.DateField(label=_("Deadline"), required=False, widget=DATE)
    discovered_on = forms.DateField(label=_("Discovered on"), widget=DATE)
    responsible_leader = UserChoiceField(
        label=_("Responsible leader"),
        queryset=User.objects.none(),
        required=False,
        help_text=_(
            "Needed before rectification starts. The unit's own people come first, then the "
            "leaders above; if the leader is not in the list, write the name below."
        ),
    )
    responsible_leader_name = forms.CharField(
        label=_("Or write the leader's name (if not in the list)"),
        required=False,
        max_length=64,
    )
    responsible_unit_name = forms.CharField(
        label=_("Responsible unit"), required=False, max_length=128
    )
    responsible_person_name = forms.CharField(
        label=_("Responsible person"), required=False, max_length=64
    )
    mass_concern = forms.BooleanField(label=_("Strongly raised by the masses"), required=False)
    long_unresolved = forms.BooleanField(label=_("Long unresolved"), required=False)
    goal = forms.CharField(
        label=_("Rectification goal"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )
    remarks = forms.CharField(
        label=_("Remarks"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(
        self,
        *args: Any,
        user: Any,
        campaign: Campaign,
        problem: Problem | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        categories = list(campaign.problem_categories or [])
        if problem is not None and problem.category and problem.category not in categories:
            categories.append(problem.category)
        self._field("category").choices = [("", "---------")] + [
            (c, category_label(c)) for c in categories
        ]
        if problem is None:
            units = OrgUnit.objects.visible_to(user, Action.EDIT_PROBLEMS).filter(is_active=True)
            self._field("unit").queryset = units
            preselect_unit(self.fields["unit"], units, _home(user))
            own = units.filter(pk__in=permissions.unit_ids_for(user, Action.EDIT_PROBLEMS))
        else:
            del self.fields["unit"]
            own = OrgUnit.objects.filter(pk=problem.unit_id)
        grouped = leader_choices(user, own)
        leader = self._field("responsible_leader")
        leader.queryset = User.objects.filter(
            pk__in=[pk for _group, people in grouped[1:] for pk, _label in people]
        )
        leader.widget.choices = grouped
        leader.needed_for = _("needed before rectification starts")
        _bootstrap(self)


class MeasureForm(forms.Form):
    description = forms.CharField(
        label=_("Measure"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )
    responsible_person_name = forms.CharField(
        label=_("Responsible person"), required=False, max_length=64
    )
    deadline = forms.DateField(label=_("Deadline"), required=False, widget=DATE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _bootstrap(self)


class MeasureStateForm(forms.Form):
    state = forms.ChoiceField(label=_("State"), choices=MeasureState.choices)
    completed_on = forms.DateField(label=_("Completed on"), required=False, widget=DATE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _bootstrap(self)


class ProgressNoteForm(forms.Form):
    noted_on = forms.DateField(label=_("Date"), widget=DATE)
    text = forms.CharField(
        label=_("Progress"), widget=forms.Textarea(attrs={"rows": 2}), max_length=4000
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _bootstrap(self)


class EvidenceForm(forms.Form):
    file = forms.FileField(label=_("Evidence file"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _bootstrap(self)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _bootstrap(self)


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _bootstrap(self)


class ExtensionForm(forms.Form):
    """A unit's request for a new deadline or type (延期申请)."""

    new_type = forms.ChoiceField(label=_("Type of rectification"), choices=ProblemType.choices)
    new_deadline = forms.DateField(label=_("New deadline"), required=False, widget=DATE)
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _bootstrap(self)


class DecisionForm(forms.Form):
    """The office's answer to an extension request."""

    comment = forms.CharField(
        label=_("Comment"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _bootstrap(self)


class CloseForm(forms.Form):
    """销号: the verifier's note and, for a problem raised by the masses, what the people
    concerned said (``rules.asks_the_people``)."""

    note = forms.CharField(
        label=_("Note"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        required=False,
    )
    method = forms.ChoiceField(
        label=_("How the people concerned were asked"),
        choices=[("", "—"), *SatisfactionMethod.choices],
        required=False,
    )
    result = forms.ChoiceField(
        label=_("What they said"),
        choices=[("", "—"), *SatisfactionResult.choices],
        required=False,
    )
    people_note = forms.CharField(
        label=_("Their words"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        required=False,
    )
    survey = forms.FileField(label=_("Survey (optional)"), required=False)

    def __init__(self, *args: Any, asks_people: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not asks_people:
            for name in ("method", "result", "people_note", "survey"):
                del self.fields[name]
        _bootstrap(self)


class ProblemChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Problem) -> str:
        return f"{obj.unit.code}-{obj.number} {obj.description[:40]}"


def _linkable_problems(user: Any, campaign: Campaign) -> QuerySet[Problem]:
    return (
        Problem.objects.visible_to(user, Action.EDIT_PROBLEMS)
        .filter(campaign=campaign)
        .exclude(state=ProblemState.WITHDRAWN)
        .select_related("unit")
        .order_by("unit__path", "number")
    )


class SpecialPlanForm(FieldAccess, forms.Form):
    unit = UnitChoiceField(label=_("Unit"), queryset=OrgUnit.objects.none())
    title = forms.CharField(label=_("Title"), max_length=200)
    lead = UserChoiceField(label=_("Lead"), queryset=User.objects.none(), required=False)
    goal = forms.CharField(label=_("Goal"), widget=forms.Textarea(attrs={"rows": 3}))
    body = forms.CharField(
        label=_("Plan"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Write the plan here or attach its document."),
    )
    document = forms.FileField(label=_("Document"), required=False)
    problems = ProblemChoiceField(
        label=_("Linked problems"), queryset=Problem.objects.none(), required=False
    )
    milestones = forms.CharField(
        label=_("Milestones"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One a line: a date (YYYY-MM-DD), a space, then the milestone."),
    )

    def __init__(
        self,
        *args: Any,
        user: Any,
        campaign: Campaign,
        plan: SpecialPlan | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self._field("lead").queryset = rules.leader_candidates(user)
        linkable = _linkable_problems(user, campaign)
        if plan is None:
            units = OrgUnit.objects.visible_to(user, Action.EDIT_PROBLEMS).filter(is_active=True)
            self._field("unit").queryset = units
            preselect_unit(self.fields["unit"], units, _home(user))
        else:
            # the unit and the milestones are kept; milestones are added on the plan's page
            del self.fields["unit"]
            del self.fields["milestones"]
            linkable = linkable.filter(unit__path__startswith=plan.unit.path)
        self._field("problems").queryset = linkable
        _bootstrap(self)

    def clean_milestones(self) -> list[tuple[Any, str]]:
        """Lines of "YYYY-MM-DD milestone" (the date may be left out)."""
        from datetime import date

        rows = []
        for number, line in enumerate(self.cleaned_data["milestones"].splitlines(), start=1):
            line = line.strip()
            if not line:
                continue
            head, _sep, rest = line.partition(" ")
            try:
                due = date.fromisoformat(head)
                title = rest.strip()
            except ValueError:
                due, title = None, line
            if not title:
                raise forms.ValidationError(
                    _("Line %(n)s: name the milestone after the date.") % {"n": number}
                )
            rows.append((due, title))
        return rows


class MilestoneForm(forms.Form):
    title = forms.CharField(label=_("Milestone"), max_length=200)
    due_on = forms.DateField(label=_("Due date"), required=False, widget=DATE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _bootstrap(self)


class MechanismForm(FieldAccess, forms.Form):
    unit = UnitChoiceField(label=_("Unit"), queryset=OrgUnit.objects.none())
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=MechanismKind.choices)
    issued_on = forms.DateField(label=_("Issued on"), widget=DATE)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    document = forms.FileField(label=_("Document"), required=False)
    problems = ProblemChoiceField(
        label=_("Linked problems"), queryset=Problem.objects.none(), required=False
    )

    def __init__(self, *args: Any, user: Any, campaign: Campaign, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = OrgUnit.objects.visible_to(user, Action.EDIT_PROBLEMS).filter(is_active=True)
        self._field("unit").queryset = units
        preselect_unit(self.fields["unit"], units, _home(user))
        self._field("problems").queryset = _linkable_problems(user, campaign)
        _bootstrap(self)


class ProblemFilterForm(FieldAccess, forms.Form):
    """The list page's filters; the selector reads the same names from the query string."""

    source = forms.ChoiceField(label=_("Source"), required=False, widget=QuickSelect)
    category = forms.ChoiceField(label=_("Category"), required=False, widget=QuickSelect)
    type = forms.ChoiceField(label=_("Type"), required=False, widget=QuickSelect)
    state = forms.ChoiceField(label=_("State"), required=False, widget=QuickSelect)
    flag = forms.ChoiceField(label=_("Flag"), required=False, widget=QuickSelect)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    unit = UnitFilterField(label=_("Unit and subunits"), required=False, queryset=None)
    q = forms.CharField(label=_("Words"), required=False, max_length=100)
    sort = forms.ChoiceField(label=_("Sort"), required=False, widget=QuickSelect)

    def __init__(self, *args: Any, campaign: Campaign, units: QuerySet[OrgUnit], **kw: Any):
        super().__init__(*args, **kw)
        empty = [("", _("All"))]
        self._field("source").choices = empty + list(ProblemSource.choices)
        self._field("category").choices = empty + [
            (c, category_label(c)) for c in (campaign.problem_categories or [])
        ]
        self._field("type").choices = empty + list(ProblemType.choices)
        self._field("state").choices = [
            *empty,
            ("open", _("Open (not closed)")),
            *list(ProblemState.choices),
        ]
        self._field("flag").choices = [
            *empty,
            ("needs_plan", _("Needs a special plan")),
            ("mass_concern", _("Strongly raised by the masses")),
            ("long_unresolved", _("Long unresolved")),
            ("stale", _("Long-term, without progress for 30 days")),
        ]
        self._field("unit").queryset = units
        self._field("sort").choices = [
            ("", _("By unit and number")),
            ("deadline", _("Deadline, earliest first")),
            ("-deadline", _("Deadline, latest first")),
            ("discovered", _("Newest found first")),
            ("state", _("By state")),
            ("updated", _("Recently changed")),
        ]
        _bootstrap(self)
        for field in self.fields.values():
            if isinstance(field.widget, forms.Select):
                field.widget.attrs["class"] = "form-select form-select-sm"
            elif not isinstance(field.widget, forms.CheckboxInput):
                field.widget.attrs["class"] = "form-control form-control-sm"
