from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from .models import OrgUnit, RoleAssignment, Sector, User


class RoleInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    autocomplete_fields = ["unit"]


@admin.register(User)
class TrackerUserAdmin(UserAdmin):
    list_display = ["username", "full_name", "title", "phone", "is_active"]
    search_fields = ["username", "full_name", "phone"]
    fieldsets = (
        *UserAdmin.fieldsets,
        (_("Profile"), {"fields": ("full_name", "phone", "title", "must_change_password")}),
    )
    inlines = [RoleInline]


@admin.register(OrgUnit)
class OrgUnitAdmin(TreeAdmin):
    form = movenodeform_factory(OrgUnit)
    list_display = ["name", "code", "kind", "sector"]
    search_fields = ["name", "code"]
    list_filter = ["kind", "sector"]


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "unit", "role"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__full_name", "unit__name", "unit__code"]
    autocomplete_fields = ["user", "unit"]
