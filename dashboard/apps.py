from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    name = "dashboard"
    verbose_name = _("Dashboards and figures")

    def ready(self) -> None:
        from core import unit_versions

        from .versions import TOPICS, UNIT_PATHS, UNREAD

        unit_versions.register(UNIT_PATHS, TOPICS, UNREAD)
        # The triggers that keep the subtree versions, written after every migrate (sent
        # once per app with models; the dashboard has none, core keeps the table).
        post_migrate.connect(
            unit_versions.install,
            sender=apps.get_app_config("core"),
            dispatch_uid="dashboard-unit-versions",
        )
