"""Form widgets and fields shared by the apps.

A list page's unit filter offers a city's departments and committees: hundreds of
options. Django's ``Select`` renders each option through a template include and a
``ModelChoiceField`` builds a model instance per option; for one dropdown that was the
largest part of a list page's time. ``QuickSelect`` writes the very same HTML in Python,
and ``UnitFilterField`` reads its choices as plain values.

A unit list with a search box (``data-unit-picker``, static/js/unitpicker.js) is shown as a
tree: each option says how deep it sits among the units listed (``data-level``, 0 at the
top) and under which listed unit (``data-parent``). Both are read from the units' tree paths,
which the list's one query already holds: no query per unit.
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
        # Read once (a model field's choices query each time), through iter(): list() on the
        # choices themselves would ask their len() first, a COUNT query.
        choices = list(iter(self.choices))
        tree = _tree_attrs(choices) if final_attrs.get("data-unit-picker") else {}
        parts = [f'<select name="{_escape(name)}"{_attrs(final_attrs)}>']
        has_selected = False
        for option_value, option_label in choices:
            if option_value is None:
                option_value = ""
            if isinstance(option_label, list | tuple):
                group, options = option_value, option_label
            else:
                group, options = None, [(option_value, option_label)]
            if group:
                parts.append(f'\n  <optgroup label="{_escape(group)}">')
            for subvalue, sublabel in options:
                selected = (not has_selected or self.allow_multiple_selected) and str(
                    subvalue
                ) in values
                has_selected |= selected
                parts.append(
                    f'\n  <option value="{_escape(subvalue)}"{tree.get(str(subvalue), "")}'
                    f"{' selected' if selected else ''}>{_escape(sublabel)}</option>\n"
                )
            if group:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # every value above is escaped


class QuickSelectMultiple(QuickSelect, forms.SelectMultiple):
    """``forms.SelectMultiple`` written the same way."""


def quick_widget(widget: Any) -> Any:
    """The quick twin of a plain ``Select``/``SelectMultiple`` (class or instance, with its
    attributes); any other widget as it is."""
    if widget is None:
        return None
    if isinstance(widget, type):
        widget = widget()
    if type(widget) is forms.Select:
        return QuickSelect(attrs=widget.attrs)
    if type(widget) is forms.SelectMultiple:
        return QuickSelectMultiple(attrs=widget.attrs)
    return widget


class UnitValue:
    """A unit option's value: its pk (compared and written as a model choice's value is),
    knowing the unit's tree path."""

    __slots__ = ("path", "value")

    def __init__(self, value: Any, path: str) -> None:
        self.value = value
        self.path = path

    def __str__(self) -> str:
        return str(self.value)

    def __hash__(self) -> int:
        return hash(self.value)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, UnitValue):
            other = other.value
        return bool(self.value == other)


def _path_of(value: Any) -> str | None:
    """The tree path of a unit option's value: ours, or a model choice's unit."""
    path = getattr(value, "path", None) or getattr(getattr(value, "instance", None), "path", None)
    return path if isinstance(path, str) else None


def _tree_attrs(choices: list[tuple[Any, Any]]) -> dict[str, str]:
    """``data-level``/``data-parent`` of each unit option, by option value: the parent is
    the nearest unit above it that is listed too (a scope may leave out the units between),
    the level counts the listed units above it."""
    by_path: dict[str, str] = {}
    for value, label in choices:
        if isinstance(label, list | tuple):
            continue  # an optgroup: no unit list has them
        path = _path_of(value)
        if path:
            by_path[path] = str(value)
    lengths = sorted({len(path) for path in by_path}, reverse=True)
    levels: dict[str, int] = {}
    attrs: dict[str, str] = {}
    for path in sorted(by_path, key=len):  # parents before their children
        parent = next((path[:n] for n in lengths if n < len(path) and path[:n] in by_path), None)
        level = levels[parent] + 1 if parent else 0
        levels[path] = level
        value = by_path[path]
        attrs[value] = f' data-level="{level}"' + (
            f' data-parent="{_escape(by_path[parent])}"' if parent else ""
        )
    return attrs


class _UnitValues(ModelChoiceIterator):
    def __iter__(self) -> Any:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for pk, name, code, path in self.queryset.values_list("pk", "name", "code", "path"):
            yield (UnitValue(pk, path), unit_label(name, code))


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
