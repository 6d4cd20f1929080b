"""Lock stage, resolution: the resolvelib provider for one fork of a universal resolution.

A provider serves one fork: its marker environment ``env`` and the Python range that follows
from it; its requirements and candidates are the values of ``reconciler.lock.resolve.requirements``.
A requirement is followed when its marker can hold in the fork (uv's
``is_requirement_applicable``). Which versions can be candidates is decided in
``reconciler.lock.resolve.availability``, and the order they are tried in, in
``reconciler.lock.resolve.selection``. When a candidate's requirements on one name differ by
disjoint markers, or the chosen version needs a newer Python than the fork's lower bound, the
provider raises ``ForkNeeded`` (``reconciler.lock.resolve.splits``), and the driver
(``reconciler.lock.resolve.forks``) goes on in each new fork from the state at the fork point.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version
from resolvelib import AbstractProvider  # this module is only imported to resolve
from resolvelib.resolvers import Criterion, RequirementInformation, RequirementsConflicted

from accord.model.manifest import lowered_requirements
from accord.model.marker_tree import MarkerTree
from accord.model.python_range import (
    PythonRange,
    intersect,
    lower_bound,
    lower_gt,
    specifier_range,
    split,
)
from accord.model.uv_settings import BinaryPolicy, Dependencies, apply_overrides
from accord.reconciler.errors import AccordError, PackageNotFound
from accord.reconciler.lock.resolve.availability import coverage_split
from accord.reconciler.lock.resolve.fork_state import KeepsBooks
from accord.reconciler.lock.resolve.metadata import MetadataStore
from accord.reconciler.lock.resolve.requirements import (
    ROOT,
    Candidate,
    LocalPackage,
    Req,
    Split,
    flat_requirements,
    name_of,
    own_requirements,
    own_splits,
    pinned_parent,
    requirement_marker,
    split_pairs,
)
from accord.reconciler.lock.resolve.selection import (
    CandidateTable,
    Matches,
    matching_candidates,
    preference_order,
    preferred_first,
)
from accord.reconciler.lock.resolve.splits import (
    ForkNeeded,
    ForkSplit,
    fork_requirements,
    python_split,
    sort_forks,
)
from accord.reconciler.lock.resolve.tables import TablesAhead, version_table

if TYPE_CHECKING:
    from accord.reconciler.fetch.index import DistMetadata, IndexClient, IndexFile

__all__ = ["Provider"]


class Provider(KeepsBooks, AbstractProvider[Req, Candidate, str]):
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
        prerelease_package: Mapping[NormalizedName, str] | None = None,
        cutoff: Callable[[NormalizedName], datetime.datetime | None] | None = None,
        constraints: Dependencies | None = None,
        overrides: Dependencies | None = None,
        lowest: frozenset[NormalizedName] | None = None,
        lower_python_first: bool = False,
        python_forks: bool = True,
        required: Sequence[MarkerTree] = (),
        binaries: BinaryPolicy | None = None,
        excludes: frozenset[NormalizedName] = frozenset(),
        selected: frozenset[NormalizedName] = frozenset(),
        conflicting: Mapping[NormalizedName, tuple[str, ...]] | None = None,
    ) -> None:
        self._selected = selected
        """Names whose source is chosen by marker (candidates carry this fork's source)."""
        self._conflicting = dict(conflicting or {})
        """Selected names two sources apply to in this fork (uv's conflicting indexes)."""
        self._prerelease = prerelease
        self._prerelease_package = prerelease_package or {}
        self._constraints = constraints or {}
        self._overrides = overrides or {}
        self._lowest = lowest
        """Names tried lowest first (all: ``lowest``, direct: ``lowest-direct``); None: highest."""
        self._excludes = excludes
        """``tool.uv.exclude-dependencies``: requirements on these names are dropped."""
        self._binaries = binaries or BinaryPolicy()
        """``no-binary``/``no-build``: which files of a package may be chosen at all."""
        self._required = tuple(required)
        """``tool.uv.required-environments``: a wheel-only version must cover each."""
        self._needed_in: dict[str, MarkerTree] = {}
        """Where each identifier is required in this fork (the OR of its requirements')."""
        self._lower_python_first = lower_python_first
        """``lowest`` resolution or ``fewest`` forks: lower Python bounds are solved first."""
        self._python_forks = python_forks
        """uv's default ``requires-python`` fork strategy: a version needing a newer Python than
        the fork's lower bound splits it there (``fewest``: it is no candidate)."""
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
        self._tables: dict[NormalizedName, CandidateTable] = {}
        self._ahead = TablesAhead(requires_python, self.python, python_forks, allowed_yanks)
        self._ranked: dict[tuple[NormalizedName, Version | None, bool], tuple[Version, ...]] = {}
        """``preference_order`` by name (the preferences change only between forks)."""
        self.excluded: dict[NormalizedName, set[str]] = defaultdict(set)
        """Why versions that matched a specifier were still not candidates (for errors)."""
        self.missing: dict[NormalizedName, PackageNotFound] = {}
        """Packages no index has, required by a package: that package's versions are out."""
        self.requirements_of: dict[tuple[str, Version], tuple[Req, ...]] = {}
        """What each candidate required in this fork (the lock's edges)."""

    def _client_for(self, name: NormalizedName) -> IndexClient:
        """The index a package comes from: its pinned one (tool.uv.sources index), else all."""
        return self._pinned.get(name, self._client)

    def is_local(self, name: NormalizedName) -> bool:
        """A package from a local tree or archive in this fork (not from an index)."""
        return name in self._local

    def is_project(self, name: NormalizedName) -> bool:
        """A workspace member or the root: named "the project" in messages."""
        local = self._local.get(name)
        return name == ROOT or (local is not None and local.member)

    def metadata(self, candidate: Candidate) -> DistMetadata:
        local = self._local.get(candidate.name)
        if local is not None:
            return local.metadata
        return self.store.wait(candidate, self._client_for(candidate.name))

    def _applies(self, marker: MarkerTree, env: MarkerTree, python: MarkerTree) -> bool:
        return not marker.is_false() and not (python.is_disjoint(marker) or env.is_disjoint(marker))

    def _requirements(self, candidate: Candidate) -> list[tuple[Requirement, MarkerTree]]:
        """(requirement, marker) pairs of a candidate before fork filtering."""
        if candidate.name == ROOT:
            declared = self._kept(self._root.get(candidate.group, ()))
            return [(r, requirement_marker(r, None)) for r in declared]
        if candidate.group is not None:
            manifest = self._local[candidate.name].manifest
            group = dict(manifest.dependency_groups).get(candidate.group, ())
            declared = self._kept(lowered_requirements(manifest, group))
            return [(r, requirement_marker(r, None)) for r in declared]
        metadata = self.metadata(candidate)
        if not self._overrides and not self._excludes:
            return own_requirements(metadata, candidate.name, candidate.extra)
        declared = self._kept(metadata.requires_dist)  # once per resolution (``_grouped``)
        return flat_requirements(candidate.name, candidate.extra, declared)

    def _parent(self, candidate: Candidate) -> str:
        """How a requirement of ``candidate`` names where it comes from."""
        if self.is_project(candidate.name):
            return "the project"
        return pinned_parent(candidate.name, candidate.version)

    def _grouped(self, candidate: Candidate) -> list[Split]:
        """``candidate``'s requirements as ``Req``s (``split_pairs``), made once per resolution
        for a version from an index (a fork only filters them by its markers)."""

        def make() -> list[Split]:
            parent = self._parent(candidate)
            return split_pairs(self._requirements(candidate), parent, self._constraints)

        if candidate.name == ROOT or candidate.group is not None or candidate.name in self._local:
            return make()
        if not (self._constraints or self._overrides or self._excludes):
            # Made once per process (a warm server makes those of the metadata it learned).
            metadata, parent = self.metadata(candidate), self._parent(candidate)
            return own_splits(metadata, candidate.name, candidate.extra, parent)
        key = (candidate.identifier, candidate.version, candidate.source)
        return self.store.split(key, (self._constraints, self._overrides, self._excludes), make)

    def _kept(self, requirements: Sequence[Requirement]) -> list[Requirement]:
        """Requirements after ``override-dependencies``, without ``exclude-dependencies``."""
        declared = apply_overrides(requirements, self._overrides)
        if not self._excludes:
            return declared
        return [r for r in declared if canonicalize_name(r.name) not in self._excludes]

    def identify(self, requirement_or_candidate: Req | Candidate) -> str:
        return requirement_or_candidate.identifier

    def preference_parts(
        self, identifier: str, information: Iterable[Any]
    ) -> tuple[str, bool, bool, int]:
        """What a preference takes from a criterion: (name, not local, not pinned exactly,
        order first required); the same while the criterion is (``solver.Solver`` keeps them
        and decides the preference, with uv's conflict classes and the backtrack causes)."""
        requirements = [info.requirement for info in information]
        # The name from the identifier itself: a criterion can be left without requirement
        # information while resolvelib backjumps.
        name = ROOT if identifier.startswith(":") else name_of(identifier)
        local = name in self._local or name == ROOT
        pinned = any(
            spec.operator in ("==", "===") for req in requirements for spec in req.specifier
        )
        # uv decides local projects first, then exact pins, then packages in the order they
        # were first required (PubGrub's priorities), which decides what a fork inherits.
        order = self._order.setdefault(identifier, len(self._order))
        return name, not local, not pinned, order

    def find_matches(
        self,
        identifier: str,
        requirements: Mapping[str, Iterator[Req]],
        incompatibilities: Mapping[str, Iterator[Candidate]],
    ) -> Sequence[Candidate] | Callable[[], Iterator[Candidate]]:
        return self.matches(
            identifier, list(requirements[identifier]), incompatibilities[identifier]
        )

    def matches(
        self, identifier: str, reqs: list[Req], incompatible: Iterable[Candidate]
    ) -> Sequence[Candidate] | Callable[[], Iterator[Candidate]]:
        """``find_matches`` for the requirements on ``identifier`` and the candidates known
        not to work for it, as lists (``solver.Solver`` asks this way, without resolvelib's
        mappings over every criterion)."""
        name, extra, group = reqs[0].name, reqs[0].extra, reqs[0].group
        if self._required:
            needed = MarkerTree.FALSE
            for req in reqs:
                needed = needed | req.marker
            self._needed_in[identifier] = needed
        self._order.setdefault(identifier, len(self._order))
        if name == ROOT:
            return [Candidate(ROOT, Version("0"), None, (), group)]
        if name in self._conflicting:
            from accord.reconciler.lock.resolve.selected import conflicting_sources

            raise conflicting_sources(name, self._conflicting[name], self.env)
        local = self._local.get(name)
        if local is not None:
            # A local tree, archive or URL is the one candidate there is, and the other
            # requirements on it must accept its version, as uv checks them.
            if any(c.name == name for c in incompatible):
                return []
            version = local.metadata.version
            if not all(req.matches(version) for req in reqs):
                self.excluded[name].add(f"only {name}=={version} is available")
                return []
            source = str(local.source) if name in self._selected else None
            return [Candidate(name, version, extra, (), group, source=source)]
        excluded = {candidate.version for candidate in incompatible}
        try:
            table = self._versions(name)
        except PackageNotFound as exc:
            if any(req.parent == "the project" for req in reqs):
                from accord.reconciler.lock.resolve.notfound import package_not_found

                raise package_not_found(name, self._client_for(name), exc) from exc
            # Not a dead end for the whole resolution: the version that asked for it is
            # unusable, and another may do (uv marks the package unavailable).
            self.excluded[name].add(exc.message)
            self.missing[name] = exc
            return []
        lowest = self._lowest is not None and name in self._lowest
        matches = matching_candidates(
            table,
            reqs,
            excluded,
            lowest=lowest,
            prerelease=self._prerelease_package.get(name, self._prerelease),
        )
        if matches.reasons:
            self.excluded[name].update(matches.reasons)
        if self._client_for(name).strategy == "unsafe-first-match":
            # uv exhausts the first index's versions before the next index's (stable: each
            # index's own stay newest first, or lowest first).
            matches = Matches(sorted(matches.candidates, key=lambda c: c.rank), matches.reasons)
        inherited = self._inherited.get(identifier) or self._inherited.get(name)
        key = (name, None if inherited is None else inherited[0], lowest)
        if (ranked := self._ranked.get(key)) is None:
            ranked = self._ranked[key] = preference_order(
                inherited=key[1],
                preferences=self._preferences.get(name, ()),
                env=self.env,
                lowest=lowest,
            )
        first, chosen = preferred_first(matches, ranked)
        if name in self._selected:
            listed = list(chosen() if callable(chosen) else chosen)
            chosen = [attrs.evolve(c, source=f"registry+{c.index}") for c in listed]
            first = chosen[0] if chosen else None
        if first is not None and first.needs_python is None:
            self.store.get(first, self._client_for(name))
        return chosen

    def python_refusals(self, candidate: Candidate, reqs: Iterable[Req]) -> int:
        """How many newer versions uv would have tried and refused for their Python."""
        refused = self._versions(candidate.name).python_refused([req.specifier for req in reqs])
        return sum(1 for version in refused if version > candidate.version)

    def _versions(self, name: NormalizedName) -> CandidateTable:
        """``name``'s versions in this fork's Python range, as candidates (asked for again with
        each requirement on it: kept for the fork). Raises PackageNotFound."""
        table = self._tables.get(name)
        if table is not None:
            return table
        releases = self._client_for(name).releases(name)
        # A name whose source is chosen by marker has tables of its own per index.
        key = (name, id(self._client_for(name))) if name in self._selected else name
        table = self._tables[name] = version_table(
            self.store.tables,
            self.store.versions,
            self.store.shared,
            key,
            name,
            releases,
            python=self.python,
            project_python=self._range,
            python_forks=self._python_forks,
            requires_python=self._requires_python,
            cutoff=None if self._cutoff is None else self._cutoff(name),
            allowed_yanks=self._allowed_yanks,
            binaries=self._binaries,
            ahead=self._ahead,
        )
        return table

    def is_satisfied_by(self, requirement: Req, candidate: Candidate) -> bool:
        if candidate.name == ROOT:
            return True
        return requirement.matches(candidate.version)

    def _unusable(self, candidate: Candidate, why: str) -> RequirementsConflicted[Req, Candidate]:
        self.excluded[candidate.name].add(f"{candidate.name}=={candidate.version} {why}")
        req = Req(candidate.name, candidate.extra, SpecifierSet(), why, group=candidate.group)
        criterion: Criterion[Req, Candidate] = Criterion(
            iter(()), [RequirementInformation(req, None)], []
        )
        return RequirementsConflicted(criterion)

    def get_dependencies(self, candidate: Candidate) -> Iterable[Req]:
        key = (candidate.identifier, candidate.version)
        if candidate.needs_python is not None:
            raise python_split(candidate, self.env, self.python, candidate.needs_python)
        if self._required and candidate.files:
            # uv's required-environments rule (``coverage_split``).
            needed = self._needed_in.get(candidate.identifier, MarkerTree.TRUE)
            found = coverage_split(candidate.files, self.env, needed, self._required)
            if isinstance(found, str):
                raise self._unusable(candidate, found)
            if found is not None:
                raise ForkNeeded(candidate, [ForkSplit(env, None) for env in found])
        fixed = self._fixed.get(key)
        if fixed is not None:
            self.requirements_of[key] = fixed
            return fixed
        try:
            grouped = self._grouped(candidate)
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
                        raise python_split(candidate, self.env, self.python, needs)
                    raise self._unusable(candidate, f"requires Python {requires_python}")
        inherited = self._inherited.get(candidate.identifier)
        env, python, forking = self.env, self._python_marker, True
        if inherited is not None and inherited[0] == candidate.version:
            # Decided before the fork point: its requirements were added then, under the
            # wider environment and its Python range (uv keeps them, and writes an edge that
            # cannot hold in this fork as `python_version < '0'`), and cannot fork again.
            env, forking = inherited[1], False
            python = MarkerTree.python_range(*intersect(self._range, env.python_bounds()))
        by_name: dict[NormalizedName, list[Req]] = defaultdict(list)
        for marker, reqs_under in grouped:
            if self._applies(marker, env, python):
                for req in reqs_under:
                    by_name[req.name].append(req)
        # resolvelib asks for their versions next, one after the other: their pages come
        # in meanwhile.
        self.store.warm_pages(
            (n for n in by_name if n not in self._local and n != ROOT), self._client_for
        )
        reqs: list[Req] = []
        if candidate.extra is not None:
            pin = SpecifierSet(f"=={candidate.version}")
            reqs.append(Req(candidate.name, None, pin, self._parent(candidate)))
        if forking:
            forks = fork_requirements(self.env, self.python, self._python_marker, by_name)
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
