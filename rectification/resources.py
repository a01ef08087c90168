"""django-import-export resources for the plain Problem and Measure tables (admin).

The formatted ledger is ``ledger_export``/``ledger_import``; these serve the raw tables.
Every lookup goes through the importing user's scope: units, campaigns, people and
problems outside it do not exist for the resource. Related records are looked up once per
import (``CachedForeignKeyWidget``), and the admin passes
``rollback_on_validation_errors=True`` so that an import is all or nothing.

A plain table is no way round the rules (``rules.py``): a row may not move a problem or a
measure to a state the workflow would not take it to (a new problem is a draft; states
change through the pages), and a leader names himself as responsible leader, as the form
makes him.
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

from . import rules
from .models import Measure, MeasureState, Problem, ProblemState


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

    def validate_instance(
        self, instance: Any, import_validation_errors: Any = None, validate_unique: bool = True
    ) -> None:
        errors = dict(import_validation_errors or {})
        stored = Problem.objects.filter(pk=instance.pk).values_list("state", flat=True).first()
        if instance.state != (stored or ProblemState.DRAFT):
            errors["state"] = [
                _("A problem's state changes only through its workflow; keep “%(state)s”.")
                % {"state": ProblemState(stored or ProblemState.DRAFT).label}
            ]
        if instance.unit_id is not None:  # a unit out of scope is already the row's error
            refusal = rules.leader_refusal(self.user, instance, new=stored is None)
            if refusal:
                errors["responsible_leader"] = [refusal]
        super().validate_instance(instance, errors, validate_unique)

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

    def validate_instance(
        self, instance: Any, import_validation_errors: Any = None, validate_unique: bool = True
    ) -> None:
        errors = dict(import_validation_errors or {})
        stored = Measure.objects.filter(pk=instance.pk).values_list("state", flat=True).first()
        problem = getattr(instance, "problem", None) if instance.problem_id else None
        if problem is not None and instance.state != (stored or MeasureState.NOT_STARTED):
            if not rules.measure_can_move_to(problem, instance.state):
                errors["state"] = [
                    rules.measure_state_refusal(problem.state, instance.state)
                    or _("A problem that is “%(state)s” can no longer be changed.")
                    % {"state": problem.get_state_display()}
                ]
        super().validate_instance(instance, errors, validate_unique)

    def get_queryset(self) -> QuerySet[Measure]:
        if self.user is None:
            return Measure.objects.none()
        return (
            Measure.objects.visible_to(self.user)
            .select_related("problem", "responsible_person")
            .order_by("problem__unit__path", "problem__number", "order", "pk")
        )
