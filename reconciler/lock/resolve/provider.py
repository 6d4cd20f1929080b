"""The resolvelib provider for one fork of a universal resolution.

Identifiers are ``name``, ``name[extra]`` (one extra of a package, whose candidate depends
on the base package at the same version) and ``name:group`` (a dependency group of a local
project; ``:root`` and ``:root:group`` stand for a script's or a virtual workspace root's own
requirements). A provider serves one fork: its marker environment ``env`` and the Python
range that follows from it. A requirement is followed when its marker can hold in the fork
(uv's ``is_requirement_applicable``). When a candidate's requirements on one name differ
by disjoint markers, or the chosen version needs a newer Python than the fork's lower bound,
the provider raises ``ForkNeeded`` (uv's ``ForkedDependencies::fork`` and the
``requires-python`` fork strategy); the driver (``reconciler.lock.resolve.forks``) restarts the
resolution once per new fork, with the decisions made before the fork point preferred and
their dependencies kept as they were (uv copies the solver state at the fork point).
"""

from __future__ import annotations

import datetime
import functools
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import attrs
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version
from resolvelib import AbstractProvider  # this module is only imported to resolve
from resolvelib.resolvers import Criterion, RequirementInformation, RequirementsConflicted

from accord.model.exclude_newer import parse_timestamp
from accord.model.lock import Artifact, Source
from accord.model.manifest import ProjectManifest
from accord.model.marker_tree import MarkerTree
from accord.model.python_range import (
    Bound,
    PythonRange,
    intersect,
    lower_bound,
    lower_gt,
    lower_key,
    specifier_range,
    split,
)
from accord.model.uv_settings import BinaryPolicy, Dependencies, apply_overrides
from accord.model.wheel_tags import (
    NEVER_MARKER,
    implied_markers,
    matches_requires_python,
    platform_split_marker,
)
from accord.reconciler.errors import AccordError, PackageNotFound

if TYPE_CHECKING:
    from accord.reconciler.fetch.index import DistMetadata, IndexClient, IndexFile

__all__ = [
    "ROOT",
    "Candidate",
    "ForkNeeded",
    "ForkSplit",
    "LocalPackage",
    "Provider",
    "Req",
    "identifier_of",
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


@attrs.frozen
class Candidate:
    name: NormalizedName
    version: Version
    extra: NormalizedName | None
    files: tuple[IndexFile, ...]
    group: NormalizedName | None = None
    needs_python: Bound = attrs.field(default=None, eq=False)
    """The Requires-Python lower bound this version needs above the fork's lower bound (it
    is tried only to split the fork's Python range there)."""

    @property
    def identifier(self) -> str:
        return identifier_of(self.name, self.extra, self.group)


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


@attrs.frozen
class ForkSplit:
    """One new fork: its environment and, for a marker fork, the forking candidate's
    requirements in it (None for a Python split: the candidate is chosen again there)."""

    env: MarkerTree
    requirements: tuple[Req, ...] | None


class ForkNeeded(Exception):
    """Raised from ``get_dependencies``: the resolution must continue in ``splits``."""

    def __init__(self, candidate: Candidate, splits: Sequence[ForkSplit]) -> None:
        super().__init__(f"fork at {candidate.identifier}=={candidate.version}")
        self.candidate = candidate
        self.splits = tuple(splits)


def identifier_of(name: str, extra: str | None, group: str | None = None) -> str:
    if group:
        return f"{name}:{group}"
    return f"{name}[{extra}]" if extra else name


def _name_of(identifier: str) -> NormalizedName:
    """The package name of ``name``, ``name[extra]`` or ``name:group``."""
    return NormalizedName(identifier.split("[", 1)[0].split(":", 1)[0])


def _uploaded_by(file: IndexFile, cutoff: datetime.datetime) -> bool:
    if file.upload_time is None:
        return False
    moment = parse_timestamp(file.upload_time)
    return moment is not None and moment < cutoff  # uv excludes at the cutoff itself


@functools.lru_cache(maxsize=4096)
def _lower_bound(specifier: SpecifierSet) -> Bound:
    return lower_bound(specifier)


@functools.cache
def _fits_requires_python(tags: frozenset[str], python: PythonRange) -> bool:
    """matches_requires_python, once per distinct tag set (most wheels of a project share
    theirs with the wheels of its other versions)."""
    return matches_requires_python(sorted(tags), *python)


def _without_extras(requirement: Requirement) -> Requirement:
    """A self-reference kept as a constraint on the package itself (``dask[x]>1`` → ``dask>1``)."""
    copy = Requirement(str(requirement))
    copy.extras = set()
    return copy


@functools.cache
def _platforms(wheels: frozenset[frozenset[str]]) -> MarkerTree:
    text = platform_split_marker(sorted(sorted(tags) for tags in wheels))
    if text == NEVER_MARKER:
        return MarkerTree.FALSE
    return MarkerTree.TRUE if text is None else MarkerTree.parse(text)


@functools.cache
def _implied(tags: frozenset[str]) -> MarkerTree:
    """uv's implied markers of a wheel's tags, as a tree."""
    text = implied_markers(sorted(tags))
    if text == NEVER_MARKER:
        return MarkerTree.FALSE
    return MarkerTree.TRUE if text is None else MarkerTree.parse(text)


@functools.lru_cache(maxsize=16384)
def _tree(marker: str | None, active: frozenset[str]) -> MarkerTree:
    if marker is None:
        return MarkerTree.TRUE
    return MarkerTree.parse(marker).with_extras(active)


def requirement_marker(requirement: Requirement, extra: str | None) -> MarkerTree:
    """Where ``requirement`` applies for the base package (``extra`` None), or only because
    ``extra`` is active (uv's production/optional split of a requirement's marker)."""
    text = None if requirement.marker is None else str(requirement.marker)
    without = _tree(text, frozenset())
    if extra is None:
        return without
    return _tree(text, frozenset({extra})) & ~without


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


def _upper_bounded(req: Req) -> bool:
    return specifier_range(req.specifier)[1] is not None


def _python_order(split_: ForkSplit) -> tuple[Any, ...]:
    lower = split_.env.python_bounds()[0]
    return (0, Version("0"), 0) if lower is None else (1, lower[0], 0 if lower[1] else 1)


def fork_order(split_: ForkSplit) -> tuple[Any, ...]:
    """uv's order of sibling forks (ascending; the last is solved first): by the lower
    bound of the fork's Python range, then by how many requirements are upper-bounded."""
    return (_python_order(split_), sum(map(_upper_bounded, split_.requirements or ())))


def sort_forks(splits: Iterable[ForkSplit], *, lower_python_last: bool) -> list[ForkSplit]:
    """Sibling forks in uv's order; ``lower_python_last`` (``resolution = "lowest"``): the
    lower Python bounds solved first, the upper-bound count still ascending."""
    if not lower_python_last:
        return sorted(splits, key=fork_order)
    by_bounds = sorted(splits, key=lambda s: sum(map(_upper_bounded, s.requirements or ())))
    return sorted(by_bounds, key=_python_order, reverse=True)  # stable: ties keep their order


@functools.total_ordering
class _Descending:
    """A version ordered backwards (uv prefers the lowest preference in a lowest mode)."""

    def __init__(self, version: Version) -> None:
        self.version = version

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Descending) and self.version == other.version

    def __lt__(self, other: _Descending) -> bool:
        return self.version > other.version

    def __hash__(self) -> int:
        return hash(self.version)


class Provider(AbstractProvider[Req, Candidate, str]):
    """resolvelib's provider for one fork."""

    def __init__(
        self,
        client: IndexClient,
        *,
        requires_python: SpecifierSet,
        env: MarkerTree = MarkerTree.TRUE,
        preferences: Mapping[NormalizedName, Sequence[tuple[MarkerTree, Version]]],
        inherited: Mapping[str, tuple[Version, MarkerTree]] | None = None,
        fixed: Mapping[tuple[str, Version], tuple[Req, ...]] | None = None,
        sdist_metadata: Callable[[IndexFile], bytes] | None = None,
        local: Mapping[NormalizedName, LocalPackage] | None = None,
        root: Mapping[NormalizedName | None, Sequence[Requirement]] | None = None,
        pinned: Mapping[NormalizedName, IndexClient] | None = None,
        store: MetadataStore | None = None,
        allowed_yanks: frozenset[tuple[NormalizedName, Version]] = frozenset(),
        prerelease: str = "if-necessary-or-explicit",
        cutoff: Callable[[NormalizedName], datetime.datetime | None] | None = None,
        constraints: Dependencies | None = None,
        overrides: Dependencies | None = None,
        lowest: frozenset[NormalizedName] | None = None,
        lower_python_first: bool = False,
        python_forks: bool = True,
        required: Sequence[MarkerTree] = (),
        binaries: BinaryPolicy | None = None,
        excludes: frozenset[NormalizedName] = frozenset(),
    ) -> None:
        self._prerelease = prerelease
        self._constraints = constraints or {}
        self._overrides = overrides or {}
        self._lowest = lowest
        """Names tried lowest version first (``resolution``: every name for ``lowest``, the
        direct dependencies for ``lowest-direct``); None for ``highest``."""
        self._excludes = excludes
        """``tool.uv.exclude-dependencies``: requirements on these names are dropped."""
        self._binaries = binaries or BinaryPolicy()
        """``no-binary``/``no-build``: which files of a package may be chosen at all."""
        self._required = tuple(required)
        """``tool.uv.required-environments``: a wheel-only version must cover each."""
        self._needed_in: dict[str, MarkerTree] = {}
        """Where each identifier is required in this fork (the OR of its requirements')."""
        self._lower_python_first = lower_python_first
        """``resolution = "lowest"`` or ``fork-strategy = "fewest"``: sibling forks with lower
        Python bounds are solved first."""
        self._python_forks = python_forks
        """``fork-strategy = "requires-python"`` (uv's default): a version that needs a newer
        Python than the fork's lower bound splits the fork there; with ``fewest`` it is
        not a candidate (an older version is chosen for every Python)."""
        self._cutoff = cutoff

        self._allowed_yanks = allowed_yanks
        self._pinned = dict(pinned or {})
        self._client = client
        self._local = dict(local or {})
        self._root = dict(root or {})
        self._requires_python = requires_python
        self.env = env
        self._range = specifier_range(requires_python)
        self.python: PythonRange = intersect(self._range, env.python_bounds())
        self._python_marker = MarkerTree.python_range(*self.python)
        self._preferences = preferences
        self._inherited = dict(inherited or {})
        self._fixed = dict(fixed or {})
        self.store = store or MetadataStore(sdist_metadata)
        self._order: dict[str, int] = {}
        self.excluded: dict[NormalizedName, set[str]] = defaultdict(set)
        """Why versions that matched a specifier were still not candidates (for errors)."""
        self.requirements_of: dict[tuple[str, Version], tuple[Req, ...]] = {}
        """What each candidate required in this fork (the lock's edges)."""

    def _client_for(self, name: NormalizedName) -> IndexClient:
        """The index a package comes from: its pinned one (tool.uv.sources index), else all."""
        return self._pinned.get(name, self._client)

    def is_project(self, name: NormalizedName) -> bool:
        """A workspace member or the root: named "the project" in messages."""
        local = self._local.get(name)
        return name == ROOT or (local is not None and local.member)

    def metadata(self, candidate: Candidate) -> DistMetadata:
        local = self._local.get(candidate.name)
        if local is not None:
            return local.metadata
        return self.store.get(candidate, self._client_for(candidate.name)).result()

    # markers ---------------------------------------------------------------------------------

    def _applies(self, marker: MarkerTree, env: MarkerTree) -> bool:
        return not marker.is_false() and not (
            self._python_marker.is_disjoint(marker) or env.is_disjoint(marker)
        )

    def _requirements(self, candidate: Candidate) -> list[tuple[Requirement, MarkerTree]]:
        """(requirement, marker) pairs of a candidate before fork filtering."""
        if candidate.name == ROOT:
            declared = self._kept(self._root.get(candidate.group, ()))
            return [(r, requirement_marker(r, None)) for r in declared]
        if candidate.group is not None:
            manifest = self._local[candidate.name].manifest
            declared = self._kept(dict(manifest.dependency_groups).get(candidate.group, ()))
            return [(r, requirement_marker(r, None)) for r in declared]
        metadata = self.metadata(candidate)
        declared = self._kept(metadata.requires_dist)
        pairs: list[tuple[Requirement, MarkerTree]] = []
        # uv's FlatRequiresDist: an extra that names the package itself with other extras
        # (`complete = ["dask[array, dataframe]", ...]`) takes their requirements as its own,
        # recursively, each under both markers; the self-reference is no edge.
        queue: list[tuple[str | None, MarkerTree]] = [(candidate.extra, MarkerTree.TRUE)]
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
                if canonicalize_name(requirement.name) == candidate.name:
                    if extra is not None:  # the base naming itself adds nothing
                        queue += [(canonicalize_name(e), marker) for e in requirement.extras]
                    if extra is not None and requirement.specifier:
                        pairs.append((_without_extras(requirement), marker))
                    continue
                pairs.append((requirement, marker))
        return pairs

    def _kept(self, requirements: Sequence[Requirement]) -> list[Requirement]:
        """Requirements after ``override-dependencies``, without ``exclude-dependencies``."""
        declared = apply_overrides(requirements, self._overrides)
        if not self._excludes:
            return declared
        return [r for r in declared if canonicalize_name(r.name) not in self._excludes]

    # resolvelib protocol -------------------------------------------------------------------

    def identify(self, requirement_or_candidate: Req | Candidate) -> str:
        return requirement_or_candidate.identifier

    def get_preference(
        self,
        identifier: str,
        resolutions: Mapping[str, Candidate],
        candidates: Mapping[str, Iterator[Candidate]],
        information: Mapping[str, Iterator[Any]],
        backtrack_causes: Sequence[Any],
    ) -> tuple[bool, bool, bool, int, str]:
        requirements = [info.requirement for info in information[identifier]]
        # The name from the identifier itself: a criterion can be left without requirement
        # information while resolvelib backjumps.
        name = ROOT if identifier.startswith(":") else _name_of(identifier)
        local = name in self._local or name == ROOT
        pinned = any(
            spec.operator in ("==", "===") for req in requirements for spec in req.specifier
        )
        caused = any(cause.requirement.name == name for cause in backtrack_causes)
        # uv decides local projects first, then exact pins, then packages in the order they
        # were first required (PubGrub's priorities), which decides what a fork inherits.
        order = self._order.setdefault(identifier, len(self._order))
        return (not local, not pinned, not caused, order, identifier)

    def find_matches(
        self,
        identifier: str,
        requirements: Mapping[str, Iterator[Req]],
        incompatibilities: Mapping[str, Iterator[Candidate]],
    ) -> list[Candidate]:
        reqs = list(requirements[identifier])
        name, extra, group = reqs[0].name, reqs[0].extra, reqs[0].group
        if self._required:
            needed = MarkerTree.FALSE
            for req in reqs:
                needed = needed | req.marker
            self._needed_in[identifier] = needed
        self._order.setdefault(identifier, len(self._order))
        if name == ROOT:
            return [Candidate(ROOT, Version("0"), None, (), group)]
        local = self._local.get(name)
        if local is not None:
            # A local tree is the one candidate there is (uv does not check its version
            # against specifiers either).
            if any(c.name == name for c in incompatibilities[identifier]):
                return []
            return [Candidate(name, local.metadata.version, extra, (), group)]
        excluded = {candidate.version for candidate in incompatibilities[identifier]}
        try:
            files = self._client_for(name).files(name)
        except PackageNotFound as exc:
            if any(req.parent == "the project" for req in reqs):
                raise self._not_found(name, exc) from exc
            # Not a dead end for the whole resolution: the version that asked for it is
            # unusable, and another may do (uv marks the package unavailable).
            self.excluded[name].add(exc.message)
            return []
        explicit_pre = any(spec.prereleases for req in reqs for spec in req.specifier)
        finals: list[Candidate] = []
        pres: list[Candidate] = []
        every: list[Candidate] = []
        for version, usable, needs, reason in self._versions(name, files):
            if version in excluded:
                continue
            if not all(req.matches(version) for req in reqs):
                continue
            if reason is not None:
                self.excluded[name].add(reason)
                continue
            candidate = Candidate(name, version, extra, usable, group, needs)
            (pres if version.is_prerelease else finals).append(candidate)
            every.append(candidate)
        if self._lowest is not None and name in self._lowest:
            finals.reverse()
            pres.reverse()
            every.reverse()
        chosen = self._by_prerelease_mode(finals, pres, every, explicit_pre)
        chosen = self._prefer(identifier, name, chosen)
        if chosen and chosen[0].needs_python is None:
            self.store.get(chosen[0], self._client_for(name))
        return chosen

    def _not_found(self, name: NormalizedName, exc: PackageNotFound) -> PackageNotFound:
        """uv's words for a package the project requires and no index has, with a close
        name the index does have (one slip away: swapped or doubled letters)."""
        from accord.reconciler.lock.resolve.notfound import near_names, not_found

        if "registry" not in exc.message:
            return exc  # offline: the hint already says what to do
        client = self._client_for(name)
        suggestion = None
        for candidate in near_names(name)[:40]:
            try:
                client.files(NormalizedName(candidate))
            except AccordError:
                continue
            suggestion = candidate
            break
        where = ", ".join(f"`{index}`" for index in client.indexes)
        message, hint = not_found(name, where, suggestion)
        return PackageNotFound(message, hint=hint)

    def _versions(
        self, name: NormalizedName, files: Sequence[IndexFile]
    ) -> list[tuple[Version, tuple[IndexFile, ...], Bound, str | None]]:
        """Every version of ``name``, newest first, with the files the project's Python range
        can use, the Python bound this fork would split at (None: fits), or why it is no
        candidate."""
        key = (name, self.python)
        cached = self.store.tables.get(key)  # (fork strategy: the same in every fork)
        if cached is not None:
            return cached
        table: list[tuple[Version, tuple[IndexFile, ...], Bound, str | None]] = []
        self.store.tables[key] = table
        for version, usable, bounds, reason in self._usable(name, files):
            if reason is not None:
                table.append((version, usable, None, reason))
                continue
            # Some file fits the fork's Python lower bound; else the lowest bound a file needs.
            needs = None
            if not any(b is None or not lower_gt(b, self.python[0]) for b in bounds):
                needs = min(bounds, key=lower_key)
                if not self._python_forks or split(self.python, needs) is None:
                    why = (
                        f"{name}=={version} requires Python {usable[0].requires_python}, "
                        f"but the project supports {self._requires_python}"
                    )
                    table.append((version, (), None, why))
                    continue
            table.append((version, usable, needs, None))
        return table

    def _usable(
        self, name: NormalizedName, files: Sequence[IndexFile]
    ) -> list[tuple[Version, tuple[IndexFile, ...], tuple[Bound, ...], str | None]]:
        """Per version, newest first: the files usable anywhere in the project's Python range
        and each one's requires-python lower bound, or why the version is no candidate. The
        same in every fork of a resolution: computed once per package."""
        cached = self.store.versions.get(name)
        if cached is not None:
            return cached
        by_version: dict[Version, list[IndexFile]] = defaultdict(list)
        for file in files:
            by_version[file.version].append(file)
        table: list[tuple[Version, tuple[IndexFile, ...], tuple[Bound, ...], str | None]] = []
        cutoff = None if self._cutoff is None else self._cutoff(name)
        for version in sorted(by_version, reverse=True):
            published = by_version[version]
            if cutoff is not None:
                # exclude-newer: a file without an upload time is excluded too (uv's rule).
                published = [f for f in published if _uploaded_by(f, cutoff)]
                if not published:
                    why = f"{name}=={version} was published after the exclude-newer limit"
                    table.append((version, (), (), why))
                    continue
            # PEP 592: a yanked file is chosen only when pinned exactly (uv: by a declared
            # requirement, or by the existing lock).
            allowed = (name, version) in self._allowed_yanks
            usable = [f for f in published if f.yanked is None or allowed]
            if not usable:
                reason = published[0].yanked
                why = f"{name}=={version} was yanked" + (f" (reason: {reason})" if reason else "")
                table.append((version, (), (), why))
                continue
            # no-binary / no-build decide whether a version can be used; the lock still
            # records all of its files (uv's lock does).
            if not self._binaries.wheels_allowed(name) and all(f.is_wheel for f in usable):
                why = (
                    f"{name}=={version} has no source distribution, and using pre-built "
                    f"wheels is disabled for {name}"
                )
                table.append((version, (), (), why))
                continue
            if not self._binaries.builds_allowed(name) and not any(f.is_wheel for f in usable):
                why = f"{name}=={version} has no wheels, and building is disabled for {name}"
                table.append((version, (), (), why))
                continue
            # A version with no sdist and no wheel any Python of the range can use is not
            # a candidate (uv: "no wheels with a matching Python ABI/version tag").
            usable = [
                f for f in usable if not f.is_wheel or _fits_requires_python(f.tags, self._range)
            ]
            if not usable:
                why = f"{name}=={version} has no wheels with a matching Python version or ABI tag"
                table.append((version, (), (), why))
                continue
            bounds = tuple(
                None if f.requires_python is None else _lower_bound(f.requires_python)
                for f in usable
            )
            table.append((version, tuple(usable), bounds, None))
        self.store.versions[name] = table
        return table

    def _by_prerelease_mode(
        self, finals: list[Candidate], pres: list[Candidate], every: list[Candidate], explicit: bool
    ) -> list[Candidate]:
        """uv's ``prerelease`` modes; the default takes pre-releases when a requirement asks
        for one, or when nothing else fits."""
        mode = self._prerelease
        if mode == "allow":
            return every
        if mode == "disallow":
            return finals
        if mode == "if-necessary":
            return finals or pres
        if mode == "explicit":
            return finals + pres if explicit else finals
        return finals + pres if explicit else (finals or pres)

    def _prefer(
        self, identifier: str, name: NormalizedName, chosen: list[Candidate]
    ) -> list[Candidate]:
        """uv's candidate order: the version decided before the fork point, then the
        preferences (the lock's and earlier forks'), then the newest."""
        ranked: list[Version] = []
        inherited = self._inherited.get(identifier) or self._inherited.get(name)
        if inherited is not None:
            ranked.append(inherited[0])
        entries = self._preferences.get(name, ())
        if len(entries) == 1:
            ranked.append(entries[0][1])
        elif entries:
            low = self._lowest is not None and name in self._lowest
            ordered = sorted(
                entries,
                key=lambda e: (not e[0].is_disjoint(self.env), _Descending(e[1]) if low else e[1]),
                reverse=True,
            )
            ranked += [version for _, version in ordered]
        if not ranked:
            return chosen
        rank: dict[Version, int] = {}
        for version in ranked:
            rank.setdefault(version, len(rank))
        return sorted(chosen, key=lambda c: rank.get(c.version, len(rank)))

    def is_satisfied_by(self, requirement: Req, candidate: Candidate) -> bool:
        if candidate.name in self._local or candidate.name == ROOT:
            return True
        return requirement.matches(candidate.version)

    def _unusable(self, candidate: Candidate, why: str) -> RequirementsConflicted[Req, Candidate]:
        self.excluded[candidate.name].add(f"{candidate.name}=={candidate.version} {why}")
        req = Req(candidate.name, candidate.extra, SpecifierSet(), why, group=candidate.group)
        criterion: Criterion[Req, Candidate] = Criterion(
            iter(()), [RequirementInformation(req, None)], []
        )
        return RequirementsConflicted(criterion)

    def _check_coverage(self, candidate: Candidate) -> None:
        """uv's required-environments rule: a version with wheels only, none of which can be
        installed in a required environment where the package is needed, splits the fork
        there (and is unusable in the part inside that environment)."""
        if any(not f.is_wheel for f in candidate.files):
            return  # an sdist builds anywhere
        covered = MarkerTree.FALSE
        for file in candidate.files:
            covered = covered | _implied(file.tags)
        needed = self._needed_in.get(candidate.identifier, MarkerTree.TRUE)
        for required in self._required:
            if self.env.is_disjoint(required) or not covered.is_disjoint(required):
                continue
            if needed.is_disjoint(required):
                continue
            # uv 0.13.8 (observed): when no wheel is for the required environment's platform
            # at all, the fork splits where the wheels' platforms are (by sys_platform);
            # otherwise on the required environment. The version is unusable in a fork that
            # lies on one side only.
            platforms = _platforms(frozenset(f.tags for f in candidate.files))
            if platforms.is_disjoint(required):
                inside, outside = ~platforms, platforms
            else:
                inside, outside = required, ~required
            if self.env.is_disjoint(inside) or self.env.is_disjoint(outside):
                raise self._unusable(candidate, f"has no wheels for the required `{required}`")
            raise ForkNeeded(
                candidate, [ForkSplit(self.env & inside, None), ForkSplit(self.env & outside, None)]
            )

    def _python_split(self, candidate: Candidate, needs: Bound) -> ForkNeeded:
        parts = split(self.python, needs)
        assert parts is not None
        splits = [
            ForkSplit(self.env & MarkerTree.python_range(*part), None)
            for part in parts
            if not self.env.is_disjoint(MarkerTree.python_range(*part))
        ]
        return ForkNeeded(candidate, splits)

    def get_dependencies(self, candidate: Candidate) -> Iterable[Req]:
        key = (candidate.identifier, candidate.version)
        if candidate.needs_python is not None:
            raise self._python_split(candidate, candidate.needs_python)
        if self._required and candidate.files:
            self._check_coverage(candidate)
        fixed = self._fixed.get(key)
        if fixed is not None:
            self.requirements_of[key] = fixed
            return fixed
        try:
            pairs = self._requirements(candidate)
        except (AccordError, ValueError, OSError) as exc:
            # An unusable version (metadata that cannot be fetched, built or parsed), not a
            # failed lock: resolvelib tries another.
            raise self._unusable(candidate, f"is unusable: {exc}") from exc
        if candidate.group is None and candidate.name != ROOT and candidate.name not in self._local:
            requires_python = self.metadata(candidate).requires_python
            if requires_python is not None:
                needs = lower_bound(requires_python)
                if lower_gt(needs, self.python[0]):
                    if self._python_forks and split(self.python, needs) is not None:
                        raise self._python_split(candidate, needs)
                    raise self._unusable(candidate, f"requires Python {requires_python}")
        inherited = self._inherited.get(candidate.identifier)
        env = self.env
        forking = True
        if inherited is not None and inherited[0] == candidate.version:
            # Decided before the fork point: its requirements were added then, under the
            # wider environment, and cannot fork again.
            env, forking = inherited[1], False
        parent = f"{candidate.name}=={candidate.version}"
        if self.is_project(candidate.name):
            parent = "the project"
        by_name: dict[NormalizedName, list[Req]] = defaultdict(list)
        for requirement, marker in pairs:
            if not self._applies(marker, env):
                continue
            for req in split_requirement(requirement, parent, marker):
                by_name[req.name].append(req)
            for constraint in self._constraints.get(canonicalize_name(requirement.name), ()):
                # uv's constraints_for_requirement: where both the constraint's marker and
                # the requirement's hold.
                joint = requirement_marker(constraint, None) & marker
                if self._applies(joint, env):
                    for req in split_requirement(constraint, "the constraints", joint):
                        by_name[req.name].append(req)
        reqs: list[Req] = []
        if candidate.extra is not None:
            reqs.append(Req(candidate.name, None, SpecifierSet(f"=={candidate.version}"), parent))
        if forking:
            forks = self._fork(by_name)
            if len(forks) > 1:
                raise ForkNeeded(
                    candidate,
                    sort_forks(
                        (ForkSplit(env_, tuple(reqs + deps)) for env_, deps in forks),
                        lower_python_last=self._lower_python_first,
                    ),
                )
            ordered = forks[0][1] if forks else []
        else:
            ordered = [req for name in sorted(by_name) for req in by_name[name]]
        reqs += ordered
        self.requirements_of[key] = tuple(reqs)
        return reqs

    def _fork(
        self, by_name: Mapping[NormalizedName, list[Req]]
    ) -> list[tuple[MarkerTree, list[Req]]]:
        """uv's ``ForkedDependencies::fork``: split the fork where requirements on one name
        differ by marker; each new fork keeps the requirements that can hold in it."""
        lower = self.python[0]

        def raises(marker: MarkerTree) -> bool:
            return lower_gt(marker.python_bounds()[0], lower)

        forks: list[tuple[MarkerTree, list[Req]]] = [(self.env, [])]
        for name in sorted(by_name):
            deps = by_name[name]
            first = deps[0].marker
            same = all(dep.marker == first for dep in deps)
            if same and not raises(first):
                for dep in deps:
                    for env, kept in forks:
                        if not env.is_disjoint(dep.marker):
                            kept.append(dep)
                continue
            for dep in deps:
                if self.env.is_disjoint(dep.marker):
                    continue
                if dep.marker.is_true():
                    for _, kept in forks:
                        kept.append(dep)
                    continue
                remaining = dep.marker
                new: list[tuple[MarkerTree, list[Req]]] = []
                for env, kept in forks:
                    if env.is_disjoint(remaining):
                        new.append((env, kept))
                        continue
                    envs = []
                    if not env.is_disjoint(~remaining):
                        envs.append(env & ~remaining)
                    envs.append(env & remaining)
                    remaining = remaining & ~env
                    for fork_env in envs:
                        fork_deps = [d for d in kept if not fork_env.is_disjoint(d.marker)]
                        if not fork_env.is_disjoint(dep.marker):
                            fork_deps.append(dep)
                        if not fork_env.is_disjoint(self._python_marker):
                            new.append((fork_env, fork_deps))
                forks = new
        return forks

    def narrow_requirement_selection(
        self,
        identifiers: Iterable[str],
        resolutions: Mapping[str, Candidate],
        candidates: Mapping[str, Iterator[Candidate]],
        information: Mapping[str, Iterator[Any]],
        backtrack_causes: Sequence[Any],
    ) -> Iterable[str]:
        return identifiers


class MetadataStore:
    """Distribution metadata, fetched ahead in threads and shared by every fork's run."""

    def __init__(
        self,
        sdist_metadata: Callable[[IndexFile], bytes] | None,
        python: MarkerTree = MarkerTree.TRUE,
    ) -> None:
        self._sdist_metadata = sdist_metadata
        self._python = python
        """The project's Python range: a requirement only older Pythons take (`tomli;
        python_version < '3.11'`) is never fetched ahead."""
        self._futures: dict[tuple[NormalizedName, Version], Future[DistMetadata]] = {}
        self.versions: dict[
            NormalizedName,
            list[tuple[Version, tuple[IndexFile, ...], tuple[Bound, ...], str | None]],
        ] = {}
        """Provider._usable's tables, by package (the same in every fork)."""
        self.tables: dict[
            tuple[NormalizedName, PythonRange],
            list[tuple[Version, tuple[IndexFile, ...], Bound, str | None]],
        ] = {}
        """Provider._versions' tables, by package and fork Python range."""
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=8)
        self._closed = False

    def close(self) -> None:
        self._closed = True
        self._pool.shutdown(wait=False, cancel_futures=True)

    @staticmethod
    def _metadata_file(candidate: Candidate) -> IndexFile:
        wheels = [f for f in candidate.files if f.is_wheel]
        with_metadata = [f for f in wheels if f.has_metadata]
        return (with_metadata or wheels or list(candidate.files))[0]

    def get(self, candidate: Candidate, client: IndexClient) -> Future[DistMetadata]:
        key = (candidate.name, candidate.version)
        with self._lock:
            future = self._futures.get(key)
            if future is None:
                file = self._metadata_file(candidate)
                future = self._pool.submit(self._fetch, file, client)
                self._futures[key] = future
        return future

    def _fetch(self, file: IndexFile, client: IndexClient) -> DistMetadata:
        from accord.reconciler.fetch.index import parse_metadata

        if not file.is_wheel and self._sdist_metadata is not None:
            # Only an sdist: its backend prepares the metadata (built once, then cached).
            metadata = parse_metadata(self._sdist_metadata(file))
        else:
            metadata = parse_metadata(client.metadata(file))
        # Speculate: the resolver will soon ask for these dependencies' pages and for the
        # metadata of their likely versions.
        self.prefetch(metadata.requires_dist, client)
        return metadata

    def prefetch(self, requirements: Iterable[Requirement], client: IndexClient) -> None:
        """Start fetching these requirements' pages and likely metadata in the background,
        overlapping the network waits the resolver would otherwise meet one after the other.
        Failures are ignored here: the resolver's own call reports them."""
        for requirement in requirements:
            if self._closed:
                return
            marker = requirement_marker(requirement, None)
            if marker.is_false():
                continue  # only behind an extra: fetched when that extra is chosen
            if marker.is_disjoint(self._python):
                continue  # for Pythons the project does not support: never needed
            try:
                self._pool.submit(self._warm, requirement, client)
            except RuntimeError:  # the pool shut down: resolution is over
                return

    def _warm(self, requirement: Requirement, client: IndexClient) -> None:
        name = canonicalize_name(requirement.name)
        try:
            files = client.files(name)
        except Exception:  # speculative: the resolver's own call reports failures
            return
        versions = sorted({f.version for f in files}, reverse=True)
        for version in versions:
            if version.is_prerelease or not requirement.specifier.contains(version, True):
                continue
            usable = tuple(f for f in files if f.version == version and f.yanked is None)
            if usable:
                self.get(Candidate(name, version, None, usable), client)
            return
