from django.urls import path  # noqa: F401

from .ledger_urls import urlpatterns as ledger_urlpatterns

app_name = "rectification"

urlpatterns: list = [*ledger_urlpatterns]
