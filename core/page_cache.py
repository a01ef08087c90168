"""The content of a list page, kept per person until something he may see changes.

A branch secretary opens her to-do, her activities and her problems many times between two
entries of her own; each time the page read and rendered the same rows. The content of such
a page (what its view renders inside the layout; the layout itself — menu, notifications,
messages, the campaign switcher — is read on every request) is kept in the cache under a
key that names everything it depends on:

- the page, its path and query (filters, page number);
- who: the user, his roles and the units they sit on (``permissions.scope_signature``),
  the campaign chosen, the language, the day (what is overdue or due soon);
- the version of everything his roles let him see (``core.unit_versions.scope_version``):
  the subtrees of the units of his roles, the own records of the units above them, and
  the global writes (tasks, users, campaigns). Any tracked write there — through a form,
  an import, the admin — moves it, so the next request renders afresh: never stale, and
  nothing to invalidate by hand.

Not for a superuser (his scope is everything: the cached content would move with every
write anywhere). Content kept this way holds no form that posts: its CSRF token would
outlive the session it was rendered for.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render as render_page
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from accounts import permissions

from .figures import cached_figures
from .unit_versions import scope_version

# A person opens a page every ten to thirty seconds while at work; what is kept longer
# than a few minutes is mostly content of versions his own writes have left behind.
TIMEOUT = 5 * 60


def page_content(
    request: HttpRequest, name: str, campaign: Any, render: Callable[[], SafeString]
) -> SafeString:
    """``render()`` (the page's content as HTML), kept until the user's scope moves."""
    user: Any = request.user
    subtrees = permissions.scope_paths(user)
    if not subtrees:  # a superuser, or someone with no role (who sees nothing)
        return render()
    above = {p for path in subtrees for p in permissions.ancestor_paths(path)[:-1]}
    return cached_figures(
        f"page-{name}",
        (
            user.pk,
            permissions.scope_signature(user),
            getattr(campaign, "pk", None),
            get_language(),
            request.get_full_path(),
        ),
        render,
        today=timezone.localdate(),
        version=scope_version(subtrees, above),
        timeout=TIMEOUT,
    )


def render_with_content(
    request: HttpRequest,
    page: str,
    content: str,
    campaign: Any,
    context: Callable[[], dict[str, Any]],
) -> HttpResponse:
    """The template ``page`` (the layout, the title) around the template ``content``
    rendered from ``context()``, kept as :func:`page_content` says: on a page served from
    the cache, ``context`` is not called, so nothing of the content is read."""

    def render_content() -> SafeString:
        # the layout's context processors are not run for the content: it gets what it
        # reads of the request itself
        return render_to_string(content, {**context(), "request": request, "user": request.user})

    html = page_content(request, content, campaign, render_content)
    return render_page(request, page, {"content": html})
