"""The resolvelib provider: Python packages from an index, for a universal lock.

Requirements are identified by name, or ``name[extra]`` for one extra of a package (whose
candidate depends on the base package at the same version, the usual trick). Markers are
not evaluated against an interpreter: a dependency is followed when its marker can hold
somewhere in the project's ``requires-python`` range, and the marker travels with the edge
into the lock.
"""

from __future__ import annotations

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

from model.lock import Artifact, Source
from model.manifest import ProjectManifest
from model.markers import NEVER, python_points, restrict

if TYPE_CHECKING:
    from reconciler.index import DistMetadata, IndexClient, IndexFile

__all__ = ["Candidate", "LocalPackage", "Provider", "Req", "identifier_of"]


@attrs.frozen
class Req:
    """A requirement on one identifier (a package, or one extra of it)."""

    name: NormalizedName
    extra: NormalizedName | None
    specifier: SpecifierSet
    parent: str
    """Who asks (``the project``, ``dep-a==1.0``): for error messages."""

    @property
    def identifier(self) -> str:
        return identifier_of(self.name, self.extra)

    def describe(self) -> str:
        extra = f"[{self.extra}]" if self.extra else ""
        return f"{self.name}{extra}{self.specifier}"


@attrs.frozen
class Candidate:
    name: NormalizedName
    version: Version
    extra: NormalizedName | None
    files: tuple[IndexFile, ...]

    @property
    def identifier(self) -> str:
        return identifier_of(self.name, self.extra)


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


def identifier_of(name: str, extra: str | None) -> str:
    return f"{name}[{extra}]" if extra else name


def split_requirement(requirement: Requirement, parent: str) -> list[Req]:
    """One Req for the package and one per extra."""
    name = canonicalize_name(requirement.name)
    reqs = [Req(name, None, requirement.specifier, parent)]
    reqs += [
        Req(name, canonicalize_name(extra), requirement.specifier, parent)
        for extra in sorted(requirement.extras)
    ]
    return reqs


class Provider(AbstractProvider[Req, Candidate, str]):
    """resolvelib's provider: identifiers are ``name`` or ``name[extra]``."""

    def __init__(
        self,
        client: IndexClient,
        *,
        requires_python: SpecifierSet,
        preferences: Mapping[NormalizedName, Version],
        upgrade: bool = False,
        upgrade_packages: frozenset[NormalizedName] = frozenset(),
        sdist_metadata: Callable[[IndexFile], bytes] | None = None,
        local: Mapping[NormalizedName, LocalPackage] | None = None,
        pinned: Mapping[NormalizedName, IndexClient] | None = None,
    ) -> None:
        self._pinned = dict(pinned or {})
        self._client = client
        self._local = dict(local or {})
        self._sdist_metadata = sdist_metadata
        self._requires_python = requires_python
        points = python_points(requires_python)
        # uv checks a candidate's Requires-Python against the range's lower bound (upper
        # bounds of requires-python are ignored, as uv documents).
        self._lowest_python = points[0] if points else None
        self._preferences = (
            {}
            if upgrade
            else {
                name: version
                for name, version in preferences.items()
                if name not in upgrade_packages
            }
        )
        self._metadata: dict[tuple[NormalizedName, Version], Future[DistMetadata]] = {}
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=8)
        self._pool_closed = False
        self.excluded: dict[NormalizedName, set[str]] = defaultdict(set)
        """Why versions that matched a specifier were still not candidates (for errors)."""
        self.python_excluded: list[tuple[NormalizedName, Version, SpecifierSet]] = []
        """Versions left out only for their Requires-Python (where a resolution may fork)."""

    def _client_for(self, name: NormalizedName) -> IndexClient:
        """The index a package comes from: its pinned one (tool.uv.sources index), else all."""
        return self._pinned.get(name, self._client)

    def close(self) -> None:
        self._pool_closed = True
        self._pool.shutdown(wait=False, cancel_futures=True)

    # metadata, fetched ahead in threads ----------------------------------------------------

    def _metadata_file(self, candidate: Candidate) -> IndexFile:
        wheels = [f for f in candidate.files if f.is_wheel]
        with_metadata = [f for f in wheels if f.has_metadata]
        chosen = (with_metadata or wheels or list(candidate.files))[0]
        return chosen

    def prefetch(self, candidate: Candidate) -> Future[DistMetadata]:
        key = (candidate.name, candidate.version)
        with self._lock:
            future = self._metadata.get(key)
            if future is None:
                file = self._metadata_file(candidate)
                future = self._pool.submit(self._fetch_metadata, file)
                self._metadata[key] = future
        return future

    def _fetch_metadata(self, file: IndexFile) -> DistMetadata:
        from reconciler.index import parse_metadata

        if not file.is_wheel and self._sdist_metadata is not None:
            # Only an sdist: its backend prepares the metadata (built once, then cached).
            metadata = parse_metadata(self._sdist_metadata(file))
        else:
            metadata = parse_metadata(self._client_for(file.name).metadata(file))
        # Speculate: the resolver will soon ask for these dependencies' pages and for the
        # metadata of their likely versions; fetching them now overlaps the network waits
        # of a cold resolution. Failures here are ignored: the resolver's own call reports.
        for requirement in metadata.requires_dist:
            holds = restrict(requirement.marker, extra="", requires_python=self._requires_python)
            if holds is not NEVER and not self._pool_closed:
                try:
                    self._pool.submit(self._warm, requirement)
                except RuntimeError:  # the pool shut down: resolution is over
                    break
        return metadata

    def _warm(self, requirement: Requirement) -> None:
        name = canonicalize_name(requirement.name)
        try:
            files = self._client_for(name).files(name)
        except Exception:  # speculative: the resolver's own call reports failures
            return
        preferred = self._preferences.get(name)
        versions = sorted({f.version for f in files}, reverse=True)
        for version in ([preferred] if preferred in versions else []) + versions:
            if version is None or version.is_prerelease:
                continue
            if not requirement.specifier.contains(version, prereleases=True):
                continue
            usable = tuple(
                f
                for f in files
                if f.version == version and f.yanked is None and self._python_compatible(f)
            )
            if usable:
                self.prefetch(Candidate(name, version, None, usable))
            return

    def metadata(self, candidate: Candidate) -> DistMetadata:
        local = self._local.get(candidate.name)
        if local is not None:
            return local.metadata
        return self.prefetch(candidate).result()

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
    ) -> tuple[bool, bool, str]:
        requirements = [info.requirement for info in information[identifier]]
        pinned = any(
            spec.operator in ("==", "===") for req in requirements for spec in req.specifier
        )
        caused = any(cause.requirement.name == identifier for cause in backtrack_causes)
        return (not pinned, not caused, identifier)

    def _python_compatible(self, file: IndexFile) -> bool:
        if file.requires_python is None or self._lowest_python is None:
            return True
        return file.requires_python.contains(self._lowest_python, prereleases=True)

    def find_matches(
        self,
        identifier: str,
        requirements: Mapping[str, Iterator[Req]],
        incompatibilities: Mapping[str, Iterator[Candidate]],
    ) -> list[Candidate]:
        reqs = list(requirements[identifier])
        name, extra = reqs[0].name, reqs[0].extra
        local = self._local.get(name)
        if local is not None:
            # A local tree is the one candidate there is (uv does not check its version
            # against specifiers either).
            if any(c.name == name for c in incompatibilities[identifier]):
                return []
            return [Candidate(name, local.metadata.version, extra, ())]
        excluded = {candidate.version for candidate in incompatibilities[identifier]}
        exact = {
            Version(spec.version)
            for req in reqs
            for spec in req.specifier
            if spec.operator in ("==", "===") and not spec.version.endswith("*")
        }
        by_version: dict[Version, list[IndexFile]] = defaultdict(list)
        for file in self._client_for(name).files(name):
            by_version[file.version].append(file)
        explicit_pre = any(spec.prereleases for req in reqs for spec in req.specifier)
        finals: list[Candidate] = []
        pres: list[Candidate] = []
        for version in sorted(by_version, reverse=True):
            if version in excluded:
                continue
            if not all(req.specifier.contains(version, prereleases=True) for req in reqs):
                continue
            # PEP 592: a yanked file is chosen only when pinned exactly.
            usable = [f for f in by_version[version] if f.yanked is None or version in exact]
            if not usable:
                reason = by_version[version][0].yanked
                self.excluded[name].add(
                    f"{name}=={version} was yanked" + (f" (reason: {reason})" if reason else "")
                )
                continue
            fitting = [f for f in usable if self._python_compatible(f)]
            if not fitting:
                if usable[0].requires_python is not None:
                    self.python_excluded.append((name, version, usable[0].requires_python))
                self.excluded[name].add(
                    f"{name}=={version} requires Python {usable[0].requires_python}, "
                    f"but the project supports {self._requires_python}"
                )
                continue
            usable = fitting
            candidate = Candidate(name, version, extra, tuple(usable))
            (pres if version.is_prerelease else finals).append(candidate)
        # Pre-releases only when asked for, or when nothing else fits (uv's default).
        chosen = finals + pres if explicit_pre else (finals or pres)
        preferred = self._preferences.get(name)
        if preferred is not None:
            chosen.sort(key=lambda candidate: candidate.version != preferred)
        if chosen:
            self.prefetch(chosen[0])
        return chosen

    def is_satisfied_by(self, requirement: Req, candidate: Candidate) -> bool:
        if candidate.name in self._local:
            return True
        return requirement.specifier.contains(candidate.version, prereleases=True)

    def get_dependencies(self, candidate: Candidate) -> Iterable[Req]:
        metadata = self.metadata(candidate)
        parent = f"{candidate.name}=={candidate.version}"
        reqs: list[Req] = []
        if candidate.extra is not None:
            reqs.append(Req(candidate.name, None, SpecifierSet(f"=={candidate.version}"), parent))
        active = candidate.extra if candidate.extra is not None else ""
        for requirement in metadata.requires_dist:
            holds = restrict(
                requirement.marker, extra=active, requires_python=self._requires_python
            )
            if holds is NEVER:
                continue
            if canonicalize_name(requirement.name) == candidate.name and candidate.extra is None:
                continue  # a package naming itself (self-extras) adds nothing to its base
            reqs.extend(split_requirement(requirement, parent))
        return reqs

    def narrow_requirement_selection(
        self,
        identifiers: Iterable[str],
        resolutions: Mapping[str, Candidate],
        candidates: Mapping[str, Iterator[Candidate]],
        information: Mapping[str, Iterator[Any]],
        backtrack_causes: Sequence[Any],
    ) -> Iterable[str]:
        return identifiers
