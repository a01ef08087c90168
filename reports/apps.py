from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Weekly reports")

    def ready(self) -> None:
        from core import jobs

        from .models import WeeklyReport
        from .services import send_build

        jobs.register(WeeklyReport, send_build)
