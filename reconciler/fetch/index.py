"""The package-index client (lock stage, network side): project pages and core metadata.

Speaks the simple repository API (PEP 503 HTML and PEP 691 JSON, with PEP 592 yanks, PEP 658/714
metadata files and PEP 700 sizes and upload times) to the configured indexes, in order, and
takes a project from the first index that knows it (uv's default ``first-index`` strategy).
It touches the network and, under ``cache_dir``, only these entries, each written as a
finished temporary file renamed into place:

``http/<sha256 of url>``: project pages with their ETag, Last-Modified and max-age;
``metadata/<sha256 of url>``: core metadata of a distribution (it never changes);
``wheels/<sha256>/<file>``: wheels downloaded to read their metadata (the layout
``reconciler.fetch.artifacts`` installs from, so an install later needs no download).

Without a PEP 658 file, a wheel's metadata is first read with HTTP Range requests
(``reconciler.fetch.remote_wheel``, a few KiB instead of the whole wheel); only a server that does
not answer 206, or a zip that cannot be read that way, costs the full download.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar
from urllib.parse import urljoin, urlsplit

import attrs
from packaging.utils import (
    NormalizedName,
    canonicalize_name,
)

from accord.reconciler.credentials import auth_headers
from accord.reconciler.errors import (
    DistributionInvalid,
    HashMismatch,
    IndexNotCached,
    IndexPageInvalid,
    IndexUnavailable,
    MetadataUnavailable,
    PackageNotFound,
)
from accord.reconciler.fetch.network import Retryable
from accord.reconciler.fetch.pages import (
    DistMetadata,
    IndexFile,
    files_from_rows,
    files_to_rows,
    html_links,
    index_file,
    json_links,
    lock_upload_time,
    parse_metadata,
)
from accord.reconciler.fetch.remote_wheel import Slice, metadata_member, read_metadata
from accord.reconciler.fsutil import write_atomic

if TYPE_CHECKING:
    import urllib3

__all__ = ["DistMetadata", "IndexClient", "IndexFile", "lock_upload_time", "parse_metadata"]

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
_CHUNK = 1 << 16
_CONTENT_RANGE = re.compile(r"bytes\s+(\d+)-(\d+)/(\d+)", re.ASCII)


@attrs.frozen(kw_only=True)
class _Entry:
    """A cached response: what a later request needs to reuse or revalidate it."""

    url: str  # the final URL, after redirects: relative links resolve against it
    content_type: str
    etag: str | None
    last_modified: str | None
    max_age: float
    stored_at: float
    body: bytes

    def is_fresh(self, now: float) -> bool:
        return 0 <= now - self.stored_at < self.max_age


def _sha256(data: str | bytes) -> str:
    return hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()


def _read_entry(path: Path) -> _Entry | None:
    try:
        header, _, body = path.read_bytes().partition(b"\n")
        fields = json.loads(header)
        return _Entry(body=body, **fields)
    except (OSError, ValueError, TypeError):
        return None  # missing or torn by an older format: refetch


def _write_entry(path: Path, entry: _Entry) -> None:
    fields = attrs.asdict(entry)
    body = fields.pop("body")
    write_atomic(path, json.dumps(fields).encode() + b"\n" + body)


# A page's parsed files are kept beside it (``http/<key>.files``, marshal of plain tuples,
# tagged with a digest of the body they came from): reading a large page again costs a
# fraction of parsing it.


def _read_parsed(
    path: Path, digest: bytes, index: str, project: NormalizedName
) -> tuple[IndexFile, ...] | None:
    import marshal

    try:
        kept, rows = marshal.loads(path.read_bytes())
        if kept != digest:
            return None
        return files_from_rows(rows, index, project)
    except (OSError, ValueError, EOFError, TypeError):
        return None  # absent, stale or of another format: parse the page


def _write_parsed(path: Path, digest: bytes, files: tuple[IndexFile, ...]) -> None:
    import marshal

    with contextlib.suppress(OSError):  # only a cache: the page itself is kept
        write_atomic(path, marshal.dumps((digest, files_to_rows(files))))


def _body_digest(body: bytes) -> bytes:
    return hashlib.blake2b(body, digest_size=16).digest()


def _max_age(cache_control: str | None) -> float | None:
    """Seconds a response stays fresh; None when it must not be stored (``no-store``)."""
    max_age = 0.0
    for directive in (cache_control or "").lower().split(","):
        key, _, value = directive.strip().partition("=")
        if key == "no-store":
            return None
        if key == "no-cache":
            return 0.0
        if key == "max-age":
            try:
                max_age = float(value.strip().strip('"'))
            except ValueError:
                max_age = 0.0
    return max_age


def _short_reason(exc: BaseException) -> str:
    """``Connection refused`` rather than urllib3's ``<HTTPConnection object at 0x...>: ...``."""
    from accord.reconciler.fetch.network import describe_failure

    return describe_failure(exc)


# --- the client ----------------------------------------------------------------------------------


class IndexClient:
    """Pages and metadata from a list of indexes; safe to call from several threads at once.

    ``offline`` never touches the network: cached pages are served whatever their age, and
    anything not cached raises. ``refresh`` revalidates every page once per client instead of
    trusting its max-age. A request that fails with a connection error, a timeout, a 5xx
    answer or a body shorter than announced is tried again ``retries`` times (default:
    ``UV_HTTP_RETRIES``, 3), sleeping ``backoff`` seconds after the first attempt and twice as
    long after each; ``reconciler.fetch.network`` holds the policy (and ``UV_HTTP_TIMEOUT``).
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
    ) -> None:
        from accord.reconciler.credentials import remember_index

        # Logins are taken out of the URLs here: only bare URLs reach pages, files, the lock
        # and the cache; requests get them back as an Authorization header.
        self.indexes = tuple(remember_index(url) for url in indexes)
        self.cache_dir = cache_dir
        self.offline = offline
        self.refresh = refresh
        self._retries = retries
        self._backoff = backoff
        self._lock = threading.Lock()
        self._pool: urllib3.PoolManager | None = None
        self._files: dict[NormalizedName, tuple[IndexFile, ...]] = {}
        self._metadata: dict[str, bytes] = {}
        self._key_locks: dict[object, threading.Lock] = {}
        self._failed: dict[object, IndexUnavailable] = {}
        self._no_ranges: set[str] = set()  # hosts that answered a Range request with 200

    def __enter__(self) -> IndexClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close pooled connections; the client may still be used (it reconnects)."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.clear()

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

    def files(self, name: str) -> tuple[IndexFile, ...]:
        """All files of project ``name``, from the first index (in order) that knows it.

        Files whose names are not a wheel or sdist of the project are skipped. Raises
        PackageNotFound when every index answers 404 (or, offline, none is cached),
        IndexUnavailable when an index cannot be reached, IndexPageInvalid for a broken page.
        """
        project = canonicalize_name(name)
        return self._once(self._files, project, lambda: self._fetch_files(project))

    def _fetch_files(self, project: NormalizedName) -> tuple[IndexFile, ...]:
        for index in self.indexes:
            page_url = urljoin(index if index.endswith("/") else index + "/", f"{project}/")
            entry = self._get_page(page_url)
            if entry is None:
                continue
            parsed_path = self.cache_dir / "http" / (_sha256(page_url) + ".files")
            digest = _body_digest(entry.body)
            known = _read_parsed(parsed_path, digest, index, project)
            if known is not None:
                return known
            try:
                if _is_json(entry.content_type):
                    links = json_links(entry.body, entry.url)
                else:
                    links = html_links(entry.body, entry.url)
            except (ValueError, KeyError, TypeError, AttributeError) as exc:
                # Forget the page, so a fixed index is read again rather than this copy.
                (self.cache_dir / "http" / _sha256(page_url)).unlink(missing_ok=True)
                raise IndexPageInvalid(
                    f"The project page `{page_url}` is not a valid simple-API page: {exc}",
                    hint="the index served a page accord cannot read",
                ) from exc
            parsed = (index_file(link, index, project) for link in links)
            files = tuple(file for file in parsed if file is not None)
            _write_parsed(parsed_path, digest, files)
            return files
        where = ", ".join(f"`{index}`" for index in self.indexes) or "(no index configured)"
        if self.offline:
            raise PackageNotFound(
                f"Package `{project}` was not found in the cache",
                hint=f"--offline was given, so {where} was not consulted; "
                "run once without --offline to fill the cache",
            )
        raise PackageNotFound(
            f"Package `{project}` was not found in the package registry",
            hint=f"searched {where}",
        )

    def _get_page(self, url: str) -> _Entry | None:
        """The page at url, from the cache when fresh; None when absent (404)."""
        path = self.cache_dir / "http" / _sha256(url)
        cached = _read_entry(path)
        if self.offline:
            return cached
        if cached is not None and not self.refresh and cached.is_fresh(time.time()):
            return cached
        headers = {"Accept": ACCEPT}
        if cached is not None and cached.etag:
            headers["If-None-Match"] = cached.etag
        if cached is not None and cached.last_modified:
            headers["If-Modified-Since"] = cached.last_modified
        response = self._request(url, headers)
        if response.status == 404:
            return None
        if response.status == 304 and cached is not None:
            max_age = _max_age(response.headers.get("Cache-Control"))
            entry = attrs.evolve(
                cached,
                etag=response.headers.get("ETag", cached.etag),
                last_modified=response.headers.get("Last-Modified", cached.last_modified),
                max_age=cached.max_age if max_age is None else max_age,
                stored_at=time.time(),
            )
        elif response.status == 200:
            max_age = _max_age(response.headers.get("Cache-Control"))
            entry = _Entry(
                url=urljoin(url, response.geturl() or url),  # urllib3 gives a bare path
                content_type=response.headers.get("Content-Type", ""),
                etag=response.headers.get("ETag"),
                last_modified=response.headers.get("Last-Modified"),
                max_age=max_age or 0.0,
                stored_at=time.time(),
                body=response.data,
            )
            if max_age is None:
                return entry
        else:
            raise IndexUnavailable(
                f"Failed to fetch `{url}`: HTTP {response.status} {response.reason or ''}".rstrip(),
                hint=_LOGIN_HINT if response.status in (401, 403) else _UNAVAILABLE_HINT,
            )
        _write_entry(path, entry)
        return entry

    # -- HTTP --

    def _http(self) -> urllib3.PoolManager:
        with self._lock:
            if self._pool is None:
                from accord.reconciler.fetch.network import new_pool  # slow path only

                self._pool = new_pool()
            return self._pool

    def _attempts(self, url: str, attempt: Callable[[], _T]) -> _T:
        """``attempt()`` with the network policy's retries; then IndexUnavailable."""
        from accord.reconciler.fetch.network import retrying

        return retrying(
            attempt,
            fail=lambda retried, reason: IndexUnavailable(
                f"Failed to fetch `{url}`{retried}: {reason}", hint=_UNAVAILABLE_HINT
            ),
            retries=self._retries,
            backoff=self._backoff,
        )

    def _request(self, url: str, headers: Mapping[str, str]) -> urllib3.BaseHTTPResponse:
        """GET url with retries; the whole body is read. Any status but 5xx is returned."""
        import urllib3  # slow path only

        def attempt() -> urllib3.BaseHTTPResponse:
            try:
                response = self._http().request(
                    "GET", url, headers={**headers, **auth_headers(url)}
                )
            except urllib3.exceptions.HTTPError as exc:
                raise Retryable(_short_reason(exc)) from exc
            if response.status >= 500:
                raise Retryable(f"HTTP {response.status} {response.reason or ''}".rstrip())
            return response

        return self._attempts(url, attempt)

    def _offline_error(self, url: str) -> IndexUnavailable:
        return IndexNotCached(
            f"`{url}` is not in the cache and --offline was given",
            hint="run once without --offline to fill the cache",
        )

    # -- metadata --

    def metadata(self, file: IndexFile) -> bytes:
        """The core metadata bytes of file, from memory, the disk cache or the index.

        Uses the PEP 658 ``.metadata`` file when the page advertises one (verified against
        metadata_sha256), else, for a wheel, the wheel's ``*.dist-info/METADATA``: read with
        Range requests when the server allows (unverifiable, as in uv), else from the whole
        wheel (verified against sha256 and kept in ``wheels/``). Raises MetadataUnavailable for an
        sdist without a metadata file, HashMismatch, DistributionInvalid, IndexUnavailable.
        """
        return self._once(self._metadata, file.url, lambda: self._fetch_metadata(file))

    def _fetch_metadata(self, file: IndexFile) -> bytes:
        path = self.cache_dir / "metadata" / _sha256(file.url)
        try:
            raw = path.read_bytes()
        except OSError:
            pass
        else:
            if file.metadata_sha256 is None or _sha256(raw) == file.metadata_sha256:
                return raw
        raw_or_none = self._metadata_file(file) if file.has_metadata else None
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
                raw_or_none = _wheel_metadata(self._wheel(file), file)
        write_atomic(path, raw_or_none)
        return raw_or_none

    def _metadata_file(self, file: IndexFile) -> bytes | None:
        """The PEP 658 file, or None when the index does not actually have it (404)."""
        url = file.url + ".metadata"
        if self.offline:
            if file.is_wheel:
                return None  # the wheel may be in the cache
            raise self._offline_error(url)
        response = self._request(url, {})
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
        import urllib3  # slow path only

        host = urlsplit(url).netloc
        with self._lock:
            if host in self._no_ranges:
                return None
        wanted = f"bytes={first}" if first < 0 else f"bytes={first}-{last}"
        # identity: Content-Range counts the bytes as stored, not as some proxy re-encoded them.
        headers = {"Range": wanted, "Accept-Encoding": "identity"}

        def attempt() -> Slice | None:
            try:
                response = self._http().request(
                    "GET", url, headers={**headers, **auth_headers(url)}, preload_content=False
                )
            except urllib3.exceptions.HTTPError as exc:
                raise Retryable(_short_reason(exc)) from exc
            try:
                if response.status >= 500:
                    raise Retryable(f"HTTP {response.status} {response.reason or ''}".rstrip())
                if response.status != 206:
                    if response.status == 200:
                        with self._lock:
                            self._no_ranges.add(host)
                    response.close()  # the connection is dropped rather than drained
                    return None
                data: bytes = response.read()
            except urllib3.exceptions.HTTPError as exc:
                raise Retryable(_short_reason(exc)) from exc
            finally:
                response.release_conn()
            match = _CONTENT_RANGE.fullmatch(response.headers.get("Content-Range", "").strip())
            if match is None:
                return None  # a multipart answer, or none at all
            start, end, total = (int(group) for group in match.groups())
            if end - start + 1 != len(data) or end >= total:
                return None
            return Slice(start, total, data)

        return self._attempts(url, attempt)

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
        handle, temporary = tempfile.mkstemp(prefix=".tmp-", suffix=".whl", dir=archives)
        os.close(handle)
        try:
            actual = self._attempts(file.url, lambda: self._download(file.url, Path(temporary)))
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

    def _download(self, url: str, destination: Path) -> str:
        import urllib3  # slow path only

        digest = hashlib.sha256()
        try:
            response = self._http().request(
                "GET", url, headers=auth_headers(url), preload_content=False
            )
        except urllib3.exceptions.HTTPError as exc:
            raise Retryable(_short_reason(exc)) from exc
        try:
            if response.status >= 500:
                raise Retryable(f"HTTP {response.status} {response.reason or ''}".rstrip())
            if response.status != 200:
                raise IndexUnavailable(
                    f"Failed to fetch `{url}`: HTTP {response.status}",
                    hint=_LOGIN_HINT if response.status in (401, 403) else _UNAVAILABLE_HINT,
                )
            with destination.open("wb") as out:
                for block in response.stream(_CHUNK):
                    digest.update(block)
                    out.write(block)
        except urllib3.exceptions.HTTPError as exc:
            raise Retryable(_short_reason(exc)) from exc
        finally:
            response.release_conn()
        return digest.hexdigest()


def _is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media.endswith("+json") or media == "application/json"


def _wheel_metadata(wheel: Path, file: IndexFile) -> bytes:
    """``<name>-<version>.dist-info/METADATA`` from a wheel (PEP 427)."""
    try:
        with zipfile.ZipFile(wheel) as archive:
            member = metadata_member(archive.namelist(), file.name)
            if member is None:
                raise DistributionInvalid(
                    f"The wheel `{file.filename}` has no single .dist-info/METADATA"
                )
            return archive.read(member)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError) as exc:
        raise DistributionInvalid(
            f"The wheel `{file.filename}` is not a valid zip file: {exc}"
        ) from exc
