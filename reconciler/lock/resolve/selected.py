"""Lock stage, resolution: sources chosen by marker (a ``[tool.uv.sources]`` list, or one
source with a ``marker``), as each fork of the resolution sees them.

uv lowers a requirement on such a name into one requirement per source (the source's marker
and the requirement's own), so the project's requirements fork on them; within a fork, every
requirement on the name (a transitive one too) takes the source whose lowered requirement can
hold there (uv's ``ForkMap`` of pinned indexes and URLs), the indexes when none can. Two
different sources that can both hold in one fork are uv's "conflicting indexes" (or URLs).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import attrs
from packaging.utils import NormalizedName, canonicalize_name

from accord.model.lock import Source, SourceKind
from accord.model.manifest import ProjectManifest, lower_requirement
from accord.model.marker_tree import MarkerTree
from accord.reconciler.errors import NoSolution, SettingUnsupported
from accord.reconciler.lock.resolve.local import ArchiveMetadata, TreeMetadata, source_package
from accord.reconciler.lock.resolve.requirements import LocalPackage

if TYPE_CHECKING:
    from accord.reconciler.fetch.index import IndexClient

__all__ = ["ForkSources", "SelectedSources", "conflicting_sources", "selected_sources"]


@attrs.frozen
class _Entry:
    scope: MarkerTree
    """The lowered requirement's marker: where this source applies."""
    key: str
    """The lock source it names (``registry+<url>`` for an index), telling sources apart."""
    choice: LocalPackage | IndexClient


@attrs.frozen
class ForkSources:
    """What the names with sources chosen by marker come from in one fork."""

    local: Mapping[NormalizedName, LocalPackage]
    pinned: Mapping[NormalizedName, IndexClient]
    conflicting: Mapping[NormalizedName, tuple[str, ...]]
    """Names two sources apply to in this fork, with those sources' keys."""


@attrs.frozen
class SelectedSources:
    """Every name with sources chosen by marker, and the sources that can apply to it."""

    entries: Mapping[NormalizedName, tuple[_Entry, ...]] = attrs.field(factory=dict)

    @property
    def names(self) -> frozenset[NormalizedName]:
        return frozenset(self.entries)

    def packages(self) -> dict[str, LocalPackage]:
        """The local packages (archives, directories) by their lock source."""
        return {
            entry.key: entry.choice
            for entries in self.entries.values()
            for entry in entries
            if isinstance(entry.choice, LocalPackage)
        }

    def in_fork(self, env: MarkerTree) -> ForkSources:
        """The sources that apply where ``env`` holds (``env``: the fork's marker and its
        Python range)."""
        local: dict[NormalizedName, LocalPackage] = {}
        pinned: dict[NormalizedName, IndexClient] = {}
        conflicting: dict[NormalizedName, tuple[str, ...]] = {}
        for name, entries in self.entries.items():
            applying = {e.key: e for e in entries if not env.is_disjoint(e.scope)}
            if len(applying) > 1:
                conflicting[name] = tuple(sorted(applying))
                continue
            for entry in applying.values():
                if isinstance(entry.choice, LocalPackage):
                    local[name] = entry.choice
                else:
                    pinned[name] = entry.choice
        return ForkSources(local, pinned, conflicting)


def conflicting_sources(name: str, keys: Sequence[str], env: MarkerTree) -> NoSolution:
    """uv's error for two sources of one package that both apply in a fork (``keys``:
    their lock sources)."""
    where = "all marker environments" if env.is_true() else f"split `{env.to_string()}`"
    registry = f"{SourceKind.REGISTRY.value}+"
    kind = "indexes" if all(key.startswith(registry) for key in keys) else "URLs"
    listed = "".join(f"\n- {key.split('+', 1)[1]}" for key in keys)
    return NoSolution(
        f"Requirements contain conflicting {kind} for package `{name}` in {where}:{listed}"
    )


def selected_sources(
    manifests: Sequence[ProjectManifest],
    root: Path | None,
    clients: Mapping[str, IndexClient],
    *,
    cache: Path | None,
    offline: bool = False,
    archive_metadata: ArchiveMetadata | None = None,
    git_locked: Mapping[str, str] | None = None,
    tree_metadata: TreeMetadata | None = None,
) -> SelectedSources:
    """The sources chosen by marker of every member's requirements (its dependencies,
    extras and groups), each with where its lowered requirement applies. ``clients``: a
    client for each index URL a source names; ``git_locked``: the commit a git source (its
    location without the commit) is locked to, kept until upgraded; ``tree_metadata``: what a
    source tree's backend prepares, for one whose version or requirements are dynamic."""
    made: dict[Source, LocalPackage] = {}
    entries: dict[NormalizedName, list[_Entry]] = defaultdict(list)
    for manifest in manifests:
        if not manifest.selected_sources:
            continue
        requirements = [
            *manifest.dependencies,
            *(r for _, reqs in manifest.optional_dependencies for r in reqs),
            *(r for _, reqs in manifest.dependency_groups for r in reqs),
        ]
        for requirement in requirements:
            name = canonicalize_name(requirement.name)
            for piece, selected in lower_requirement(manifest, requirement):
                if selected is None:
                    continue
                scope = MarkerTree.parse(piece.marker)
                if selected.index is not None:
                    key = str(Source(SourceKind.REGISTRY, selected.index))
                    entries[name].append(_Entry(scope, key, clients[selected.index]))
                    continue
                assert selected.source is not None
                package = made.get(selected.source)
                if package is None:
                    found = source_package(
                        manifest.name,
                        name,
                        selected.source,
                        root,
                        cache=cache,
                        offline=offline,
                        git_commit=(git_locked or {}).get(selected.source.location),
                        archive_metadata=archive_metadata,
                        tree_metadata=tree_metadata,
                    )
                    assert found is not None  # a workspace source is never chosen by marker
                    package = made[selected.source] = found
                entries[name].append(_Entry(scope, str(package.source), package))
    _refuse_one_commit_twice(made.values())
    return SelectedSources({name: tuple(found) for name, found in entries.items()})


def _refuse_one_commit_twice(packages: Iterable[LocalPackage]) -> None:
    """Two git sources of one package that name the same commit of one repository (a tag
    and a branch at it): uv locks them as one package, under a spelling accord cannot
    predict, so accord refuses them (by name)."""
    seen: dict[tuple[str, str, str], Source] = {}
    for package in packages:
        if package.source.kind is not SourceKind.GIT:
            continue
        location, _, commit = package.source.location.partition("#")
        key = (package.manifest.name, location.partition("?")[0], commit)
        other = seen.setdefault(key, package.source)
        if other != package.source:
            raise SettingUnsupported(
                f"`{package.manifest.name}` has two git sources chosen by marker at the same "
                f"commit ({other.location} and {package.source.location}), which accord "
                "cannot lock as uv does yet",
                hint="point both markers at one git source, or lock with uv",
            )
