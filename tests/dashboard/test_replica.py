"""Dashboards and exports read from a read replica when one is configured; writes never do.

The tests' settings configure a second database alias, ``replica``, that mirrors the test
database over its own connection (config/settings.py). Switching ``READ_REPLICA`` on sends
the marked reads there; the queries each connection ran show where the work happened.
"""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connections
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.replica import reads_from_replica
from rectification.models import Problem

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


def get(client, url, **params):
    """The response, and the queries run on the primary and on the replica."""
    cache.clear()
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections["replica"]) as replica,
    ):
        response = client.get(url, params)
    assert response.status_code == 200
    return response, primary.captured_queries, replica.captured_queries


def test_dashboards_and_exports_read_from_the_replica(client, people, dataset):
    client.force_login(people.city_office)
    url = reverse("dashboard:office")
    plain, plain_primary, plain_replica = get(client, url)
    assert plain_replica == []  # no replica configured: nothing is routed

    with override_settings(READ_REPLICA="replica"):
        routed, primary, replica = get(client, url)
        _, _, export_replica = get(client, reverse("research:ledger-export"))
        client.force_login(people.leader)
        _, _, leader_replica = get(client, reverse("dashboard:leader"))

    assert routed.context["board"] == plain.context["board"]
    # The figures' queries moved to the replica; the primary kept the request's own
    # (session, user, roles, campaign, scope).
    assert len(replica) >= 5
    assert len(primary) + len(replica) == len(plain_primary)
    assert export_replica
    assert leader_replica


def test_a_record_read_from_the_replica_is_saved_to_the_primary(dataset):
    with override_settings(READ_REPLICA="replica"):
        with reads_from_replica():
            problem = Problem.objects.order_by("pk").first()
            assert problem is not None
            assert problem._state.db == "replica"
            with CaptureQueriesContext(connections["default"]) as primary:
                problem.description = "回读后修改"
                problem.save(update_fields=["description"])
        assert any(q["sql"].startswith("UPDATE") for q in primary.captured_queries)
    assert Problem.objects.using("default").get(pk=problem.pk).description == "回读后修改"
