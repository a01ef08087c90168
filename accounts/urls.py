from django.contrib.auth import views as auth_views
from django.urls import path

from . import sso_views, views

app_name = "accounts"

urlpatterns = [
    path("login/", views.TrackerLoginView.as_view(), name="login"),
    path("sso/<str:platform>/", sso_views.sso_start, name="sso-start"),
    path("sso/<str:platform>/callback/", sso_views.sso_callback, name="sso-callback"),
    path("linked/", sso_views.linked_accounts, name="linked-accounts"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.TrackerPasswordChangeView.as_view(), name="password-change"),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="accounts/password_done.html"),
        name="password_change_done",
    ),
    path("units/", views.unit_list, name="unit-list"),
    path("units/<int:pk>/", views.unit_detail, name="unit-detail"),
    path("units/<int:pk>/add/", views.unit_create, name="unit-create"),
    path("units/<int:pk>/edit/", views.unit_edit, name="unit-edit"),
    path("users/", views.user_list, name="user-list"),
    path("users/add/", views.user_create, name="user-create"),
    path("users/<int:pk>/", views.user_detail, name="user-detail"),
    path("users/<int:pk>/edit/", views.user_edit, name="user-edit"),
    path("users/<int:pk>/reset-password/", views.user_reset_password, name="user-reset-password"),
    path("users/<int:pk>/roles/add/", views.role_add, name="role-add"),
    path("roles/<int:pk>/remove/", views.role_remove, name="role-remove"),
    path("import/", views.org_import, name="org-import"),
    path("import/<int:pk>/", views.org_import_job, name="org-import-job"),
]
