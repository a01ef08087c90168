"""The office dashboard rolled up from figures kept per subtree.

Every unit with children has a *block*: the parts (``dashboard/figures/parts.py``) of its own
records and of each child's subtree, cached under the version of its subtree
(``core/unit_versions.py``), so a block stays valid until a record of that subtree changes.

- a unit whose children have no children of their own (a party committee and its branches)
  is counted from the tables, its parts grouped by child (one pass of grouped queries);
- a unit above (a county, the city, a province) sums its children's blocks, taken from the
  cache, and counts from the tables only its own records and those of its children without
  children (one pass over a handful of units);
- blocks missing from the cache are found level by level (one query a level gives the
  children of the missing blocks and their versions), then counted together: one pass for
  the committees of all levels, one pass for the units above, whatever their number.

After a change in one branch, the blocks on its path are missing: its committee is counted
again from the tables, the county and the city sum their children (the untouched ones from
the cache). The dashboard of a scope is then its block's parts added up; the children's
lines are the children's parts.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from django.core.cache import cache

from accounts.models import OrgUnit
from campaign.models import Campaign
from core.figures import TIMEOUT, cached_figures
from core.unit_versions import GLOBAL_TOPIC, Version, Versions, child_versions
from rectification.models import Problem
from research.models import Decision

from .figures import activities, development, rectification, research, signals
from .figures.base import children
from .figures.development import UnitDevelopment
from .figures.parts import (
    EVERY_GROUP_READS,
    GROUPS,
    Grouping,
    Part,
    by_domain,
    count_parts,
    joined,
    merged,
    workstream_figures,
)
from .figures.parts import trend as trend_of
from .figures.units import class_lines, line_of
from .periods import Period

T = TypeVar("T")
STEP = OrgUnit.steplen
# Above this many committees to count at once (a cold cache), one pass reads the whole
# scope rather than listing each committee's subtree.
LISTED_SUBTREES = 16
# Moves when a block holds something new (a block pickled before cannot be read after).
BLOCK_FORMAT = 2


@dataclass
class Block:
    """A unit's figures: ``parts`` by path (its own records', each child's subtree's) and
    their sum (kept, so that the unit above adds one part per child)."""

    parts: dict[str, Part]
    total: Part


def _block(parts: dict[str, Part]) -> Block:
    return Block(parts=parts, total=merged(parts.values()))


@dataclass
class _Node:
    id: int
    path: str
    numchild: int
    versions: Versions

    @property
    def depth(self) -> int:
        return len(self.path) // STEP

    @property
    def version(self) -> str:
        return self.versions.version


@dataclass
class _Piece:
    """Records counted from the tables, kept by group (``GROUPS``): a unit's subtree grouped
    by child (``subtree``), or the own records of a unit that sums its children, with those of
    its children without children (``units``)."""

    name: str  # in the cache keys
    versions: dict[str, Version]  # of its records, by topic, and the global writes'
    subtree: _Node | None = None
    units: dict[str, int] | None = None  # path -> id

    def key(self, campaign: Campaign, today: date) -> str:
        """One cache entry a piece: each group's parts with the version they were counted at
        (a committee's seven groups in one entry, not seven: a province holds 6,000)."""
        return _key(campaign, self.name, "", today, "parts")

    def version(self, group: str) -> str:
        topics = (*GROUPS[group], *EVERY_GROUP_READS, GLOBAL_TOPIC)
        return ",".join("{}.{}".format(*self.versions.get(t, (0, 0))) for t in topics)


def _key(campaign: Campaign, path: str, version: str, today: date, kind: str = "block") -> str:
    """The key of a unit's block (``kind`` "block"), of its sum alone ("sum": what the unit
    above reads, without unpickling every part) or of a piece's parts by group ("parts")."""
    raw = f"{BLOCK_FORMAT}|{campaign.pk}|{path}|{version}|{today.isoformat()}"
    return f"figures-{kind}:" + hashlib.sha1(raw.encode()).hexdigest()  # noqa: S324 - a key


def block_of(
    *, campaign: Campaign, unit: OrgUnit, period: Period, version: str, versions: Versions
) -> Block:
    """The block of ``unit`` (``version``: its subtree's, read before; ``versions``: by
    topic, ``core.unit_versions.versions_at``), from the cache or counted, with the blocks it
    needs below it."""
    today = period.as_of
    found = cache.get(_key(campaign, unit.path, version, today))
    if found is not None:
        return found  # type: ignore[no-any-return]
    top = _Node(unit.pk, unit.path, unit.numchild, versions)
    sums: dict[str, Part] = {}
    tables: list[_Node] = []  # counted from the tables, grouped by child
    rollups: list[tuple[_Node, list[_Node]]] = []  # the sum of their children
    missing = [top]
    while missing:
        depth = missing[0].depth
        below: dict[str, list[_Node]] = {}
        for row in child_versions([n.path for n in missing if n.numchild], depth + 1):
            node = _Node(*row)
            below.setdefault(node.path[: STEP * depth], []).append(node)
        wanted: dict[str, _Node] = {}
        for node in missing:
            kids = below.get(node.path, [])
            if not any(k.numchild for k in kids):
                tables.append(node)
                continue
            rollups.append((node, kids))
            for kid in kids:
                if kid.numchild:
                    wanted[_key(campaign, kid.path, kid.version, today, "sum")] = kid
        cached = cache.get_many(list(wanted)) if wanted else {}
        missing = []
        for key, kid in wanted.items():
            if key in cached:
                sums[kid.path] = cached[key]
            else:
                missing.append(kid)
    given = {top.path: version}
    fresh = _count(campaign, period, tables, rollups, sums, top.path)
    stored: dict[str, Any] = {}
    for n in _nodes(tables, rollups):
        at = given.get(n.path, n.version)
        stored[_key(campaign, n.path, at, today)] = fresh[n.path]
        stored[_key(campaign, n.path, at, today, "sum")] = fresh[n.path].total
    cache.set_many(stored, TIMEOUT)
    return fresh[top.path]


def _nodes(tables: list[_Node], rollups: list[tuple[_Node, list[_Node]]]) -> list[_Node]:
    return [*tables, *(node for node, _kids in rollups)]


def _pieces(tables: list[_Node], rollups: list[tuple[_Node, list[_Node]]]) -> list[_Piece]:
    """The pieces counted from the tables: a subtree per node of ``tables``, the own records
    of each node of ``rollups`` (its own rows' versions and its children's without
    children)."""
    pieces = [
        _Piece(name=node.path, versions=node.versions.subtree, subtree=node) for node in tables
    ]
    for node, kids in rollups:
        units = {node.path: node.id}
        rows: dict[str, list[Version]] = {}
        for topic, at in node.versions.own.items():
            rows.setdefault(topic, []).append(at)
        for kid in kids:
            if kid.numchild:
                continue
            units[kid.path] = kid.id
            for topic, at in kid.versions.subtree.items():
                if topic != GLOBAL_TOPIC:
                    rows.setdefault(topic, []).append(at)
        versions = {topic: _summed(ats) for topic, ats in rows.items()}
        versions[GLOBAL_TOPIC] = node.versions.subtree.get(GLOBAL_TOPIC, (0, 0))
        # which units are its own is part of the name: a child given a child of its own
        # leaves them
        ids = hashlib.sha1(",".join(map(str, units.values())).encode()).hexdigest()  # noqa: S324
        pieces.append(_Piece(name=f"own|{node.path}|{ids}", versions=versions, units=units))
    return pieces


def _summed(versions: list[Version]) -> Version:
    return (sum(n for n, _at in versions), max(at for _n, at in versions))


def _count(
    campaign: Campaign,
    period: Period,
    tables: list[_Node],
    rollups: list[tuple[_Node, list[_Node]]],
    cached: dict[str, Part],
    scope: str,
) -> dict[str, Block]:
    """The missing blocks: those of ``tables`` from their parts by child, the parts of each
    group taken from the cache or counted from the tables; those of ``rollups`` from their
    own records' parts (the same way) and their children's sums, the lowest first."""
    today = period.as_of
    pieces = _pieces(tables, rollups)
    keys = {piece.name: piece.key(campaign, today) for piece in pieces}
    found = cache.get_many(list(keys.values()))
    # a piece's entry: group -> (the version it was counted at, its parts by path); a group
    # whose version moved is counted again, and the entry written back
    entries: dict[str, dict[str, tuple[str, dict[str, Part]]]] = {
        piece.name: found.get(keys[piece.name]) or {} for piece in pieces
    }
    kept: dict[tuple[str, str], dict[str, Part]] = {}
    for piece in pieces:
        for group in GROUPS:
            at, parts = entries[piece.name].get(group, ("", {}))
            if at == piece.version(group):
                kept[(piece.name, group)] = parts
    changed: set[str] = set()
    for group in GROUPS:
        lacking = [piece for piece in pieces if (piece.name, group) not in kept]
        if lacking:
            kept.update(_count_group(campaign, period, group, lacking, scope))
            for piece in lacking:
                entries[piece.name][group] = (piece.version(group), kept[(piece.name, group)])
                changed.add(piece.name)
    cache.set_many({keys[name]: entries[name] for name in changed}, TIMEOUT)

    def of(piece: _Piece) -> dict[str, Part]:
        by_path: dict[str, list[Part]] = {}
        for group in GROUPS:
            for path, part in kept[(piece.name, group)].items():
                by_path.setdefault(path, []).append(part)
        return {path: joined(parts) for path, parts in by_path.items()}

    out: dict[str, Block] = {}
    own: dict[str, Part] = {}
    for piece in pieces:
        if piece.subtree is not None:
            out[piece.subtree.path] = _block(of(piece))
        else:
            own.update(of(piece))
    for node, kids in sorted(rollups, key=lambda r: -r[0].depth):
        summed: dict[str, Part] = {}
        if node.path in own:
            summed[node.path] = own[node.path]
        for kid in kids:
            if kid.numchild:
                summed[kid.path] = out[kid.path].total if kid.path in out else cached[kid.path]
            elif kid.path in own:
                summed[kid.path] = own[kid.path]
        out[node.path] = _block(summed)
    return out


def _count_group(
    campaign: Campaign, period: Period, group: str, pieces: list[_Piece], scope: str
) -> dict[tuple[str, str], dict[str, Part]]:
    """The parts of ``group`` of ``pieces``, counted from the tables: one pass per depth of
    the subtrees (usually one), the own records in the deepest."""
    counted: dict[str, dict[str, Part]] = {}
    by_depth: dict[int, list[_Node]] = {}
    owners: dict[str, str] = {}  # a unit counted on its own -> the piece it belongs to
    for piece in pieces:
        counted[piece.name] = {}
        if piece.subtree is not None:
            by_depth.setdefault(piece.subtree.depth, []).append(piece.subtree)
        else:
            owners.update(dict.fromkeys(piece.units or {}, piece.name))
    own_ids = tuple(unit_id for piece in pieces for unit_id in (piece.units or {}).values())
    deepest = max(by_depth, default=0)
    own_length = max((len(path) for path in owners), default=0)
    passes = sorted(by_depth) or ([0] if owners else [])
    for depth in passes:
        nodes = by_depth.get(depth, [])
        length = STEP * depth
        paths = {n.path for n in nodes}
        subtrees = tuple(sorted(paths)) if len(paths) <= LISTED_SUBTREES else (scope,)
        with_own = depth == deepest
        parts = count_parts(
            campaign=campaign,
            period=period,
            grouping=Grouping(
                subtrees=subtrees if nodes else (),
                length=max(length + STEP, own_length) if with_own else length + STEP,
                unit_ids=own_ids if with_own else (),
            ),
            groups=(group,),
        )
        for path, part in parts.items():
            if with_own and path in owners:
                counted[owners[path]][path] = part
            elif len(path) >= length and path[:length] in paths:
                counted[path[:length]][path] = part
    return {(name, group): found for name, found in counted.items()}


# ---------------------------------------------------------------- the dashboard's figures


def figures_of_block(
    *, campaign: Campaign, unit: OrgUnit, period: Period, block: Block, versions: Versions
) -> dict[str, Any]:
    """The office dashboard's figures from ``unit``'s block, as ``selectors.office_dashboard``
    names them (``versions``: of its subtree, by topic)."""
    today = period.as_of
    total = block.total
    # read over the whole scope, each cached under the version of the tables it reads
    topics = {topic: f"{n}.{at}" for topic, (n, at) in versions.subtree.items()}

    def over_scope(name: str, reads: tuple[str, ...], compute: Callable[[], T]) -> T:
        version = ",".join(topics.get(topic, "0") for topic in (*reads, GLOBAL_TOPIC))
        return cached_figures(
            f"scope-{name}", (campaign.pk, unit.path), compute, today=today, version=version
        )

    leaders = over_scope(
        "leaders",
        ("roles", "units"),
        lambda: research.leader_rows(campaign=campaign, unit=unit, period=period),
    )
    copied = over_scope(
        "copied",
        ("activities", "units"),
        # only the digests the block's parts found in another unit are looked up
        lambda: signals.copied_summaries(
            campaign=campaign, unit=unit, today=today, digests=total.copies
        ),
    )
    by_workstream = workstream_figures(total)
    decisions = research.DecisionFigures(
        **{"total": 0, "without_research": 0, **total.total("decisions")}
    )
    adoption = over_scope(
        "adoption",
        ("research", "units"),
        lambda: research.adoption_figures(campaign=campaign, unit=unit, period=period),
    )
    research_figures = research.research_of(
        leaders,
        total.total("projects"),
        total.total("reports"),
        adoption,
    )
    units = over_scope("children", ("units",), lambda: children(unit))
    child_parts = {c.path: block.parts.get(c.path, Part()) for c in units}
    lagging = sorted(
        (
            line_of(
                c,
                child_parts[c.path].total("assignments"),
                child_parts[c.path].total("problems"),
            )
            for c in units
        ),
        key=lambda line: (-line.score, line.unit.path),
    )
    return {
        "by_workstream": by_workstream,
        "trend": trend_of(total, period),
        "attendance": activities.attendance_of(total.total("attendance")),
        "research": research_figures.counts(decisions),
        "rectification": rectification.figures_of(total.total("problems")),
        "development": development.figures_of(total.total("development"), period),
        "development_units": [
            UnitDevelopment(
                unit=c,
                figures=development.figures_of(
                    child_parts[c.path].total("development"), period, split=False
                ),
            )
            for c in units
        ],
        "lagging": lagging,
        "classes": class_lines(unit, *by_domain(total)),
        "signals": {
            "copied": copied,
            "rush": signals.rush_signal(total.total("rush").get("n", 0), total.rush),
            # the records listed are read again only when their tables moved (not after an
            # activity logged)
            "no_evidence": signals.Signal(
                key="no_evidence",
                count=total.total("no_evidence").get("n", 0),
                records=over_scope(
                    "no-evidence",
                    ("problems", "units"),
                    lambda: _in_order(Problem, [pk for _at, pk in total.no_evidence]),
                ),
            ),
            "no_research": signals.Signal(
                key="no_research",
                count=decisions.without_research,
                records=over_scope(
                    "no-research",
                    ("decisions", "units"),
                    lambda: _in_order(Decision, [pk for _on, pk in total.no_research]),
                ),
            ),
        },
    }


def _in_order(model: Any, pks: list[int]) -> list[Any]:
    """The records of ``pks`` with their units, in that order (one query)."""
    by_pk = model.objects.select_related("unit").in_bulk(pks or [0])
    return [by_pk[pk] for pk in pks if pk in by_pk]
