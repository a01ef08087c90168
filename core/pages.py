"""What every page of the apps does the same way: the current campaign, a service's errors
on a form, pagination, and the unit dropdown.

Pagination has one rule: a list of history-tracked records keeps its total with the data
version (:class:`core.pagination.CachedCountPaginator`: any tracked write moves the
version, so the total is never stale); a list of anything else (notifications,
deliveries, reports, security events, which change without a history row) counts every
time.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from core.figures import is_tracked
from core.pagination import CachedCountPaginator
from core.widgets import QuickSelect, quick_widget

PAGE_SIZE = 25


def current_campaign(request: HttpRequest) -> Any:
    """The campaign the user works in (chosen or the newest he sees), or None."""
    campaign = getattr(request, "campaign", None)
    return campaign if campaign else None


def require_campaign(request: HttpRequest) -> Any:
    """The current campaign; a page that needs one answers 404 without it."""
    campaign = current_campaign(request)
    if campaign is None:
        raise Http404(_("No campaign is open to you."))
    return campaign


def apply_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's refusal next to the form's fields (or on top of the form)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            target = field if field in form.fields else None
            for e in errors:
                form.add_error(target, e)
    else:
        for message in error.messages:
            form.add_error(None, message)


def paginate(request: HttpRequest, items: Any, *, per_page: int = PAGE_SIZE) -> Any:
    """The requested page (``?page=``) of ``items``, by the rule above."""
    if isinstance(items, QuerySet) and is_tracked(items.model):
        paginator: Paginator = CachedCountPaginator(items, per_page)
    else:
        paginator = Paginator(items, per_page)
    return paginator.get_page(request.GET.get("page"))


#: The label of the search box a unit list gets (static/js/unitpicker.js).
UNIT_SEARCH_LABEL = _lazy("Type a name or code to find the unit")
#: What a unit list shown as a tree says of a searchable select (static/js/unitpicker.js):
#: its search box's label and the words before the names chosen.
UNIT_PICKER_ATTRS = {
    "data-unit-picker": UNIT_SEARCH_LABEL,
    "data-unit-picker-chosen": _lazy("Chosen: "),
}


def unit_picker_attrs(widget: forms.Widget) -> dict[str, Any]:
    """A visible unit list is searchable; a hidden one (a single unit) is not."""
    if isinstance(widget, forms.Select) and not widget.is_hidden:
        return dict(UNIT_PICKER_ATTRS)
    return {}


class UnitChoiceField(forms.ModelChoiceField):
    """A unit dropdown: "name（code）", the code telling apart units of the same name;
    searchable by name or code in the browser, shown there as a tree."""

    widget = QuickSelect

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["widget"] = quick_widget(kwargs.get("widget"))
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name}（{obj.code}）"

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        return {**super().widget_attrs(widget), **unit_picker_attrs(widget)}


def preselect_unit(field: forms.Field, units: QuerySet[Any], home: Any = None) -> None:
    """A required one-choice unit menu that does not waste a try: with one possible unit it
    is chosen and not asked (a hidden field, as the activity form does); with several, the
    user's home unit is chosen first."""
    ids = list(units.values_list("pk", flat=True)[:2])
    if len(ids) == 1:
        field.initial = ids[0]
        field.widget = forms.HiddenInput()
    elif home is not None and units.filter(pk=home.pk).exists():
        field.initial = home.pk
