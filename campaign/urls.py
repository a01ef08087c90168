from django.urls import path

from . import views

app_name = "campaign"

urlpatterns = [
    path("", views.todo, name="todo"),
    path("campaigns/", views.campaign_list, name="campaign-list"),
    path("campaigns/new/", views.campaign_create, name="campaign-create"),
    path("campaigns/<int:pk>/edit/", views.campaign_edit, name="campaign-edit"),
    path("tasks/", views.task_list, name="task-list"),
    path("tasks/new/", views.task_create, name="task-create"),
    path("tasks/<int:pk>/", views.task_detail, name="task-detail"),
    path("tasks/<int:pk>/edit/", views.task_edit, name="task-edit"),
    path("tasks/<int:pk>/deploy/", views.task_deploy_more, name="task-deploy"),
    path("tasks/<int:pk>/notice/", views.task_notice_add, name="task-notice-add"),
    path("tasks/notices/<int:pk>/", views.task_notice_file, name="task-notice-file"),
    path("assignments/", views.assignment_list, name="assignment-list"),
    path("assignments/<int:pk>/", views.assignment_detail, name="assignment-detail"),
    path("assignments/<int:pk>/start/", views.assignment_start, name="assignment-start"),
    path("assignments/<int:pk>/submit/", views.assignment_submit, name="assignment-submit"),
    path("assignments/<int:pk>/accept/", views.assignment_accept, name="assignment-accept"),
    path("assignments/<int:pk>/return/", views.assignment_return, name="assignment-return"),
    path("review/", views.review_queue, name="review-queue"),
    path("review/accept/", views.review_accept_selected, name="review-accept-selected"),
    path("activities/", views.activity_list, name="activity-list"),
    path("activities/new/", views.activity_create, name="activity-create"),
    path("activities/<int:pk>/", views.activity_detail, name="activity-detail"),
    path("activities/<int:pk>/edit/", views.activity_edit, name="activity-edit"),
    path("activities/files/<int:pk>/", views.activity_attachment, name="activity-attachment"),
    path("development/", views.development_list, name="development-list"),
    path("development/new/", views.development_create, name="development-create"),
    path("development/<int:pk>/", views.development_detail, name="development-detail"),
    path("development/<int:pk>/edit/", views.development_edit, name="development-edit"),
    path("development/<int:pk>/milestones/", views.milestone_add, name="development-milestone-add"),
    path(
        "development/<int:pk>/start/",
        views.development_move,
        {"to": "in_progress"},
        name="development-start",
    ),
    path(
        "development/<int:pk>/close/",
        views.development_move,
        {"to": "closed"},
        name="development-close",
    ),
    path("development/<int:pk>/verdict/", views.development_verdict, name="development-verdict"),
    path("development/<int:pk>/evidence/", views.development_upload, name="development-upload"),
    path(
        "development/files/<int:pk>/",
        views.development_attachment,
        name="development-attachment",
    ),
    path("milestones/<int:pk>/done/", views.milestone_done, name="milestone-done"),
]
