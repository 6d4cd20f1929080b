"""The cache of index pages (fetch stage, disk side), under ``http/``.

Every page is kept with what a later request needs to reuse or revalidate it (its final URL,
content type, ETag, Last-Modified, max-age and when it was stored). A project page is kept
parsed, never as it came (``http/<sha256 of url>.page``: a policy line, with a digest of the
body it was parsed from, then the compact form of ``reconciler.fetch.releases``), and is
mapped rather than read: a resolution reads only the versions it tries. Other pages
(find-links) are kept as they came (``http/<sha256 of url>``, the form older accords kept
project pages in too; ``reconciler.fetch.project_pages`` still reads those). Every entry is
written as a finished temporary file renamed into place; a missing, torn or stale entry reads
as None, and the page is fetched or parsed again. ``reconciler.fetch.index`` and
``project_pages`` decide when to use them.
"""

from __future__ import annotations

import hashlib
import json
import mmap
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar
from urllib.parse import urljoin

import attrs

from accord.reconciler.fsutil import write_atomic

if TYPE_CHECKING:
    from accord.reconciler.fetch.answer import Response

__all__ = [
    "CachedPage",
    "PageEntry",
    "PagePolicy",
    "answered",
    "body_digest",
    "policy_of",
    "read_entry",
    "read_page",
    "revalidated",
    "unchanged",
    "write_entry",
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


_Kept = TypeVar("_Kept", CachedPage, "PagePolicy")


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


def unchanged(cached: _Kept | None, entry: _Kept) -> bool:
    """``entry`` is the ``cached`` page (or policy) again and never fresh: rewriting it
    (megabytes for some projects, on every lock) would change nothing a later request
    reads."""
    return (
        cached is not None
        and entry.max_age <= 0
        and cached == attrs.evolve(entry, stored_at=cached.stored_at)
    )


@attrs.frozen(kw_only=True)
class PagePolicy:
    """What a later request needs to reuse or revalidate a project page kept parsed."""

    url: str  # the final URL, after redirects
    content_type: str
    etag: str | None
    last_modified: str | None
    max_age: float
    stored_at: float
    digest: str
    """``body_digest`` of the page it was parsed from, in hex: an answer with the same body
    needs no parsing."""

    def is_fresh(self, now: float) -> bool:
        return 0 <= now - self.stored_at < self.max_age


_ENTRY_MAGIC = b"accord-page 1\n"


@attrs.frozen
class PageEntry:
    """A project page kept parsed: its policy, and the compact form (``reconciler.fetch.
    releases``) at ``start`` of ``buffer``: a read-only map of the file, or the bytes
    themselves when the cache could not keep them."""

    policy: PagePolicy
    buffer: mmap.mmap | bytes
    start: int

    def close(self) -> None:
        """Unmap the file (the releases decoded from it must not be read after this)."""
        if isinstance(self.buffer, mmap.mmap):
            self.buffer.close()


def read_entry(path: Path) -> PageEntry | None:
    """The entry at ``path``, mapped (not read: a release's files are read when decoded);
    None when it is missing, empty or not one."""
    try:
        with path.open("rb") as stream:
            buffer = mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError):
        return None  # missing, or empty (a zero-length file cannot be mapped)
    try:
        if buffer[: len(_ENTRY_MAGIC)] != _ENTRY_MAGIC:
            raise ValueError("not a page entry")
        end = buffer.find(b"\n", len(_ENTRY_MAGIC))
        if end < 0:
            raise ValueError("torn")
        policy = PagePolicy(**json.loads(buffer[len(_ENTRY_MAGIC) : end]))
    except (ValueError, TypeError):
        buffer.close()
        return None
    return PageEntry(policy, buffer, end + 1)


def write_entry(path: Path, policy: PagePolicy, compact: bytes) -> bool:
    """Keep a page's policy and compact form; False when the cache cannot be written."""
    header = _ENTRY_MAGIC + json.dumps(attrs.asdict(policy)).encode() + b"\n"
    try:
        write_atomic(path, header + compact)
    except OSError:
        return False
    return True


def policy_of(page: CachedPage, digest: bytes) -> PagePolicy:
    """The policy of a page as fetched (or as an older accord kept it), its body's digest."""
    fields = attrs.asdict(page)
    del fields["body"]
    return PagePolicy(**fields, digest=digest.hex())


def body_digest(body: bytes | Iterable[bytes]) -> bytes:
    """A body's digest, from the body or the chunks it came in."""
    if isinstance(body, bytes):
        return hashlib.blake2b(body, digest_size=16).digest()
    digest = hashlib.blake2b(digest_size=16)
    for chunk in body:
        digest.update(chunk)
    return digest.digest()


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


def revalidated(cached: _Kept, headers: Mapping[str, str]) -> _Kept:
    """``cached``, confirmed by a 304 answer with ``headers``: fresh again from now."""
    seconds = max_age(headers.get("Cache-Control"))
    return attrs.evolve(
        cached,
        etag=headers.get("ETag", cached.etag),
        last_modified=headers.get("Last-Modified", cached.last_modified),
        max_age=cached.max_age if seconds is None else seconds,
        stored_at=time.time(),
    )


def answered(url: str, response: Response, body: bytes | None = None) -> tuple[CachedPage, bool]:
    """The page a 200 answer to a GET of ``url`` carries (its ``body``, if read apart), and
    whether it may be stored."""
    seconds = max_age(response.headers.get("Cache-Control"))
    page = CachedPage(
        url=urljoin(url, response.geturl() or url),  # after redirects
        content_type=response.headers.get("Content-Type", ""),
        etag=response.headers.get("ETag"),
        last_modified=response.headers.get("Last-Modified"),
        max_age=seconds or 0.0,
        stored_at=time.time(),
        body=response.data if body is None else body,
    )
    return page, seconds is not None
