from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and organisation")

    def ready(self) -> None:
        from core import jobs
        from core.models import BackgroundJob

        from .org_import_jobs import ORG_IMPORT_JOB_KIND
        from .tasks import send_org_import

        jobs.register(BackgroundJob, send_org_import, kind=ORG_IMPORT_JOB_KIND)
