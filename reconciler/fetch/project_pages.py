"""A project's page on one index, as releases (fetch stage: the network and ``http/``).

The page comes from the cache while it is fresh (or offline), else it is asked for again,
conditionally when the cache has validators. A page is parsed only when its body is new
(the kept entry records the digest of the body it was parsed from) and is kept in compact
form (``reconciler.fetch.releases``, ``page_cache.PageEntry``); a page an older accord kept
as it came is read once and kept the new way.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urljoin

from packaging.utils import NormalizedName

from accord.reconciler.errors import AccordError, IndexPageInvalid
from accord.reconciler.fetch.http import COMPRESSED
from accord.reconciler.fetch.page_cache import (
    CachedPage,
    PageEntry,
    PagePolicy,
    answered,
    body_digest,
    policy_of,
    read_entry,
    read_page,
    revalidated,
    unchanged,
    write_entry,
)
from accord.reconciler.fetch.pages import html_links, index_file, is_json, json_links
from accord.reconciler.fetch.releases import Release, decode_page, encode_page

if TYPE_CHECKING:
    from accord.reconciler.fetch.answer import Response

__all__ = [
    "decode_files",
    "fresh_pages",
    "index_releases",
    "kept_pages",
    "pages_fresh",
    "project_page_url",
    "remember_page",
    "remembered_pages",
]

Getter = Callable[[str, Mapping[str, str]], "tuple[Response, list[bytes]]"]
"""A GET with retries, answering the response and its body in chunks (``http.get_chunks``)."""
Refusal = Callable[[str, "Response"], AccordError]


_Kept = tuple[PageEntry, tuple[Release, ...]]
_Stamp = tuple[int, int, int]
"""A kept file's inode, modification time (ns) and size: an entry is only ever replaced
whole (``write_atomic``), so an unchanged stamp is an unchanged entry."""

_DECODED: dict[tuple[Path, str, str], tuple[_Stamp, _Kept]] = {}
"""The pages this process decoded, by entry: a warm server's workers inherit the pages its
earlier workers read (``fresh_pages``, ``remember_page``) and only ``stat`` them."""
_DECODED_MOST = 40_000
"""How many releases the decoded pages may hold in all (a few MiB)."""
_held = [0]
_FRESH_PAGES: list[tuple[str, str, str]] = []


def _stamp(path: Path) -> _Stamp | None:
    try:
        found = os.stat(path)
    except OSError:
        return None
    return found.st_ino, found.st_mtime_ns, found.st_size


def _kept(path: Path, index: str, project: NormalizedName) -> _Kept | None:
    key = (path, index, project)
    stamp = _stamp(path)  # before reading: a file replaced meanwhile is read again next time
    known = _DECODED.get(key)
    if known is not None:
        if stamp is not None and known[0] == stamp:
            return known[1]
        _forget(key)
    if stamp is None:
        return None
    entry = read_entry(path)
    if entry is None:
        return None
    try:
        kept = entry, decode_page(entry.buffer, entry.start, index, project)
    except ValueError:
        entry.close()
        return None  # torn or of another format: fetched and parsed again
    if _held[0] + len(kept[1]) <= _DECODED_MOST:
        _DECODED[key] = (stamp, kept)
        _held[0] += len(kept[1])
        _FRESH_PAGES.append((str(path), index, project))
    return kept


def _forget(key: tuple[Path, str, str]) -> None:
    """Drop a decoded page (its entry stays mapped while releases read from it live)."""
    known = _DECODED.pop(key, None)
    if known is not None:
        _held[0] -= len(known[1][1])


def _let_go(path: Path, index: str, project: NormalizedName, entry: PageEntry) -> None:
    """The entry is about to be replaced: unmapped, unless other runs of this process may
    still read releases decoded from it (then the map goes with its last reader)."""
    known = _DECODED.get((path, index, project))
    if known is not None and known[1][0] is entry:
        _forget((path, index, project))
        return
    entry.close()


def fresh_pages() -> list[tuple[str, str, str]]:
    """The pages (entry path, index, project) this process decoded and kept since the last
    call: what a worker of the warm server tells it, for the next workers."""
    fresh = list(_FRESH_PAGES)
    _FRESH_PAGES.clear()
    return fresh


def remembered_pages() -> int:
    """How many decoded pages this process keeps."""
    return len(_DECODED)


def remember_page(path: str, index: str, project: str) -> None:
    """Decode and keep a page a worker read (the warm server's ``learn``), and the page's
    address and cache entry, which every run works out again."""
    entry = Path(path)
    made = _entry_path(entry.parent, project_page_url(index, NormalizedName(project)))
    if made == entry:
        # The remembered path object (its text worked out here, for the workers' ``stat``).
        _kept(made, index, NormalizedName(project))


def kept_pages() -> dict[tuple[str, str], tuple[Release, ...]]:
    """The releases of the pages this process keeps decoded, by index and project."""
    return {(index, project): kept[1] for (_, index, project), (_, kept) in _DECODED.items()}


def decode_files(wanted: Iterable[tuple[str, str, str]]) -> None:
    """Decode (and keep) the files of the releases (index, project, version) a worker read
    from the pages this process keeps decoded (``releases.fresh_files``): the next workers
    find them decoded, as they find the pages."""
    by_page = kept_pages()
    by_version: dict[tuple[str, str], dict[str, Release]] = {}
    for index, project, version in wanted:
        page = by_page.get((index, project))
        if page is None:
            continue
        versions = by_version.get((index, project))
        if versions is None:
            versions = by_version[(index, project)] = {str(r.version): r for r in page}
        release = versions.get(version)
        if release is not None:
            release.files()


_PARSING = threading.Lock()
"""One page parsed at a time: the threads fetching ahead would otherwise hold several large
pages' parses at once (tens of MiB each), and the GIL runs them one at a time anyway."""


def _parse(page: CachedPage, chunks: list[bytes], index: str, project: NormalizedName) -> bytes:
    """The page's files in compact form, from its body as ``chunks`` (emptied once joined);
    IndexPageInvalid when it is not a simple-API page."""
    with _PARSING:
        try:
            if is_json(page.content_type):
                # Each transient is let go of as soon as the next is made: the body once
                # decoded, each entry of the decoded page once read (``json_links``).
                links = json_links(json.loads(_joined(chunks)), page.url)
            else:
                links = iter(html_links(_joined(chunks), page.url))
            parsed = (index_file(link, index, project) for link in links)
            files = [file for file in parsed if file is not None]
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise IndexPageInvalid(
                f"The project page `{page.url}` is not a valid simple-API page: {exc}",
                hint="the index served a page accord cannot read",
            ) from exc
        return encode_page(files)


def _joined(chunks: list[bytes]) -> bytes:
    """The body, its chunks let go of."""
    body = b"".join(chunks)
    chunks.clear()
    return body


def _store(
    path: Path, policy: PagePolicy, compact: bytes, index: str, project: NormalizedName
) -> tuple[Release, ...]:
    """Keep the page and answer its releases, mapped from the cache (in memory when it
    cannot be written)."""
    if write_entry(path, policy, compact):
        kept = _kept(path, index, project)
        if kept is not None:
            return kept[1]
    return decode_page(compact, 0, index, project)


def _from_legacy(legacy: Path, path: Path, index: str, project: NormalizedName) -> _Kept | None:
    """A page an older accord kept as it came (``http/<key>``), parsed and kept the new way
    (the old file is left to it)."""
    page = read_page(legacy)
    if page is None:
        return None
    try:
        compact = _parse(page, [page.body], index, project)
    except IndexPageInvalid:
        legacy.unlink(missing_ok=True)
        return None
    policy = policy_of(page, body_digest(page.body))
    kept = _kept(path, index, project) if write_entry(path, policy, compact) else None
    if kept is None:  # a cache that cannot be written: kept in memory for this client
        entry = PageEntry(policy, compact, 0)
        return entry, decode_page(compact, 0, index, project)
    return kept


@functools.lru_cache(maxsize=4096)
def project_page_url(index: str, project: NormalizedName) -> str:
    """The simple-API page of ``project`` on ``index`` (remembered: every fork of every lock
    asks again)."""
    return urljoin(index if index.endswith("/") else index + "/", f"{project}/")


@functools.lru_cache(maxsize=4096)
def _entry_path(cache: Path, page_url: str) -> Path:
    """The cache entry of a page (remembered, the same object each time: a ``Path`` hashes
    its parts once; every lock asks again for each of its packages)."""
    return cache / f"{hashlib.sha256(page_url.encode()).hexdigest()}.page"


def pages_fresh(indexes: Sequence[str], cache: Path, projects: Iterable[NormalizedName]) -> bool:
    """Whether the first index's page of every project is kept and fresh: reading them needs
    no request (the resolver then reads from the cache without fetching ahead). Only the
    entries' headers are read (or the pages this process keeps decoded)."""
    for project in projects:
        if not indexes:
            return False
        path = _entry_path(cache, project_page_url(indexes[0], project))
        known = _DECODED.get((path, indexes[0], project))
        if known is not None and known[0] == _stamp(path):
            policy = known[1][0].policy
        else:
            entry = read_entry(path)
            if entry is None:
                return False
            entry.close()
            policy = entry.policy
        if not policy.is_fresh(time.time()):
            return False
    return True


def index_releases(
    page_url: str,
    *,
    cache: Path,
    index: str,
    project: NormalizedName,
    accept: str,
    offline: bool,
    refresh: bool,
    get: Getter,
    refused: Refusal,
) -> tuple[Release, ...] | None:
    """The releases of ``project`` on ``index`` (its page at ``page_url``), newest first;
    None when the index answers 404 (or, ``offline``, nothing is cached). ``cache`` is the
    ``http/`` directory; ``get`` asks the index (retries are its business), ``refused``
    words an answer that is neither 200, 304 nor 404. Raises IndexPageInvalid for a page
    that cannot be read."""
    path = _entry_path(cache, page_url)
    kept = _kept(path, index, project) or _from_legacy(path.with_suffix(""), path, index, project)
    if offline:
        return None if kept is None else kept[1]
    if kept is not None and not refresh and kept[0].policy.is_fresh(time.time()):
        return kept[1]
    headers = {"Accept": accept, **COMPRESSED}
    if kept is not None and kept[0].policy.etag:
        headers["If-None-Match"] = kept[0].policy.etag
    if kept is not None and kept[0].policy.last_modified:
        headers["If-Modified-Since"] = kept[0].policy.last_modified
    response, chunks = get(page_url, headers)
    if response.status == 404:
        return None
    if response.status == 304 and kept is not None:
        entry, releases = kept
        policy = revalidated(entry.policy, response.headers)
        # Rewritten from the map; the new file is mapped afresh, so the pages read for the
        # copy leave this process with the old map.
        compact = entry.buffer[entry.start :]
        _let_go(path, index, project, entry)
        return _store(path, policy, compact, index, project)
    if response.status != 200:
        raise refused(page_url, response)
    page, storable = answered(page_url, response, body=b"")
    policy = policy_of(page, body_digest(chunks))
    if kept is not None and kept[0].policy.digest == policy.digest:
        # The same body again: the parse kept is the parse of this page.
        entry, releases = kept
        if not storable or unchanged(entry.policy, policy):
            return releases
        compact = entry.buffer[entry.start :]
        _let_go(path, index, project, entry)
        return _store(path, policy, compact, index, project)
    compact = _parse(page, chunks, index, project)
    if not storable:
        return decode_page(compact, 0, index, project)
    return _store(path, policy, compact, index, project)
