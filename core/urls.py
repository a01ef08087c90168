from django.urls import path

from . import audit_views, job_views

app_name = "core"

urlpatterns = [
    path("jobs/<int:pk>/", job_views.job_detail, name="job-detail"),
    path("jobs/<int:pk>/status/", job_views.job_status, name="job-status"),
    path("jobs/<int:pk>/download/", job_views.job_download, name="job-download"),
    path("audit/", audit_views.AuditEventListView.as_view(), name="audit-list"),
]
