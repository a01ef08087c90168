from django.contrib import admin
from django.urls import include, path

from campaign import views as campaign_views
from core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("campaign/choose/", campaign_views.choose_campaign, name="choose-campaign"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("core/", include("core.urls")),
    path("accounts/", include("accounts.urls")),
    path("campaign/", include("campaign.urls")),
    path("research/", include("research.urls")),
    path("rectification/", include("rectification.urls")),
    path("dashboard/", include("dashboard.urls")),
    path("notifications/", include("notifications.urls")),
    path("reports/", include("reports.urls")),
    path("supervision/", include("supervision.urls")),
    path("admin/", admin.site.urls),
]
