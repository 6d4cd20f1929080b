"""Lock stage, resolution: the values the resolvelib provider is generic over, and where a
requirement applies.

Identifiers are ``name``, ``name[extra]`` (one extra of a package, whose candidate depends
on the base package at the same version) and ``name:group`` (a dependency group of a local
project; ``:root`` and ``:root:group`` stand for a script's or a virtual workspace root's own
requirements). A ``Req`` asks for one identifier, a ``Candidate`` is one version of it, and a
``LocalPackage`` is a package from a local source tree. A requirement's marker is read as
uv splits it: where it applies for the base package, or only because an extra is active.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, TypeAlias

import attrs
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version

from accord.model.identity_memo import IdentityMemo
from accord.model.lock import Artifact, Source
from accord.model.manifest import ProjectManifest
from accord.model.marker_tree import MarkerTree
from accord.model.python_range import Bound
from accord.reconciler.fetch.releases import FileSelection

if TYPE_CHECKING:
    from packaging.markers import Marker

    from accord.reconciler.fetch.index import DistMetadata, IndexFile

__all__ = [
    "ROOT",
    "Candidate",
    "LocalPackage",
    "Req",
    "Split",
    "flat_requirements",
    "fresh_extras",
    "identifier_of",
    "name_of",
    "own_requirements",
    "own_splits",
    "pinned_parent",
    "requirement_marker",
    "split_pairs",
    "split_requirement",
]

ROOT = NormalizedName(":root")
"""The pseudo-package holding a script's requirements and a virtual root's groups."""


@attrs.frozen
class Req:
    """A requirement on one identifier (a package, one extra of it, or a group)."""

    name: NormalizedName
    extra: NormalizedName | None
    specifier: SpecifierSet
    parent: str
    """Who asks (``the project``, ``dep-a==1.0``): for error messages."""
    marker: MarkerTree = attrs.field(default=MarkerTree.TRUE, eq=False)
    """Where the requirement applies (extras already substituted)."""
    group: NormalizedName | None = None
    _matches: dict[Version, bool] = attrs.field(init=False, factory=dict, eq=False, repr=False)
    """Answers of ``matches`` (the resolver asks the same ones in every round)."""

    @property
    def identifier(self) -> str:
        return identifier_of(self.name, self.extra, self.group)

    def matches(self, version: Version) -> bool:
        """``specifier.contains(version, prereleases=True)``, remembered."""
        known = self._matches.get(version)
        if known is None:
            known = self._matches[version] = self.specifier.contains(version, prereleases=True)
        return known

    def describe(self) -> str:
        extra = f"[{self.extra}]" if self.extra else ""
        return f"{self.name}{extra}{self.specifier}"


Split: TypeAlias = "tuple[MarkerTree, list[Req]]"
"""Requirements on one name (and its extras) with the marker they hold under."""


@attrs.frozen
class Candidate:
    name: NormalizedName
    version: Version
    extra: NormalizedName | None
    files: Sequence[IndexFile]
    """The usable files of this version (a ``FileSelection``: decoded when read)."""
    group: NormalizedName | None = None
    needs_python: Bound = attrs.field(default=None, eq=False)
    """The Requires-Python lower bound this version needs above the fork's lower bound (it
    is tried only to split the fork's Python range there)."""
    source: str | None = None
    """For a name whose source is chosen by marker: the lock source it comes from in this
    fork (``registry+<url>``, ``path+<file>``…), which tells its versions apart in the lock;
    None for any other name."""

    @property
    def identifier(self) -> str:
        return identifier_of(self.name, self.extra, self.group)

    @property
    def index(self) -> str:
        """The index its files come from (read without decoding them)."""
        files = self.files
        return files.release.index if isinstance(files, FileSelection) else files[0].index

    @property
    def rank(self) -> int:
        """The rank of that index among those that list the package (``unsafe-*``)."""
        files = self.files
        return files.release.rank if isinstance(files, FileSelection) else files[0].rank


@attrs.frozen
class LocalPackage:
    """A package from a local source tree: a workspace member or a path dependency."""

    manifest: ProjectManifest
    source: Source
    metadata: DistMetadata
    member: bool
    sdist: Artifact | None = None
    """For an archive source (url or path): the sdist entry the lock records."""
    wheels: tuple[Artifact, ...] = ()
    """For an archive source: the wheel entry the lock records."""


def identifier_of(name: str, extra: str | None, group: str | None = None) -> str:
    if group:
        return f"{name}:{group}"
    return f"{name}[{extra}]" if extra else name


def name_of(identifier: str) -> NormalizedName:
    """The package name of ``name``, ``name[extra]`` or ``name:group``."""
    return NormalizedName(identifier.split("[", 1)[0].split(":", 1)[0])


def _without_extras(requirement: Requirement) -> Requirement:
    """A self-reference kept as a constraint on the package itself (``dask[x]>1`` → ``dask>1``)."""
    copy = Requirement(str(requirement))
    copy.extras = set()
    return copy


_TREES: dict[tuple[str, frozenset[str]], MarkerTree] = {}
"""Requirement markers as trees, by text and active extras."""
_TREES_MOST = 16384
_BY_MARKER: IdentityMemo[MarkerTree] = IdentityMemo(16384)
"""The same, by the parsed marker: metadata shares one parsed marker among the lines that
spell it alike (``fetch.core_metadata``), so most are found without writing the marker out."""
_NONE = frozenset[str]()


def _tree(marker: Marker | None, active: frozenset[str]) -> MarkerTree:
    if marker is None:
        return MarkerTree.TRUE
    known = _BY_MARKER.get(marker, active)
    if known is None:
        text = str(marker)
        known = _TREES.get((text, active))
        if known is None:
            # From the parsed marker: its text is not parsed again.
            known = MarkerTree.parse(marker).with_extras(active)
            if len(_TREES) < _TREES_MOST:
                _TREES[(text, active)] = known
        _BY_MARKER.put(marker, known, active)
    return known


def requirement_marker(requirement: Requirement, extra: str | None) -> MarkerTree:
    """Where ``requirement`` applies for the base package (``extra`` None), or only because
    ``extra`` is active (uv's production/optional split of a requirement's marker)."""
    without = _tree(requirement.marker, _NONE)
    if extra is None:
        return without
    return _tree(requirement.marker, frozenset({extra})) & ~without


def split_requirement(
    requirement: Requirement, parent: str, marker: MarkerTree = MarkerTree.TRUE
) -> list[Req]:
    """One Req for the package and one per extra."""
    name = canonicalize_name(requirement.name)
    reqs = [Req(name, None, requirement.specifier, parent, marker)]
    reqs += [
        Req(name, canonicalize_name(extra), requirement.specifier, parent, marker)
        for extra in sorted(requirement.extras)
    ]
    return reqs


def split_pairs(
    pairs: Sequence[tuple[Requirement, MarkerTree]],
    parent: str,
    constraints: Mapping[NormalizedName, Sequence[Requirement]],
) -> list[Split]:
    """A version's requirement ``pairs`` as ``Req``s (``split_requirement``), each group
    with the marker it holds under, the ``constraints`` on each name after it (uv's
    constraints_for_requirement: where both the constraint's marker and the requirement's
    hold)."""
    made: list[Split] = []
    for requirement, marker in pairs:
        made.append((marker, split_requirement(requirement, parent, marker)))
        for constraint in constraints.get(canonicalize_name(requirement.name), ()):
            joint = requirement_marker(constraint, None) & marker
            made.append((joint, split_requirement(constraint, "the constraints", joint)))
    return made


_FLAT: IdentityMemo[list[tuple[Requirement, MarkerTree]]] = IdentityMemo(20_000)
_FRESH_EXTRAS: list[tuple[str, str, str]] = []


def own_requirements(
    metadata: DistMetadata, name: NormalizedName, extra: str | None
) -> list[tuple[Requirement, MarkerTree]]:
    """``flat_requirements`` of a version's own metadata (no override or exclusion applied),
    made once per process: the metadata is parsed once per bytes (``fetch.core_metadata``), and a
    warm server makes these for the metadata it learned, for its workers. Never changed by
    a caller."""
    known = _FLAT.get(metadata, (name, extra))
    if known is None:
        made = flat_requirements(name, extra, metadata.requires_dist)
        known = _FLAT.put(metadata, made, (name, extra))
        if extra is not None and len(_FRESH_EXTRAS) < 8192:
            _FRESH_EXTRAS.append((name, str(metadata.version), extra))
    return known


_SPLITS: IdentityMemo[list[Split]] = IdentityMemo(20_000)


def pinned_parent(name: str, version: object) -> str:
    """How a requirement of version ``version`` of ``name`` names where it comes from (the
    asker ``own_splits`` keeps splits by: a provider and a warm server spell it alike)."""
    return f"{name}=={version}"


def own_splits(
    metadata: DistMetadata, name: NormalizedName, extra: str | None, parent: str
) -> list[Split]:
    """``split_pairs`` of ``own_requirements`` with no constraint, asked by ``parent``
    (``pinned_parent``): made once per process, as the pairs are (a warm server makes them
    for the metadata it learned). Never changed by a caller."""
    pairs = own_requirements(metadata, name, extra)
    known = _SPLITS.get(pairs, parent)
    if known is None:
        known = _SPLITS.put(pairs, split_pairs(pairs, parent, {}), parent)
    return known


def fresh_extras() -> list[tuple[str, str, str]]:
    """The extras (package, version, extra) whose pairs this process made since the last call:
    a warm server makes those of the metadata it learns only for the extras a worker used."""
    fresh = list(_FRESH_EXTRAS)
    _FRESH_EXTRAS.clear()
    return fresh


def flat_requirements(
    name: NormalizedName, extra: str | None, declared: Sequence[Requirement]
) -> list[tuple[Requirement, MarkerTree]]:
    """(requirement, marker) pairs of package ``name`` (for its ``extra``, or the base) from
    its ``declared`` requirements, before fork filtering."""
    pairs: list[tuple[Requirement, MarkerTree]] = []
    # uv's FlatRequiresDist: an extra that names the package itself with other extras
    # (`complete = ["dask[array, dataframe]", ...]`) takes their requirements as its own,
    # recursively, each under both markers; the self-reference is no edge.
    queue: list[tuple[str | None, MarkerTree]] = [(extra, MarkerTree.TRUE)]
    seen: set[tuple[str | None, MarkerTree]] = set()
    while queue:
        extra, outer = queue.pop(0)
        if (extra, outer) in seen:
            continue
        seen.add((extra, outer))
        for requirement in declared:
            marker = requirement_marker(requirement, extra) & outer
            if marker.is_false():
                continue
            if canonicalize_name(requirement.name) == name:
                if extra is not None:  # the base naming itself adds nothing
                    queue += [(canonicalize_name(e), marker) for e in requirement.extras]
                if extra is not None and requirement.specifier:
                    pairs.append((_without_extras(requirement), marker))
                continue
            pairs.append((requirement, marker))
    return pairs
