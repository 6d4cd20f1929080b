"""Export, selection: which locked packages an export holds, under which marker (pure).

A port of uv's ``ExportableRequirements::from_lock`` (``uv-resolver/src/lock/export/mod.rs``)
for locks without conflict markers: the lock's graph is walked from the selected roots (the
projects, their extras and groups, the workspace's own groups), and each package's marker is
its *reachability*: the OR over every path from the roots of the AND of the edge markers on
it. The markers are the lock's own (already simplified against ``requires-python``), so no
further simplification happens, as in uv. The walk follows petgraph's order (outgoing edges
newest first, a stack of nodes) so that uv's order-dependent corner cases come out the same.

The renderers (``requirements.txt``, ``pylock.toml``) are in ``model.export_formats``.
"""

from __future__ import annotations

import enum
from collections import deque
from collections.abc import Iterable

import attrs
from packaging.utils import NormalizedName

from accord.model.desired import Selection, select_roots
from accord.model.lock import Dependency, Lock, LockedPackage, LockRequirement
from accord.model.marker_tree import MarkerTree
from accord.model.python_range import specifier_range

__all__ = ["ExportedPackage", "exportable_packages"]


@attrs.frozen(kw_only=True)
class ExportedPackage:
    """One locked package an export lists."""

    package: LockedPackage
    marker: MarkerTree
    """Where the package is needed: its reachability from the selected roots."""
    dependents: tuple[NormalizedName, ...]
    """The packages with an edge to it (sorted, unique); a root's own edge is not one."""


class _Kind(enum.Enum):
    PROD = "prod"
    OPTIONAL = "optional"
    DEV = "dev"


@attrs.frozen
class _Edge:
    source: int
    target: int
    kind: _Kind
    marker: MarkerTree
    dep_extras: tuple[NormalizedName, ...]
    label: NormalizedName | None = None
    """The extra (``OPTIONAL``) or group (``DEV``) the edge belongs to."""


_Item = tuple[str, NormalizedName, NormalizedName | None]
"""A conflict item: ``("package", name, None)``, ``("extra", name, e)``, ``("group", name, g)``."""


def _key(package: LockedPackage) -> tuple[str, str, str]:
    return (package.name, package.display_version, str(package.source))


class _Graph:
    """uv's export graph: node 0 is the root; the others are locked packages."""

    def __init__(self) -> None:
        self.nodes: list[LockedPackage | None] = [None]
        self.index: dict[tuple[str, str, str], int] = {}
        self.edges: list[_Edge] = []
        self.outgoing: list[list[int]] = [[]]
        self.incoming: list[list[int]] = [[]]

    def node(self, package: LockedPackage) -> int:
        key = _key(package)
        found = self.index.get(key)
        if found is None:
            found = self.index[key] = len(self.nodes)
            self.nodes.append(package)
            self.outgoing.append([])
            self.incoming.append([])
        return found

    def add(self, edge: _Edge) -> None:
        self.outgoing[edge.source].append(len(self.edges))
        self.incoming[edge.target].append(len(self.edges))
        self.edges.append(edge)


def _marker(edge: Dependency | LockRequirement) -> MarkerTree:
    return MarkerTree.parse(edge.marker)


def exportable_packages(
    lock: Lock, selection: Selection, *, workspace_groups: bool = True
) -> tuple[ExportedPackage, ...]:
    """The packages an export of ``selection`` lists, in the graph's order (unsorted).

    ``workspace_groups``: the workspace root's own groups (``[manifest.dependency-groups]``)
    count; uv leaves them out when one member is the target (``--package``, or a member's
    directory).

    Virtual packages are included (a renderer leaves them out, as uv does); packages whose
    marker can never hold are not. Raises ``SelectionUnknown`` for an extra or group that no
    selected root defines.
    """
    graph = _Graph()
    queue: deque[tuple[LockedPackage, NormalizedName | None]] = deque()
    seen: set[tuple[tuple[str, str, str], NormalizedName | None]] = set()
    known: dict[_Item, MarkerTree] = {}

    selected = select_roots(lock, selection, workspace_groups=workspace_groups)
    groups = set(selected.groups)
    target_of = lock.targets()  # packages by name, not searched for each edge

    def push(package: LockedPackage, extras: Iterable[NormalizedName]) -> None:
        for extra in (None, *extras):
            if (_key(package), extra) not in seen:
                seen.add((_key(package), extra))
                queue.append((package, extra))

    for root in selected.packages:
        known[("package", root.name, None)] = MarkerTree.TRUE
        if not selection.only_groups:
            graph.add(_Edge(0, graph.node(root), _Kind.PROD, MarkerTree.TRUE, ()))
            queue.append((root, None))
            for extra, _ in root.optional_dependencies:
                if selection.all_extras or extra in selection.extras:
                    queue.append((root, extra))
                    known[("extra", root.name, extra)] = MarkerTree.TRUE
        for group, edges in root.dev_dependencies:
            if group not in groups:
                continue
            known[("group", root.name, group)] = MarkerTree.TRUE
            for dependency in edges:
                target = target_of(dependency)
                if target is None:
                    continue
                graph.add(
                    _Edge(
                        0,
                        graph.node(target),
                        _Kind.DEV,
                        _marker(dependency),
                        dependency.extras,
                        group,
                    )
                )
                push(target, dependency.extras)

    # Requirements of the lock itself: a script's, and a virtual workspace root's groups.
    requirements: list[Dependency | LockRequirement] = list(lock.manifest_requirements)
    for group, edges in selected.manifest_groups:
        if group in groups:
            requirements.extend(edges)
    python = specifier_range(lock.requires_python)
    for requirement in requirements:
        for package in lock.packages_named(requirement.name):
            marker = _marker(requirement)
            if package.resolution_markers:
                forks = MarkerTree.FALSE
                for fork in package.resolution_markers:
                    forks = forks | MarkerTree.parse(fork)
                marker = forks & marker
            if marker.is_false():
                continue
            marker = marker.simplify_python_versions(*python)
            graph.add(_Edge(0, graph.node(package), _Kind.PROD, marker, requirement.extras))
            push(package, requirement.extras)

    while queue:
        parent, active_extra = queue.popleft()
        index = graph.index[_key(parent)]
        dependencies = (
            parent.dependencies if active_extra is None else (parent.extra(active_extra) or ())
        )
        for dependency in dependencies:
            target = target_of(dependency)
            if target is None:
                continue
            kind = _Kind.PROD if active_extra is None else _Kind.OPTIONAL
            graph.add(
                _Edge(
                    index,
                    graph.node(target),
                    kind,
                    _marker(dependency),
                    dependency.extras,
                    active_extra,
                )
            )
            push(target, dependency.extras)

    reach = _reachability(graph, known)
    exported = []
    for index, node in enumerate(graph.nodes):
        if node is None:
            continue
        marker = reach.get(index, MarkerTree.FALSE)
        if marker.is_false():
            continue
        dependents = set()
        for edge in graph.incoming[index]:
            source = graph.nodes[graph.edges[edge].source]
            if source is not None:
                dependents.add(source.name)
        exported.append(
            ExportedPackage(package=node, marker=marker, dependents=tuple(sorted(dependents)))
        )
    return tuple(exported)


def _reachability(graph: _Graph, known: dict[_Item, MarkerTree]) -> dict[int, MarkerTree]:
    """uv's ``conflict_marker_reachability`` without conflict markers to resolve.

    The per-node maps of when each extra or group is active still matter: an optional edge
    holds only where its extra was asked for.
    """
    maps: dict[int, dict[_Item, MarkerTree]] = {}
    reach: dict[int, MarkerTree] = {}
    stack = [index for index in range(len(graph.nodes)) if not graph.incoming[index]]
    for index in stack:
        reach[index] = MarkerTree.TRUE
    while stack:
        parent_index = stack.pop()
        parent = graph.nodes[parent_index]
        # petgraph walks a node's outgoing edges newest first.
        for edge_index in reversed(graph.outgoing[parent_index]):
            edge = graph.edges[edge_index]
            parent_marker = reach[parent_index]
            parent_map = dict(maps.get(parent_index, known))
            child = graph.nodes[edge.target]
            if child is not None:
                for extra in edge.dep_extras:
                    parent_map[("extra", child.name, extra)] = parent_marker
            marker = edge.marker
            if edge.kind is _Kind.OPTIONAL:
                assert edge.label is not None
                if parent is not None:
                    item: _Item = ("extra", parent.name, edge.label)
                    active = parent_map.setdefault(item, parent_marker)
                else:
                    active = parent_marker
                marker = marker & active
            elif edge.kind is _Kind.DEV and parent is not None:
                assert edge.label is not None
                parent_map[("group", parent.name, edge.label)] = parent_marker
            parent_map = {item: value & marker for item, value in parent_map.items()}
            parent_marker = parent_marker & marker

            child_map = maps.get(edge.target)
            if child_map is None:
                maps[edge.target] = parent_map
            else:
                for item, value in parent_map.items():
                    child_map[item] = child_map.get(item, MarkerTree.FALSE) | value

            existing = reach.get(edge.target)
            if existing is None:
                reach[edge.target] = parent_marker
                stack.append(edge.target)
            else:
                combined = parent_marker | existing
                if combined != existing:
                    reach[edge.target] = combined
                    stack.append(edge.target)
    return reach
