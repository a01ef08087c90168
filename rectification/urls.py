from django.urls import path

from . import views
from .ledger_urls import urlpatterns as ledger_urlpatterns

app_name = "rectification"

urlpatterns: list = [
    path("", views.problem_list, name="problem-list"),
    path("problems/new/", views.problem_create, name="problem-create"),
    path("problems/<int:pk>/", views.problem_detail, name="problem-detail"),
    path("problems/<int:pk>/edit/", views.problem_edit, name="problem-edit"),
    path(
        "problems/<int:pk>/workflow/<str:action>/",
        views.problem_transition,
        name="problem-transition",
    ),
    path("problems/<int:pk>/measures/", views.measure_create, name="measure-create"),
    path("problems/<int:pk>/extensions/", views.extension_create, name="extension-create"),
    path("extensions/<int:pk>/<str:answer>/", views.extension_decide, name="extension-decide"),
    path("satisfaction/<int:pk>/survey/", views.satisfaction_document, name="satisfaction-survey"),
    path("measures/<int:pk>/edit/", views.measure_edit, name="measure-edit"),
    path("measures/<int:pk>/state/", views.measure_state, name="measure-state"),
    path("measures/<int:pk>/notes/", views.progress_note_create, name="note-create"),
    path("measures/<int:pk>/evidence/", views.evidence_create, name="evidence-create"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence-download"),
    path("verify/", views.verify_queue, name="verify-queue"),
    path("plans/", views.plan_list, name="plan-list"),
    path("plans/new/", views.plan_create, name="plan-create"),
    path("plans/<int:pk>/", views.plan_detail, name="plan-detail"),
    path("plans/<int:pk>/edit/", views.plan_edit, name="plan-edit"),
    path("plans/<int:pk>/milestones/", views.milestone_create, name="milestone-create"),
    path("plans/<int:pk>/document/", views.plan_document, name="plan-document"),
    path("milestones/<int:pk>/done/", views.milestone_done, name="milestone-done"),
    path("mechanisms/", views.mechanism_list, name="mechanism-list"),
    path("mechanisms/new/", views.mechanism_create, name="mechanism-create"),
    path("mechanisms/<int:pk>/", views.mechanism_detail, name="mechanism-detail"),
    path("mechanisms/<int:pk>/document/", views.mechanism_document, name="mechanism-document"),
    *ledger_urlpatterns,
]
