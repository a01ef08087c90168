"""URLs of the ledger export and import (included by rectification/urls.py)."""

from django.urls import path

from . import ledger_views

urlpatterns: list = [
    path("ledger/export/", ledger_views.ledger_export, name="ledger-export"),
    path("ledger/import/", ledger_views.ledger_import_view, name="ledger-import"),
    path("ledger/import/<int:pk>/", ledger_views.ledger_import_job, name="ledger-import-job"),
]
