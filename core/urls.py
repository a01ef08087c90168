from django.urls import path

from . import job_views

app_name = "core"

urlpatterns = [
    path("jobs/<int:pk>/", job_views.job_detail, name="job-detail"),
    path("jobs/<int:pk>/status/", job_views.job_status, name="job-status"),
    path("jobs/<int:pk>/download/", job_views.job_download, name="job-download"),
]
