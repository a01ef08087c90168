from django.urls import path

from . import views

app_name = "dashboard"

urlpatterns = [
    path("", views.office, name="office"),
    path("leader/", views.leader, name="leader"),
    path("overseen/", views.overseen, name="scope"),
    path("leading-group/", views.leading_group, name="leading-group"),
]
