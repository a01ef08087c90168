"""Form widgets and fields shared by the apps.

A list page's unit filter offers a city's departments and committees: hundreds of
options. Django's ``Select`` renders each option through a template include and a
``ModelChoiceField`` builds a model instance per option; for one dropdown that was the
largest part of a list page's time. ``QuickSelect`` writes the very same HTML in Python,
and ``UnitFilterField`` reads its choices as plain values.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.models import ModelChoiceIterator
from django.utils.html import conditional_escape as _escape
from django.utils.safestring import SafeString, mark_safe


def _attrs(attrs: dict[str, Any]) -> str:
    """Like django/forms/widgets/attrs.html: False leaves a name out, True writes it bare."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            out.append(f" {_escape(name)}")
        else:
            out.append(f' {_escape(name)}="{_escape(value)}"')
    return "".join(out)


class QuickSelect(forms.Select):
    """``forms.Select`` with its markup written directly (the same HTML, option for
    option, as django/forms/widgets/select.html)."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        final_attrs = self.build_attrs(self.attrs, attrs)
        if self.allow_multiple_selected:
            final_attrs["multiple"] = True
        values = self.format_value(value)
        parts = [f'<select name="{_escape(name)}"{_attrs(final_attrs)}>']
        has_selected = False
        for option_value, option_label in self.choices:
            if option_value is None:
                option_value = ""
            if isinstance(option_label, list | tuple):
                group, choices = option_value, option_label
            else:
                group, choices = None, [(option_value, option_label)]
            if group:
                parts.append(f'\n  <optgroup label="{_escape(group)}">')
            for subvalue, sublabel in choices:
                selected = (not has_selected or self.allow_multiple_selected) and str(
                    subvalue
                ) in values
                has_selected |= selected
                parts.append(
                    f'\n  <option value="{_escape(subvalue)}"{" selected" if selected else ""}>'
                    f"{_escape(sublabel)}</option>\n"
                )
            if group:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # every value above is escaped


class _UnitValues(ModelChoiceIterator):
    def __iter__(self) -> Any:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for pk, name, code in self.queryset.values_list("pk", "name", "code"):
            yield (pk, unit_label(name, code))


def unit_label(name: str, code: str) -> str:
    return f"{name}（{code}）"


class UnitFilterField(forms.ModelChoiceField):
    """A unit chosen in a list filter: labelled "name（code）", rendered by
    :class:`QuickSelect`, its choices read without building a model per unit.
    Validation is the ``ModelChoiceField``'s (a unit of the given queryset)."""

    iterator = _UnitValues
    widget = QuickSelect

    def label_from_instance(self, obj: Any) -> str:
        return unit_label(obj.name, obj.code)
