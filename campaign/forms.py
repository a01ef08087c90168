"""Forms of the campaign pages. They check the shape of the input; rules live in services."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import OrgUnit, PartyMember, UnitDomain, UnitKind, UnitLevel, UnitSpecial
from accounts.selectors import units_of_class
from core.pages import UnitChoiceField, unit_picker_attrs
from core.widgets import QuickSelect, QuickSelectMultiple, UnitFilterField, quick_widget
from rectification.choices import ProblemScope, ProblemType

from .models import (
    Activity,
    ActivityKind,
    Assignment,
    AssignmentState,
    Campaign,
    DevelopmentCategory,
    DevelopmentState,
    MeetingFileKind,
    Objective,
    PeopleVerdict,
    Recurrence,
    Workstream,
)

DATE = forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")
TEXT = {"class": "form-control"}
SELECT = {"class": "form-select"}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (photos from the phone camera, documents)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        accept = kwargs.pop("accept", "image/*,.pdf,.doc,.docx,.xls,.xlsx,.ppt,.pptx")
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"class": "form-control", "accept": accept})
        )
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class UnitsChoiceField(forms.ModelMultipleChoiceField):
    """Units as a tree (indented by depth), searchable in the browser."""

    widget = QuickSelectMultiple

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["widget"] = quick_widget(kwargs.get("widget"))
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj: Any) -> str:
        return f"{'　' * (obj.depth - 1)}{obj.name}（{obj.code}）"

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        return {**super().widget_attrs(widget), **unit_picker_attrs(widget)}


# ---------------------------------------------------------------- campaigns


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=128, widget=forms.TextInput(TEXT))
    root_unit = UnitChoiceField(
        label=_("Run by"), queryset=OrgUnit.objects.none(), widget=forms.Select(SELECT)
    )
    start_date = forms.DateField(label=_("Start date"), widget=DATE)
    end_date = forms.DateField(label=_("End date"), widget=DATE)
    general_requirement = forms.CharField(
        label=_("General requirement"),
        max_length=200,
        required=False,
        widget=forms.TextInput(TEXT),
    )
    fundamental_task = forms.CharField(
        label=_("Fundamental task"),
        max_length=200,
        required=False,
        widget=forms.TextInput(TEXT),
    )
    objective_1 = forms.CharField(
        label=_("Objective 1"), max_length=64, required=False, widget=forms.TextInput(TEXT)
    )
    objective_2 = forms.CharField(
        label=_("Objective 2"), max_length=64, required=False, widget=forms.TextInput(TEXT)
    )
    objective_3 = forms.CharField(
        label=_("Objective 3"), max_length=64, required=False, widget=forms.TextInput(TEXT)
    )
    objective_4 = forms.CharField(
        label=_("Objective 4"), max_length=64, required=False, widget=forms.TextInput(TEXT)
    )
    objective_5 = forms.CharField(
        label=_("Objective 5"), max_length=64, required=False, widget=forms.TextInput(TEXT)
    )
    is_active = forms.BooleanField(
        label=_("Active (offered first to users)"),
        required=False,
        initial=True,
        widget=forms.CheckboxInput({"class": "form-check-input"}),
    )

    def __init__(
        self, *args: Any, units: QuerySet[OrgUnit], editing: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["root_unit"]
        else:
            self.fields["root_unit"].queryset = units  # type: ignore[attr-defined]
            del self.fields["is_active"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end date cannot be before the start date."))
        return data

    @property
    def objectives(self) -> list[str]:
        return [self.cleaned_data.get(f"objective_{i}", "") for i in range(1, 6)]

    @staticmethod
    def initial_for(campaign: Campaign) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "name": campaign.name,
            "start_date": campaign.start_date,
            "end_date": campaign.end_date,
            "general_requirement": campaign.general_requirement,
            "fundamental_task": campaign.fundamental_task,
            "is_active": campaign.is_active,
        }
        for objective in campaign.objectives.all():
            if 1 <= objective.order <= 5:
                initial[f"objective_{objective.order}"] = objective.title
        return initial


# ---------------------------------------------------------------- tasks


TARGET_UNITS = "units"
TARGET_BRANCHES = "branches"
TARGET_KIND = "kind"
TARGET_CLASS = "class"
CLASS_FIELDS = ("level", "domain", "special")
#: The scope controls each choice of "deploy to" uses; the others are ignored (the page
#: shows only these, static/js/forms.js).
TARGET_FIELDS: dict[str, tuple[str, ...]] = {
    TARGET_UNITS: ("units",),
    TARGET_BRANCHES: ("under",),
    TARGET_KIND: ("under", "kind"),
    TARGET_CLASS: ("under", "kind", *CLASS_FIELDS),
}


class TaskForm(forms.Form):
    workstream = forms.ChoiceField(
        label=_("Workstream"), choices=Workstream.choices, widget=forms.Select(SELECT)
    )
    objective = forms.ModelChoiceField(
        label=_("Objective"),
        queryset=Objective.objects.none(),
        required=False,
        widget=forms.Select(SELECT),
    )
    title = forms.CharField(label=_("Title"), max_length=200, widget=forms.TextInput(TEXT))
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea({**TEXT, "rows": 3})
    )
    evidence_required = forms.CharField(
        label=_("Evidence required"),
        required=False,
        widget=forms.Textarea({**TEXT, "rows": 2}),
        help_text=_("What the units attach when they submit, e.g. photos and a sign-in sheet"),
    )
    due_date = forms.DateField(label=_("Due date"), widget=DATE)
    recurrence = forms.ChoiceField(
        label=_("Recurrence"),
        choices=Recurrence.choices,
        initial=Recurrence.NONE,
        widget=forms.Select(SELECT),
        help_text=_(
            "A recurring task asks for one submission per quarter or year, "
            "from the campaign's start to the due date"
        ),
    )
    target = forms.ChoiceField(
        label=_("Deploy to"),
        choices=[
            (TARGET_UNITS, _("The units I pick")),
            (TARGET_BRANCHES, _("Every branch under a unit")),
            (TARGET_KIND, _("Every unit of a kind under a unit")),
            (TARGET_CLASS, _("Every unit of a class under a unit")),
        ],
        initial=TARGET_BRANCHES,
        widget=forms.RadioSelect({"class": "form-check-input"}),
    )
    units = UnitsChoiceField(
        label=_("Units"),
        queryset=OrgUnit.objects.none(),
        required=False,
        widget=forms.SelectMultiple({**SELECT, "size": 8, "data-required-when-shown": True}),
    )
    under = UnitChoiceField(
        label=_("Under"),
        queryset=OrgUnit.objects.none(),
        required=False,
        widget=forms.Select({**SELECT, "data-required-when-shown": True}),
    )
    kind = forms.ChoiceField(
        label=_("Kind of unit"),
        choices=[("", "—"), *UnitKind.choices],
        required=False,
        widget=forms.Select({**SELECT, "data-required-when-shown": True}),
    )
    notice = MultipleFileField(
        label=_("Notice (PDF or Word)"),
        required=False,
        help_text=_("The task's official notice; every unit it reaches can read and download it"),
        accept=".pdf,.doc,.docx",
    )
    # 分类指导: a class narrows every choice of units under a unit
    level = forms.ChoiceField(
        label=_("Level"),
        choices=[("", "—"), *UnitLevel.choices],
        required=False,
        widget=forms.Select(SELECT),
    )
    domain = forms.ChoiceField(
        label=_("Field"),
        choices=[("", "—"), *UnitDomain.choices],
        required=False,
        widget=forms.Select(SELECT),
        help_text=_("e.g. every rural branch under a district: branches, the district, rural"),
    )
    special = forms.ChoiceField(
        label=_("Special kind"),
        choices=[("", "—"), *UnitSpecial.choices],
        required=False,
        widget=forms.Select(SELECT),
    )

    def __init__(
        self, *args: Any, campaign: Campaign, units: QuerySet[OrgUnit], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        if self.is_bound:
            # Only the chosen radio's controls count: what the others still hold (the page
            # without script shows them all) is neither checked nor used.
            chosen = TARGET_FIELDS.get(self.data.get("target", ""), ())
            data = self.data.copy()  # type: ignore[attr-defined]
            for name in {"units", "under", "kind"} - set(chosen):
                data.pop(name, None)
            self.data = data
        self.fields["objective"].queryset = campaign.objectives.all()  # type: ignore[attr-defined]
        self.fields["units"].queryset = units  # type: ignore[attr-defined]
        self.fields["under"].queryset = units  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        mode = data.get("target")
        if mode == TARGET_UNITS and not data.get("units"):
            self.add_error("units", _("Choose at least one unit."))
        if mode in (TARGET_BRANCHES, TARGET_KIND, TARGET_CLASS) and not data.get("under"):
            self.add_error("under", _("Choose the unit whose subtree receives the task."))
        if mode == TARGET_KIND and not data.get("kind"):
            self.add_error("kind", _("Choose a kind of unit."))
        if mode == TARGET_CLASS and not any(data.get(name) for name in ("kind", *CLASS_FIELDS)):
            self.add_error("domain", _("Choose a class: a level, a field or a special kind."))
        return data

    def target_units(self, scope: QuerySet[OrgUnit]) -> QuerySet[OrgUnit]:
        data = self.cleaned_data
        if data["target"] == TARGET_UNITS:
            return scope.filter(pk__in=[u.pk for u in data["units"]])
        kind = UnitKind.BRANCH if data["target"] == TARGET_BRANCHES else data.get("kind", "")
        return units_of_class(
            scope,
            under=data["under"],
            kind=kind,
            **{name: data.get(name) or "" for name in CLASS_FIELDS},
        )


class TaskEditForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, widget=forms.TextInput(TEXT))
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea({**TEXT, "rows": 3})
    )
    evidence_required = forms.CharField(
        label=_("Evidence required"),
        required=False,
        widget=forms.Textarea({**TEXT, "rows": 2}),
    )
    due_date = forms.DateField(label=_("Due date"), widget=DATE)


class DeployMoreForm(forms.Form):
    units = UnitsChoiceField(
        label=_("Units"),
        queryset=OrgUnit.objects.none(),
        widget=forms.SelectMultiple({**SELECT, "size": 8}),
    )

    def __init__(self, *args: Any, units: QuerySet[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = units  # type: ignore[attr-defined]


# ---------------------------------------------------------------- assignments


class EvidenceChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.held_on:%Y-%m-%d} {obj.get_kind_display()} · {obj.summary[:40]}"


class SubmitForm(forms.Form):
    activities = EvidenceChoiceField(
        label=_("Activities attached as evidence"),
        queryset=Activity.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple({"class": "evidence-choice"}),
    )
    note = forms.CharField(
        label=_("What was done"), required=False, widget=forms.Textarea({**TEXT, "rows": 3})
    )

    def __init__(self, *args: Any, activities: QuerySet[Activity], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["activities"].queryset = activities  # type: ignore[attr-defined]


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for return"),
        widget=forms.Textarea({**TEXT, "rows": 3}),
        error_messages={"required": _("Say why the submission is returned.")},
    )


class ExtensionForm(forms.Form):
    """A unit's request for a later due date of its assignment (延期申请)."""

    new_due_date = forms.DateField(label=_("Due date asked for"), widget=DATE)
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea({**TEXT, "rows": 2}),
        max_length=2000,
        error_messages={"required": _("Say why the due date should move.")},
    )


class ExtensionDecisionForm(forms.Form):
    """The office's answer to an extension request (a comment is needed to refuse)."""

    comment = forms.CharField(
        label=_("Comment"),
        widget=forms.Textarea({**TEXT, "rows": 2}),
        max_length=2000,
        required=False,
    )


class NoticeForm(forms.Form):
    notice = MultipleFileField(label=_("Notice (PDF or Word)"), accept=".pdf,.doc,.docx")


class AcceptForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment (optional)"), required=False, widget=forms.TextInput(TEXT)
    )


# ---------------------------------------------------------------- activities

PARTICIPANTS_REFUSAL = _("Enter how many took part: at least 1.")


class ActivityForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=ActivityKind.choices, widget=forms.Select(SELECT)
    )
    held_on = forms.DateField(label=_("Date"), widget=DATE)
    unit = UnitChoiceField(
        label=_("Unit"), queryset=OrgUnit.objects.none(), widget=forms.Select(SELECT)
    )
    place = forms.CharField(
        label=_("Place"), max_length=128, required=False, widget=forms.TextInput(TEXT)
    )
    host = forms.CharField(
        label=_("Chaired by"), max_length=64, required=False, widget=forms.TextInput(TEXT)
    )
    recorder = forms.CharField(
        label=_("Minutes by"), max_length=64, required=False, widget=forms.TextInput(TEXT)
    )
    participants = forms.IntegerField(
        label=_("Number of participants"),
        widget=forms.NumberInput({**TEXT, "inputmode": "numeric", "min": "1"}),
    )
    hours = forms.DecimalField(
        label=_("Hours"),
        max_digits=5,
        decimal_places=1,
        widget=forms.NumberInput({**TEXT, "step": "0.5", "min": "0", "inputmode": "decimal"}),
    )
    summary = forms.CharField(
        label=_("Content summary"),
        widget=forms.Textarea({**TEXT, "rows": 4}),
        help_text=_("What was studied or done, and what came of it"),
    )
    attachments = MultipleFileField(
        label=_("Photos and documents"),
        help_text=_("Photos from the camera, PDF, Word or Excel files"),
    )
    pending_files = forms.CharField(required=False, widget=forms.HiddenInput)
    sign_in_sheet = forms.FileField(
        label=_("Sign-in sheet"),
        required=False,
        help_text=_("A photo of the signed sheet"),
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": "image/*,.pdf"}),
    )
    evidence_for = forms.ModelMultipleChoiceField(
        label=_("Use as evidence for"),
        queryset=Assignment.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple({"class": "evidence-choice"}),
    )

    def __init__(
        self,
        *args: Any,
        units: QuerySet[OrgUnit],
        assignments: QuerySet[Assignment] | None = None,
        counted_from_roll: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        if counted_from_roll:
            # the participants are those ticked on the roll
            self.fields["participants"].required = False
            self.fields["participants"].widget = forms.HiddenInput()
        if assignments is None:
            del self.fields["evidence_for"]
        else:
            field = self.fields["evidence_for"]
            field.queryset = assignments  # type: ignore[attr-defined]
            field.label_from_instance = lambda a: str(  # type: ignore[attr-defined]
                f"{a.task.title}{' · ' + a.period if a.period else ''}"
            )
        # One unit: no need to ask.
        if len(units) == 1:
            self.fields["unit"].widget = forms.HiddenInput()

    def clean_participants(self) -> int:
        value = self.cleaned_data["participants"]
        if value is None:
            return 0  # counted from the roll
        if value < 1:
            raise forms.ValidationError(PARTICIPANTS_REFUSAL)
        return int(value)

    def clean_hours(self) -> Any:
        value = self.cleaned_data["hours"]
        if value is not None and value < 0:
            raise forms.ValidationError(_("Hours cannot be negative."))
        return value


class AttendanceForm(forms.Form):
    """The unit's roll: every member ticked as present by default; an absentee's reason."""

    def __init__(self, *args: Any, members: Sequence[PartyMember], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.members = list(members)
        for member in self.members:
            self.fields[f"present_{member.pk}"] = forms.BooleanField(
                label=member.name, required=False, initial=True
            )
            self.fields[f"reason_{member.pk}"] = forms.CharField(
                label=_("Why %(name)s was absent") % {"name": member.name},
                max_length=200,
                required=False,
                widget=forms.TextInput(
                    {
                        "class": "form-control form-control-sm absence-reason",
                        "placeholder": _("Reason for absence"),
                    }
                ),
            )

    def rows(self) -> list[tuple[PartyMember, Any, Any]]:
        return [(m, self[f"present_{m.pk}"], self[f"reason_{m.pk}"]) for m in self.members]

    def presence(self) -> list[tuple[PartyMember, bool, str]]:
        """(member, present, reason) for each member on the roll."""
        data = self.cleaned_data
        return [
            (m, bool(data.get(f"present_{m.pk}")), data.get(f"reason_{m.pk}") or "")
            for m in self.members
        ]


class MemberForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=64, widget=forms.TextInput(TEXT))
    phone = forms.CharField(
        label=_("Phone"),
        max_length=32,
        required=False,
        widget=forms.TextInput({**TEXT, "inputmode": "tel"}),
    )
    title = forms.CharField(
        label=_("Title"), max_length=64, required=False, widget=forms.TextInput(TEXT)
    )


class LedgerDatesForm(forms.Form):
    date_from = forms.DateField(label=_("Date from"), required=False, widget=DATE)
    date_to = forms.DateField(label=_("Date to"), required=False, widget=DATE)


class MakeupForm(forms.Form):
    makeup_on = forms.DateField(label=_("Made up on"), widget=DATE)
    makeup_note = forms.CharField(
        label=_("How"), max_length=200, required=False, widget=forms.TextInput(TEXT)
    )


class ActivityFilter(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[("", _("All kinds")), *ActivityKind.choices],
        required=False,
        widget=QuickSelect(SELECT),
    )
    workstream = forms.ChoiceField(
        label=_("Workstream"),
        choices=[
            ("", _("All")),
            (Workstream.STUDY, Workstream.STUDY.label),
            (Workstream.DEVELOPMENT, Workstream.DEVELOPMENT.label),
        ],
        required=False,
        widget=QuickSelect(SELECT),
    )
    unit = UnitFilterField(
        label=_("Unit and below"),
        queryset=OrgUnit.objects.none(),
        required=False,
        widget=QuickSelect(SELECT),
    )
    date_from = forms.DateField(label=_("Date from"), required=False, widget=DATE)
    date_to = forms.DateField(label=_("Date to"), required=False, widget=DATE)

    def __init__(self, *args: Any, units: QuerySet[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]


# ---------------------------------------------------------------- development


class LeaderChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.display_name if hasattr(obj, "display_name") else str(obj)


class DevelopmentForm(forms.Form):
    unit = UnitChoiceField(
        label=_("Unit"), queryset=OrgUnit.objects.none(), widget=forms.Select(SELECT)
    )
    category = forms.ChoiceField(
        label=_("Kind of matter"), choices=DevelopmentCategory.choices, widget=forms.Select(SELECT)
    )
    title = forms.CharField(label=_("Title"), max_length=200, widget=forms.TextInput(TEXT))
    target = forms.CharField(label=_("Target"), widget=forms.Textarea({**TEXT, "rows": 3}))
    responsible_leader = LeaderChoiceField(
        label=_("Responsible leader"),
        queryset=OrgUnit.objects.none(),
        required=False,
        widget=forms.Select(SELECT),
    )
    due_date = forms.DateField(label=_("Due date"), widget=DATE)
    for_the_people = forms.BooleanField(
        label=_("A practical matter for the people"),
        required=False,
        help_text=_(
            "Listed in the unit's list of practical matters for the people reported upwards"
        ),
    )

    def __init__(
        self,
        *args: Any,
        units: QuerySet[OrgUnit],
        leaders: QuerySet[Any],
        editing: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        self.fields["responsible_leader"].queryset = leaders  # type: ignore[attr-defined]
        if editing or len(units) == 1:
            self.fields["unit"].widget = forms.HiddenInput()
            self.fields["unit"].required = not editing


class MilestoneForm(forms.Form):
    title = forms.CharField(label=_("Milestone"), max_length=200, widget=forms.TextInput(TEXT))
    due_on = forms.DateField(label=_("Due on"), widget=DATE)


class MilestoneDoneForm(forms.Form):
    done_on = forms.DateField(label=_("Reached on"), required=False, widget=DATE)


class VerdictForm(forms.Form):
    verdict = forms.ChoiceField(
        label=_("The people's verdict"),
        choices=[("", _("Not asked")), *PeopleVerdict.choices],
        required=False,
        widget=forms.Select(SELECT),
    )


class EvidenceUploadForm(forms.Form):
    attachments = MultipleFileField(label=_("Photos and documents"))


class DevelopmentFilter(forms.Form):
    category = forms.ChoiceField(
        label=_("Kind of matter"),
        choices=[("", _("All")), *DevelopmentCategory.choices],
        required=False,
        widget=forms.Select(SELECT),
    )
    state = forms.ChoiceField(
        label=_("State"),
        choices=[
            ("", _("All")),
            *DevelopmentState.choices,
            ("open", _("Not completed")),
            ("overdue", _("Overdue")),
        ],
        required=False,
        widget=forms.Select(SELECT),
    )
    people = forms.BooleanField(label=_("Practical matters for the people only"), required=False)
    unit = UnitFilterField(
        label=_("Unit and below"),
        queryset=OrgUnit.objects.none(),
        required=False,
        widget=QuickSelect(SELECT),
    )
    date_from = forms.DateField(label=_("Due from"), required=False, widget=DATE)
    date_to = forms.DateField(label=_("Due to"), required=False, widget=DATE)

    def __init__(self, *args: Any, units: QuerySet[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]


class TaskFilter(forms.Form):
    workstream = forms.ChoiceField(
        label=_("Workstream"),
        choices=[("", _("All")), *Workstream.choices],
        required=False,
        widget=forms.Select(SELECT),
    )
    recurrence = forms.ChoiceField(
        label=_("Recurrence"),
        choices=[("", _("All")), *Recurrence.choices],
        required=False,
        widget=forms.Select(SELECT),
    )


class AssignmentFilter(forms.Form):
    state = forms.ChoiceField(
        label=_("State"),
        choices=[("", _("All")), *AssignmentState.choices, ("overdue", _("Overdue"))],
        required=False,
        widget=forms.Select(SELECT),
    )
    workstream = forms.ChoiceField(
        label=_("Workstream"),
        choices=[("", _("All")), *Workstream.choices],
        required=False,
        widget=forms.Select(SELECT),
    )
    unit = UnitFilterField(
        label=_("Unit and below"),
        queryset=OrgUnit.objects.none(),
        required=False,
        widget=QuickSelect(SELECT),
    )
    date_from = forms.DateField(label=_("Due from"), required=False, widget=DATE)
    date_to = forms.DateField(label=_("Due to"), required=False, widget=DATE)

    def __init__(self, *args: Any, units: QuerySet[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]


# ---------------------------------------------------------------- review meetings


class MeetingForm(forms.Form):
    unit = UnitChoiceField(
        label=_("Unit"), queryset=OrgUnit.objects.none(), widget=forms.Select(SELECT)
    )
    held_on = forms.DateField(label=_("Date"), widget=DATE)
    place = forms.CharField(
        label=_("Place"), max_length=128, required=False, widget=forms.TextInput(TEXT)
    )
    participants = forms.CharField(
        label=_("Participants"),
        widget=forms.Textarea({**TEXT, "rows": 2}),
        help_text=_("Names of those who took part"),
    )
    guidance = forms.CharField(
        label=_("Attended from above to guide"),
        max_length=200,
        required=False,
        widget=forms.TextInput(TEXT),
    )
    summary = forms.CharField(
        label=_("Summary"), required=False, widget=forms.Textarea({**TEXT, "rows": 3})
    )
    attachments = MultipleFileField(
        label=_("Self-examination materials"),
        help_text=_("The leading group's and each member's materials, PDF or Word"),
    )

    def __init__(self, *args: Any, units: QuerySet[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        if len(units) == 1:
            self.fields["unit"].widget = forms.HiddenInput()


class MeetingFilesForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind of material"), choices=MeetingFileKind.choices, widget=forms.Select(SELECT)
    )
    attachments = MultipleFileField(label=_("Files"))


class MeetingProblemForm(forms.Form):
    scope = forms.ChoiceField(
        label=_("Whose problem"),
        choices=ProblemScope.choices,
        widget=forms.Select(SELECT),
        initial=ProblemScope.INDIVIDUAL,
    )
    responsible_person_name = forms.CharField(
        label=_("Member (for an individual member's problem)"),
        max_length=64,
        required=False,
        widget=forms.TextInput(TEXT),
    )
    category = forms.ChoiceField(label=_("Category"), widget=forms.Select(SELECT))
    description = forms.CharField(
        label=_("Problem"), max_length=4000, widget=forms.Textarea({**TEXT, "rows": 3})
    )
    type = forms.ChoiceField(
        label=_("Type"),
        choices=ProblemType.choices,
        initial=ProblemType.DEADLINE,
        widget=forms.Select(SELECT),
    )
    deadline = forms.DateField(label=_("Deadline"), required=False, widget=DATE)

    def __init__(self, *args: Any, campaign: Campaign, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [  # type: ignore[attr-defined]
            (c, c) for c in (campaign.problem_categories or [])
        ]
