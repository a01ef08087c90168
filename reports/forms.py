from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import OrgUnit

from .periods import Week

WEEKS_OFFERED = 5


class ReportRequestForm(forms.Form):
    unit = forms.ModelChoiceField(
        label=_("Unit"),
        queryset=OrgUnit.objects.none(),
        empty_label=None,
        error_messages={
            "required": _("Choose the unit of the report."),
            "invalid_choice": _("Choose one of the units listed."),
        },
    )
    week = forms.ChoiceField(
        label=_("Week"),
        error_messages={
            "required": _("Choose the week of the report."),
            "invalid_choice": _("Choose one of the weeks listed."),
        },
    )

    def __init__(self, *args: Any, units: QuerySet[OrgUnit], today_week: Week, **kwargs: Any):
        super().__init__(*args, **kwargs)
        unit_field = self.fields["unit"]
        assert isinstance(unit_field, forms.ModelChoiceField)
        unit_field.queryset = units
        unit_field.widget.attrs["class"] = "form-select"
        weeks = [today_week.previous(i) for i in range(WEEKS_OFFERED)]
        week_field = self.fields["week"]
        assert isinstance(week_field, forms.ChoiceField)
        week_field.choices = [
            (
                str(week),
                f"{week.label}（{week.monday:%m-%d} — {week.sunday:%m-%d}）"
                + (f" · {_('this week')}" if i == 0 else ""),
            )
            for i, week in enumerate(weeks)
        ]
        week_field.initial = str(today_week)
        week_field.widget.attrs["class"] = "form-select"

    @property
    def chosen_week(self) -> Week:
        return Week.parse(self.cleaned_data["week"])


DATE_INPUT = forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")


class BulletinForm(forms.Form):
    unit = forms.ModelChoiceField(
        label=_("Office of"),
        queryset=OrgUnit.objects.none(),
        empty_label=None,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    period_start = forms.DateField(label=_("Period from"), widget=DATE_INPUT)
    period_end = forms.DateField(label=_("Period to"), widget=DATE_INPUT)
    next_steps = forms.CharField(
        label=_("Next steps"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}),
        help_text=_("One point per line; it can still be edited in the Word file"),
    )

    def __init__(self, *args: Any, units: QuerySet[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        if len(units) == 1:
            self.fields["unit"].widget = forms.HiddenInput()


class BulletinFinalForm(forms.Form):
    final = forms.FileField(
        label=_("Final version"),
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".docx,.pdf"}),
    )
