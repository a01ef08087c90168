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


@pytest.mark.django_db
def test_a_unit_picker_tells_each_unit_its_level_and_parent_in_one_query(
    django_assert_num_queries,
):
    from accounts.models import OrgUnit, UnitKind
    from campaign.forms import UnitsChoiceField
    from core.pages import UnitChoiceField
    from core.widgets import QuickSelect, UnitFilterField
    from tests.factories import make_unit

    city = make_unit(name="市", kind=UnitKind.CITY_COMMITTEE)
    county = make_unit(city, name="县")
    town = make_unit(county, name="镇")
    branch = make_unit(town, name="支部")
    other = make_unit(county, name="乡")
    # the town is out of the list: its branch hangs from the nearest unit listed above it
    listed = OrgUnit.objects.exclude(pk=town.pk).order_by("path")

    class Form(forms.Form):
        one = UnitChoiceField(queryset=listed, widget=forms.Select)
        many = UnitsChoiceField(queryset=listed, widget=forms.SelectMultiple({"size": 8}))
        quick = UnitFilterField(
            queryset=listed, widget=QuickSelect(attrs={"data-unit-picker": "找单位"})
        )

    form = Form()
    for name in ("one", "many", "quick"):
        with django_assert_num_queries(1):
            html = str(form[name])
        assert 'data-unit-picker="' in html
        places = dict(
            re.findall(r'<option value="(\d+)" (data-level="\d+"(?: data-parent="\d+")?)', html)
        )
        assert places == {
            str(city.pk): 'data-level="0"',
            str(county.pk): f'data-level="1" data-parent="{city.pk}"',
            str(branch.pk): f'data-level="2" data-parent="{county.pk}"',
            str(other.pk): f'data-level="2" data-parent="{county.pk}"',
        }, name


def test_a_plain_quick_select_carries_no_tree():
    html = QuickSelect(choices=CHOICES).render("unit", None)
    assert "data-level" not in html and "data-parent" not in html
