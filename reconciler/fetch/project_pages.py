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
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urljoin

from packaging.utils import NormalizedName

from accord.reconciler.errors import AccordError, IndexPageInvalid
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
    import urllib3

__all__ = ["index_releases", "pages_fresh", "project_page_url"]

Getter = Callable[[str, Mapping[str, str]], "tuple[urllib3.BaseHTTPResponse, list[bytes]]"]
"""A GET with retries, answering the response and its body in chunks (``http.get_chunks``)."""
Refusal = Callable[[str, "urllib3.BaseHTTPResponse"], AccordError]


_Kept = tuple[PageEntry, tuple[Release, ...]]


def _kept(path: Path, index: str, project: NormalizedName) -> _Kept | None:
    entry = read_entry(path)
    if entry is None:
        return None
    try:
        return entry, decode_page(entry.buffer, entry.start, index, project)
    except ValueError:
        entry.close()
        return None  # torn or of another format: fetched and parsed again


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
    return cache / f"{hashlib.sha256(page_url.encode()).hexdigest()}.page"


def pages_fresh(indexes: Sequence[str], cache: Path, projects: Iterable[NormalizedName]) -> bool:
    """Whether the first index's page of every project is kept and fresh: reading them needs
    no request (the resolver then reads from the cache without fetching ahead). Only the
    entries' headers are read."""
    for project in projects:
        if not indexes:
            return False
        entry = read_entry(_entry_path(cache, project_page_url(indexes[0], project)))
        if entry is None:
            return False
        entry.close()
        if not entry.policy.is_fresh(time.time()):
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
    headers = {"Accept": accept}
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
        entry.close()
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
        entry.close()
        return _store(path, policy, compact, index, project)
    compact = _parse(page, chunks, index, project)
    if not storable:
        return decode_page(compact, 0, index, project)
    return _store(path, policy, compact, index, project)
