"""Lock stage, resolution: local packages (workspace members, path, git and archive sources)
read into the resolver's ``LocalPackage`` values.

A source tree's metadata is read statically from its pyproject.toml, unless its version or
requirements are dynamic: a path or git dependency's are then prepared by its build backend
(``TreeMetadata``, handed down from the run stage), as uv prepares them. A dynamic version is
not written for a path dependency (uv omits it for every source tree); a git dependency's is.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import attrs
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version

from accord.model.lock import Artifact, Source, SourceKind
from accord.model.manifest import DeclaredRequirement, ProjectManifest, lowered_requirements
from accord.reconciler.errors import BuildNotSupported, MetadataInvalid
from accord.reconciler.lock.resolve.requirements import LocalPackage

if TYPE_CHECKING:
    from accord.reconciler.fetch.index import DistMetadata

__all__ = [
    "ArchiveMetadata",
    "TreeMetadata",
    "built_package",
    "local_metadata",
    "local_packages",
    "refuse_direct_urls",
    "source_package",
]


class TreeMetadata(Protocol):
    """The core metadata (``METADATA`` bytes) a source tree's backend prepares for the wheel
    (``editable``: the editable wheel) it would build; ``commit``: the tree is that commit's
    shared checkout (not built in place, and the answer may be kept)."""

    def __call__(
        self, tree: Path, name: str, *, editable: bool = False, commit: str | None = None
    ) -> bytes: ...


class ArchiveMetadata(Protocol):
    """The core metadata (``METADATA`` bytes) of the sdist at ``url`` (its ``sha256`` when
    known, its file name), or of the project in its ``subdirectory`` (a ``url`` source's)."""

    def __call__(
        self, url: str, sha256: str | None, filename: str, subdirectory: str | None = None
    ) -> bytes: ...


def local_metadata(manifest: ProjectManifest) -> DistMetadata:
    """A source tree's metadata, read statically from its manifest (requirements on names
    whose source is chosen by marker lowered, one per source)."""
    from accord.reconciler.fetch.index import DistMetadata

    requirements = list(lowered_requirements(manifest, manifest.dependencies))
    for extra, declared in manifest.optional_dependencies:
        lowered = lowered_requirements(manifest, declared)
        for requirement, marker in _flattened(manifest, lowered, None, (extra,)):
            tagged = Requirement(str(requirement))
            own = f"({marker}) and " if marker is not None else ""
            tagged.marker = Marker(f'{own}extra == "{extra}"')
            requirements.append(tagged)
    return DistMetadata(
        name=manifest.name,
        version=manifest.version or Version("0"),
        requires_dist=tuple(requirements),
        requires_python=manifest.requires_python or None,
        provides_extras=manifest.provides_extras,
    )


def _flattened(
    manifest: ProjectManifest,
    declared: tuple[Requirement, ...],
    outer: str | None,
    trail: tuple[str, ...],
) -> list[tuple[Requirement, str | None]]:
    """An extra's requirements with the project's references to its own extras replaced by
    those extras' requirements, recursively (uv flattens them when it reads the project's
    metadata); each with its marker, the referencing requirement's marker conjoined."""
    extras = dict(manifest.optional_dependencies)
    flat: list[tuple[Requirement, str | None]] = []
    for requirement in declared:
        own = None if requirement.marker is None else str(requirement.marker)
        marker = own if outer is None else outer if own is None else f"({outer}) and ({own})"
        if canonicalize_name(requirement.name) != manifest.name or not requirement.extras:
            flat.append((requirement, marker))
            continue
        for name in requirement.extras:
            extra = canonicalize_name(name)
            if extra in trail or extra not in extras:
                continue
            lowered = lowered_requirements(manifest, extras[extra])
            flat += _flattened(manifest, lowered, marker, (*trail, extra))
    return flat


def _git_package(
    name: NormalizedName,
    source: Source,
    cache: Path,
    offline: bool,
    locked_commit: str | None,
    tree_metadata: TreeMetadata | None,
) -> LocalPackage:
    """A git dependency: the locked commit (or the reference's current one), checked out."""
    import re

    from accord.model.git import lock_url, parse_lock_url
    from accord.reconciler.fetch.git import checkout, resolve_commit
    from accord.reconciler.project.workspace import read_manifest

    # The requirement form has no commit; parse it with a placeholder fragment (a full-sha
    # `rev` must equal the fragment, so it is its own placeholder).
    pinned = re.search(r"[?&]rev=([0-9a-f]{40})(?:&|$)", source.location)
    reference, _ = parse_lock_url(source.location + "#" + (pinned.group(1) if pinned else "0" * 40))
    commit = locked_commit or resolve_commit(reference, cache, offline=offline)
    tree = checkout(reference, commit, cache, offline=offline)
    local = read_manifest(tree / "pyproject.toml", is_package=True, directory=".")
    _refuse_own_sources(name, tree / "pyproject.toml", local)
    source = Source(SourceKind.GIT, lock_url(reference, commit))
    if local.needs_build:
        if tree_metadata is None:
            raise _cannot_build(name, "from git")
        raw = tree_metadata(tree, name, commit=commit)
        return built_package(name, local, source, raw, keep_version=True)
    return LocalPackage(manifest=local, source=source, metadata=local_metadata(local), member=False)


def _refuse_own_sources(name: NormalizedName, pyproject: Path, local: ProjectManifest) -> None:
    """A git dependency whose own ``[tool.uv.sources]`` name one of its requirements: uv
    lowers them within the repository, which accord does not do yet."""
    from accord.reconciler.project.discover import read_pyproject, toml_table

    own = toml_table(read_pyproject(pyproject), "tool", "uv").get("sources", {})
    if not isinstance(own, dict):
        return
    declared = {canonicalize_name(r.name) for r in local.dependencies} | {
        canonicalize_name(r.name) for _, reqs in local.optional_dependencies for r in reqs
    }
    named = sorted(declared.intersection(canonicalize_name(key) for key in own))
    if named:
        raise BuildNotSupported(
            f"`{name}` from git takes `{named[0]}` from its own `tool.uv.sources`, which "
            "accord cannot lock yet",
            hint="lock with uv, or take the dependency from a path or an index",
        )


def _archive_package(
    name: NormalizedName,
    source: Source,
    root: Path | None,
    cache: Path,
    archive_metadata: ArchiveMetadata | None,
) -> LocalPackage:
    """A url or path source naming a wheel or sdist: fetched (and hashed) once, its metadata
    read from the wheel or prepared by the sdist's backend (from the ``subdirectory`` of a
    ``url`` source's archive, as uv builds it; uv drops a wheel's ``subdirectory``)."""
    import zipfile

    from accord.reconciler.fetch.artifacts import fetch_archive
    from accord.reconciler.fetch.index import parse_metadata

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
        raw = archive_metadata(url, sha256, archive.name, source.subdirectory)
    else:
        raise BuildNotSupported(f"`{name}` is an sdist at `{location}`; it needs building")
    meta = parse_metadata(raw)
    if is_wheel and source.subdirectory is not None:
        source = Source(source.kind, source.location)
    digest = f"sha256:{sha256}"
    # An sdist is named by its source alone, in uv's lock; a wheel by URL or by file name.
    sdist = None if is_wheel else Artifact(hash=digest)
    if source.kind is SourceKind.URL:
        wheels = (Artifact(url=url, hash=digest),) if is_wheel else ()
    else:
        wheels = (Artifact(filename=archive.name, hash=digest),) if is_wheel else ()
    manifest = ProjectManifest(
        name=meta.name,
        version=meta.version,
        requires_python=meta.requires_python or SpecifierSet(),
        dependencies=meta.requires_dist,
        # uv records the archive's extras (``provides-extras``) in their metadata order.
        optional_dependencies=tuple((extra, ()) for extra in sorted(set(meta.provides_extras))),
        declared_extras=meta.provides_extras,
    )
    return LocalPackage(
        manifest=manifest, source=source, metadata=meta, member=False, sdist=sdist, wheels=wheels
    )


def local_packages(
    manifests: Sequence[ProjectManifest],
    root: Path | None,
    members_are_candidates: bool,
    *,
    cache: Path | None = None,
    offline: bool = False,
    git_commits: Mapping[NormalizedName, str] | None = None,
    archive_metadata: ArchiveMetadata | None = None,
    tree_metadata: TreeMetadata | None = None,
    followed: Sequence[ProjectManifest] = (),
) -> dict[NormalizedName, LocalPackage]:
    """Members (when they are candidates) and the local directories they depend on;
    ``followed``: more path dependencies (not candidates here) whose own sources count."""
    for manifest in manifests:
        if manifest.dynamic_requirements:
            # uv asks the member's build backend; read statically they would be none at all.
            fields = " and ".join(
                f"`{field}`"
                for field in ("dependencies", "optional-dependencies")
                if field in manifest.dynamic
            )
            raise BuildNotSupported(
                f"`{manifest.name}` declares {fields} in `project.dynamic`, which accord "
                "cannot lock for the project or a workspace member yet",
                hint="list them in pyproject.toml, or lock with uv (accord runs from a uv.lock "
                "that is up to date with `--frozen`)",
            )
    locals_: dict[NormalizedName, LocalPackage] = {}
    if members_are_candidates:
        for manifest in manifests:
            locals_[manifest.name] = LocalPackage(
                manifest=manifest,
                source=Source(
                    SourceKind.EDITABLE if manifest.is_package else SourceKind.VIRTUAL,
                    manifest.directory,
                ),
                metadata=local_metadata(manifest),
                member=True,
            )
    # Members first, then each path dependency read, whose own sources uv follows too.
    queue = [*manifests, *followed]
    while queue:
        manifest = queue.pop(0)
        for name, source in manifest.sources:
            if name in locals_:
                _same_source(name, source, locals_[name])
                continue
            package = source_package(
                manifest.name,
                name,
                source,
                root,
                cache=cache,
                offline=offline,
                git_commit=(git_commits or {}).get(name),
                archive_metadata=archive_metadata,
                tree_metadata=tree_metadata,
            )
            if package is None:
                continue
            locals_[name] = package
            if package.source.kind.is_source_tree:
                queue.append(package.manifest)
    return locals_


def refuse_direct_urls(
    manifests: Sequence[ProjectManifest],
    groups: Sequence[tuple[NormalizedName, Sequence[Requirement]]],
    local: Mapping[NormalizedName, LocalPackage],
    *,
    script: bool,
) -> None:
    """A requirement naming a URL (``dep-b @ https://…``, PEP 508's direct reference) in what
    the project declares (a script's or ``--with`` requirements when ``script``) or a local
    package declares: uv locks the package from that URL; accord does not yet, and would take
    it from the index, so it refuses."""
    owners: list[tuple[str | None, ProjectManifest]] = [
        (None if script else manifest.name, manifest) for manifest in manifests
    ]
    owners += [
        (package.manifest.name, package.manifest)
        for package in local.values()
        if not package.member
    ]
    found = [
        (who, requirement)
        for who, manifest in owners
        for requirement in (
            *manifest.dependencies,
            *(r for _, reqs in manifest.optional_dependencies for r in reqs),
            *(r for _, reqs in manifest.dependency_groups for r in reqs),
        )
    ]
    found += [(None, requirement) for _, reqs in groups for requirement in reqs]
    for who, requirement in found:
        if requirement.url:
            asked = "" if who is None else f" (from `{who}`)"
            raise BuildNotSupported(
                f"`{requirement}`{asked} is a direct URL requirement, which accord cannot lock "
                "yet: it would take the package from the index",
                hint=f"lock with uv, or take `{requirement.name}` from an index or from a "
                "`[tool.uv.sources]` entry (`url`, `path` or `git`)",
            )


def source_package(
    dependent: NormalizedName,
    name: NormalizedName,
    source: Source,
    root: Path | None,
    *,
    cache: Path | None,
    offline: bool = False,
    git_commit: str | None = None,
    archive_metadata: ArchiveMetadata | None = None,
    tree_metadata: TreeMetadata | None = None,
) -> LocalPackage | None:
    """The package ``dependent`` takes ``name`` from ``source``: a git checkout, an archive,
    or a local directory, its own ``[tool.uv.sources]`` lowered (None for a workspace
    member's own source)."""
    if source.kind is SourceKind.GIT and cache is not None:
        return _git_package(name, source, cache, offline, git_commit, tree_metadata)
    archive = source.kind is SourceKind.URL or source.kind is SourceKind.PATH
    if archive and cache is not None:
        return _archive_package(name, source, root, cache, archive_metadata)
    if not source.kind.is_source_tree or root is None:
        if source.kind in (SourceKind.GIT, SourceKind.URL, SourceKind.PATH):
            raise BuildNotSupported(
                f"`{dependent}` takes `{name}` from a {source.kind.value} source, "
                "which accord cannot lock here",
                hint="workspace members and local directories are supported",
            )
        return None
    return _tree_package(name, source, root, tree_metadata)


def _tree_package(
    name: NormalizedName, source: Source, root: Path, tree_metadata: TreeMetadata | None
) -> LocalPackage:
    """A path dependency's directory, its own ``[tool.uv.sources]`` lowered."""
    from accord.reconciler.project.workspace import read_path_dependency

    location = Path(source.location)
    directory = location if location.is_absolute() else root / location
    local = read_path_dependency(directory, root, source.location)
    if not local.needs_build:
        return LocalPackage(
            manifest=local, source=source, metadata=local_metadata(local), member=False
        )
    if tree_metadata is None:
        raise _cannot_build(name, f"at `{source.location}`")
    raw = tree_metadata(directory, name, editable=source.kind is SourceKind.EDITABLE)
    return built_package(name, local, source, raw, keep_version=False)


def _same_source(name: NormalizedName, source: Source, known: LocalPackage) -> None:
    """A package two projects take from a source each: they must name the same one (uv
    refuses conflicting URLs); a workspace member is itself, whatever names it."""
    if known.member:
        return
    if known.source.kind is SourceKind.GIT:
        same = source.kind is SourceKind.GIT and known.source.location.split("#")[0] == (
            source.location
        )
    else:  # a directory taken editable and not is two sources to uv as well
        same = source == known.source
    if not same:
        from accord.reconciler.errors import NoSolution

        raise NoSolution(
            f"Requirements contain conflicting sources for package `{name}`: "
            f"`{known.source}` and `{source}`",
            hint="name the same source for it everywhere",
        )


def _cannot_build(name: str, where: str) -> BuildNotSupported:
    # Every caller that may name a local tree hands a builder down; this is a safeguard.
    return BuildNotSupported(
        f"`{name}` {where} has a dynamic version or dynamic requirements, which only its build "
        "backend can tell, and this resolution cannot run a build",
        hint="declare them statically in its pyproject.toml",
    )


def built_package(
    name: NormalizedName, static: ProjectManifest, source: Source, raw: bytes, *, keep_version: bool
) -> LocalPackage:
    """A source tree whose metadata its backend prepared (``raw``): resolved with it, and
    recorded as uv records it (requirements and extras as the backend wrote them; the
    version only with ``keep_version``, else only when pyproject.toml states it)."""
    from accord.model.metadata_headers import header_fields
    from accord.reconciler.fetch.index import parse_metadata

    metadata = parse_metadata(raw)
    if metadata.name != name:
        raise MetadataInvalid(
            f"`{name}` at `{source.location}` was expected, but its build backend prepared "
            f"the metadata of `{metadata.name}`"
        )
    fields = header_fields(raw.decode("utf-8", errors="replace"))
    manifest = attrs.evolve(
        static,
        version=metadata.version if keep_version else static.version,
        requires_python=metadata.requires_python or SpecifierSet(),
        # As written (the order of a requirement's extras is kept, as uv keeps it).
        dependencies=tuple(DeclaredRequirement(line) for line in fields.get("requires-dist", [])),
        optional_dependencies=tuple((extra, ()) for extra in sorted(set(metadata.provides_extras))),
        declared_extras=metadata.provides_extras,
    )
    return LocalPackage(manifest=manifest, source=source, metadata=metadata, member=False)
