from django.urls import path

from . import views

app_name = "research"

urlpatterns = [
    path("", views.project_list, name="project-list"),
    path("new/", views.project_create, name="project-create"),
    path("<int:pk>/", views.project_detail, name="project-detail"),
    path("<int:pk>/edit/", views.project_edit, name="project-edit"),
    path("<int:pk>/attach/", views.project_attach, name="project-attach"),
    path("<int:pk>/findings/new/", views.finding_create, name="finding-create"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment-download"),
    path("reports/", views.report_list, name="report-list"),
    path("reports/new/", views.report_create, name="report-create"),
    path("reports/<int:pk>/", views.report_detail, name="report-detail"),
    path("reports/<int:pk>/edit/", views.report_edit, name="report-edit"),
    path("reports/<int:pk>/review/", views.report_review, name="report-review"),
    path("reports/review/", views.review_queue, name="review-queue"),
    path("reports/documents/<int:pk>/", views.document_download, name="document-download"),
    path("findings/solved/", views.solved_list, name="solved-list"),
    path("findings/<int:pk>/", views.finding_detail, name="finding-detail"),
    path("findings/<int:pk>/problem/", views.finding_to_problem, name="finding-problem"),
    path("findings/<int:pk>/solve/", views.finding_solve, name="finding-solve"),
    path("findings/<int:pk>/adopt/", views.finding_adopt, name="finding-adopt"),
    path("decisions/", views.decision_list, name="decision-list"),
    path("decisions/new/", views.decision_create, name="decision-create"),
    path("decisions/<int:pk>/", views.decision_detail, name="decision-detail"),
    path("decisions/<int:pk>/edit/", views.decision_edit, name="decision-edit"),
    path("compliance/", views.compliance, name="compliance"),
    path("ledger.xlsx", views.ledger_export, name="ledger-export"),
]
