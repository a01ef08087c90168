from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportMixin
from import_export.formats.base_formats import XLSX
from import_export.forms import ImportForm
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from .models import OrgUnit, RoleAssignment, Sector, User
from .org_import import WorkbookRefused, check_workbook_file
from .resources import OrgUnitResource, UserResource


class WorkbookImportForm(ImportForm):
    """Refuses non-xlsx, oversize and zip-bomb files before they are read."""

    def clean_import_file(self) -> Any:
        upload = self.cleaned_data["import_file"]
        try:
            check_workbook_file(upload, name=upload.name, size=upload.size)
        except WorkbookRefused as exc:
            raise forms.ValidationError(str(exc)) from None
        return upload


class AllOrNothingImportMixin(ImportMixin):
    formats = [XLSX]
    import_form_class = WorkbookImportForm

    def get_import_data_kwargs(self, **kwargs: Any) -> dict[str, Any]:
        kwargs = super().get_import_data_kwargs(**kwargs)
        # The default commits the good rows and leaves the bad ones out.
        kwargs["rollback_on_validation_errors"] = True
        kwargs["use_transactions"] = True
        return kwargs


class RoleInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    autocomplete_fields = ["unit"]


@admin.register(User)
class TrackerUserAdmin(AllOrNothingImportMixin, UserAdmin):
    resource_classes = [UserResource]
    list_display = ["username", "full_name", "title", "phone", "is_active"]
    search_fields = ["username", "full_name", "phone"]
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        (_("Profile"), {"fields": ("full_name", "phone", "title", "must_change_password")}),
    )
    inlines = [RoleInline]


@admin.register(OrgUnit)
class OrgUnitAdmin(AllOrNothingImportMixin, TreeAdmin):
    resource_classes = [OrgUnitResource]
    # The robot address holds the group's key: set on the unit's page, shown masked there.
    form = movenodeform_factory(OrgUnit, exclude=["webhook_url"])
    list_display = ["name", "code", "kind", "sector"]
    search_fields = ["name", "code"]
    list_filter = ["kind", "sector"]


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "supervisor"]
    raw_id_fields = ["supervisor"]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "unit", "role"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__full_name", "unit__name", "unit__code"]
    autocomplete_fields = ["user", "unit"]
