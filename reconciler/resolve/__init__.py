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
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING

from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version

from model.lock import Artifact, Dependency, Lock, LockedPackage, Source, SourceKind
from model.manifest import ProjectManifest, lock_requirement, requirement_key
from model.markers import NEVER, python_points, restrict
from reconciler.errors import NoSolution
from reconciler.resolve.provider import Candidate, Provider, Req, split_requirement

if TYPE_CHECKING:
    from reconciler.index import IndexClient, IndexFile

__all__ = ["NoSolution", "resolve_lock"]


def _root_requirements(manifest: ProjectManifest) -> list[Req]:
    requirements: list[Req] = []
    project = "the project"
    declared: list[tuple[Requirement, str | None]] = [(r, "") for r in manifest.dependencies]
    declared += [(r, extra) for extra, reqs in manifest.optional_dependencies for r in reqs]
    declared += [(r, "") for _, reqs in manifest.dependency_groups for r in reqs]
    for requirement, extra in declared:
        if canonicalize_name(requirement.name) == manifest.name:
            continue  # the project's own extras are already part of the root
        holds = restrict(requirement.marker, extra=extra, requires_python=manifest.requires_python)
        if holds is NEVER:
            continue
        requirements.extend(split_requirement(requirement, project))
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


def resolve_lock(
    manifest: ProjectManifest,
    client: IndexClient,
    *,
    index_url: str,
    preferences: Mapping[NormalizedName, Version] | None = None,
    upgrade: bool = False,
    upgrade_packages: frozenset[NormalizedName] = frozenset(),
    script: bool = False,
    sdist_metadata: Callable[[IndexFile], bytes] | None = None,
) -> Lock:
    """Resolve ``manifest`` against ``client`` and build the lock.

    ``script``: the shape of a PEP 723 script lock (and of accord's ephemeral environments):
    no package for the root, its requirements in ``[manifest] requirements`` instead.
    """
    import resolvelib  # slow path only

    requires_python = manifest.requires_python
    provider = Provider(
        client,
        requires_python=requires_python,
        preferences=preferences or {},
        upgrade=upgrade,
        upgrade_packages=upgrade_packages,
        sdist_metadata=sdist_metadata,
    )
    try:
        resolver: resolvelib.Resolver[Req, Candidate, str] = resolvelib.Resolver(
            provider, resolvelib.BaseReporter()
        )
        result = resolver.resolve(_root_requirements(manifest), max_rounds=10_000)
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
    provided[manifest.name] = frozenset(manifest.extras)
    points = python_points(requires_python)

    packages: list[LockedPackage] = []
    for name in sorted(bases):
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
                    (lock_requirement(r) for r in manifest.dependencies), key=requirement_key_sort
                )
            ),
        )
    packages.append(_root_package(manifest, provided))
    packages.sort(key=lambda package: package.name)
    return Lock(
        version=1,
        revision=5,
        requires_python=requires_python,
        packages=tuple(packages),
    )


def _root_package(
    manifest: ProjectManifest, provided: Mapping[NormalizedName, frozenset[NormalizedName]]
) -> LockedPackage:
    requires_python = manifest.requires_python
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
    requires_dist = [lock_requirement(r) for r in manifest.dependencies]
    requires_dist += [
        lock_requirement(r, extra=extra)
        for extra, requirements in manifest.optional_dependencies
        for r in requirements
    ]
    requires_dev = tuple(
        (group, tuple(sorted((lock_requirement(r) for r in reqs), key=requirement_key_sort)))
        for group, reqs in manifest.dependency_groups
    )
    kind = SourceKind.EDITABLE if manifest.is_package else SourceKind.VIRTUAL
    return LockedPackage(
        name=manifest.name,
        version=manifest.version,
        source=Source(kind, manifest.directory),
        dependencies=_edges(_restricted(own, "", requires_python), provided),
        optional_dependencies=tuple(optional),
        dev_dependencies=tuple(groups),
        provides_extras=manifest.extras,
        declared_groups=tuple(group for group, _ in manifest.dependency_groups),
        requires_dist=tuple(sorted(requires_dist, key=requirement_key_sort)),
        requires_dev=requires_dev,
    )


def requirement_key_sort(requirement: object) -> tuple[str, ...]:
    """uv's order for requirement lists: name, extras, groups, marker, source."""
    key = requirement_key(requirement)  # type: ignore[arg-type]
    return tuple("" if part is None else str(part) for part in key)
