"""Lock stage, resolution: solved forks merged into the graph uv writes (pure over values).

Follows uv's ``ResolverOutput`` and ``Lock::from_resolution``: nodes are the union of the
forks' choices; an edge's marker is its requirement's marker and the fork's environment,
OR-ed over the forks that have it; a node's reachability is the OR over its parents of
(parent reachability and edge), starting from the OR of the forks; unreachable nodes go.
A name chosen at several versions gets ``resolution-markers`` (the forks that reach each
version) and ``version``/``source`` on every edge to it. An edge's written marker is
simplified by ``requires-python`` and by what its parent's reachability already implies.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence

import attrs
from packaging.markers import Marker
from packaging.utils import NormalizedName
from packaging.version import Version

from accord.model.lock import Dependency, Source
from accord.model.marker_tree import MarkerTree
from accord.model.python_range import PythonRange
from accord.reconciler.lock.resolve.forks import ForkResult
from accord.reconciler.lock.resolve.requirements import Candidate

__all__ = ["Graph", "NodeKey", "canonical_fork_markers", "edge_marker", "merge_forks"]


@attrs.frozen(cache_hash=True)
class NodeKey:
    name: NormalizedName
    version: Version
    extra: NormalizedName | None = None
    group: NormalizedName | None = None
    source: str | None = None
    """``Candidate.source``: set for a name whose source is chosen by marker."""
    _base: NodeKey | None = attrs.field(default=None, init=False, eq=False, repr=False)

    @property
    def base(self) -> NodeKey:
        """The node of the package itself (made once: asked for every edge, many times)."""
        if self._base is None:
            plain = self.extra is None and self.group is None
            base = self if plain else NodeKey(self.name, self.version, source=self.source)
            object.__setattr__(self, "_base", base)
            return base
        return self._base


_ROOT_KEY = NodeKey(NormalizedName(":"), Version("0"))
_ZERO = Version("0")


@functools.lru_cache(maxsize=4096)
def edge_marker(text: str) -> Marker:
    """The marker of an edge, parsed once per text (edges repeat a few markers many times)."""
    return Marker(text)


@attrs.define
class Graph:
    """The merged forks: nodes, OR-ed edge markers, and each node's reachability."""

    forks: tuple[MarkerTree, ...]
    python: PythonRange
    edges: dict[NodeKey, dict[NodeKey, MarkerTree]]
    """parent -> child (a base node, or an extra node for an edge with that extra) -> marker."""
    reach: dict[NodeKey, MarkerTree]
    versions: dict[NormalizedName, list[Version]]
    conflicted: bool = False
    """Markers carry conflict items (``tool.uv.conflicts``): fork markers are written as uv
    canonicalizes them."""
    walked: dict[NodeKey, MarkerTree] = attrs.field(factory=dict)
    """With conflicts: each node's reachability before the conflicts' world knowledge was
    imbibed (``reach`` is true wherever conflicting items meet)."""

    def simplify(self, marker: MarkerTree) -> MarkerTree:
        return marker.simplify_python_versions(*self.python)

    def nodes(self) -> list[NodeKey]:
        return sorted(
            (key for key, reach in self.reach.items() if not reach.is_false() and key != _ROOT_KEY),
            key=lambda k: (k.name, k.version, k.extra or "", k.group or "", k.source or ""),
        )

    def is_duplicated(self, name: NormalizedName) -> bool:
        return len(self.versions.get(name, ())) > 1

    def resolution_markers(self, key: NodeKey) -> tuple[Marker, ...]:
        """The fork markers, in completion order, that reach a version of a duplicated name."""
        if not self.is_duplicated(key.name):
            return ()
        return self._fork_markers(
            fork for fork in self.forks if not fork.is_disjoint(self.reach[key])
        )

    def top_markers(self) -> tuple[Marker, ...]:
        return self._fork_markers(self.forks)

    def _fork_markers(self, forks: Iterable[MarkerTree]) -> tuple[Marker, ...]:
        if self.conflicted:
            return _markers(canonical_fork_markers(forks, self.python))
        return _markers(self.simplify(fork) for fork in forks)

    def _context(self, parent: NodeKey, reach: MarkerTree) -> MarkerTree:
        """What holds wherever ``parent`` is reached, for its edges: its reachability. With
        ``tool.uv.conflicts``, only the Python versions of the reachability the graph walk
        gave it (every other variable quantified out), before the world knowledge made it
        true wherever conflicting items meet. Observed of uv 0.13.8: urllib3's textual,
        reached below Python 3.15 only, writes its platformdirs edges within
        `python_full_version < '3.15'`; fk-gap, reached below 3.11 and from 3.13 on, writes
        its `python_version >= '3.12'` edge as `python_full_version >= '3.13'`; but fk-b 2.0,
        reached on Linux only, still writes `fk-c; sys_platform == 'linux'`. A version the
        walk reaches nowhere (kept only where conflicting items meet) writes its edges as the
        forks that resolved them gave them."""
        if self.conflicted:
            walked = self.walked.get(parent, MarkerTree.FALSE)
            if walked.is_false():
                return MarkerTree.TRUE
            return walked.python_projection()
        return reach

    def dependencies(
        self,
        parent: NodeKey,
        source_of: Mapping[NodeKey, Source],
        provided: Mapping[NodeKey, frozenset[NormalizedName]],
        unversioned: Collection[NodeKey] = (),
    ) -> tuple[Dependency, ...]:
        """The edges written under ``parent`` (a base, extra or group node); ``unversioned``:
        the nodes the lock writes no version for (source trees whose version is dynamic)."""
        reach = self.reach.get(parent, MarkerTree.FALSE)
        context = self.simplify(self._context(parent, reach).without_extras())
        grouped: dict[tuple[NodeKey, str | None], set[NormalizedName]] = {}
        for child, marker in self.edges.get(parent, {}).items():
            if child.base == parent.base and parent.group is None:
                continue  # an extra's own base, or a package naming itself
            if not marker.is_false() and (marker & reach).is_false():
                continue
            if self.reach.get(child, MarkerTree.FALSE).is_false():
                continue  # a version the lock leaves out (never reached): no edge to it
            written = self.simplify(marker).restrict(context)
            text = written.to_string()
            extras = grouped.setdefault((child.base, text), set())
            if child.extra is not None and child.extra in provided.get(child.base, frozenset()):
                extras.add(child.extra)
        edges = []
        for (child, text), extras in grouped.items():
            duplicated = self.is_duplicated(child.name)
            edges.append(
                Dependency(
                    name=child.name,
                    version=child.version if duplicated and child not in unversioned else None,
                    source=source_of.get(child) if duplicated else None,
                    extras=tuple(sorted(extras)),
                    marker=None if text is None else edge_marker(text),
                )
            )
        return tuple(
            sorted(
                edges,
                key=lambda e: (e.name, e.version or _ZERO, e.extras, str(e.marker or "")),
            )
        )


def canonical_fork_markers(forks: Iterable[MarkerTree], python: PythonRange) -> list[MarkerTree]:
    """uv's ``canonical_marker_trees``: the PEP 508 parts (once each) when they are pairwise
    disjoint, else the whole markers; simplified by ``requires-python``; ``true`` dropped."""
    forks = list(forks)
    pep508: list[MarkerTree] = []
    for fork in forks:
        simplified = fork.without_extras().simplify_python_versions(*python)
        if simplified not in pep508:
            pep508.append(simplified)
    overlap = any(
        not first.is_disjoint(second)
        for i, first in enumerate(pep508)
        for second in pep508[i + 1 :]
    )
    chosen = [fork.simplify_python_versions(*python) for fork in forks] if overlap else pep508
    return [marker for marker in chosen if not marker.is_true()]


def _markers(trees: Iterable[MarkerTree]) -> tuple[Marker, ...]:
    seen: list[str] = []
    for tree in trees:
        text = tree.to_string()
        if text is not None and text not in seen:
            seen.append(text)
    return tuple(Marker(text) for text in seen)


def _node(candidate: Candidate) -> NodeKey:
    return NodeKey(
        candidate.name,
        candidate.version,
        NormalizedName(candidate.extra) if candidate.extra else None,
        NormalizedName(candidate.group) if candidate.group else None,
        candidate.source,
    )


def merge_forks(forks: Sequence[ForkResult], roots: Sequence[str], python: PythonRange) -> Graph:
    """Merge the solved forks (uv's ``ResolverOutput::from_state`` and reachability)."""
    edges: dict[NodeKey, dict[NodeKey, MarkerTree]] = defaultdict(dict)
    made: dict[int, NodeKey] = {}  # by candidate: the forks share the pins made before a split

    def node(candidate: Candidate) -> NodeKey:
        key = made.get(id(candidate))
        if key is None:
            key = made[id(candidate)] = _node(candidate)
        return key

    for fork in forks:
        for identifier in roots:
            candidate = fork.pins.get(identifier)
            if candidate is None:
                continue
            child = node(candidate)
            known = edges[_ROOT_KEY].get(child, MarkerTree.FALSE)
            edges[_ROOT_KEY][child] = known | fork.env
        for candidate in fork.pins.values():
            parent = node(candidate)
            for req in fork.requirements.get((candidate.identifier, candidate.version), ()):
                chosen = fork.pins.get(req.identifier)
                if chosen is None:
                    continue
                child = node(chosen)
                # An edge whose marker cannot hold in this fork is kept (uv keeps the
                # dependencies a fork inherited from before it split, and writes such an
                # edge with its spelling of false, `python_version < '0'`).
                marker = req.marker & fork.env
                known = edges[parent].get(child, MarkerTree.FALSE)
                edges[parent][child] = known | marker
    reach = _reachability(edges, _or(fork.env for fork in forks))
    return Graph(
        forks=tuple(fork.env for fork in forks),
        python=python,
        edges=dict(edges),
        reach=reach,
        versions=kept_versions(reach),
    )


def kept_versions(reach: Mapping[NodeKey, MarkerTree]) -> dict[NormalizedName, list[Version]]:
    """The versions of each name the lock keeps: the base nodes reached somewhere."""
    kept: dict[NormalizedName, list[Version]] = defaultdict(list)
    for key, marker in reach.items():
        if key.extra is None and key.group is None and not marker.is_false() and key != _ROOT_KEY:
            kept[key.name].append(key.version)
    return {name: sorted(versions) for name, versions in kept.items()}


def _or(markers: Iterable[MarkerTree]) -> MarkerTree:
    result = MarkerTree.FALSE
    for marker in markers:
        result = result | marker
    return result


def _reachability(
    edges: Mapping[NodeKey, Mapping[NodeKey, MarkerTree]], root: MarkerTree
) -> dict[NodeKey, MarkerTree]:
    """uv's ``marker_reachability``: a fixed point of OR over parents of (parent and edge).

    As uv's, a node is walked from the first time an edge leads to it, even under a false
    marker: it and what it leads to then have a reachability (``false``), which the
    conflicts' world knowledge (``conflicts.apply_conflicts``) turns into "where conflicting
    items meet"; uv keeps such nodes (observed of uv 0.13.8: a version chosen only on an
    edge that cannot hold keeps its own dependencies in the lock)."""
    reach: dict[NodeKey, MarkerTree] = {_ROOT_KEY: root}
    queue = [_ROOT_KEY]
    while queue:
        parent = queue.pop()
        parent_reach = reach[parent]
        for child, marker in edges.get(parent, {}).items():
            targets = [child] if child.extra is None else [child, child.base]
            for target in targets:
                through = parent_reach & marker
                known = reach.get(target)
                if known is None:
                    reach[target] = through
                    queue.append(target)
                elif (new := known | through) != known:
                    reach[target] = new
                    queue.append(target)
    return reach
