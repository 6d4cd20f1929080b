"""Lock stage, resolution: distribution metadata for the resolver, fetched ahead in threads.

One ``MetadataStore`` serves every fork of a resolution: each version's metadata is fetched
once (from the index, or prepared from an sdist by its build backend), and the requirements it
names are fetched ahead speculatively. It also keeps the provider's per-package version
tables, which are the same in every fork.

The threads are for network waits only. While every page and metadata file comes from the
cache (a warm lock makes no request at all), the resolver reads them itself, one after the
other, and the speculative fetches are only noted: threads reading the cache would contend for
the GIL with the resolver and lose time (a tenth of a warm lock, measured). The first request
on the network starts them, with everything noted until then.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, TypeAlias

from packaging.requirements import Requirement
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version

from accord.model.dependency_metadata import StaticMetadata, find_static_metadata
from accord.model.marker_tree import MarkerTree
from accord.model.python_range import Bound, PythonRange
from accord.reconciler.errors import AccordError
from accord.reconciler.lock.resolve.availability import VersionRow
from accord.reconciler.lock.resolve.requirements import Candidate, Split, requirement_marker
from accord.reconciler.lock.resolve.selection import CandidateTable
from accord.reconciler.threads import quiet

if TYPE_CHECKING:
    from accord.reconciler.fetch.index import DistMetadata, IndexClient, IndexFile

__all__ = ["MetadataStore", "TableKey", "metadata_source", "refuse_local_metadata"]

TableKey = NormalizedName | tuple[NormalizedName, int]
"""A package's name, or (a package whose source is chosen by marker) its name and index."""


def metadata_source(files: Sequence[IndexFile]) -> IndexFile:
    """The file of a version whose core metadata the resolver reads: the first wheel with a
    metadata file of its own (PEP 658), else the first wheel, else the first file. Raises
    IndexError when there is none."""
    wheels = [f for f in files if f.is_wheel]
    with_metadata = [f for f in wheels if f.has_metadata]
    return (with_metadata or wheels or list(files))[0]


def _from_static(static: StaticMetadata, version: Version) -> DistMetadata:
    from packaging.specifiers import SpecifierSet

    from accord.reconciler.fetch.index import DistMetadata

    python = None if static.requires_python is None else SpecifierSet(static.requires_python)
    return DistMetadata(
        name=static.name,
        version=version,
        requires_dist=static.requirements,
        requires_python=python,
        provides_extras=static.provides_extras,
    )


class _Made:
    """Metadata made on the resolver's thread: a finished ``Future`` without the lock and
    condition a ``Future`` makes (hundreds per lock)."""

    __slots__ = ("error", "value")

    def __init__(self) -> None:
        self.value: DistMetadata | None = None
        self.error: BaseException | None = None

    def done(self) -> bool:
        return True

    def cancel(self) -> bool:
        return False

    def result(self) -> DistMetadata:
        if self.error is not None:
            raise self.error
        assert self.value is not None
        return self.value


Pending: TypeAlias = "Future[DistMetadata] | _Made"
"""Metadata being fetched by a thread, or made already."""


class MetadataStore:
    """Distribution metadata, fetched ahead in threads and shared by every fork's run."""

    def __init__(
        self,
        sdist_metadata: Callable[[IndexFile], bytes] | None,
        python: MarkerTree = MarkerTree.TRUE,
        static: Sequence[StaticMetadata] = (),
    ) -> None:
        self._sdist_metadata = sdist_metadata
        self._static = tuple(static)
        """``tool.uv.dependency-metadata``: used instead of a version's own metadata."""
        self._python = python
        """The project's Python range: a requirement only older Pythons take (`tomli;
        python_version < '3.11'`) is never fetched ahead."""
        self._futures: dict[tuple[NormalizedName, Version, str | None], Pending] = {}
        self.versions: dict[TableKey, list[VersionRow]] = {}
        """Provider._usable's tables, by package (the same in every fork; a package whose
        source is chosen by marker: by package and index)."""
        self.tables: dict[tuple[TableKey, PythonRange], CandidateTable] = {}
        """Provider._versions' tables, by package and fork Python range."""
        self.shared: dict[tuple[TableKey, tuple[tuple[Bound, bool], ...]], CandidateTable] = {}
        """The same tables, by package and what the fork decides of each version
        (``availability.fork_decisions``): forks that decide alike share one."""
        self.splits: dict[tuple[object, ...], tuple[tuple[object, ...], list[Split]]] = {}
        """``split``'s answers: a version's requirements as ``Req``s with the marker each holds
        under, before a fork filters them (the same in every fork)."""
        self._lock = threading.Lock()
        self._pages: set[NormalizedName] = set()
        """Projects whose pages ``warm_pages`` asked for."""
        self._pool = ThreadPoolExecutor(max_workers=8, initializer=quiet)
        self._closed = False
        self._speculating = False
        self._deferred: list[Callable[[], None]] = []
        """Speculative fetches asked for before the first request on the network."""
        from accord.reconciler.fetch.http import on_first_request

        self._forget_hook = on_first_request(self._network_seen)

    def _network_seen(self) -> None:
        """The process goes to the network: start the speculative fetches noted until now."""
        with self._lock:
            self._speculating = True
            deferred, self._deferred = self._deferred, []
        for call in deferred:
            call()

    def speculate(self) -> None:
        """Fetch ahead from now on (the network will be needed), without waiting for the
        first request."""
        self._network_seen()

    def _speculate(self, later: Callable[[], None]) -> bool:
        """Whether to fetch ahead now; if not yet, keep ``later`` for when the network is."""
        if self._speculating:
            return True
        with self._lock:
            if not self._speculating:
                self._deferred.append(later)
                return False
        return True

    def close(self) -> None:
        self._forget_hook()
        self._closed = True
        self._pool.shutdown(wait=False, cancel_futures=True)

    def split(
        self, key: tuple[object, ...], inputs: tuple[object, ...], make: Callable[[], list[Split]]
    ) -> list[Split]:
        """``make()``, kept by ``key`` for the other forks while they have the same ``inputs``
        (the objects a provider's constraints, overrides and exclusions are)."""
        known = self.splits.get(key)
        if known is not None and all(a is b for a, b in zip(known[0], inputs, strict=True)):
            return known[1]
        made = make()
        self.splits[key] = (inputs, made)
        return made

    @staticmethod
    def _metadata_source(candidate: Candidate) -> IndexFile:
        return metadata_source(candidate.files)

    def get(self, candidate: Candidate, client: IndexClient) -> Pending:
        key = (candidate.name, candidate.version, candidate.source)
        if not self._speculating:
            return self._inline(key, candidate, client)
        with self._lock:
            future = self._futures.get(key)
            if future is None:
                static = find_static_metadata(self._static, candidate.name, candidate.version)
                if static is not None:
                    # uv neither fetches nor builds a version with an entry of its own.
                    made = future = _Made()
                    made.value = _from_static(static, candidate.version)
                    self.prefetch(made.value.requires_dist, client)
                else:
                    file = self._metadata_source(candidate)
                    future = self._pool.submit(self._fetch, file, client)
                self._futures[key] = future
        return future

    def _inline(
        self,
        key: tuple[NormalizedName, Version, str | None],
        candidate: Candidate,
        client: IndexClient,
    ) -> Pending:
        """``candidate``'s metadata made here, on the resolver's thread (no thread runs yet)."""
        future = self._futures.get(key)
        if future is not None:
            return future
        made = _Made()
        static = find_static_metadata(self._static, candidate.name, candidate.version)
        try:
            if static is None:
                made.value = self._fetch(self._metadata_source(candidate), client)
            else:
                made.value = _from_static(static, candidate.version)
                self.prefetch(made.value.requires_dist, client)
        except BaseException as e:
            made.error = e
        with self._lock:
            return self._futures.setdefault(key, made)

    def wait(self, candidate: Candidate, client: IndexClient) -> DistMetadata:
        """``candidate``'s metadata, for the resolver: when its fetch is still queued behind
        speculative ones (a warm cache answers faster than the threads get to it), it is
        taken off the queue and made here instead of waited for."""
        future = self.get(candidate, client)
        if future.done() or not future.cancel():
            return future.result()
        key = (candidate.name, candidate.version, candidate.source)
        made = _Made()
        try:
            made.value = self._fetch(self._metadata_source(candidate), client)
        except BaseException as e:
            made.error = e
        with self._lock:
            self._futures[key] = made
        return made.result()

    def _fetch(self, file: IndexFile, client: IndexClient) -> DistMetadata:
        from accord.reconciler.fetch.index import parse_metadata

        if not file.is_wheel and self._sdist_metadata is not None:
            # Only an sdist: its backend prepares the metadata (built once, then cached).
            metadata = parse_metadata(self._sdist_metadata(file))
        else:
            metadata = parse_metadata(self._wheel_metadata(file, client))
        # Speculate: the resolver will soon ask for these dependencies' pages and for the
        # metadata of their likely versions.
        self.prefetch(metadata.requires_dist, client)
        return metadata

    @staticmethod
    def _wheel_metadata(file: IndexFile, client: IndexClient) -> bytes:
        """``file``'s metadata; offline, when it is not cached, another wheel's of the same
        version that is: which wheel a run reads depends on what asked first (the prefetch or
        the resolver), and the wheels of one version share their metadata."""
        try:
            return client.metadata(file)
        except AccordError:
            if not client.offline or not file.is_wheel:
                raise
            for release in client.releases(file.name):
                if release.version == file.version:
                    for sibling in release.files():
                        if sibling.is_wheel and sibling.url != file.url:
                            with contextlib.suppress(AccordError):
                                return client.metadata(sibling)
            raise

    def prefetch(self, requirements: Iterable[Requirement], client: IndexClient) -> None:
        """Start fetching these requirements' pages and likely metadata in the background,
        overlapping the network waits the resolver would otherwise meet one after the other.
        Failures are ignored here: the resolver's own call reports them."""
        requirements = tuple(requirements)
        if not self._speculate(lambda: self.prefetch(requirements, client)):
            return
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

    def warm_pages(
        self, names: Iterable[NormalizedName], client_for: Callable[[NormalizedName], IndexClient]
    ) -> None:
        """Start fetching these projects' pages in the background (each once); failures are
        ignored here: the resolver's own call reports them."""
        names = tuple(names)
        if not self._speculate(lambda: self.warm_pages(names, client_for)):
            return
        for name in names:
            if self._closed:
                return
            if name in self._pages:
                continue  # asked for already (only ever added to: checked again below)
            with self._lock:
                if name in self._pages:
                    continue
                self._pages.add(name)
            try:
                self._pool.submit(self._page, name, client_for(name))
            except RuntimeError:  # the pool shut down: resolution is over
                return

    @staticmethod
    def _page(name: NormalizedName, client: IndexClient) -> None:
        try:
            client.releases(name)
        except Exception:  # speculative: the resolver's own call reports failures
            return

    def _warm(self, requirement: Requirement, client: IndexClient) -> None:
        name = canonicalize_name(requirement.name)
        try:
            releases = client.releases(name)
        except Exception:  # speculative: the resolver's own call reports failures
            return
        for version in sorted({release.version for release in releases}, reverse=True):
            if version.is_prerelease or not requirement.specifier.contains(version, True):
                continue
            # the first index's copy (an unsafe-* strategy lists a version once per index)
            # with a file not yanked
            for release in releases:
                if release.version != version:
                    continue
                kept = tuple(i for i, facts in enumerate(release.facts) if facts.yanked is None)
                if kept:
                    self.get(Candidate(name, version, None, release.select(kept)), client)
                    break
            return


def refuse_local_metadata(
    entries: Sequence[StaticMetadata], local: Mapping[NormalizedName, object]
) -> None:
    """uv applies an entry to a workspace member or a path, git or URL dependency too (when
    it has a version of its own); accord applies them to index packages only, and says so."""
    from accord.reconciler.errors import SettingUnsupported

    for entry in entries:
        if entry.name in local:
            raise SettingUnsupported(
                f"`tool.uv.dependency-metadata` has an entry for `{entry.name}`, which is a "
                "workspace member or comes from a path, git or URL source; accord does not "
                "support that yet",
                hint="lock with uv, or remove the entry",
            )
