from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import OrgUnit
from campaign.models import Campaign
from core.pages import UNIT_PICKER_ATTRS, preselect_unit
from core.widgets import QuickSelect, UnitFilterField

from .models import CaseKind, VisitMethod

# ISO dates, the only value an <input type=date> shows
DATE = forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")
TEXT = {"class": "form-control"}
ISO_DATE = forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")


def _problem_types() -> list[tuple[str, Any]]:
    from rectification.models import ProblemType

    return list(ProblemType.choices)


class VisitForm(forms.Form):
    unit = UnitFilterField(
        label=_("Unit visited"),
        queryset=OrgUnit.objects.none(),
        widget=QuickSelect(attrs={"class": "form-select", **UNIT_PICKER_ATTRS}),
        error_messages={"invalid_choice": _("Choose a unit within your scope.")},
    )
    visited_on = forms.DateField(label=_("Date of visit"), widget=DATE)
    visitors = forms.CharField(
        label=_("Visitors"), max_length=255, widget=forms.TextInput(attrs=TEXT)
    )
    methods = forms.MultipleChoiceField(
        label=_("Methods"),
        choices=VisitMethod.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one method of supervision.")},
    )
    guidance = forms.CharField(
        label=_("Guidance given"),
        required=False,
        widget=forms.Textarea(attrs={**TEXT, "rows": 3}),
    )
    follow_up_on = forms.DateField(
        label=_("Follow-up date"),
        required=False,
        widget=DATE,
        help_text=_("The date the office returns; it shows on the unit's to-do list"),
    )

    def __init__(self, *args: Any, units: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "unit" in self.fields:
            self.fields["unit"].queryset = (  # type: ignore[attr-defined]
                units.order_by("path") if units is not None else OrgUnit.objects.none()
            )


class VisitEditForm(VisitForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["unit"]


class FindingForm(forms.Form):
    description = forms.CharField(
        label=_("What was found"),
        widget=forms.Textarea(attrs={**TEXT, "rows": 2}),
    )
    category = forms.ChoiceField(
        label=_("Category"), widget=forms.Select(attrs={"class": "form-select"})
    )
    type = forms.ChoiceField(label=_("Type"), widget=forms.Select(attrs={"class": "form-select"}))
    deadline = forms.DateField(label=_("Deadline"), required=False, widget=DATE)

    def __init__(self, *args: Any, campaign: Campaign | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        categories = list(campaign.problem_categories or []) if campaign else []
        choices = [(c, c) for c in categories] or [("其他", "其他")]
        category = self.fields["category"]
        assert isinstance(category, forms.ChoiceField)
        category.choices = choices
        category.initial = choices[0][0]
        kind = self.fields["type"]
        assert isinstance(kind, forms.ChoiceField)
        kind.choices = _problem_types()
        kind.initial = "deadline"


class BaseFindingFormSet(forms.BaseFormSet):
    def __init__(self, *args: Any, campaign: Campaign | None = None, **kwargs: Any) -> None:
        self.campaign = campaign
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        kwargs = super().get_form_kwargs(index)
        kwargs["campaign"] = self.campaign
        return kwargs

    @property
    def empty_form(self) -> forms.Form:  # pragma: no cover - not rendered (no JavaScript)
        form = self.form(
            auto_id=self.auto_id,
            prefix=self.add_prefix("__prefix__"),
            empty_permitted=True,
            use_required_attribute=False,
            campaign=self.campaign,
        )
        self.add_fields(form, None)
        return form


FindingFormSet: Any = forms.formset_factory(FindingForm, formset=BaseFindingFormSet, extra=3)


class FollowUpDoneForm(forms.Form):
    done_on = forms.DateField(label=_("Follow-up made on"), widget=DATE)


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    """Several photos in one input; each is checked again by the service."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget", MultiplePhotoInput(attrs={"class": "form-control", "accept": "image/*"})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return single(data, initial)


class CaseForm(forms.Form):
    unit = forms.ModelChoiceField(
        label=_("Unit"),
        queryset=OrgUnit.objects.none(),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    kind = forms.ChoiceField(
        label=_("Put forward"),
        choices=CaseKind.choices,
        initial=CaseKind.PRACTICE,
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def clean_kind(self) -> str:
        return self.cleaned_data.get("kind") or CaseKind.PRACTICE

    person_name = forms.CharField(
        label=_("Name (model person)"),
        max_length=64,
        required=False,
        widget=forms.TextInput(attrs=TEXT),
    )
    person_title = forms.CharField(
        label=_("Post (model person)"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs=TEXT),
    )
    title = forms.CharField(label=_("Title"), max_length=200, widget=forms.TextInput(attrs=TEXT))
    summary = forms.CharField(
        label=_("Summary"), max_length=500, widget=forms.Textarea(attrs={**TEXT, "rows": 2})
    )
    body = forms.CharField(label=_("Full text"), widget=forms.Textarea(attrs={**TEXT, "rows": 8}))
    photos = MultiplePhotoField(
        label=_("Photos"),
        required=False,
        help_text=_("Up to 9 photos (JPG, PNG)"),
    )

    def __init__(self, *args: Any, units: Any = None, home: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if units is None:
            del self.fields["unit"]
        else:
            unit_field = self.fields["unit"]
            assert isinstance(unit_field, forms.ModelChoiceField)
            unit_field.queryset = units
            preselect_unit(unit_field, units, home)


class CaseReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for return"), widget=forms.Textarea(attrs={**TEXT, "rows": 3})
    )


class GuidanceForm(forms.Form):
    """The 巡回指导组's guidance on a unit."""

    unit = forms.ModelChoiceField(label=_("Unit"), queryset=OrgUnit.objects.none())
    given_on = forms.DateField(label=_("Date"), widget=ISO_DATE)
    text = forms.CharField(
        label=_("Guidance"), widget=forms.Textarea(attrs={"rows": 4, **TEXT}), max_length=4000
    )
    document = forms.FileField(label=_("Attachment (optional)"), required=False)

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = units
        field.widget.attrs.update({"class": "form-select"})
        self.fields["document"].widget.attrs.update(TEXT)


class GuidanceAnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Answer"), widget=forms.Textarea(attrs={"rows": 3, **TEXT}), max_length=4000
    )


class GuidanceProblemsForm(forms.Form):
    """Turn a point of guidance into problems of the units concerned."""

    units = forms.ModelMultipleChoiceField(
        label=_("Units concerned"),
        queryset=OrgUnit.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    category = forms.ChoiceField(label=_("Category"))
    description = forms.CharField(
        label=_("Problem as entered"),
        widget=forms.Textarea(attrs={"rows": 3, **TEXT}),
        max_length=4000,
    )
    deadline = forms.DateField(label=_("Deadline"), widget=ISO_DATE, required=False)

    def __init__(self, *args: Any, units: Any, campaign: Campaign, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["units"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = units
        category = self.fields["category"]
        assert isinstance(category, forms.ChoiceField)
        category.choices = [(c, c) for c in (campaign.problem_categories or [])]
        category.widget.attrs.update({"class": "form-select"})
