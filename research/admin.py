from django.contrib import admin

from .models import Decision, Finding, ResearchProject, ResearchReport


@admin.register(ResearchProject)
class ResearchProjectAdmin(admin.ModelAdmin):
    list_display = ["topic", "lead", "unit", "method", "start_date", "end_date", "state"]
    list_filter = ["method", "state", "focus"]
    search_fields = ["topic"]
    raw_id_fields = ["lead", "unit", "participants", "campaign", "created_by"]


@admin.register(ResearchReport)
class ResearchReportAdmin(admin.ModelAdmin):
    list_display = ["title", "author", "unit", "written_on", "state"]
    list_filter = ["state"]
    search_fields = ["title"]
    raw_id_fields = ["author", "unit", "projects", "campaign", "created_by"]


@admin.register(Finding)
class FindingAdmin(admin.ModelAdmin):
    list_display = ["description", "kind", "unit", "problem", "solved_on"]
    list_filter = ["kind", "focus"]
    raw_id_fields = ["project", "report", "unit", "problem", "solved_by", "created_by"]


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):
    list_display = ["title", "unit", "decided_on"]
    search_fields = ["title"]
    raw_id_fields = ["unit", "projects", "reports", "campaign", "created_by"]
