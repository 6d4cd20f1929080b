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
from model.markers import NEVER, python_points, restrict
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
    import resolvelib  # slow path only

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
    provider = Provider(
        client,
        requires_python=requires_python,
        preferences=preferences or {},
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
    except resolvelib.ResolutionImpossible as exc:
        raise _explain(exc, provider.excluded) from exc
    except resolvelib.ResolutionTooDeep as exc:
        raise NoSolution("No solution found: the resolution took too many steps") from exc
    finally:
        provider.close()

    bases: dict[NormalizedName, Candidate] = {}
    activated: dict[NormalizedName, set[NormalizedName]] = defaultdict(set)
    for candidate in result.mapping.values():
        if candidate.extra is None:
            bases[candidate.name] = candidate
        else:
            activated[candidate.name].add(candidate.extra)
    metadata = {name: provider.metadata(candidate) for name, candidate in bases.items()}
    provided = {name: frozenset(meta.provides_extras) for name, meta in metadata.items()}
    for m in manifests:
        provided[m.name] = frozenset(m.extras)
    points = python_points(requires_python)

    packages: list[LockedPackage] = []
    for name in sorted(bases):
        if name in locals_:
            local = locals_[name]
            package = _source_tree_package(
                local.manifest, provided, requires_python, member=local.member, source=local.source
            )
            if local.sdist is not None or local.wheels:
                package = attrs.evolve(package, sdist=local.sdist, wheels=local.wheels)
            packages.append(package)
            continue
        candidate, meta = bases[name], metadata[name]
        sdists = [f for f in candidate.files if not f.is_wheel]
        wheels = sorted(
            (f for f in candidate.files if f.is_wheel and _wheel_fits_range(f, points)),
            key=lambda f: f.filename,
        )
        optional = []
        for extra in sorted(activated.get(name, ())):
            edges = _edges(
                _restricted(meta.requires_dist, extra, requires_python, exclusive=True), provided
            )
            if edges:
                optional.append((extra, edges))
        packages.append(
            LockedPackage(
                name=name,
                version=candidate.version,
                source=Source(SourceKind.REGISTRY, candidate.files[0].index),
                dependencies=_edges(_restricted(meta.requires_dist, "", requires_python), provided),
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
            packages.append(_source_tree_package(m, provided, requires_python, member=True))
    packages.sort(key=lambda package: package.name)
    group_records = tuple(
        (group, tuple(sorted((lock_requirement(r) for r in reqs), key=requirement_key_sort)))
        for group, reqs in root_groups
        if reqs
    )
    group_edges = tuple(
        (group, _edges(_restricted(reqs, "", requires_python), provided))
        for group, reqs in root_groups
        if reqs
    )
    return Lock(
        version=1,
        revision=5,
        requires_python=requires_python,
        packages=tuple(packages),
        members=tuple(sorted(m.name for m in manifests)) if workspace else (),
        manifest_groups=group_edges,
        manifest_group_requirements=group_records,
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
) -> LockedPackage:
    """A project's own ``[[package]]``: a workspace member (editable or virtual), or a local
    directory another project depends on."""
    own = [r for r in manifest.dependencies if canonicalize_name(r.name) != manifest.name]
    optional = []
    for extra, requirements in manifest.optional_dependencies:
        edges = _edges(_restricted(requirements, "", requires_python), provided)
        if edges:
            optional.append((extra, edges))
    groups = []
    for group, requirements in manifest.dependency_groups:
        edges = _edges(_restricted(requirements, "", requires_python), provided)
        if edges:
            groups.append((group, edges))
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
        dependencies=_edges(_restricted(own, "", requires_python), provided),
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
