from django.urls import path

from . import views

app_name = "supervision"

urlpatterns = [
    path("visits/", views.visit_list, name="visit-list"),
    path("visits/new/", views.visit_create, name="visit-create"),
    path("visits/<int:pk>/", views.visit_detail, name="visit-detail"),
    path("visits/<int:pk>/edit/", views.visit_edit, name="visit-edit"),
    path("visits/<int:pk>/findings/", views.finding_add, name="finding-add"),
    path("visits/<int:pk>/follow-up/", views.follow_up_done, name="follow-up-done"),
    path("cases/", views.case_list, name="case-list"),
    path("cases/new/", views.case_create, name="case-create"),
    path("cases/<int:pk>/", views.case_detail, name="case-detail"),
    path("cases/<int:pk>/edit/", views.case_edit, name="case-edit"),
    path("cases/<int:pk>/select/", views.case_select, name="case-select"),
    path("cases/<int:pk>/return/", views.case_return, name="case-return"),
    path("photos/<int:pk>/", views.case_photo, name="case-photo"),
    path("guidance/", views.guidance_list, name="guidance-list"),
    path("guidance/<int:pk>/", views.guidance_detail, name="guidance-detail"),
    path("guidance/<int:pk>/answer/", views.guidance_answer, name="guidance-answer"),
    path("guidance/<int:pk>/problems/", views.guidance_problems, name="guidance-problems"),
    path("guidance/<int:pk>/attachment/", views.guidance_document, name="guidance-document"),
]
