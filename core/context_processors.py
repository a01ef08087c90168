"""Navigation for the base layout, by what the user may do.

An entry appears only when its URL exists and the user may do its action somewhere
(``permissions.acts_anywhere``, from the permission table), so each app adds its pages by
naming them here once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from accounts import permissions
from accounts.roles import Action

# (group label or None for a top-level link, [(url name, label, action)])
NAV: list[tuple[Any, list[tuple[str, Any, Action | Callable[[Any], bool]]]]] = [
    (None, [("home", _("Home"), Action.VIEW)]),
    (None, [("dashboard:office", _("Dashboard"), Action.OVERSEE)]),
    # 分管 and 行业系统: only for someone who holds a portfolio or a sector scope
    (None, [("dashboard:scope", _("Units I oversee"), permissions.oversees_beside_tree)]),
    (None, [("dashboard:leading-group", _("Leading group"), Action.OVERSEE)]),
    (
        _("Tasks"),
        [
            ("campaign:task-list", _("Tasks"), Action.OVERSEE),
            ("campaign:review-queue", _("Review"), Action.DEPLOY),
        ],
    ),
    (
        pgettext_lazy("menu", "Study"),
        [
            ("campaign:activity-list", _("Activities"), Action.VIEW),
            ("campaign:development-list", _("Development"), Action.VIEW),
            ("campaign:meeting-list", _("Review meetings"), Action.VIEW),
        ],
    ),
    (
        _("Research"),
        [
            ("research:project-list", _("Research"), Action.FOLLOW_RESEARCH),
            ("research:compliance", _("Research compliance"), Action.FOLLOW_RESEARCH),
            ("research:decision-list", _("Decisions"), Action.FOLLOW_RESEARCH),
            ("research:review-queue", _("Report review"), Action.REVIEW),
        ],
    ),
    (
        pgettext_lazy("menu", "Rectification"),
        [
            ("rectification:problem-list", _("Problems"), Action.VIEW),
            ("rectification:verify-queue", _("Verification"), Action.CLOSE),
            # the offices gather the units' ledgers; a branch enters its problems itself
            ("rectification:ledger-import", _("Import a ledger"), Action.DEPLOY),
            ("rectification:plan-list", _("Special plans"), Action.VIEW),
            ("rectification:mechanism-list", _("Mechanisms"), Action.VIEW),
        ],
    ),
    (
        pgettext_lazy("menu", "Supervision"),
        [
            ("supervision:visit-list", _("Supervision"), Action.OVERSEE),
            ("supervision:case-list", _("Model cases"), Action.VIEW),
            ("supervision:guidance-list", _("Guidance notes"), Action.OVERSEE),
        ],
    ),
    (
        _("Reports and bulletins"),
        [
            ("reports:list", pgettext_lazy("menu", "Reports"), Action.EXPORT),
            ("reports:bulletin-list", _("Work bulletins"), Action.OVERSEE),
        ],
    ),
    (
        pgettext_lazy("menu", "Admin"),
        [
            ("accounts:unit-list", _("Units and users"), Action.MANAGE),
            ("notifications:deliveries", _("Reminder deliveries"), Action.MANAGE),
            ("core:audit-list", _("Security log"), Action.MANAGE),
        ],
    ),
]


def _url(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    current = request.path
    items: list[dict[str, Any]] = []
    for group_label, links in _menu(user):
        shown = [
            {"url": url, "label": label, "active": _active(current, url)} for url, label in links
        ]
        if group_label is None:
            items.extend(shown)
        else:
            items.append(
                {
                    "label": group_label,
                    "children": shown,
                    "active": any(link["active"] for link in shown),
                }
            )
    return {"nav_items": items}


def _active(current: str, url: str) -> bool:
    return current == url if url == "/" else current.startswith(url)


# The menus worked out so far, by (kinds of role held, language): the menu's entries
# are decided by the permission table's rows for those roles, nothing else.
_MENUS: dict[tuple[Any, str | None], list[tuple[str | None, list[tuple[str, str]]]]] = {}
_MENUS_KEPT = 1024


def _menu(user: Any) -> list[tuple[str | None, list[tuple[str, str]]]]:
    """The entries the user may open, in the current language: (group label or None,
    [(url, label)]), worked out once per kinds of role and language, not on every page."""
    key = (permissions.roles_key(user), get_language())
    menu = _MENUS.get(key)
    if menu is None:
        if len(_MENUS) >= _MENUS_KEPT:
            _MENUS.clear()
        menu = _MENUS[key] = _menu_for(user)
    return menu


def _menu_for(user: Any) -> list[tuple[str | None, list[tuple[str, str]]]]:
    menu: list[tuple[str | None, list[tuple[str, str]]]] = []
    for group_label, entries in NAV:
        links = []
        for name, label, action in entries:
            allowed = (
                action(user)
                if callable(action) and not isinstance(action, Action)
                else permissions.acts_anywhere(user, action)  # type: ignore[arg-type]
            )
            if not allowed:
                continue
            url = _url(name)
            if url is not None:
                links.append((url, str(label)))
        if not links:
            continue
        if group_label is None or len(links) == 1:
            menu.extend((None, [link]) for link in links)
        else:
            menu.append((str(group_label), links))
    return menu
