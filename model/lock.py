"""The contents of a ``uv.lock`` (version 1, revisions 0–5) as values (pure).

The shell parses the TOML and structures it into these classes (``reconciler.lock.read``);
nothing here knows about TOML or files. Field names follow uv's keys, in snake case.
See ``shared/docs/uv/uv-lock-format.md`` for the format.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

import attrs
from packaging.markers import Marker
from packaging.specifiers import SpecifierSet
from packaging.utils import NormalizedName
from packaging.version import Version

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from accord.model.dependency_metadata import StaticMetadata

__all__ = [
    "Artifact",
    "ConflictItem",
    "Dependency",
    "Lock",
    "LockOptions",
    "LockRequirement",
    "LockedPackage",
    "Source",
    "SourceKind",
    "lock_changes",
]


class SourceKind(enum.Enum):
    """Where a locked package comes from; the order is uv's sort order for package IDs."""

    REGISTRY = "registry"
    GIT = "git"
    URL = "url"
    PATH = "path"
    DIRECTORY = "directory"
    EDITABLE = "editable"
    VIRTUAL = "virtual"

    @property
    def is_source_tree(self) -> bool:
        """A local directory: built (or not, when virtual) from the project's own files."""
        return self in (SourceKind.DIRECTORY, SourceKind.EDITABLE, SourceKind.VIRTUAL)


@attrs.frozen
class Source:
    """A package's ``source = { <kind> = "<location>" }`` table."""

    kind: SourceKind
    location: str
    """The index URL, git URL, archive URL or path, exactly as the lock writes it."""
    subdirectory: str | None = None

    def __str__(self) -> str:
        return f"{self.kind.value}+{self.location}"


@attrs.frozen(kw_only=True)
class Artifact:
    """One wheel or sdist entry of a locked package."""

    url: str | None = None
    path: str | None = None
    """For a flat (find-links) registry: the file name relative to that directory."""
    filename: str | None = None
    """For a ``path`` source wheel: the wheel's file name."""
    hash: str | None = None
    """``<algorithm>:<hexdigest>``, normally sha256."""
    size: int | None = None
    upload_time: str | None = None

    @property
    def name(self) -> str:
        """The artifact's file name, from whichever of url, path or filename is present."""
        for value in (self.filename, self.path, self.url):
            if value:
                return value.rstrip("/").rsplit("/", 1)[-1].split("#", 1)[0]
        return ""

    @property
    def sha256(self) -> str | None:
        if self.hash and self.hash.startswith("sha256:"):
            return self.hash[len("sha256:") :]
        return None


@attrs.frozen(kw_only=True)
class Dependency:
    """A graph edge: this package needs ``name`` (with ``extras``) when ``marker`` holds."""

    name: NormalizedName
    version: Version | None = None
    """Written only when the lock holds several packages of this name."""
    source: Source | None = None
    extras: tuple[NormalizedName, ...] = ()
    marker: Marker | None = None


@attrs.frozen(kw_only=True)
class LockRequirement:
    """A declared requirement as uv records it (``requires-dist``, ``requires-dev``, manifest).

    These are the *inputs* (after ``tool.uv.sources`` lowering), compared against
    pyproject.toml to decide whether the lock is still current.
    """

    name: NormalizedName
    extras: tuple[NormalizedName, ...] = ()
    groups: tuple[NormalizedName, ...] = ()
    marker: Marker | None = None
    specifier: SpecifierSet = attrs.field(factory=SpecifierSet)
    index: str | None = None
    """Pinned index URL (``tool.uv.sources`` ``index = ...``)."""
    source: Source | None = None
    """A non-registry source (git, url, path, directory, editable, virtual)."""


@attrs.frozen(kw_only=True)
class LockOptions:
    """``[options]``: resolver settings, written only when not the default."""

    resolution_mode: str | None = None
    prerelease_mode: str | None = None
    fork_strategy: str | None = None
    exclude_newer: str | None = None
    exclude_newer_span: str | None = None
    """ISO-8601 duration (``P30D``) of a relative exclude-newer; ``exclude_newer`` is then uv's
    placeholder ``0001-01-01T00:00:00Z``."""
    prerelease_package: tuple[tuple[NormalizedName, str], ...] = ()
    """``[options.prerelease-package]``: (name, mode), in file order."""
    exclude_newer_package: tuple[tuple[NormalizedName, str | bool], ...] = ()
    """``[options.exclude-newer-package]``: (name, timestamp or ``False``), in file order."""


@attrs.frozen(kw_only=True)
class ConflictItem:
    """One member of a ``conflicts`` set: a package, or one of its extras or groups."""

    package: NormalizedName
    extra: NormalizedName | None = None
    group: NormalizedName | None = None


Groups = tuple[tuple[NormalizedName, tuple[LockRequirement, ...]], ...]


@attrs.frozen(kw_only=True)
class LockedPackage:
    """One ``[[package]]`` table."""

    name: NormalizedName
    version: Version | None
    """Absent only for a source tree whose version is dynamic."""
    source: Source
    resolution_markers: tuple[Marker, ...] = ()
    dependencies: tuple[Dependency, ...] = ()
    optional_dependencies: tuple[tuple[NormalizedName, tuple[Dependency, ...]], ...] = ()
    """(extra, edges) pairs, sorted by extra."""
    dev_dependencies: tuple[tuple[NormalizedName, tuple[Dependency, ...]], ...] = ()
    """(group, edges) pairs, sorted by group."""
    sdist: Artifact | None = None
    wheels: tuple[Artifact, ...] = ()
    provides_extras: tuple[NormalizedName, ...] = ()
    """From ``[package.metadata]`` (only mutable sources carry it)."""
    declared_groups: tuple[NormalizedName, ...] = ()
    """Group names of ``[package.metadata.requires-dev]``, including empty groups."""
    requires_dist: tuple[LockRequirement, ...] | None = None
    """``[package.metadata] requires-dist``; None when the package has no metadata table."""
    requires_dev: Groups = ()
    """``[package.metadata.requires-dev]``: (group, requirements), every declared group."""
    default_groups: tuple[NormalizedName, ...] | None = None
    """Rev 5 ``default-groups`` (written when ``tool.uv.default-groups`` is set)."""
    group_requires_python: tuple[tuple[NormalizedName, SpecifierSet], ...] = ()
    """Rev 5 ``[package.group-requires-python]``: (group, specifier), sorted by group."""

    @property
    def display_version(self) -> str:
        return str(self.version) if self.version is not None else "(dynamic)"

    def extra(self, name: str) -> tuple[Dependency, ...] | None:
        """The edges of one extra, or None when the lock has no such extra."""
        for extra, edges in self.optional_dependencies:
            if extra == name:
                return edges
        return None

    def group(self, name: str) -> tuple[Dependency, ...] | None:
        """The edges of one dependency group, or None when the lock has no such group."""
        for group, edges in self.dev_dependencies:
            if group == name:
                return edges
        return None

    @property
    def extra_names(self) -> tuple[NormalizedName, ...]:
        names = {extra for extra, _ in self.optional_dependencies} | set(self.provides_extras)
        return tuple(sorted(names))

    @property
    def group_names(self) -> tuple[NormalizedName, ...]:
        names = {group for group, _ in self.dev_dependencies} | set(self.declared_groups)
        return tuple(sorted(names))


@attrs.frozen(kw_only=True)
class Lock:
    """A whole lockfile."""

    version: int
    revision: int
    requires_python: SpecifierSet
    packages: tuple[LockedPackage, ...]
    resolution_markers: tuple[Marker, ...] = ()
    members: tuple[NormalizedName, ...] = ()
    """``[manifest] members``: empty for a single-project workspace."""
    manifest_groups: tuple[tuple[NormalizedName, tuple[Dependency, ...]], ...] = ()
    """Groups of a virtual workspace root (``[manifest.dependency-groups]``), as edges."""
    manifest_group_requirements: Groups = ()
    """The same groups as the requirements written in the file."""
    manifest_requirements: tuple[LockRequirement, ...] = ()
    """``[manifest] requirements`` (e.g. a PEP 723 script's dependencies)."""
    constraints: tuple[LockRequirement, ...] = ()
    overrides: tuple[LockRequirement, ...] = ()
    build_constraints: tuple[LockRequirement, ...] = ()
    options: LockOptions = LockOptions()
    supported_markers: tuple[Marker, ...] = ()
    required_markers: tuple[Marker, ...] = ()
    """``required-markers`` (``tool.uv.required-environments``)."""
    conflicts: tuple[tuple[ConflictItem, ...], ...] = ()
    """``conflicts`` (``tool.uv.conflicts``): sets of mutually exclusive extras/groups."""
    excludes: tuple[NormalizedName, ...] = ()
    """``[manifest] excludes`` (``tool.uv.exclude-dependencies``)."""
    manifest_default_groups: tuple[NormalizedName, ...] | None = None
    """Rev 5 ``[manifest] default-groups``."""
    manifest_group_requires_python: tuple[tuple[NormalizedName, SpecifierSet], ...] = ()
    """Rev 5 ``[manifest.group-requires-python]``: (group, specifier), sorted by group."""
    dependency_metadata: tuple[StaticMetadata, ...] = ()
    """``[[manifest.dependency-metadata]]`` (``tool.uv.dependency-metadata``), in uv's order."""

    def packages_named(self, name: str) -> tuple[LockedPackage, ...]:
        return tuple(package for package in self.packages if package.name == name)

    def target_of(self, edge: Dependency) -> LockedPackage | None:
        """The package an edge points at: unique by name, else by version and source."""
        return _target(self.packages_named(edge.name), edge)

    def targets(self) -> Callable[[Dependency], LockedPackage | None]:
        """``target_of`` for many edges: the packages looked up by name, not searched."""
        named: dict[str, list[LockedPackage]] = {}
        for package in self.packages:
            named.setdefault(package.name, []).append(package)
        return lambda edge: _target(named.get(edge.name, ()), edge)


def _target(candidates: Sequence[LockedPackage], edge: Dependency) -> LockedPackage | None:
    if len(candidates) == 1:
        return candidates[0]
    for package in candidates:
        if (edge.version is None or package.version == edge.version) and (
            edge.source is None or package.source == edge.source
        ):
            return package
    return None


def lock_changes(previous: Lock | None, new: Lock, *, planned: bool = False) -> list[str]:
    """uv's report of a lock change, sorted by name: ``Updated pkg v1.0 -> v1.1``,
    ``Added pkg v1.0``, ``Removed pkg v1.0`` (``Update``/``Add``/``Remove`` for a dry run).

    As uv words it: each name's set of versions before and after (a git package's with the
    first 8 digits of its commit, ``v1.0 (0123abcd)``; a source tree whose version is dynamic
    as ``(dynamic)``), listed in order and joined by ``, ``; a name whose set changed is
    updated. A first lock reports nothing unless it is only planned (uv lists every package
    then)."""
    if previous is None and not planned:
        return []
    verbs = ("Update", "Add", "Remove") if planned else ("Updated", "Added", "Removed")

    def versions(lock: Lock | None) -> dict[str, set[tuple[Version | None, str | None]]]:
        found: dict[str, set[tuple[Version | None, str | None]]] = {}
        for package in lock.packages if lock is not None else ():
            sha = None
            if package.source.kind is SourceKind.GIT:
                sha = package.source.location.rpartition("#")[2][:8] or None
            found.setdefault(package.name, set()).add((package.version, sha))
        return found

    def shown(entries: set[tuple[Version | None, str | None]]) -> str:
        # uv's order: a dynamic version first, then by version; no commit before a commit.
        ordered = sorted(
            entries,
            key=lambda e: (e[0] is not None, e[0] or Version("0"), e[1] is not None, e[1] or ""),
        )
        texts = []
        for version, sha in ordered:
            text = "(dynamic)" if version is None else f"v{version}"
            texts.append(text if sha is None else f"{text} ({sha})")
        return ", ".join(texts)

    old, now = versions(previous), versions(new)
    lines = []
    for name in sorted(set(old) | set(now)):
        before, after = old.get(name), now.get(name)
        if before == after:
            continue
        if before is not None and after is not None:
            lines.append(f"{verbs[0]} {name} {shown(before)} -> {shown(after)}")
        elif after is not None:
            lines.append(f"{verbs[1]} {name} {shown(after)}")
        elif before is not None:
            lines.append(f"{verbs[2]} {name} {shown(before)}")
    return lines
