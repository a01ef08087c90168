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
