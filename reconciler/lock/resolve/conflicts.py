"""Lock stage, resolution: ``tool.uv.conflicts`` in a universal resolution (pure over values).

uv gives each conflicting extra or group of the project a fork of its own, where the others
are left out (``ForkedDependencies::fork``, after the marker forks), and marks each fork with
a universal marker: its PEP 508 environment and the active and inactive items
(``ResolverEnvironment::try_universal_markers``). Once the forks are merged, every marker is
told that no two items of a set are ever active together (``UniversalMarker::imbibe``), and an
edge from a node only reached with some items active assumes them
(``graph_ops::simplify_conflict_markers``). The lock records the fork markers as uv
canonicalizes them: PEP 508 parts only when those are disjoint, else the whole markers.

accord forks only on the conflicting extras and groups of the project it locks, and only when
nothing else forks; anything more is refused by name (``ConflictsUnsupported``).
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs
from packaging.utils import NormalizedName

from accord.model.conflicts import ConflictSets, conflict_marker, encode, item_marker
from accord.model.lock import ConflictItem
from accord.model.marker_tree import MarkerTree
from accord.reconciler.errors import SettingUnsupported
from accord.reconciler.lock.resolve.assemble import Graph, NodeKey, kept_versions
from accord.reconciler.lock.resolve.requirements import Req, identifier_of

__all__ = [
    "ConflictsUnsupported",
    "apply_conflicts",
    "check_supported",
    "conflict_forks",
]


class ConflictsUnsupported(SettingUnsupported):
    """A ``tool.uv.conflicts`` resolution accord cannot write as uv would."""

    def __init__(self, what: str) -> None:
        super().__init__(
            f"`tool.uv.conflicts` {what}: accord does not support this yet; it changes the "
            "lock, so accord will not resolve with it",
            hint="lock with uv (accord runs from a uv.lock that is up to date), "
            "or remove the setting",
        )


def check_supported(conflicts: ConflictSets, projects: Sequence[NormalizedName]) -> None:
    """Refuse what accord cannot lock as uv does: other packages' items, a whole project as
    an item, an item twice in one set, or a workspace of several members."""
    if not conflicts:
        return
    if len(projects) != 1:
        raise ConflictsUnsupported("in a workspace (or a script)")
    for items in conflicts:
        seen: set[ConflictItem] = set()
        for item in items:
            if item.package != projects[0]:
                raise ConflictsUnsupported(f"naming another package (`{item.package}`)")
            if item.extra is None and item.group is None:
                raise ConflictsUnsupported("naming a whole project")
            if item in seen:
                raise ConflictsUnsupported("naming an extra or group twice in one set")
            seen.add(item)


def _identifier(item: ConflictItem) -> str:
    return identifier_of(item.package, item.extra, item.group)


@attrs.frozen
class _Fork:
    marker: MarkerTree
    include: frozenset[ConflictItem]
    exclude: frozenset[ConflictItem]
    present: frozenset[ConflictItem]
    """The items whose root is still in this fork (uv's ``Fork::conflicts``)."""

    def filtered(self, rules: Sequence[tuple[ConflictItem, bool]]) -> _Fork | None:
        """uv's ``Fork::filter``: None when an item would be both included and excluded."""
        include, exclude = set(self.include), set(self.exclude)
        for item, active in rules:
            if item in (exclude if active else include):
                return None
            (include if active else exclude).add(item)
        marker = self.marker
        for item in include - self.include:
            marker = marker & item_marker(item)
        for item in exclude - self.exclude:
            marker = marker & ~item_marker(item)
        return _Fork(marker, frozenset(include), frozenset(exclude), self.present - exclude)


def conflict_forks(
    env: MarkerTree, roots: Sequence[Req], conflicts: ConflictSets
) -> list[tuple[MarkerTree, frozenset[str]]]:
    """The forks uv splits ``env`` into for the roots' conflicting extras and groups
    (``ForkedDependencies::fork``), in the order uv pushes them (the last is solved first):
    each with its universal marker and the root identifiers it leaves out."""
    present = {r.identifier for r in roots}
    items = {item for items in conflicts for item in items if _identifier(item) in present}
    # A fork seeded from a lock's conflict-marked `resolution-markers` starts with the items
    # its marker includes and excludes (uv's `initial_forked_states`).
    include = frozenset(i for i in items if env.implies(item_marker(i)))
    exclude = frozenset(i for i in items if env.implies(~item_marker(i)))
    forks = [_Fork(env, include, exclude, frozenset(items) - exclude)]
    for index, members in enumerate(conflicts):
        new: list[_Fork] = []
        for fork in forks:
            if not any(item in fork.present for item in members):
                new.append(fork)
                continue
            live = [item for item in members if item not in fork.exclude]
            if len(live) < 2 and not any(
                _live_elsewhere(item, index, conflicts, fork) for item in live
            ):
                kept = fork.filtered([(i, False) for i in members if i in fork.exclude])
                if kept is not None:
                    new.append(kept)
                continue
            candidates = [fork.filtered([(i, False) for i in members])]
            candidates += [fork.filtered([(i, i == chosen) for i in members]) for chosen in members]
            new += [candidate for candidate in candidates if candidate is not None]
        forks = new
    return [(fork.marker, frozenset(_identifier(i) for i in fork.exclude)) for fork in forks]


def _live_elsewhere(item: ConflictItem, index: int, conflicts: ConflictSets, fork: _Fork) -> bool:
    """Whether another set holds ``item`` and some other item ``fork`` does not exclude."""
    return any(
        other_index != index
        and item in other
        and any(o != item and o not in fork.exclude for o in other)
        for other_index, other in enumerate(conflicts)
    )


def apply_conflicts(graph: Graph, conflicts: ConflictSets) -> None:
    """uv's ``imbibe`` on every node and edge, then ``simplify_conflict_markers``."""
    world = conflict_marker(conflicts)
    outside = ~world
    graph.walked = graph.reach
    graph.reach = {key: outside | marker for key, marker in graph.reach.items()}
    graph.edges = {
        parent: {child: outside | marker for child, marker in children.items()}
        for parent, children in graph.edges.items()
    }
    graph.conflicted = True
    # Imbibed, a version no fork reached is reached where the conflicting items meet (uv
    # keeps it, so the name's edges carry versions).
    graph.versions = kept_versions(graph.reach)
    _simplify(graph, conflicts, world)


def _own_item(node: NodeKey) -> ConflictItem | None:
    if node.extra is not None:
        return ConflictItem(package=node.name, extra=node.extra)
    if node.group is not None:
        return ConflictItem(package=node.name, group=node.group)
    return None


def _children(graph: Graph, parent: NodeKey) -> list[NodeKey]:
    """The nodes ``parent`` has an edge to in uv's graph (an extra's edge to its own base
    is not one)."""
    return [
        child
        for child in graph.edges.get(parent, {})
        if not (parent.group is None and child.name == parent.name)
    ]


def _environment_only(marker: MarkerTree, world: MarkerTree) -> MarkerTree:
    """An edge whose conditions, where no two items of a set are active, are PEP 508 ones
    only: uv 0.13.8 writes those alone (observed: `fk-child; sys_platform == 'linux'`, not
    `... or (extra == 'extra-4-proj-x' and extra == 'extra-4-proj-y')`), but not ``false``."""
    within = marker.restrict(world)
    if within.is_false() or within != within.without_extras():
        return marker
    return within


def _simplify(graph: Graph, conflicts: ConflictSets, world: MarkerTree) -> None:
    # Which items are active on each path to a node (a set per distinct path kind).
    activated: dict[NodeKey, list[frozenset[ConflictItem]]] = {}
    roots = [p for p in graph.edges if not any(p in c for c in graph.edges.values())]
    queue = list(roots)
    seen: set[NodeKey] = set()
    while queue:
        parent = queue.pop()
        own = _own_item(parent)
        if own is not None:
            sets = activated.setdefault(parent, [frozenset()])
            activated[parent] = list(dict.fromkeys(s | {own} for s in sets))
        sets = activated.get(parent, [frozenset()])
        for child in _children(graph, parent):
            existing = activated.setdefault(child, [])
            change = False
            for found in sets:
                if found not in existing:
                    existing.append(found)
                    change = True
            if child not in seen or change:
                seen.add(child)
                queue.append(child)
    inferences: dict[NodeKey, list[list[tuple[ConflictItem, bool]]]] = {}
    for node, sets in activated.items():
        inferred = []
        for found in sets:
            facts: dict[tuple[ConflictItem, bool], None] = {}
            for item in found:
                for items in conflicts:
                    if item in items:
                        facts.update(((other, False), None) for other in items if other != item)
                facts[(item, True)] = None
            inferred.append(sorted(facts, key=lambda f: (encode(f[0]), f[1])))
        inferences[node] = inferred
    for parent, children in graph.edges.items():
        known = inferences.get(parent)
        if known is None:
            continue
        targets = _children(graph, parent)
        for child in list(children):
            if sum(1 for other in targets if other.name == child.name) <= 1:
                children[child] = _simplified(children[child], known)
            children[child] = _environment_only(children[child], world)


def _assume(marker: MarkerTree, item: ConflictItem, active: bool) -> MarkerTree:
    name = encode(item)
    if active:
        return marker.simplify_extras_with(lambda e: e == name)
    return marker.simplify_not_extras_with(lambda e: e == name)


def _simplified(marker: MarkerTree, known: list[list[tuple[ConflictItem, bool]]]) -> MarkerTree:
    satisfied = all(
        marker.with_extras({encode(item) for item, active in facts if active}).is_true()
        for facts in known
    )
    if satisfied:
        for facts in known:
            for item, active in facts:
                marker = _assume(marker, item, active)
        return marker
    # uv's unify_inference_sets: when every path's assumptions give the same marker.
    previous: MarkerTree | None = None
    for facts in known:
        candidate = marker
        for item, active in facts:
            candidate = _assume(candidate, item, active)
        if previous is not None and previous != candidate:
            return marker
        previous = candidate
    return marker if previous is None else previous
