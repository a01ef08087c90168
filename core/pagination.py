"""Pagination of the list pages.

Counting a whole city's rows for the paginator's total (150,000 activities, 30,000
problems joined to the unit tree) cost more than everything else a list page does. The
total stays the same until a tracked record changes, so :class:`CachedCountPaginator`
keeps it with the data version of :mod:`core.figures` it was counted at (the newest
history-event id of every tracked table; any tracked write moves it).

Each request still runs exactly one query for the total, as a plain paginator does: it
reads the current data version and, only when that differs from the cached one, counts
(PostgreSQL evaluates the uncorrelated count subquery lazily, on first use). The cache
key is the list's own query, its SQL and parameters, so the viewer's scope, the campaign,
the filters and today's date all belong to it.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.functional import cached_property

from core.figures import TIMEOUT, version_sql


class CachedCountPaginator(Paginator):
    """A ``Paginator`` whose total is counted again only after tracked data changed."""

    @cached_property
    def count(self) -> int:
        object_list = self.object_list
        if not isinstance(object_list, QuerySet) or object_list._result_cache is not None:
            return super().count
        rows = object_list.order_by().values("pk")
        try:
            sql, params = rows.query.sql_with_params()
        except EmptyResultSet:
            return 0
        connection = connections[rows.db]
        raw = "|".join([rows.db, sql, repr(params)])
        key = "list-count:" + hashlib.sha1(raw.encode()).hexdigest()  # noqa: S324 - a cache key
        cached = cache.get(key)
        known_version, known_count = cached if cached else ("", None)
        query = (
            f"SELECT v.version, CASE WHEN v.version = %s THEN NULL "  # noqa: S608 - SQL of the ORM
            f"ELSE (SELECT COUNT(*) FROM ({sql}) AS counted) END "
            f"FROM (SELECT {version_sql(connection)} AS version) AS v"
        )
        with connection.cursor() as cursor:
            cursor.execute(query, [known_version, *params])
            version, counted = cursor.fetchone()
        if counted is None and known_count is not None:
            return int(known_count)
        if counted is None:  # cannot happen: no cached count means no version to match
            counted = rows.count()
        cache.set(key, (version, int(counted)), TIMEOUT)
        return int(counted)


def page_of(request: Any, queryset: Any, per_page: int) -> Any:
    """The requested page (``?page=``) of ``queryset``, its total cached as above."""
    return CachedCountPaginator(queryset, per_page).get_page(request.GET.get("page"))


def count_per_row(model: Any, field: str) -> Coalesce:
    """How many ``model`` rows point at each row of the outer query through ``field``.

    A correlated count, not a join with GROUP BY: a paginated list counts for the rows it
    shows only (PostgreSQL evaluates it after the sort and the limit), and keeps walking
    its index in order."""
    counts = (
        model.objects.filter(**{field: OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), 0)
