"""QuickSelect writes exactly what Django's Select writes."""

from __future__ import annotations

import re

import pytest
from django import forms

from core.widgets import QuickSelect

CHOICES = [
    ("", "全部"),
    ("a", "甲 <b>&"),
    (1, "一"),
    ("组", [("x", 'x "quoted"'), ("y", "y")]),
]


@pytest.mark.parametrize("value", [None, "", "a", 1, "y", ["a", "y"]])
@pytest.mark.parametrize(
    "attrs",
    [{}, {"class": "form-select form-select-sm", "required": True, "disabled": False}],
)
def test_same_html_as_select(value, attrs):
    plain = forms.Select(attrs=attrs, choices=CHOICES)
    quick = QuickSelect(attrs=attrs, choices=CHOICES)
    extra = {"id": "id_unit"}
    assert quick.render("unit", value, extra) == plain.render("unit", value, extra)


@pytest.mark.django_db
def test_same_html_for_units_as_model_choices():
    from accounts.models import OrgUnit, UnitKind
    from tests.factories import make_unit

    city = make_unit(name="城市 & <市>", kind=UnitKind.CITY_COMMITTEE)
    make_unit(city, name="区")

    class Plain(forms.Form):
        unit = forms.ModelChoiceField(queryset=OrgUnit.objects.order_by("path"), required=False)

    class Quick(forms.Form):
        unit = forms.ModelChoiceField(
            queryset=OrgUnit.objects.order_by("path"), required=False, widget=QuickSelect
        )

    for data in (None, {"unit": str(city.pk)}, {"unit": "nope"}):
        assert str(Quick(data)["unit"]) == str(Plain(data)["unit"])


@pytest.mark.django_db
def test_unit_filter_field_same_html_and_validation_as_a_unit_choice():
    from accounts.models import OrgUnit, UnitKind
    from campaign.forms import UnitChoiceField
    from core.widgets import UnitFilterField
    from tests.factories import make_unit

    city = make_unit(name="城市", kind=UnitKind.CITY_COMMITTEE)
    county = make_unit(city, name="区 & <县>")
    other = make_unit(name="外市", kind=UnitKind.CITY_COMMITTEE)
    within = OrgUnit.objects.filter(path__startswith=city.path).order_by("path")

    class Plain(forms.Form):
        unit = UnitChoiceField(queryset=within, required=False)

    class Quick(forms.Form):
        unit = UnitFilterField(queryset=within, required=False)

    for data in (None, {"unit": str(county.pk)}, {"unit": str(other.pk)}, {"unit": "x"}):
        plain, quick = Plain(data), Quick(data)
        # the same list; a form's unit list also carries its search box's words and each
        # unit's place in the tree
        searchable = re.sub(
            r' data-(unit-picker|unit-picker-chosen|level|parent)="[^"]*"', "", str(plain["unit"])
        )
        assert str(quick["unit"]) == searchable
        if data:
            assert quick.is_valid() == plain.is_valid()
            assert quick.errors == plain.errors
            assert quick.cleaned_data.get("unit") == plain.cleaned_data.get("unit")
