from django.contrib import admin

from .models import Case, CasePhoto, SupervisionFinding, SupervisionVisit


class FindingInline(admin.TabularInline):
    model = SupervisionFinding
    extra = 0
    raw_id_fields = ["problem"]


@admin.register(SupervisionVisit)
class SupervisionVisitAdmin(admin.ModelAdmin):
    list_display = ["visited_on", "unit", "visitors", "follow_up_on", "follow_up_done_on"]
    list_filter = ["campaign"]
    search_fields = ["unit__name", "unit__code", "visitors"]
    raw_id_fields = ["unit", "created_by"]
    inlines = [FindingInline]


class CasePhotoInline(admin.TabularInline):
    model = CasePhoto
    extra = 0
    fields = ["original_name", "size", "uploaded_at"]
    readonly_fields = ["original_name", "size", "uploaded_at"]


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ["title", "unit", "state", "submitted_at"]
    list_filter = ["campaign", "state"]
    search_fields = ["title", "unit__name", "unit__code"]
    raw_id_fields = ["unit", "submitted_by", "reviewed_by"]
    inlines = [CasePhotoInline]
