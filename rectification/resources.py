"""django-import-export resources for the plain Problem and Measure tables (admin).

The formatted ledger is ``ledger_export``/``ledger_import``; these serve the raw tables.
Every lookup goes through the importing user's scope: units, campaigns, people and
problems outside it do not exist for the resource. Related records are looked up once per
import (``CachedForeignKeyWidget``), and the admin passes
``rollback_on_validation_errors=True`` so that an import is all or nothing.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from import_export import fields, resources
from import_export.widgets import CachedForeignKeyWidget

from accounts.models import OrgUnit, User
from accounts.roles import Action
from campaign.models import Campaign

from .models import Measure, Problem


class ScopedForeignKeyWidget(CachedForeignKeyWidget):
    """A cached foreign-key lookup over a fixed, already scoped queryset."""

    def __init__(self, model: Any, field: str = "pk", *, queryset: QuerySet[Any] | None = None):
        super().__init__(model, field)
        self.queryset = queryset

    def get_queryset(self, value: Any, row: Any, *args: Any, **kwargs: Any) -> QuerySet[Any]:
        if self.queryset is None:
            return self.model.objects.none()
        return self.queryset

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
        try:
            return super().clean(value, row, **kwargs)
        except ObjectDoesNotExist:
            # A validation error of the row (not a crash): the import is refused as a whole.
            raise ValueError(
                _("“%(value)s” is not among the records you may use.") % {"value": value}
            ) from None


def _fk(attribute: str, model: Any, field: str) -> fields.Field:
    return fields.Field(
        attribute=attribute, column_name=attribute, widget=ScopedForeignKeyWidget(model, field)
    )


class _ScopedResource(resources.ModelResource):
    """A resource that knows who imports or exports (``user``)."""

    def __init__(self, *, user: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.user = user

    def _scope(self, name: str, queryset: QuerySet[Any]) -> None:
        widget = self.fields[name].widget
        assert isinstance(widget, ScopedForeignKeyWidget)
        widget.queryset = queryset if self.user is not None else queryset.none()

    def _people(self) -> QuerySet[User]:
        if self.user is None:
            return User.objects.none()
        return User.objects.visible_to(self.user)


class ProblemResource(_ScopedResource):
    campaign = _fk("campaign", Campaign, "pk")
    unit = _fk("unit", OrgUnit, "code")
    responsible_leader = _fk("responsible_leader", User, "username")
    responsible_unit = _fk("responsible_unit", OrgUnit, "code")
    responsible_person = _fk("responsible_person", User, "username")

    class Meta:
        model = Problem
        fields = (
            "id",
            "campaign",
            "unit",
            "number",
            "category",
            "source",
            "description",
            "responsible_leader",
            "responsible_leader_name",
            "responsible_unit",
            "responsible_unit_name",
            "responsible_person",
            "responsible_person_name",
            "type",
            "deadline",
            "mass_concern",
            "long_unresolved",
            "discovered_on",
            "state",
            "remarks",
        )
        export_order = fields
        import_id_fields = ("id",)
        skip_unchanged = True
        report_skipped = False
        clean_model_instances = True

    def __init__(self, *, user: Any = None, **kwargs: Any) -> None:
        super().__init__(user=user, **kwargs)
        if user is not None:
            self._scope("campaign", Campaign.objects.visible_to(user))
            self._scope("unit", OrgUnit.objects.visible_to(user, Action.EDIT_PROBLEMS))
            self._scope("responsible_unit", OrgUnit.objects.visible_to(user))
            self._scope("responsible_leader", self._people())
            self._scope("responsible_person", self._people())

    def get_queryset(self) -> QuerySet[Problem]:
        if self.user is None:
            return Problem.objects.none()
        return (
            Problem.objects.visible_to(self.user)
            .select_related(
                "campaign", "unit", "responsible_leader", "responsible_unit", "responsible_person"
            )
            .order_by("unit__path", "number")
        )


class MeasureResource(_ScopedResource):
    problem = _fk("problem", Problem, "pk")
    responsible_person = _fk("responsible_person", User, "username")

    class Meta:
        model = Measure
        fields = (
            "id",
            "problem",
            "order",
            "description",
            "responsible_person",
            "responsible_person_name",
            "deadline",
            "state",
            "completed_on",
        )
        export_order = fields
        import_id_fields = ("id",)
        skip_unchanged = True
        report_skipped = False
        clean_model_instances = True

    def __init__(self, *, user: Any = None, **kwargs: Any) -> None:
        super().__init__(user=user, **kwargs)
        if user is not None:
            self._scope("problem", Problem.objects.visible_to(user, Action.EDIT_PROBLEMS))
            self._scope("responsible_person", self._people())

    def get_queryset(self) -> QuerySet[Measure]:
        if self.user is None:
            return Measure.objects.none()
        return (
            Measure.objects.visible_to(self.user)
            .select_related("problem", "responsible_person")
            .order_by("problem__unit__path", "problem__number", "order", "pk")
        )
