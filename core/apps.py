from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Shared building blocks")

    def ready(self) -> None:
        from . import audit  # noqa: F401 - connects the login signal receivers
        from .figures import install_version_function

        # the data version's function, written after every migrate from the history tables
        post_migrate.connect(install_version_function, sender=self, dispatch_uid="core-version")
