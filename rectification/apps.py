from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RectificationConfig(AppConfig):
    name = "rectification"
    verbose_name = _("Self-review and rectification")

    def ready(self) -> None:
        from core import jobs
        from core.models import BackgroundJob

        from .ledger_jobs import IMPORT_JOB_KIND
        from .tasks import EXPORT_JOB_KIND, send_export, send_import

        jobs.register(BackgroundJob, send_export, kind=EXPORT_JOB_KIND)
        jobs.register(BackgroundJob, send_import, kind=IMPORT_JOB_KIND)
