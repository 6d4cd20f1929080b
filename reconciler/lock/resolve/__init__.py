"""Lock stage, resolution: from a project's declared inputs to a universal ``Lock``.

``resolve_lock(manifest, client, ...)`` resolves every member with each extra and group (or a
script's requirements) for every environment at once, forking where uv forks
(``reconciler.lock.resolve.forks``), merges the forks into one graph
(``reconciler.lock.resolve.assemble``), makes its packages (``reconciler.lock.resolve.packages``)
and builds the ``model.lock.Lock`` uv would write. The existing lock's versions are preferred
(minimal churn) unless upgrading, and its ``resolution-markers`` seed the forks.
"""

from __future__ import annotations

import datetime
import functools
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

import attrs
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version

from accord.model.conflicts import ConflictSets
from accord.model.exclude_newer import ExcludeNewer
from accord.model.lock import Lock, LockOptions, LockRequirement, SourceKind
from accord.model.manifest import (
    ProjectManifest,
    declared_groups,
    lock_requirement,
    lowered_requirements,
)
from accord.model.marker_tree import MarkerTree, same_markers
from accord.model.python_range import joined_requires_python, specifier_range
from accord.model.uv_settings import BinaryPolicy, by_name, recorded_prerelease
from accord.reconciler.errors import NoSolution
from accord.reconciler.lock.resolve import conflicts as conflicting
from accord.reconciler.lock.resolve.assemble import NodeKey, merge_forks
from accord.reconciler.lock.resolve.forks import ForkResult, resolve_forks
from accord.reconciler.lock.resolve.local import (
    ArchiveMetadata,
    TreeMetadata,
    local_packages,
    refuse_direct_urls,
)
from accord.reconciler.lock.resolve.metadata import refuse_local_metadata
from accord.reconciler.lock.resolve.packages import lock_packages, requirement_key_sort
from accord.reconciler.lock.resolve.requirements import ROOT, Req
from accord.reconciler.lock.resolve.selected import selected_sources
from accord.reconciler.progress import progress

if TYPE_CHECKING:
    from accord.model.dependency_metadata import StaticMetadata
    from accord.reconciler.fetch.index import DistMetadata, IndexClient, IndexFile

__all__ = ["NoSolution", "resolve_lock"]


def _lock_preferences(
    existing: Lock | None,
    preferences: Mapping[NormalizedName, Version] | None,
    upgrade: bool,
    upgrade_packages: frozenset[NormalizedName],
) -> dict[NormalizedName, list[tuple[MarkerTree, Version]]]:
    """uv's lock preferences: each locked registry version, once per fork marker it has."""
    entries: dict[NormalizedName, list[tuple[MarkerTree, Version]]] = defaultdict(list)
    if upgrade:
        return entries
    if existing is not None:
        for package in existing.packages:
            if package.source.kind is not SourceKind.REGISTRY or package.version is None:
                continue
            for marker in package.resolution_markers or (None,):
                entries[package.name].append((MarkerTree.parse(marker), package.version))
    for name, version in (preferences or {}).items():
        entries[name].append((MarkerTree.TRUE, version))
    for name in upgrade_packages:
        entries.pop(name, None)
    return entries


_Resolve = TypeVar("_Resolve", bound=Callable[..., Lock])


def _spinner_ends(function: _Resolve) -> _Resolve:
    """However the resolution ends, its progress spinner goes (``reconciler.progress``)."""

    @functools.wraps(function)
    def resolve(*args: Any, **kwargs: Any) -> Lock:
        try:
            return function(*args, **kwargs)
        finally:
            progress().resolved()

    return cast(_Resolve, resolve)


@_spinner_ends
def resolve_lock(
    manifest: ProjectManifest | Sequence[ProjectManifest],
    client: IndexClient,
    *,
    index_url: str,
    preferences: Mapping[NormalizedName, Version] | None = None,
    existing: Lock | None = None,
    upgrade: bool = False,
    upgrade_packages: frozenset[NormalizedName] = frozenset(),
    script: bool = False,
    sdist_metadata: Callable[[IndexFile], bytes] | None = None,
    root: Path | None = None,
    root_groups: Sequence[tuple[NormalizedName, Sequence[Requirement]]] = (),
    virtual_root: bool = False,
    cache: Path | None = None,
    offline: bool = False,
    git_commits: Mapping[NormalizedName, str] | None = None,
    git_locked: Mapping[str, str] | None = None,
    archive_metadata: ArchiveMetadata | None = None,
    tree_metadata: TreeMetadata | None = None,
    pinned: Mapping[NormalizedName, IndexClient] | None = None,
    prerelease: str | None = None,
    prerelease_package: Mapping[NormalizedName, str] | None = None,
    exclude_newer: ExcludeNewer | None = None,
    now: datetime.datetime | None = None,
    constraints: Sequence[Requirement] = (),
    overrides: Sequence[Requirement] = (),
    build_constraints: Sequence[Requirement] = (),
    resolution: str | None = None,
    environments: Sequence[MarkerTree] = (),
    required_environments: Sequence[MarkerTree] = (),
    fork_strategy: str | None = None,
    binaries: BinaryPolicy | None = None,
    excludes: Sequence[NormalizedName] = (),
    warn: Callable[[str], None] | None = None,
    conflicts: ConflictSets = (),
    dependency_metadata: Sequence[StaticMetadata] = (),
    source_clients: Mapping[str, IndexClient] | None = None,
    root_manifest: ProjectManifest | None = None,
) -> Lock:
    """Resolve a project (or a workspace's members) against ``client`` and build the lock.

    ``script``: the shape of a PEP 723 script lock (and of accord's ephemeral environments):
    no package for the root, its requirements in ``[manifest] requirements`` instead.
    ``root``: the workspace root, for ``[tool.uv.sources]`` local directories.
    ``existing``: the current lock, whose versions are preferred and whose
    ``resolution-markers`` seed the forks (``preferences``: plain extra preferences).
    ``pinned``: the index each name pinned by ``tool.uv.sources`` comes from;
    ``source_clients``: a client for each index URL that sources chosen by marker name.
    ``root_manifest``: a virtual root's groups (``root_groups``) with the root's sources.
    ``git_commits``: each git package's locked commit; ``git_locked``: the same by the
    source's repository and reference (``git+<url>?<kind>=<value>``).
    """
    manifests = [manifest] if isinstance(manifest, ProjectManifest) else list(manifest)
    requires_python = joined_requires_python(
        [m.requires_python for m in manifests or ([root_manifest] if root_manifest else [])]
    )
    workspace = len(manifests) > 1 or virtual_root
    selected = selected_sources(
        [*manifests, *([root_manifest] if root_manifest is not None else [])],
        root,
        source_clients or {},
        cache=cache,
        offline=offline,
        archive_metadata=archive_metadata,
        git_locked=git_locked or {},
        tree_metadata=tree_metadata,
    )
    locals_ = local_packages(
        manifests,
        root,
        members_are_candidates=not script,
        cache=cache,
        offline=offline,
        git_commits=git_commits,
        archive_metadata=archive_metadata,
        tree_metadata=tree_metadata,
        # A directory chosen by marker is a path dependency too: its own sources are followed.
        followed=[p.manifest for p in selected.packages().values() if p.source.kind.is_source_tree],
    )
    refuse_local_metadata(dependency_metadata, {**locals_, **dict.fromkeys(selected.names)})
    refuse_direct_urls(manifests, root_groups, locals_, script=script)
    roots: list[Req] = []
    root_requirements: dict[NormalizedName | None, Sequence[Requirement]] = {}
    if script:
        root_requirements[None] = manifests[0].dependencies
        roots.append(Req(ROOT, None, SpecifierSet(), "the project"))
    else:
        for m in manifests:
            roots.append(Req(m.name, None, SpecifierSet(), "the workspace"))
            roots += [Req(m.name, e, SpecifierSet(), "the workspace") for e in m.extras]
            roots += [
                Req(m.name, None, SpecifierSet(), "the workspace", group=g)
                for g, _ in m.dependency_groups
            ]
    for group, requirements in root_groups:
        if root_manifest is not None:
            requirements = lowered_requirements(root_manifest, tuple(requirements))
        root_requirements[group] = requirements
        roots.append(Req(ROOT, None, SpecifierSet(), "the workspace root", group=group))
    supported = tuple(str(tree) for tree in environments)
    python_marker = MarkerTree.python_range(*specifier_range(requires_python))
    for tree in environments:
        if tree.is_disjoint(python_marker):
            raise NoSolution(
                f"Environment markers `{tree}` don't overlap with Python requirement "
                f"`{requires_python}`"
            )
    initial: list[MarkerTree] = list(environments)
    same_environments = existing is not None and same_markers(
        existing.supported_markers, environments
    )
    if existing is not None and not upgrade and same_environments:
        initial = [MarkerTree.parse(marker) for marker in existing.resolution_markers] or initial
    split_roots = None
    if conflicts:
        conflicting.check_supported(conflicts, [] if script else [m.name for m in manifests])
        split_roots = functools.partial(
            conflicting.conflict_forks, roots=roots, conflicts=conflicts
        )
    forks, metadata = resolve_forks(
        roots,
        client,
        requires_python=requires_python,
        initial_forks=initial,
        preferences=_lock_preferences(existing, preferences, upgrade, upgrade_packages),
        local=locals_,
        root=root_requirements,
        sdist_metadata=sdist_metadata,
        pinned=pinned,
        allowed_yanks=_allowed_yanks(manifests, root_groups, existing, [*constraints, *overrides]),
        prerelease=prerelease or "if-necessary-or-explicit",
        prerelease_package=prerelease_package or {},
        cutoff=_cutoff(exclude_newer, now),
        constraints=by_name(constraints),
        overrides=by_name(overrides),
        lowest=_lowest(resolution, manifests, root_groups),
        resolution=resolution,
        required=required_environments,
        fork_strategy=fork_strategy,
        binaries=binaries,
        excludes=frozenset(excludes),
        split_roots=split_roots,
        dependency_metadata=dependency_metadata,
        selected=selected,
    )
    if warn is not None:
        for line in _warnings(forks, metadata, locals_):
            warn(line)
    graph = merge_forks(forks, [r.identifier for r in roots], specifier_range(requires_python))
    if conflicts:
        conflicting.apply_conflicts(graph, conflicts)
    packages, edges = lock_packages(
        graph, forks, locals_, specifier_range(requires_python), selected.packages()
    )
    forked = len(forks) > 1 or any(not fork.env.is_true() for fork in forks)
    top_markers = graph.top_markers() if forked else ()
    if script:
        return Lock(
            version=1,
            revision=5,
            requires_python=requires_python,
            packages=tuple(packages),
            resolution_markers=top_markers,
            manifest_requirements=tuple(
                sorted(
                    dict.fromkeys(lock_requirement(r) for r in manifests[0].dependencies),
                    key=requirement_key_sort,
                )
            ),
        )
    group_records = tuple(
        (group, tuple(sorted(records, key=requirement_key_sort)))
        for group, records in (
            declared_groups(root_manifest)
            if root_manifest is not None
            else [
                (g, list(dict.fromkeys(lock_requirement(r) for r in reqs)))
                for g, reqs in root_groups
            ]
        )
        if records
    )
    group_edges = tuple(
        (group, edges(NodeKey(ROOT, Version("0"), group=group)))
        for group, reqs in root_groups
        if reqs
    )
    return Lock(
        version=1,
        revision=5,
        requires_python=requires_python,
        packages=tuple(packages),
        resolution_markers=top_markers,
        members=tuple(sorted(m.name for m in manifests)) if workspace else (),
        manifest_groups=group_edges,
        manifest_group_requirements=group_records,
        options=attrs.evolve(
            _options(prerelease, exclude_newer),
            resolution_mode=resolution,
            fork_strategy=fork_strategy,
            prerelease_package=tuple(sorted((prerelease_package or {}).items())),
        ),
        constraints=_records(constraints),
        overrides=_records(overrides),
        supported_markers=tuple(Marker(text) for text in supported),
        excludes=tuple(sorted(set(excludes))),
        required_markers=tuple(Marker(str(tree)) for tree in required_environments),
        build_constraints=_records(build_constraints),
        conflicts=conflicts,
        dependency_metadata=tuple(sorted(set(dependency_metadata), key=lambda e: e.sort_key)),
    )


def _warnings(
    forks: Sequence[ForkResult],
    metadata: Mapping[tuple[NormalizedName, Version], DistMetadata],
    local: Mapping[NormalizedName, object],
) -> list[str]:
    """uv's warnings about what was chosen: an extra the package does not have, a yanked
    version (chosen because it was pinned)."""
    lines: dict[str, None] = {}
    for fork in forks:
        for candidate in fork.pins.values():
            if candidate.name in local or candidate.name.startswith(":"):
                continue
            known = metadata.get((candidate.name, candidate.version))
            if candidate.extra is not None and known is not None:
                mentioned = any(
                    f"extra == '{candidate.extra}'" in str(r.marker).replace('"', "'")
                    for r in known.requires_dist
                    if r.marker is not None
                )
                if candidate.extra not in known.provides_extras and not mentioned:
                    lines[
                        f"The package `{candidate.name}=={candidate.version}` does not have an "
                        f"extra named `{candidate.extra}`"
                    ] = None
            yanked = [f.yanked for f in candidate.files if f.yanked is not None]
            if candidate.extra is None and yanked and len(yanked) == len(candidate.files):
                reason = f' (reason: "{yanked[0]}")' if yanked[0] else ""
                lines[f"`{candidate.name}=={candidate.version}` is yanked{reason}"] = None
    return list(lines)


def _records(requirements: Sequence[Requirement]) -> tuple[LockRequirement, ...]:
    """``[manifest]`` constraints, overrides or build-constraints as uv writes them."""
    records = dict.fromkeys(lock_requirement(r) for r in requirements)
    return tuple(sorted(records, key=requirement_key_sort))


def _lowest(
    resolution: str | None,
    manifests: Sequence[ProjectManifest],
    root_groups: Sequence[tuple[NormalizedName, Sequence[Requirement]]],
) -> frozenset[NormalizedName] | None:
    """The names tried lowest version first: None for ``highest``; for ``lowest-direct``,
    what the workspace's members (and a virtual root's groups) declare."""
    if resolution is None:
        return None
    direct: set[NormalizedName] = set()
    for _, requirements in root_groups:
        direct |= {canonicalize_name(r.name) for r in requirements}
    for m in manifests:
        for requirements in (
            m.dependencies,
            *(reqs for _, reqs in m.optional_dependencies),
            *(reqs for _, reqs in m.dependency_groups),
        ):
            direct |= {canonicalize_name(r.name) for r in requirements}
    if resolution == "lowest-direct":
        return frozenset(direct)
    return _EVERY


class _Every(frozenset[NormalizedName]):
    """Every name (``resolution = "lowest"``)."""

    def __contains__(self, name: object) -> bool:
        return True


_EVERY = _Every()


def _cutoff(
    exclude_newer: ExcludeNewer | None, now: datetime.datetime | None
) -> Callable[[NormalizedName], datetime.datetime | None] | None:
    if exclude_newer is None or not exclude_newer.is_set:
        return None
    default, per_package = exclude_newer.cutoffs(
        now or datetime.datetime.now(datetime.timezone.utc)
    )
    return lambda name: per_package.get(name, default)


def _options(prerelease: str | None, exclude_newer: ExcludeNewer | None) -> LockOptions:
    prerelease = recorded_prerelease(prerelease)
    if exclude_newer is None:
        return LockOptions(prerelease_mode=prerelease)
    timestamp, span = exclude_newer.lock_options()
    return LockOptions(
        prerelease_mode=prerelease,
        exclude_newer=timestamp,
        exclude_newer_span=span,
        exclude_newer_package=exclude_newer.packages,
    )


def _allowed_yanks(
    manifests: Sequence[ProjectManifest],
    root_groups: Sequence[tuple[NormalizedName, Sequence[Requirement]]],
    existing: Lock | None,
    settings: Sequence[Requirement] = (),
) -> frozenset[tuple[NormalizedName, Version]]:
    """Yanked versions uv still accepts (``yanks.rs``): those a declared requirement (or a
    constraint or override) pins with a single ``==``/``===``, and those the existing lock
    holds."""
    declared: list[Requirement] = [r for _, reqs in root_groups for r in reqs]
    declared += settings
    for m in manifests:
        declared += m.dependencies
        declared += [r for _, reqs in m.optional_dependencies for r in reqs]
        declared += [r for _, reqs in m.dependency_groups for r in reqs]
    allowed = set()
    for requirement in declared:
        clauses = list(requirement.specifier)
        if (
            len(clauses) == 1
            and clauses[0].operator in ("==", "===")
            and "*" not in str(clauses[0])
        ):
            allowed.add((canonicalize_name(requirement.name), Version(clauses[0].version)))
    if existing is not None:
        allowed |= {(p.name, p.version) for p in existing.packages if p.version is not None}
    return frozenset(allowed)
