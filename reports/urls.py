from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.report_list, name="list"),
    path("request/", views.report_request, name="request"),
    path("<int:pk>/", views.report_detail, name="detail"),
    path("<int:pk>/status/", views.report_status, name="status"),
    path("<int:pk>/download/", views.report_download, name="download"),
    path("bulletins/", views.bulletin_list, name="bulletin-list"),
    path("bulletins/<int:pk>/", views.bulletin_detail, name="bulletin-detail"),
    path(
        "bulletins/<int:pk>/draft.docx",
        views.bulletin_download,
        {"which": "draft"},
        name="bulletin-draft",
    ),
    path(
        "bulletins/<int:pk>/final/",
        views.bulletin_download,
        {"which": "final"},
        name="bulletin-final",
    ),
]
