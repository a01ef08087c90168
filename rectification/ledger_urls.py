"""URLs of the ledger export and import (included by rectification/urls.py)."""

urlpatterns: list = []
