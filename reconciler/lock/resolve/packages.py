"""Lock stage, resolution: the lock's ``[[package]]`` entries, built from the merged graph.

Follows uv's ``Lock::from_resolution``: one package per node the forks reach, with its
source, its edges (and those of each extra it provides), and the files a Python of the range
can use where it is reached; a project's own packages (members, local trees) record what
they declare. Pure over values.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import attrs
from packaging.utils import NormalizedName
from packaging.version import Version

from accord.model.lock import Artifact, Dependency, LockedPackage, Source, SourceKind
from accord.model.manifest import (
    ProjectManifest,
    declared_groups,
    declared_requirements,
    requirement_key,
)
from accord.model.marker_tree import MarkerTree
from accord.model.python_range import PythonRange
from accord.model.wheel_markers import lock_platform_markers
from accord.reconciler.lock.resolve.assemble import Graph, NodeKey
from accord.reconciler.lock.resolve.availability import fits_requires_python
from accord.reconciler.lock.resolve.forks import ForkResult
from accord.reconciler.lock.resolve.requirements import ROOT, Candidate, LocalPackage

if TYPE_CHECKING:
    from accord.reconciler.fetch.index import IndexFile

__all__ = ["lock_packages", "requirement_key_sort"]

Edges = Callable[[NodeKey], tuple[Dependency, ...]]
"""The edges the lock writes under a node (a base, extra or group node)."""


def lock_packages(
    graph: Graph,
    forks: Sequence[ForkResult],
    locals_: Mapping[NormalizedName, LocalPackage],
    python: PythonRange,
    selected_locals: Mapping[str, LocalPackage] | None = None,
) -> tuple[list[LockedPackage], Edges]:
    """Every package of the lock, sorted by name and version, and the edges of any node
    (the caller writes the workspace root's groups with them). ``selected_locals``: the local
    packages of sources chosen by marker, by their lock source (``Candidate.source``)."""
    candidates: dict[tuple[NormalizedName, Version, str | None], Candidate] = {}
    for fork in forks:
        for candidate in fork.pins.values():
            if candidate.extra is None and candidate.group is None:
                pin = (candidate.name, candidate.version, candidate.source)
                candidates.setdefault(pin, candidate)

    def local_of(key: NodeKey) -> LocalPackage | None:
        if key.source is not None:
            return (selected_locals or {}).get(key.source)
        return locals_.get(key.name)

    source_of: dict[NodeKey, Source] = {}
    provided: dict[NodeKey, frozenset[NormalizedName]] = {}
    nodes = graph.nodes()
    extras_of: dict[NodeKey, list[NormalizedName]] = defaultdict(list)
    for key in nodes:
        if key.extra is not None:
            extras_of[key.base].append(key.extra)
    bases = [k for k in nodes if k.extra is None and k.group is None and k.name != ROOT]
    for key in bases:
        local = local_of(key)
        if local is not None:
            source_of[key] = local.source
        else:
            candidate = candidates[(key.name, key.version, key.source)]
            source_of[key] = Source(SourceKind.REGISTRY, candidate.files[0].index)
    # An edge names an extra only when the lock lists dependencies under it (uv drops the
    # others, e.g. `coverage[toml]` where the toml extra needs nothing in that fork).
    for key in bases:
        provided[key] = frozenset(
            extra
            for extra in extras_of[key]
            if graph.dependencies(attrs.evolve(key, extra=extra), source_of, {})
        )
    # A source tree whose version is dynamic has none in the lock, nor in an edge naming it.
    unversioned = frozenset(
        key
        for key in bases
        if (local := local_of(key)) is not None and local.manifest.version is None
    )

    def edges(parent: NodeKey) -> tuple[Dependency, ...]:
        return graph.dependencies(parent, source_of, provided, unversioned)

    packages: list[LockedPackage] = []
    for key in bases:
        markers = graph.resolution_markers(key)
        local = local_of(key)
        if local is not None:
            package = _source_tree_package(
                local.manifest, graph, key, edges, member=local.member, source=local.source
            )
            if local.sdist is not None or local.wheels:
                package = attrs.evolve(package, sdist=local.sdist, wheels=local.wheels)
            packages.append(attrs.evolve(package, resolution_markers=markers))
            continue
        candidate = candidates[(key.name, key.version, key.source)]
        sdists = [f for f in candidate.files if not f.is_wheel]
        reach = graph.reach[key]
        wheels = sorted(
            (f for f in candidate.files if f.is_wheel and _wheel_reachable(f, python, reach)),
            key=lambda f: f.filename,
        )
        optional = []
        for extra in sorted(extras_of[key]):
            extra_edges = edges(attrs.evolve(key, extra=extra))
            if extra_edges:
                optional.append((extra, extra_edges))
        packages.append(
            LockedPackage(
                name=key.name,
                version=key.version,
                source=source_of[key],
                resolution_markers=markers,
                dependencies=edges(key),
                optional_dependencies=tuple(optional),
                sdist=_artifact(sdists[0]) if sdists else None,
                wheels=tuple(_artifact(f) for f in wheels),
            )
        )
    packages.sort(key=lambda package: (package.name, package.version or Version("0")))
    return packages, edges


def _artifact(file: IndexFile) -> Artifact:
    if file.flat and file.url.startswith("file:"):
        # A find-links directory's file: by name within it, or by absolute path when the
        # directory was given absolute (uv's spelling); no hash, as uv hashes none of them.
        from urllib.request import url2pathname

        local = url2pathname(urlsplit(file.url).path)
        return Artifact(path=local if file.index.startswith("/") else file.filename)
    return Artifact(
        url=file.url,
        hash=f"sha256:{file.sha256}" if file.sha256 else None,
        size=file.size,
        upload_time=file.upload_time,
    )


def _wheel_reachable(file: IndexFile, python: PythonRange, reach: MarkerTree) -> bool:
    """uv's lock keeps a wheel unless no Python of the range can use its tags, or its
    platforms are disjoint with where its package is reachable."""
    if not fits_requires_python(file.tags, python):
        return False
    return not any(reach.is_disjoint(marker) for marker in _platforms(file.tags))


@functools.cache
def _platforms(tags: frozenset[str]) -> tuple[MarkerTree, ...]:
    """The platforms a wheel's tags are for, as trees, once per tag set."""
    return tuple(MarkerTree.parse(m) for m in lock_platform_markers(sorted(tags)))


def _source_tree_package(
    manifest: ProjectManifest,
    graph: Graph,
    key: NodeKey,
    edges: Callable[[NodeKey], tuple[Dependency, ...]],
    *,
    member: bool,
    source: Source,
) -> LockedPackage:
    """A project's own ``[[package]]``: a workspace member (editable or virtual), or a local
    directory another project depends on; its edges come from the merged graph."""
    optional = []
    for extra in sorted({extra for extra, _ in manifest.optional_dependencies}):
        extra_edges = edges(attrs.evolve(key, extra=extra))
        if extra_edges:
            optional.append((extra, extra_edges))
    groups = []
    for group in sorted({group for group, _ in manifest.dependency_groups}):
        group_edges = edges(attrs.evolve(key, group=group))
        if group_edges:
            groups.append((group, group_edges))
    requires_dist = declared_requirements(manifest)
    requires_dev = tuple(
        (group, tuple(sorted(records, key=requirement_key_sort)))
        for group, records in declared_groups(manifest)
    )
    # uv never records metadata for immutable sources (registry, git).
    immutable = source.kind is SourceKind.GIT
    has_metadata = not immutable and (member or bool(requires_dist) or bool(requires_dev))
    return LockedPackage(
        name=manifest.name,
        version=manifest.version,
        source=source,
        dependencies=edges(key),
        optional_dependencies=tuple(optional),
        dev_dependencies=tuple(groups),
        provides_extras=manifest.provides_extras if has_metadata else (),
        declared_groups=tuple(group for group, _ in manifest.dependency_groups),
        requires_dist=tuple(sorted(requires_dist, key=requirement_key_sort))
        if has_metadata
        else None,
        requires_dev=requires_dev,
        group_requires_python=manifest.group_requires_python if member else (),
        default_groups=manifest.default_groups if member else None,
    )


def requirement_key_sort(requirement: object) -> tuple[str, ...]:
    """uv's order for requirement lists: name, extras, groups, marker, source."""
    key = requirement_key(requirement)  # type: ignore[arg-type]
    return tuple("" if part is None else str(part) for part in key)
