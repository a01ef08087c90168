"""Admin for the plain rectification tables, with Excel import/export of Problem and Measure.

Imports are all or nothing and go through the importing user's scope (``resources.py``).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import XLSX
from import_export.forms import ImportForm

from .ledger_import import LedgerFileError, check_xlsx, upload_source
from .models import Measure, Problem
from .resources import MeasureResource, ProblemResource


class CheckedWorkbookImportForm(ImportForm):
    """Refuses non-xlsx, oversize and zip-bomb files before they are read."""

    def clean_import_file(self) -> Any:
        upload = self.cleaned_data["import_file"]
        try:
            check_xlsx(upload_source(upload))
        except LedgerFileError as exc:
            raise forms.ValidationError(str(exc)) from None
        upload.seek(0)
        return upload


class ScopedImportExportMixin(ImportExportMixin):
    formats = [XLSX]
    import_form_class = CheckedWorkbookImportForm

    def get_resource_kwargs(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        kwargs = super().get_resource_kwargs(request, *args, **kwargs)
        kwargs["user"] = request.user
        return kwargs

    def get_import_data_kwargs(self, **kwargs: Any) -> dict[str, Any]:
        kwargs = super().get_import_data_kwargs(**kwargs)
        # The default commits the good rows and leaves the bad ones out.
        kwargs["rollback_on_validation_errors"] = True
        kwargs["use_transactions"] = True
        return kwargs


@admin.register(Problem)
class ProblemAdmin(ScopedImportExportMixin, admin.ModelAdmin):
    resource_classes = [ProblemResource]
    list_display = ["__str__", "campaign", "unit", "category", "source", "type", "state"]
    list_filter = ["state", "type", "source"]
    search_fields = ["description", "unit__name", "unit__code"]
    raw_id_fields = ["unit", "responsible_leader", "responsible_unit", "responsible_person"]
    raw_id_fields += ["reported_by", "closed_by"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Problem]:
        return super().get_queryset(request).visible_to(request.user)  # type: ignore[attr-defined]


@admin.register(Measure)
class MeasureAdmin(ScopedImportExportMixin, admin.ModelAdmin):
    resource_classes = [MeasureResource]
    list_display = ["__str__", "problem", "state", "deadline"]
    list_filter = ["state"]
    search_fields = ["description"]
    raw_id_fields = ["problem", "responsible_person"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Measure]:
        return super().get_queryset(request).visible_to(request.user)  # type: ignore[attr-defined]
