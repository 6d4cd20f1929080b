"""The cache of index project pages (fetch stage, disk side): ``http/<sha256 of url>``.

Each page is kept with what a later request needs to reuse or revalidate it (its final URL,
content type, ETag, Last-Modified, max-age and when it was stored). The files parsed from it
are kept beside it (``http/<key>.files``, marshal of plain tuples, tagged with a digest of the
body they came from): reading a large page again costs a fraction of parsing it. Every entry
is written as a finished temporary file renamed into place; a missing, torn or stale entry
reads as None, and the page is fetched or parsed again. ``reconciler.fetch.index`` decides
when to use them.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urljoin

import attrs
from packaging.utils import NormalizedName

from accord.reconciler.fetch.pages import IndexFile, files_from_rows, files_to_rows
from accord.reconciler.fsutil import write_atomic

if TYPE_CHECKING:
    import urllib3

__all__ = [
    "CachedPage",
    "answered",
    "body_digest",
    "read_files",
    "read_page",
    "revalidated",
    "unchanged",
    "write_files",
    "write_page",
]


@attrs.frozen(kw_only=True)
class CachedPage:
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


def read_page(path: Path) -> CachedPage | None:
    try:
        header, _, body = path.read_bytes().partition(b"\n")
        fields = json.loads(header)
        return CachedPage(body=body, **fields)
    except (OSError, ValueError, TypeError):
        return None  # missing or torn by an older format: refetch


def write_page(path: Path, entry: CachedPage) -> None:
    fields = attrs.asdict(entry)
    body = fields.pop("body")
    write_atomic(path, json.dumps(fields).encode() + b"\n" + body)


def unchanged(cached: CachedPage | None, entry: CachedPage) -> bool:
    """``entry`` is the ``cached`` page again and never fresh: rewriting it (megabytes for
    some projects, on every lock) would change nothing a later request reads."""
    return (
        cached is not None
        and entry.max_age <= 0
        and cached == attrs.evolve(entry, stored_at=cached.stored_at)
    )


def read_files(
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


def write_files(path: Path, digest: bytes, files: tuple[IndexFile, ...]) -> None:
    import marshal

    with contextlib.suppress(OSError):  # only a cache: the page itself is kept
        write_atomic(path, marshal.dumps((digest, files_to_rows(files))))


def body_digest(body: bytes) -> bytes:
    return hashlib.blake2b(body, digest_size=16).digest()


def max_age(cache_control: str | None) -> float | None:
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


def revalidated(cached: CachedPage, headers: Mapping[str, str]) -> CachedPage:
    """``cached``, confirmed by a 304 answer with ``headers``: fresh again from now."""
    seconds = max_age(headers.get("Cache-Control"))
    return attrs.evolve(
        cached,
        etag=headers.get("ETag", cached.etag),
        last_modified=headers.get("Last-Modified", cached.last_modified),
        max_age=cached.max_age if seconds is None else seconds,
        stored_at=time.time(),
    )


def answered(url: str, response: urllib3.BaseHTTPResponse) -> tuple[CachedPage, bool]:
    """The page a 200 answer to a GET of ``url`` carries, and whether it may be stored."""
    seconds = max_age(response.headers.get("Cache-Control"))
    page = CachedPage(
        url=urljoin(url, response.geturl() or url),  # urllib3 gives a bare path
        content_type=response.headers.get("Content-Type", ""),
        etag=response.headers.get("ETag"),
        last_modified=response.headers.get("Last-Modified"),
        max_age=seconds or 0.0,
        stored_at=time.time(),
        body=response.data,
    )
    return page, seconds is not None
