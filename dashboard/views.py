"""The office dashboard and the leader's home (read-only pages)."""

from __future__ import annotations

import hashlib
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.roles import Action
from core import charts
from core.figures import cached_figures
from core.replica import reads_from_replica
from core.unit_versions import subtree_version

from . import selectors
from .figures import units

# Narrow enough that the charts' text stays legible when a phone shrinks them to its width.
CHART_WIDTH = 440


def _charts(board: selectors.OfficeDashboard) -> dict[str, object]:
    """Server-rendered SVG charts; every number is also in the tables of the page."""
    rect = board.rectification
    return {
        "trend_chart": charts.stacked_bar_chart(
            _("Activities by week"),
            [p.week.strftime("%m-%d") for p in board.trend],
            [
                (_("Theory study"), [p.study for p in board.trend]),
                (_("Development"), [p.development for p in board.trend]),
            ],
            label_header=_("Week of"),
            width=CHART_WIDTH,
        ),
        "completion_chart": charts.bar_chart(
            _("Completion rate by workstream"),
            [(w.label, w.figures.completion_rate) for w in board.workstreams],
            suffix="%",
            max_value=100,
            label_header=_("Workstream"),
            value_header=_("Completion rate"),
            width=CHART_WIDTH,
        ),
        "source_chart": charts.bar_chart(
            _("Problems by source"),
            [(label, n) for label, _key, n in rect.by_source],
            label_header=_("Source"),
            value_header=_("Problems"),
            width=CHART_WIDTH,
        ),
    }


def _no_campaign(request: HttpRequest) -> HttpResponse:
    """Before the first campaign is set up: say so, and where to set it up."""
    if not permissions.has_any_role(request.user):
        raise Http404
    return render(
        request,
        "dashboard/no_campaign.html",
        {"can_create": permissions.acts_anywhere(request.user, Action.DEPLOY)},
    )


def _digest(*values: object) -> str:
    return hashlib.sha1(repr(values).encode()).hexdigest()  # noqa: S324 - a cache key


def _record(record: Any) -> tuple[object, ...]:
    """Everything a listed record shows: its fields and its unit's name."""
    fields = sorted((k, v) for k, v in vars(record).items() if not k.startswith("_"))
    unit = getattr(record, "unit", None)
    return (type(record).__name__, tuple(fields), getattr(unit, "name", None))


def _fragments(board: selectors.OfficeDashboard, *, may_urge: bool) -> dict[str, str]:
    """Keys of the parts of the figure block that are long to render (the tables of the
    units below, the signals' records): each the digest of everything it shows, so after a
    change only the parts whose content changed are rendered again."""
    language = get_language()

    def unit(u: Any) -> tuple[object, ...]:
        return (u.pk, u.code, u.name)

    def signal(s: Any) -> tuple[object, ...]:
        return (
            s.key,
            s.count,
            [
                (g.get("day"), g.get("count"), [_record(r) for r in g.get("records", [])])
                for g in s.groups
            ],
            [_record(r) for r in s.records],
        )

    return {
        "units": _digest(
            language,
            may_urge,
            board.unit.pk,
            [(unit(line.unit), line) for line in board.lagging],
            board.classes,
        ),
        "development_units": _digest(
            language, [(unit(row.unit), row.figures) for row in board.development_units]
        ),
        # one fragment per signal: an activity logged changes the copied summaries, rarely
        # the rush before a deadline (the longest list)
        **{f"signal_{key}": _digest(language, signal(s)) for key, s in board.signals.items()},
    }


@login_required
def office(request: HttpRequest) -> HttpResponse:
    campaign = getattr(request, "campaign", None)
    if not campaign:
        return _no_campaign(request)
    today = timezone.localdate()
    unit = selectors.focus_unit(request.user, campaign, request.GET.get("unit"))
    parts = (campaign.pk, unit.pk, permissions.scope_signature(request.user))

    ancestors = selectors.ancestors_of(request.user, campaign, unit)
    computed: list[selectors.OfficeDashboard] = []

    def board_of() -> selectors.OfficeDashboard:
        board = selectors.office_dashboard_rolled_up(
            user=request.user, campaign=campaign, unit=unit, today=today, version=version
        )
        board.ancestors = ancestors
        return board

    def figures() -> str:
        # The HTML block that shows the figures, in the request's language: it is most of
        # the page's rendering time and changes only with the data. Only the HTML is kept:
        # the figures behind it hold hundreds of records, as long to pickle as to count.
        board = board_of()
        computed.append(board)
        may_urge = permissions.acts_anywhere(request.user, Action.URGE)
        return render_to_string(
            "dashboard/_figures.html",
            {
                "board": board,
                "weights": units.WEIGHTS,
                "red_from": units.RED_FROM,
                "amber_from": units.AMBER_FROM,
                "may_urge": may_urge,
                "fragments": _fragments(board, may_urge=may_urge),
                **_charts(board),
            },
        )  # a SafeString, also once unpickled

    def read_board() -> selectors.OfficeDashboard:
        with reads_from_replica():
            return board_of()

    # The figures and their version may come from a read replica (core/replica.py); who
    # may see which unit was decided above, on the primary. The version is the unit's
    # subtree's: a write elsewhere leaves this page cached.
    with reads_from_replica():
        version = subtree_version(unit.path)
        html = cached_figures(
            "office-dashboard-html", (*parts, get_language()), figures, today=today, version=version
        )
    return render(
        request,
        "dashboard/office.html",
        {
            "figures_html": html,
            "unit": unit,
            "ancestors": ancestors,
            # the figures shown, for whoever reads the page's context: those just counted,
            # else counted when first read (from the blocks kept: no query on the tables)
            "board": computed[0] if computed else SimpleLazyObject(read_board),
            "campaign": campaign,
            "can_supervise": permissions.can(request.user, Action.SUPERVISE, unit),
        },
    )


@login_required
def leader(request: HttpRequest) -> HttpResponse:
    if not permissions.acts_anywhere(request.user, Action.LEAD):
        raise Http404
    campaign = getattr(request, "campaign", None)
    if not campaign:
        return _no_campaign(request)
    today = timezone.localdate()
    oversees = permissions.oversees_beside_tree(request.user)
    with reads_from_replica():
        home = selectors.leader_home(user=request.user, campaign=campaign, today=today)
        page = Paginator(home.problems, 25).get_page(request.GET.get("page"))
        portfolio = (
            selectors.overseen_board(user=request.user, campaign=campaign, today=today)
            if oversees
            else None
        )
        return render(
            request,
            "dashboard/leader.html",
            {
                "home": home,
                "page_obj": page,
                "problems": page.object_list,
                "today": today,
                "portfolio": portfolio,
                "may_urge": portfolio is not None
                and permissions.acts_anywhere(request.user, Action.URGE),
            },
        )


@login_required
def overseen(request: HttpRequest) -> HttpResponse:
    """The units of a leader's portfolio (分管) or of a department's sectors (行业系统):
    each one's progress, worst first, read-only; filtered by field."""
    if not permissions.oversees_beside_tree(request.user):
        raise Http404
    campaign = getattr(request, "campaign", None)
    if not campaign:
        return _no_campaign(request)
    today = timezone.localdate()
    board = selectors.overseen_board(
        user=request.user, campaign=campaign, today=today, domain=request.GET.get("domain", "")
    )
    return render(
        request,
        "dashboard/overseen.html",
        {
            "board": board,
            "campaign": campaign,
            "red_from": units.RED_FROM,
            # 催办: every unit of the page lies in his portfolio or sector
            "may_urge": permissions.acts_anywhere(request.user, Action.URGE),
        },
    )


@login_required
def leading_group(request: HttpRequest) -> HttpResponse:
    """The leading group: its member units, each one's duty and office contact, and what
    each did in the campaign (for everyone who follows the campaign)."""
    if not permissions.acts_anywhere(request.user, Action.OVERSEE):
        raise Http404
    campaign = getattr(request, "campaign", None)
    if not campaign:
        return _no_campaign(request)
    return render(
        request,
        "dashboard/leading_group.html",
        {"campaign": campaign, "lines": selectors.leading_group_board(campaign=campaign)},
    )
