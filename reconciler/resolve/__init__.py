"""Lock stage, resolution: from a project's declared inputs to a universal ``Lock``.

``resolve_lock(manifest, client, ...)`` runs resolvelib over the index and builds the
``model.lock.Lock`` uv would write: one version per package serving every platform, marker
edges restricted to the project's ``requires-python``, every extra and group locked, the
existing lock's versions preferred (minimal churn) unless upgrading.

Not yet: forking by marker (uv's ``resolution-markers``) when requirements conflict only on
disjoint environments; such projects fail with a conflict error here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import attrs
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version

from model.lock import Artifact, Dependency, Lock, LockedPackage, Source, SourceKind
from model.manifest import (
    ProjectManifest,
    declared_groups,
    declared_requirements,
    lock_requirement,
    requirement_key,
)
from model.markers import NEVER, conjoin, python_points, restrict
from reconciler.errors import BuildNotSupported, NoSolution
from reconciler.resolve.provider import (
    Candidate,
    LocalPackage,
    Provider,
    Req,
    split_requirement,
)

if TYPE_CHECKING:
    from reconciler.index import DistMetadata, IndexClient, IndexFile

__all__ = ["NoSolution", "resolve_lock"]


def _root_requirements(
    manifests: Sequence[ProjectManifest],
    root_groups: Sequence[tuple[NormalizedName, Sequence[Requirement]]],
    requires_python: SpecifierSet,
    locals_: Mapping[NormalizedName, LocalPackage],
) -> list[Req]:
    """Every member with each of its extras, every group of every member, the virtual root's
    groups; for a single plain project, its own requirements (it is not a candidate then)."""
    requirements: list[Req] = []
    declared: list[tuple[Requirement, str | None, str]] = []
    for manifest in manifests:
        who = "the project" if len(manifests) == 1 else f"`{manifest.name}`"
        if manifest.name in locals_:
            requirements.append(Req(manifest.name, None, SpecifierSet(), "the workspace"))
            requirements.extend(
                Req(manifest.name, extra, SpecifierSet(), "the workspace")
                for extra in manifest.extras
            )
        else:
            declared += [(r, "", who) for r in manifest.dependencies]
            declared += [(r, e, who) for e, reqs in manifest.optional_dependencies for r in reqs]
        declared += [(r, "", who) for _, reqs in manifest.dependency_groups for r in reqs]
    declared += [(r, "", "the workspace root") for _, reqs in root_groups for r in reqs]
    own = {m.name for m in manifests}
    for requirement, extra, who in declared:
        name = canonicalize_name(requirement.name)
        if name in own and not requirement.extras and name not in locals_:
            continue  # a project naming itself adds nothing
        holds = restrict(requirement.marker, extra=extra, requires_python=requires_python)
        if holds is NEVER:
            continue
        requirements.extend(split_requirement(requirement, who))
    return requirements


def _explain(exc: Exception, excluded: Mapping[NormalizedName, set[str]]) -> NoSolution:
    causes = getattr(exc, "causes", None) or []
    lines = []
    for cause in causes:
        requirement: Req = cause.requirement
        parent = cause.parent
        who = f"{parent.name}=={parent.version}" if isinstance(parent, Candidate) else "the project"
        lines.append(f"{who} requires {requirement.describe()}")
    unique = sorted(set(lines))
    if not unique:
        return NoSolution(f"No solution found when resolving dependencies: {exc}")
    names = sorted({cause.requirement.name for cause in causes})
    notes = sorted(note for name in names for note in excluded.get(name, ()))
    message = (
        "No solution found when resolving dependencies: "
        + "; ".join(unique)
        + f", and no version of {', '.join(names)} satisfies all of these."
    )
    if notes:
        message += " (" + "; ".join(notes) + ")"
    return NoSolution(message, hint="loosen one of these requirements")


def _artifact(file: IndexFile) -> Artifact:
    return Artifact(
        url=file.url,
        hash=f"sha256:{file.sha256}" if file.sha256 else None,
        size=file.size,
        upload_time=file.upload_time,
    )


def _wheel_fits_range(file: IndexFile, points: tuple[str, ...]) -> bool:
    """False for a wheel only Pythons outside the project's range can install, as uv drops
    them: ``cp38``-only wheels under ``>=3.10``, or Python 2-only wheels."""
    if not points:
        return True
    lowest_minor = int(points[0].split(".")[1])
    for tag in file.tags:
        interpreter, abi, _ = tag.split("-")
        if interpreter.startswith("cp3") and interpreter[3:].isdigit():
            if abi == "abi3" or int(interpreter[3:]) >= lowest_minor:
                return True
        elif interpreter.startswith("py"):
            if interpreter[2:3] != "2":  # py3, py3X: any Python 3 from 3.X on
                return True
        else:
            return True  # other implementations (pp, graalpy): not ours to judge
    return False


def _edges(
    requirements: Iterable[tuple[Requirement, Marker | None]],
    provided_extras: Mapping[NormalizedName, frozenset[NormalizedName]],
) -> tuple[Dependency, ...]:
    edges: dict[tuple[object, ...], Dependency] = {}
    for requirement, marker in requirements:
        name = canonicalize_name(requirement.name)
        available = provided_extras.get(name, frozenset())
        extras = tuple(
            sorted(e for e in map(canonicalize_name, requirement.extras) if e in available)
        )
        edge = Dependency(name=name, extras=extras, marker=marker)
        edges[(name, extras, None if marker is None else str(marker))] = edge
    return tuple(sorted(edges.values(), key=lambda e: (e.name, e.extras, str(e.marker or ""))))


def _restricted(
    requirements: Iterable[Requirement],
    extra: str,
    requires_python: SpecifierSet,
    *,
    exclusive: bool = False,
) -> list[tuple[Requirement, Marker | None]]:
    """(requirement, remaining marker) for those that can hold with ``extra`` active;
    ``exclusive`` keeps only those that do not also hold without it."""
    kept = []
    for requirement in requirements:
        holds = restrict(requirement.marker, extra=extra, requires_python=requires_python)
        if holds is NEVER:
            continue
        if (
            exclusive
            and restrict(requirement.marker, extra="", requires_python=requires_python) is not NEVER
        ):
            continue
        kept.append((requirement, holds if isinstance(holds, Marker) else None))
    return kept


def _local_metadata(manifest: ProjectManifest) -> DistMetadata:
    """A source tree's metadata, read statically from its manifest."""
    from reconciler.index import DistMetadata

    requirements = list(manifest.dependencies)
    for extra, declared in manifest.optional_dependencies:
        for requirement in declared:
            tagged = Requirement(str(requirement))
            own = f"({requirement.marker}) and " if requirement.marker is not None else ""
            tagged.marker = Marker(f'{own}extra == "{extra}"')
            requirements.append(tagged)
    return DistMetadata(
        name=manifest.name,
        version=manifest.version or Version("0"),
        requires_dist=tuple(requirements),
        requires_python=manifest.requires_python or None,
        provides_extras=manifest.extras,
    )


def _git_package(
    name: NormalizedName,
    source: Source,
    cache: Path,
    offline: bool,
    locked_commit: str | None,
) -> LocalPackage:
    """A git dependency: the locked commit (or the reference's current one), checked out."""
    import re

    from reconciler.gitsource import checkout, lock_url, parse_lock_url, resolve_commit
    from reconciler.manifest import read_manifest

    # The requirement form has no commit; parse it with a placeholder fragment (a full-sha
    # `rev` must equal the fragment, so it is its own placeholder).
    pinned = re.search(r"[?&]rev=([0-9a-f]{40})(?:&|$)", source.location)
    reference, _ = parse_lock_url(source.location + "#" + (pinned.group(1) if pinned else "0" * 40))
    commit = locked_commit or resolve_commit(reference, cache, offline=offline)
    tree = checkout(reference, commit, cache, offline=offline)
    local = read_manifest(tree / "pyproject.toml", is_package=True, directory=".")
    if local.version is None:
        raise BuildNotSupported(
            f"`{name}` from git has a dynamic version, which accord cannot read without "
            "building yet"
        )
    return LocalPackage(
        manifest=local,
        source=Source(SourceKind.GIT, lock_url(reference, commit)),
        metadata=_local_metadata(local),
        member=False,
    )


def _archive_package(
    name: NormalizedName,
    source: Source,
    root: Path | None,
    cache: Path,
    archive_metadata: Callable[[str, str | None, str], bytes] | None,
) -> LocalPackage:
    """A url or path source naming a wheel or sdist: fetched (and hashed) once, its metadata
    read from the wheel or prepared by the sdist's backend."""
    import zipfile

    from reconciler.artifacts import fetch_archive
    from reconciler.index import parse_metadata

    location = source.location
    if source.kind is SourceKind.URL:
        url = location
    else:
        path = Path(location) if Path(location).is_absolute() else (root or Path.cwd()) / location
        url = path.resolve().as_uri()
    sha256, archive = fetch_archive(Artifact(url=url), cache)
    is_wheel = archive.name.endswith(".whl")
    if is_wheel:
        with zipfile.ZipFile(archive) as wheel:
            members = [m for m in wheel.namelist() if m.endswith(".dist-info/METADATA")]
            raw = wheel.read(members[0])
    elif archive_metadata is not None:
        raw = archive_metadata(url, sha256, archive.name)
    else:
        raise BuildNotSupported(f"`{name}` is an sdist at `{location}`; it needs building")
    meta = parse_metadata(raw)
    digest = f"sha256:{sha256}"
    if source.kind is SourceKind.URL:
        wheels = (Artifact(url=url, hash=digest),) if is_wheel else ()
        sdist = None if is_wheel else Artifact(url=url, hash=digest)
    else:
        wheels = (Artifact(filename=archive.name, hash=digest),) if is_wheel else ()
        sdist = None if is_wheel else Artifact(hash=digest)
    manifest = ProjectManifest(
        name=meta.name,
        version=meta.version,
        requires_python=meta.requires_python or SpecifierSet(),
        dependencies=meta.requires_dist,
    )
    return LocalPackage(
        manifest=manifest, source=source, metadata=meta, member=False, sdist=sdist, wheels=wheels
    )


def _local_packages(
    manifests: Sequence[ProjectManifest],
    root: Path | None,
    members_are_candidates: bool,
    *,
    cache: Path | None = None,
    offline: bool = False,
    git_commits: Mapping[NormalizedName, str] | None = None,
    archive_metadata: Callable[[str, str | None, str], bytes] | None = None,
) -> dict[NormalizedName, LocalPackage]:
    """Members (when they are candidates) and the local directories they depend on."""
    from reconciler.manifest import read_manifest

    locals_: dict[NormalizedName, LocalPackage] = {}
    if members_are_candidates:
        for manifest in manifests:
            locals_[manifest.name] = LocalPackage(
                manifest=manifest,
                source=Source(
                    SourceKind.EDITABLE if manifest.is_package else SourceKind.VIRTUAL,
                    manifest.directory,
                ),
                metadata=_local_metadata(manifest),
                member=True,
            )
    for manifest in manifests:
        for name, source in manifest.sources:
            if source.kind is SourceKind.GIT and name not in locals_ and cache is not None:
                locked = (git_commits or {}).get(name)
                locals_[name] = _git_package(name, source, cache, offline, locked)
                continue
            archive = source.kind is SourceKind.URL or source.kind is SourceKind.PATH
            if archive and name not in locals_ and cache is not None:
                locals_[name] = _archive_package(name, source, root, cache, archive_metadata)
                continue
            if name in locals_ or not source.kind.is_source_tree or root is None:
                if source.kind in (SourceKind.GIT, SourceKind.URL, SourceKind.PATH):
                    raise BuildNotSupported(
                        f"`{manifest.name}` takes `{name}` from a {source.kind.value} source, "
                        "which accord cannot lock yet",
                        hint="workspace members and local directories are supported",
                    )
                continue
            directory = (
                (root / source.location)
                if not Path(source.location).is_absolute()
                else Path(source.location)
            )
            pyproject = directory / "pyproject.toml"
            local = read_manifest(pyproject, is_package=True, directory=source.location)
            if local.version is None:
                raise BuildNotSupported(
                    f"`{name}` at `{source.location}` has a dynamic version, which accord cannot "
                    "read without building yet",
                )
            locals_[name] = LocalPackage(
                manifest=local, source=source, metadata=_local_metadata(local), member=False
            )
    return locals_


def resolve_lock(
    manifest: ProjectManifest | Sequence[ProjectManifest],
    client: IndexClient,
    *,
    index_url: str,
    preferences: Mapping[NormalizedName, Version] | None = None,
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
    archive_metadata: Callable[[str, str | None, str], bytes] | None = None,
    pinned: Mapping[NormalizedName, IndexClient] | None = None,
) -> Lock:
    """Resolve a project (or a workspace's members) against ``client`` and build the lock.

    ``script``: the shape of a PEP 723 script lock (and of accord's ephemeral environments):
    no package for the root, its requirements in ``[manifest] requirements`` instead.
    ``root``: the workspace root, for ``[tool.uv.sources]`` local directories.
    """

    manifests = [manifest] if isinstance(manifest, ProjectManifest) else list(manifest)
    requires_python = _intersect(m.requires_python for m in manifests)
    workspace = len(manifests) > 1 or virtual_root
    has_sources = any(m.sources for m in manifests)
    locals_ = _local_packages(
        manifests,
        root,
        members_are_candidates=not script and (workspace or has_sources),
        cache=cache,
        offline=offline,
        git_commits=git_commits,
        archive_metadata=archive_metadata,
    )

    def run(range_: SpecifierSet) -> _Fork:
        return _resolve_once(
            manifests,
            root_groups,
            range_,
            locals_,
            client,
            preferences=preferences or {},
            upgrade=upgrade,
            upgrade_packages=upgrade_packages,
            sdist_metadata=sdist_metadata,
            pinned=pinned,
        )

    first = run(requires_python)
    boundaries = [] if script else _fork_boundaries(first, requires_python)
    if boundaries:
        # uv's requires-python fork strategy: a newer version some Python versions of the
        # range can use is taken there (the range split at its Requires-Python lower bound).
        bounds = list(zip([None, *boundaries], [*boundaries, None], strict=True))
        forks = [run(_range_spec(requires_python, lo, hi)) for lo, hi in bounds]
    else:
        bounds, forks = [(None, None)], [first]
    graph = _Graph(forks, bounds, locals_)
    provided: dict[NormalizedName, frozenset[NormalizedName]] = {}
    for fork in forks:
        for name, meta in fork.metadata.items():
            provided[name] = frozenset(meta.provides_extras)
    for m in manifests:
        provided[m.name] = frozenset(m.extras)
    points = python_points(requires_python)

    def edges_for(
        owner: tuple[int, ...],
    ) -> Callable[[list[tuple[Requirement, Marker | None]]], tuple[Dependency, ...]]:
        return lambda pairs: graph.edges(owner, pairs, provided)

    everywhere = tuple(range(len(forks)))
    packages: list[LockedPackage] = []
    for (name, version), owner in sorted(
        graph.packages().items(), key=lambda item: (item[0][0], item[0][1])
    ):
        candidate = graph.candidate(name, version)
        meta = graph.metadata(name, version)
        markers = graph.resolution_markers(name, owner)
        if name in locals_:
            local = locals_[name]
            package = _source_tree_package(
                local.manifest,
                provided,
                requires_python,
                member=local.member,
                source=local.source,
                edges=edges_for(owner),
            )
            if local.sdist is not None or local.wheels:
                package = attrs.evolve(package, sdist=local.sdist, wheels=local.wheels)
            packages.append(attrs.evolve(package, resolution_markers=markers))
            continue
        sdists = [f for f in candidate.files if not f.is_wheel]
        wheels = sorted(
            (f for f in candidate.files if f.is_wheel and _wheel_fits_range(f, points)),
            key=lambda f: f.filename,
        )
        optional = []
        for extra in sorted(graph.activated(name, owner)):
            edges = edges_for(owner)(
                _restricted(meta.requires_dist, extra, requires_python, exclusive=True)
            )
            if edges:
                optional.append((extra, edges))
        packages.append(
            LockedPackage(
                name=name,
                version=candidate.version,
                source=Source(SourceKind.REGISTRY, candidate.files[0].index),
                resolution_markers=markers,
                dependencies=edges_for(owner)(_restricted(meta.requires_dist, "", requires_python)),
                optional_dependencies=tuple(optional),
                sdist=_artifact(sdists[0]) if sdists else None,
                wheels=tuple(_artifact(f) for f in wheels),
            )
        )
    if script:
        return Lock(
            version=1,
            revision=5,
            requires_python=requires_python,
            packages=tuple(packages),
            manifest_requirements=tuple(
                sorted(
                    (lock_requirement(r) for r in manifests[0].dependencies),
                    key=requirement_key_sort,
                )
            ),
        )
    for m in manifests:
        if m.name not in locals_:
            packages.append(
                _source_tree_package(
                    m, provided, requires_python, member=True, edges=edges_for(everywhere)
                )
            )
    packages.sort(key=lambda package: (package.name, package.version or Version("0")))
    group_records = tuple(
        (group, tuple(sorted((lock_requirement(r) for r in reqs), key=requirement_key_sort)))
        for group, reqs in root_groups
        if reqs
    )
    group_edges = tuple(
        (group, edges_for(everywhere)(_restricted(reqs, "", requires_python)))
        for group, reqs in root_groups
        if reqs
    )
    return Lock(
        version=1,
        revision=5,
        requires_python=requires_python,
        packages=tuple(packages),
        resolution_markers=graph.top_markers(),
        members=tuple(sorted(m.name for m in manifests)) if workspace else (),
        manifest_groups=group_edges,
        manifest_group_requirements=group_records,
    )


@attrs.frozen
class _Fork:
    """One resolution: over the whole range, or over one fork of it."""

    bases: dict[NormalizedName, Candidate]
    activated: dict[NormalizedName, set[NormalizedName]]
    metadata: dict[NormalizedName, DistMetadata]
    python_excluded: list[tuple[NormalizedName, Version, SpecifierSet]]


def _resolve_once(
    manifests: Sequence[ProjectManifest],
    root_groups: Sequence[tuple[NormalizedName, Sequence[Requirement]]],
    requires_python: SpecifierSet,
    locals_: Mapping[NormalizedName, LocalPackage],
    client: IndexClient,
    *,
    preferences: Mapping[NormalizedName, Version],
    upgrade: bool,
    upgrade_packages: frozenset[NormalizedName],
    sdist_metadata: Callable[[IndexFile], bytes] | None,
    pinned: Mapping[NormalizedName, IndexClient] | None,
) -> _Fork:
    import resolvelib  # slow path only

    provider = Provider(
        client,
        requires_python=requires_python,
        preferences=preferences,
        upgrade=upgrade,
        upgrade_packages=upgrade_packages,
        sdist_metadata=sdist_metadata,
        local=locals_,
        pinned=pinned,
    )
    try:
        resolver: resolvelib.Resolver[Req, Candidate, str] = resolvelib.Resolver(
            provider, resolvelib.BaseReporter()
        )
        result = resolver.resolve(
            _root_requirements(manifests, root_groups, requires_python, locals_),
            max_rounds=10_000,
        )
        bases: dict[NormalizedName, Candidate] = {}
        activated: dict[NormalizedName, set[NormalizedName]] = defaultdict(set)
        for candidate in result.mapping.values():
            if candidate.extra is None:
                bases[candidate.name] = candidate
            else:
                activated[candidate.name].add(candidate.extra)
        metadata = {name: provider.metadata(candidate) for name, candidate in bases.items()}
    except resolvelib.ResolutionImpossible as exc:
        raise _explain(exc, provider.excluded) from exc
    except resolvelib.ResolutionTooDeep as exc:
        raise NoSolution("No solution found: the resolution took too many steps") from exc
    finally:
        provider.close()
    return _Fork(bases, activated, metadata, provider.python_excluded)


def _fork_boundaries(resolution: _Fork, requires_python: SpecifierSet) -> list[str]:
    """``X.Y`` lower bounds, inside the range, of newer versions left out only for their
    Requires-Python: where uv's requires-python strategy splits the resolution."""
    points = python_points(requires_python)
    boundaries: set[tuple[int, int]] = set()
    for name, version, specifier in resolution.python_excluded:
        chosen = resolution.bases.get(name)
        if chosen is None or version <= chosen.version:
            continue
        supported = [p for p in points if specifier.contains(p, prereleases=True)]
        if supported and supported[0] != points[0]:
            major, minor = supported[0].split(".")[:2]
            boundaries.add((int(major), int(minor)))
    return [f"{major}.{minor}" for major, minor in sorted(boundaries)]


def _range_spec(
    requires_python: SpecifierSet, lower: str | None, upper: str | None
) -> SpecifierSet:
    clauses = [str(s) for s in requires_python]
    if lower is not None:
        clauses.append(f">={lower}")
    if upper is not None:
        clauses.append(f"<{upper}")
    return SpecifierSet(",".join(clauses))


class _Graph:
    """The forks of a resolution, merged: which version each fork chose for each package."""

    def __init__(
        self,
        forks: list[_Fork],
        bounds: list[tuple[str | None, str | None]],
        locals_: Mapping[NormalizedName, LocalPackage],
    ) -> None:
        self._forks = forks
        self._bounds = bounds
        self._locals = locals_
        self._choices: dict[NormalizedName, dict[Version, list[int]]] = defaultdict(dict)
        for index, fork in enumerate(forks):
            for name, candidate in fork.bases.items():
                self._choices[name].setdefault(candidate.version, []).append(index)

    def packages(self) -> dict[tuple[NormalizedName, Version], tuple[int, ...]]:
        return {
            (name, version): tuple(owner)
            for name, versions in self._choices.items()
            for version, owner in versions.items()
        }

    def candidate(self, name: NormalizedName, version: Version) -> Candidate:
        index = self._choices[name][version][0]
        return self._forks[index].bases[name]

    def metadata(self, name: NormalizedName, version: Version) -> DistMetadata:
        index = self._choices[name][version][0]
        return self._forks[index].metadata[name]

    def activated(self, name: NormalizedName, owner: tuple[int, ...]) -> set[NormalizedName]:
        return {extra for index in owner for extra in self._forks[index].activated.get(name, ())}

    def _fork_text(self, indices: Sequence[int]) -> str | None:
        """The marker of a run of forks; None when they cover the whole range."""
        indices = sorted(indices)
        if len(indices) == len(self._forks):
            return None
        if indices != list(range(indices[0], indices[-1] + 1)):
            return " or ".join(f"({self._fork_text([i])})" for i in indices)
        lower, upper = self._bounds[indices[0]][0], self._bounds[indices[-1]][1]
        parts = []
        if lower is not None:
            parts.append(f"python_full_version >= '{lower}'")
        if upper is not None:
            parts.append(f"python_full_version < '{upper}'")
        return " and ".join(parts)

    def top_markers(self) -> tuple[Marker, ...]:
        if len(self._forks) == 1:
            return ()
        return tuple(
            Marker(text)
            for index in reversed(range(len(self._forks)))
            if (text := self._fork_text([index])) is not None
        )

    def resolution_markers(
        self, name: NormalizedName, owner: tuple[int, ...]
    ) -> tuple[Marker, ...]:
        if len(self._choices[name]) == 1 and len(owner) == len(self._forks):
            return ()
        return tuple(
            Marker(text)
            for index in sorted(owner, reverse=True)
            if (text := self._fork_text([index])) is not None
        )

    def edges(
        self,
        owner: tuple[int, ...],
        pairs: list[tuple[Requirement, Marker | None]],
        provided: Mapping[NormalizedName, frozenset[NormalizedName]],
    ) -> tuple[Dependency, ...]:
        plain: list[tuple[Requirement, Marker | None]] = []
        forked: list[Dependency] = []
        for requirement, marker in pairs:
            name = canonicalize_name(requirement.name)
            if len(self._choices.get(name, {})) <= 1:
                plain.append((requirement, marker))
                continue
            by_version: dict[Version, list[int]] = defaultdict(list)
            for index in owner:
                chosen = self._forks[index].bases.get(name)
                if chosen is not None:
                    by_version[chosen.version].append(index)
            available = provided.get(name, frozenset())
            extras = tuple(
                sorted(e for e in map(canonicalize_name, requirement.extras) if e in available)
            )
            for version, indices in by_version.items():
                text = self._fork_text(indices)
                fork_marker = Marker(text) if text is not None else None
                candidate = self._forks[indices[0]].bases[name]
                source = (
                    self._locals[name].source
                    if name in self._locals
                    else Source(SourceKind.REGISTRY, candidate.files[0].index)
                )
                forked.append(
                    Dependency(
                        name=name,
                        version=version,
                        source=source,
                        extras=extras,
                        marker=conjoin(marker, fork_marker),
                    )
                )
        edges = list(_edges(plain, provided)) + forked
        return tuple(
            sorted(
                edges,
                key=lambda e: (e.name, e.version or Version("0"), e.extras, str(e.marker or "")),
            )
        )


def _intersect(specifiers: Iterable[SpecifierSet]) -> SpecifierSet:
    """The intersection of members' requires-python (identical clauses once)."""
    clauses: dict[str, None] = {}
    for specifier in specifiers:
        for clause in specifier:
            clauses[str(clause)] = None
    return SpecifierSet(",".join(clauses))


def _source_tree_package(
    manifest: ProjectManifest,
    provided: Mapping[NormalizedName, frozenset[NormalizedName]],
    requires_python: SpecifierSet,
    *,
    member: bool,
    source: Source | None = None,
    edges: Callable[[list[tuple[Requirement, Marker | None]]], tuple[Dependency, ...]]
    | None = None,
) -> LockedPackage:
    """A project's own ``[[package]]``: a workspace member (editable or virtual), or a local
    directory another project depends on."""

    def make_edges(pairs: list[tuple[Requirement, Marker | None]]) -> tuple[Dependency, ...]:
        return edges(pairs) if edges is not None else _edges(pairs, provided)

    own = [r for r in manifest.dependencies if canonicalize_name(r.name) != manifest.name]
    optional = []
    for extra, requirements in manifest.optional_dependencies:
        extra_edges = make_edges(_restricted(requirements, "", requires_python))
        if extra_edges:
            optional.append((extra, extra_edges))
    groups = []
    for group, requirements in manifest.dependency_groups:
        group_edges = make_edges(_restricted(requirements, "", requires_python))
        if group_edges:
            groups.append((group, group_edges))
    requires_dist = declared_requirements(manifest)
    requires_dev = tuple(
        (group, tuple(sorted(records, key=requirement_key_sort)))
        for group, records in declared_groups(manifest)
    )
    kind = SourceKind.EDITABLE if manifest.is_package else SourceKind.VIRTUAL
    # uv never records metadata for immutable sources (registry, git).
    immutable = source is not None and source.kind is SourceKind.GIT
    has_metadata = not immutable and (member or bool(requires_dist) or bool(requires_dev))
    return LockedPackage(
        name=manifest.name,
        version=manifest.version,
        source=source or Source(kind, manifest.directory),
        dependencies=make_edges(_restricted(own, "", requires_python)),
        optional_dependencies=tuple(optional),
        dev_dependencies=tuple(groups),
        provides_extras=manifest.extras if has_metadata else (),
        declared_groups=tuple(group for group, _ in manifest.dependency_groups),
        requires_dist=tuple(sorted(requires_dist, key=requirement_key_sort))
        if has_metadata
        else None,
        requires_dev=requires_dev,
    )


def requirement_key_sort(requirement: object) -> tuple[str, ...]:
    """uv's order for requirement lists: name, extras, groups, marker, source."""
    key = requirement_key(requirement)  # type: ignore[arg-type]
    return tuple("" if part is None else str(part) for part in key)
