"""The package-index client (lock stage, network side): project pages and core metadata.

Speaks the simple repository API (PEP 503 HTML and PEP 691 JSON, with PEP 592 yanks, PEP 658/714
metadata files and PEP 700 sizes and upload times) to the configured indexes, in order. As
uv's ``index-strategy``: a project comes from the first index that knows it (``first-index``,
the default), or from every index that knows it (``unsafe-first-match``,
``unsafe-best-match``), each release marked with the rank of its index in the search order.
It touches the network and, under ``cache_dir``, only these entries, each written as a
finished temporary file renamed into place:

``http/<sha256 of url>.page``: project pages, parsed into releases (``reconciler.fetch.
project_pages``), with their ETag, Last-Modified and max-age; ``http/<sha256 of url>``:
find-links pages as they came;
``metadata/<sha256 of url>``: core metadata of a distribution (it never changes), the fields a
resolution reads of it (``core_metadata.condense_metadata``);
``wheels/<sha256>/<file>``: wheels downloaded to read their metadata (the layout
``reconciler.fetch.artifacts`` installs from, so an install later needs no download).

Without a PEP 658 file, a wheel's metadata is first read with HTTP Range requests
(``reconciler.fetch.remote_wheel``, a few KiB instead of the whole wheel); only a server that does
not answer 206, or a zip that cannot be read that way, costs the full download.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar
from urllib.parse import urlsplit

from packaging.utils import NormalizedName, canonicalize_name

from accord.reconciler.cachedir import metadata_file
from accord.reconciler.errors import (
    HashMismatch,
    IndexNotCached,
    IndexUnavailable,
    MetadataUnavailable,
    PackageNotFound,
)
from accord.reconciler.fetch import http
from accord.reconciler.fetch.core_metadata import (
    DistMetadata,
    cached_metadata,
    keep_metadata,
    kept_metadata,
    parse_metadata,
)
from accord.reconciler.fetch.http import COMPRESSED
from accord.reconciler.fetch.page_cache import (
    CachedPage,
    answered,
    read_page,
    revalidated,
    unchanged,
    write_page,
)
from accord.reconciler.fetch.pages import IndexFile, lock_upload_time
from accord.reconciler.fetch.project_pages import index_releases, project_page_url
from accord.reconciler.fetch.releases import Release, listed_releases
from accord.reconciler.fetch.remote_wheel import Slice, ranged_slice, read_metadata, wheel_metadata
from accord.reconciler.progress import progress

if TYPE_CHECKING:
    from accord.model.find_links import FlatSource
    from accord.reconciler.fetch.answer import Response

__all__ = [
    "DistMetadata",
    "IndexClient",
    "IndexFile",
    "Release",
    "lock_upload_time",
    "parse_metadata",
]

_T = TypeVar("_T")
_K = TypeVar("_K")

ACCEPT = (
    "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, "
    "text/html;q=0.01"
)
_UNAVAILABLE_HINT = "is the index up? use --offline to work from the cache"
_LOGIN_HINT = (
    "the index wants a login: give it in the index URL (https://user:token@host/simple/), in "
    "UV_INDEX_<NAME>_USERNAME and UV_INDEX_<NAME>_PASSWORD for a named index, or in ~/.netrc"
)


def _sha256(data: str | bytes) -> str:
    return hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()


# --- the client ----------------------------------------------------------------------------------


class IndexClient:
    """Pages and metadata from a list of indexes; safe to call from several threads at once.

    ``offline`` never touches the network: cached pages are served whatever their age, and
    anything not cached raises. ``refresh`` revalidates every page once per client instead of
    trusting its max-age. A request that fails with a connection error, a timeout, a 5xx
    answer or a body shorter than announced is tried again ``retries`` times (default:
    ``UV_HTTP_RETRIES``, 3), sleeping ``backoff`` seconds after the first attempt and twice as
    long after each. The requests go through ``reconciler.fetch.http`` (the connection pool
    artifact downloads share); ``reconciler.fetch.network`` holds the policy (and
    ``UV_HTTP_TIMEOUT``).
    """

    def __init__(
        self,
        indexes: Sequence[str],
        *,
        cache_dir: Path,
        offline: bool = False,
        refresh: bool = False,
        retries: int | None = None,
        backoff: float = 0.1,
        flat: Sequence[FlatSource] = (),
        strategy: str = "first-index",
    ) -> None:
        from accord.reconciler.credentials import remember_index

        # Logins are taken out of the URLs here: only bare URLs reach pages, files, the lock
        # and the cache; requests get them back as an Authorization header.
        self.indexes = tuple(remember_index(url) for url in indexes)
        self.cache_dir = cache_dir
        self._pages = cache_dir / "http"  # one object: its hash is worked out once
        self.offline, self.refresh, self.strategy = offline, refresh, strategy
        """uv's ``index-strategy``: ``first-index``, ``unsafe-first-match`` or
        ``unsafe-best-match`` (the resolver orders the versions of several indexes)."""
        self._attempts = http.Attempts(unreachable=_unreachable, retries=retries, backoff=backoff)
        self._lock = threading.Lock()
        self._releases: dict[NormalizedName, tuple[Release, ...]] = {}
        self._metadata: dict[str, bytes] = {}
        self._key_locks: dict[object, threading.Lock] = {}
        self._failed: dict[object, IndexUnavailable] = {}
        self._no_ranges: set[str] = set()  # hosts that answered a Range request with 200
        from accord.reconciler.fetch.flat import FlatIndex

        # find-links sources: their files join each project's (uv's flat index).
        self.flat = FlatIndex(flat, lambda url: self._get_page(url, "text/html")) if flat else None

    def __enter__(self) -> IndexClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close pooled connections; the client may still be used (it reconnects)."""
        http.close_connections()

    # -- single flight: one fetch per key, other threads wait for its result --

    def _once(self, memo: dict[_K, _T], key: _K, compute: Callable[[], _T]) -> _T:
        """``compute()`` once per key; an index that could not be reached is not asked again
        for the same key by this client (every retry was already spent on it)."""
        with self._lock:
            if key in memo:
                return memo[key]
            key_lock = self._key_locks.setdefault((id(memo), key), threading.Lock())
        with key_lock:
            with self._lock:
                if key in memo:
                    return memo[key]
                failed = self._failed.get((id(memo), key))
            if failed is not None:
                raise failed
            try:
                value = compute()
            except IndexUnavailable as exc:
                with self._lock:
                    self._failed[(id(memo), key)] = exc
                raise
            with self._lock:
                memo[key] = value
            return value

    # -- pages --

    def releases(self, name: str) -> tuple[Release, ...]:
        """The versions of project ``name`` (``reconciler.fetch.releases``: their files are
        decoded when read), from the first index (in order) that knows it, newest first;
        under an ``unsafe-*`` strategy from every index that knows it, in search order, each
        release's ``rank`` the position of its index among them (find-links files join each
        index's). Files whose names are not a wheel or sdist of the project are skipped. Raises
        PackageNotFound when every index answers 404 (or, offline, none is cached),
        IndexUnavailable when an index cannot be reached, IndexPageInvalid for a broken page.
        """
        project = canonicalize_name(name)
        if (known := self._releases.get(project)) is not None:  # asked again by every fork
            return known
        progress().resolving(project)
        return self._once(self._releases, project, lambda: self._with_flat(project))

    def files(self, name: str) -> tuple[IndexFile, ...]:
        """Every file of every release of ``name`` (``releases``), decoded."""
        return tuple(file for release in self.releases(name) for file in release.files())

    def _with_flat(self, project: NormalizedName) -> tuple[Release, ...]:
        from accord.reconciler.fetch.flat import merge_flat

        flat = self.flat.files(project) if self.flat is not None else ()
        found: list[tuple[Release, ...]] = []
        for index in self.indexes:
            releases = self._index_releases(index, project)
            if releases is not None:
                found.append(releases)
                if self.strategy == "first-index":
                    break  # uv's default: the first index that knows a project is its only one
        if not found:
            if flat:
                return listed_releases(flat)
            raise self._not_found(project)
        if len(found) == 1:
            return merge_flat(found[0], flat)
        # uv merges the find-links files into each index's versions.
        return tuple(
            release.with_rank(rank)
            for rank, releases in enumerate(found)
            for release in merge_flat(releases, flat)
        )

    def _index_releases(self, index: str, project: NormalizedName) -> tuple[Release, ...] | None:
        """The project's releases on one index; None when it answers 404."""
        return index_releases(
            project_page_url(index, project),
            cache=self._pages,
            index=index,
            project=project,
            accept=ACCEPT,
            offline=self.offline,
            refresh=self.refresh,
            get=lambda url, headers: http.get_chunks(url, headers, self._attempts),
            refused=_refused_page,
        )

    def _not_found(self, project: NormalizedName) -> PackageNotFound:
        where = ", ".join(f"`{index}`" for index in self.indexes) or "(no index configured)"
        if self.offline:
            return PackageNotFound(
                f"Package `{project}` was not found in the cache",
                hint=f"--offline was given, so {where} was not consulted; "
                "run once without --offline to fill the cache",
            )
        return PackageNotFound(
            f"Package `{project}` was not found in the package registry",
            hint=f"searched {where}",
        )

    def _get_page(self, url: str, accept: str = ACCEPT) -> CachedPage | None:
        """The page at url, from the cache when fresh; None when absent (404). A find-links
        page is asked for as HTML (uv's ``Accept: text/html``), and cached apart."""
        path = self.cache_dir / "http" / _sha256(url if accept == ACCEPT else f"{accept} {url}")
        cached = read_page(path)
        if self.offline:
            return cached
        if cached is not None and not self.refresh and cached.is_fresh(time.time()):
            return cached
        headers = {"Accept": accept, **COMPRESSED}
        if cached is not None and cached.etag:
            headers["If-None-Match"] = cached.etag
        if cached is not None and cached.last_modified:
            headers["If-Modified-Since"] = cached.last_modified
        response = http.get(url, headers, self._attempts)
        if response.status == 404:
            return None
        if response.status == 304 and cached is not None:
            entry = revalidated(cached, response.headers)
        elif response.status == 200:
            entry, storable = answered(url, response)
            if not storable:
                return entry  # no-store
            if unchanged(cached, entry):
                return entry
        else:
            raise _refused_page(url, response)
        write_page(path, entry)
        return entry

    def _offline_error(self, url: str) -> IndexUnavailable:
        return IndexNotCached(
            f"`{url}` is not in the cache and --offline was given",
            hint="run once without --offline to fill the cache",
        )

    # -- metadata --

    def metadata(self, file: IndexFile) -> bytes:
        """The core metadata bytes of file, from memory (``core_metadata.kept_metadata``), the
        disk cache or the index: the PEP 658 ``.metadata`` file when the page advertises one
        (verified against metadata_sha256), else, for a wheel, its ``*.dist-info/METADATA``,
        read with Range requests when the server allows (unverifiable, as in uv), else from the
        whole wheel (verified, kept in ``wheels/``). What the cache keeps, and answers, is the
        part ``parse_metadata`` reads (``core_metadata.keep_metadata``): under the metadata
        file's hash when it matches it (a page that lists another has it fetched again), else,
        when the page gives none, under the wheel's; metadata matching no hash it should, or
        with a value of several lines, is kept whole. Raises HashMismatch,
        MetadataUnavailable (an sdist without a metadata file), DistributionInvalid,
        IndexUnavailable."""
        fetch, cache = self._fetch_metadata, str(self.cache_dir)
        return self._once(self._metadata, file.url, lambda: kept_metadata(cache, file, fetch))

    def _fetch_metadata(self, file: IndexFile) -> bytes:
        if file.is_wheel and file.url.startswith("file:"):
            from urllib.request import url2pathname

            # A find-links directory's wheel: read where it is (it may change; no cache).
            local = Path(url2pathname(urlsplit(file.url).path))
            return wheel_metadata(local, file.filename, file.name)
        path = Path(metadata_file(str(self.cache_dir), file.url))
        kept = cached_metadata(path, file)
        if kept is not None:
            return kept
        raw_or_none = self._metadata_file(file) if file.has_metadata else None
        checked = raw_or_none is not None  # against metadata_sha256 already
        if raw_or_none is None:
            if not file.is_wheel:
                raise MetadataUnavailable(
                    f"The metadata of `{file.filename}` is only available by building it",
                    hint="building from source is not supported yet; a wheel is needed",
                )
            if not self.offline and not self._has_wheel(file):
                raw_or_none = read_metadata(
                    lambda first, last: self._range(file.url, first, last), file.name, file.size
                )
            if raw_or_none is None:
                raw_or_none = wheel_metadata(self._wheel(file), file.filename, file.name)
        return keep_metadata(path, file, raw_or_none, checked=checked)

    def _metadata_file(self, file: IndexFile) -> bytes | None:
        """The PEP 658 file, or None when the index does not actually have it (404)."""
        url = file.url + ".metadata"
        if self.offline:
            if file.is_wheel:
                return None  # the wheel may be in the cache
            raise self._offline_error(url)
        response = http.get(url, COMPRESSED, self._attempts)
        if response.status == 404:
            return None
        if response.status != 200:
            raise IndexUnavailable(
                f"Failed to fetch `{url}`: HTTP {response.status}", hint=_UNAVAILABLE_HINT
            )
        raw: bytes = response.data
        if file.metadata_sha256 is not None and _sha256(raw) != file.metadata_sha256:
            raise HashMismatch(
                f"Hash mismatch for `{file.filename}.metadata`: the index says "
                f"sha256:{file.metadata_sha256}, the download is sha256:{_sha256(raw)}",
                hint="the index serves a metadata file that does not match its page",
            )
        return raw

    def _has_wheel(self, file: IndexFile) -> bool:
        archives = self.cache_dir / "wheels"
        return file.sha256 is not None and (archives / file.sha256 / file.filename).is_file()

    def _range(self, url: str, first: int, last: int) -> Slice | None:
        """Bytes first..last of url (the last -first bytes when first < 0), with retries.

        None when the server does not answer 206 with a matching Content-Range: a 200 carries
        the whole file, so its body is not read, and that host is not asked for ranges again.
        """
        host = urlsplit(url).netloc
        with self._lock:
            if host in self._no_ranges:
                return None
        wanted = f"bytes={first}" if first < 0 else f"bytes={first}-{last}"
        # identity: Content-Range counts the bytes as stored, not as some proxy re-encoded them.
        headers = {"Range": wanted, "Accept-Encoding": "identity"}

        def attempt() -> Slice | None:
            with http.streamed(url, headers) as response:
                if response.status != 206:
                    if response.status == 200:
                        with self._lock:
                            self._no_ranges.add(host)
                    response.close()  # the connection is dropped rather than drained
                    return None
                data: bytes = response.read()
            return ranged_slice(response.headers.get("Content-Range", ""), data)

        return self._attempts.run(url, attempt)

    def _wheel(self, file: IndexFile) -> Path:
        """The wheel in ``wheels/<sha256>/<filename>``, downloaded and verified if missing."""
        archives = self.cache_dir / "wheels"
        if file.sha256 is not None:
            cached = archives / file.sha256 / file.filename
            if cached.is_file():
                return cached
        if self.offline:
            raise self._offline_error(file.url)
        archives.mkdir(parents=True, exist_ok=True)
        import tempfile  # a wheel downloaded: not on a lock's usual path

        handle, temporary = tempfile.mkstemp(prefix=".tmp-", suffix=".whl", dir=archives)
        os.close(handle)
        try:
            actual = http.download(
                file.url,
                Path(temporary),
                self._attempts,
                refused=lambda response: _refused(file.url, response),
            )
            if file.sha256 is not None and actual != file.sha256:
                raise HashMismatch(
                    f"Hash mismatch for `{file.filename}`: the index says sha256:{file.sha256}, "
                    f"the download is sha256:{actual}",
                    hint="the index serves a different file than its page lists",
                )
            final = archives / actual / file.filename
            final.parent.mkdir(exist_ok=True)
            os.replace(temporary, final)
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
        return final


def _unreachable(url: str, retried: str, reason: str) -> IndexUnavailable:
    return IndexUnavailable(f"Failed to fetch `{url}`{retried}: {reason}", hint=_UNAVAILABLE_HINT)


def _refused_page(url: str, response: Response) -> IndexUnavailable:
    """A page the index answered with neither 200, 304 nor 404."""
    return IndexUnavailable(
        f"Failed to fetch `{url}`: HTTP {response.status} {response.reason or ''}".rstrip(),
        hint=_LOGIN_HINT if response.status in (401, 403) else _UNAVAILABLE_HINT,
    )


def _refused(url: str, response: Response) -> IndexUnavailable:
    """A download the index answered with neither 200 nor 5xx."""
    return IndexUnavailable(
        f"Failed to fetch `{url}`: HTTP {response.status}",
        hint=_LOGIN_HINT if response.status in (401, 403) else _UNAVAILABLE_HINT,
    )
