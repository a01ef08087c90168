"""The weekly reports in the admin: a read-only list through the user's scope."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from accounts.roles import Action

from .models import WeeklyReport


@admin.register(WeeklyReport)
class WeeklyReportAdmin(admin.ModelAdmin):
    list_display = ("week", "unit", "campaign", "state", "page_count", "generated_at", "mailed_at")
    list_filter = ("state", "week")
    search_fields = ("unit__name", "unit__code", "week")
    list_select_related = ("unit", "campaign")
    readonly_fields = [field.name for field in WeeklyReport._meta.fields]

    def get_queryset(self, request: HttpRequest) -> QuerySet[WeeklyReport]:
        return super().get_queryset(request).visible_to(request.user, Action.EXPORT)  # type: ignore[attr-defined]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
