"""The fetch stage's one HTTP stack: index pages, metadata and artifact downloads all GET here.

One connection pool per timeout and proxy setting (the variables may change between calls),
shared by
``reconciler.fetch.index`` and ``reconciler.fetch.artifacts``; every request carries the
index's login (``reconciler.credentials``: from its URL, ``UV_INDEX_<NAME>_*`` or ``.netrc``);
every failure another attempt may cure (a refused or dropped connection, a timeout, a 5xx
answer, a body shorter than announced) is tried again under ``reconciler.fetch.network``'s
policy, and the last one is told in words by the caller's ``Attempts.unreachable``.

The client itself (``reconciler.fetch.wire``) is imported only inside the functions that
need it (slow path only).
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar
from urllib.parse import unquote, urlsplit

import attrs

from accord.reconciler.credentials import auth_headers
from accord.reconciler.fetch.network import Retryable, describe_failure, retrying
from accord.reconciler.progress import progress

if TYPE_CHECKING:
    from accord.reconciler.fetch.answer import Response
    from accord.reconciler.fetch.wire import Pool

__all__ = [
    "CHUNK",
    "COMPRESSED",
    "Attempts",
    "close_connections",
    "download",
    "get",
    "on_first_request",
    "status_line",
    "streamed",
]

_T = TypeVar("_T")

CHUNK = 1 << 16
"""Bytes read or written at a time."""
COMPRESSED = {"Accept-Encoding": "gzip"}
"""What a page or a metadata file is asked with (as PyPI serves them, a JSON page is a fifth
of its size or less); archives and byte ranges are asked for as stored (``identity``), as
pip does: a server that labels a ``.tar.gz`` with ``Content-Encoding: gzip`` is common."""

_pool_lock = threading.Lock()
_pools: dict[tuple[object, ...], Pool] = {}  # by timeout and proxies: the variables may change


@attrs.frozen(kw_only=True)
class Attempts:
    """How one caller's requests are tried again, and how the last failure is put into words."""

    unreachable: Callable[[str, str, str], Exception]
    """``(url, retried, reason)`` to the error raised once every attempt failed; ``retried`` is
    `` after 3 retries`` (empty when there were none), ``reason`` the last cause in words."""
    retries: int | None = None
    """Attempts after the first; None: ``UV_HTTP_RETRIES`` (``reconciler.fetch.network``)."""
    backoff: float = 0.1
    """Seconds slept after the first failed attempt, twice as long after each next one."""

    def run(self, url: str, attempt: Callable[[], _T]) -> _T:
        """``attempt()``, tried again while it raises ``Retryable``; then ``unreachable``."""
        return retrying(
            attempt,
            fail=lambda retried, reason: self.unreachable(url, retried, reason),
            retries=self.retries,
            backoff=self.backoff,
        )


def _http() -> Pool:
    from accord.reconciler.fetch.network import http_timeout, new_pool  # slow path only
    from accord.reconciler.fetch.proxies import settings_key

    key = (http_timeout(), *settings_key())
    with _pool_lock:
        first = not _pools
        if first:
            _fewer_heaps()
        pool = _pools.get(key)
        if pool is None:
            pool = _pools[key] = new_pool()
        hooks = _first_request_hooks[:] if first else []
        if first:
            _first_request_hooks.clear()
    for hook in hooks:
        hook()
    return pool


_first_request_hooks: list[Callable[[], None]] = []

_M_MMAP_THRESHOLD = -3  # glibc's mallopt parameters (malloc.h)
_M_ARENA_MAX = -8


def _fewer_heaps() -> None:
    """Before the threads that fetch ahead start: glibc's malloc gives each thread that
    allocates a heap of its own (up to eight per core) and keeps what is freed in each, so a
    cold lock's page bodies and parses, spread over eight threads, left its peak memory about
    60 MiB higher (the fastapi project of the lock corpus) than two heaps do; the GIL keeps
    the threads from allocating at once anyway. Blocks from 256 KiB (a page's body) are mapped
    and given back when freed, where glibc's own threshold grows with the first one freed.
    A setting of the user's (``MALLOC_ARENA_MAX``, ``MALLOC_MMAP_THRESHOLD_``) stays; any
    other C library is left alone."""
    import ctypes  # slow path only
    import os

    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError, TypeError):
        return  # not glibc (or no C library to load)
    if "MALLOC_ARENA_MAX" not in os.environ:
        mallopt(_M_ARENA_MAX, 2)
    if "MALLOC_MMAP_THRESHOLD_" not in os.environ:
        mallopt(_M_MMAP_THRESHOLD, 256 << 10)


def on_first_request(hook: Callable[[], None]) -> Callable[[], None]:
    """Call ``hook`` when this process first goes to the network (now, if it has), on the
    thread making that request, before the request; returns what forgets the hook."""
    with _pool_lock:
        if not _pools:
            _first_request_hooks.append(hook)
            return lambda: _forget(hook)
    hook()
    return lambda: None


def _forget(hook: Callable[[], None]) -> None:
    with _pool_lock, contextlib.suppress(ValueError):
        _first_request_hooks.remove(hook)


def close_connections() -> None:
    """Close the pooled connections; later requests connect again."""
    with _pool_lock:
        pools = list(_pools.values())
    for pool in pools:
        pool.clear()


def status_line(response: Response) -> str:
    """``HTTP 503 Service Unavailable``: the status and the server's reason, if any."""
    return f"HTTP {response.status} {response.reason or ''}".rstrip()


def get(url: str, headers: Mapping[str, str], attempts: Attempts) -> Response:
    """GET url with retries; the whole body is read. Any status but 5xx is returned."""
    from accord.reconciler.fetch.answer import HTTPError  # slow path only

    def attempt() -> Response:
        try:
            response = _http().request(url, {**headers, **auth_headers(url)})
        except HTTPError as exc:
            raise Retryable(describe_failure(exc)) from exc
        if response.status >= 500:
            raise Retryable(status_line(response))
        return response

    return attempts.run(url, attempt)


def get_chunks(
    url: str, headers: Mapping[str, str], attempts: Attempts
) -> tuple[Response, list[bytes]]:
    """GET url with retries, the body read as a list of chunks and never joined: a caller
    that often finds it needs no copy of the body (a page it already has) holds it once,
    not twice. Any status but 5xx is returned."""

    def attempt() -> tuple[Response, list[bytes]]:
        with streamed(url, headers) as response:
            return response, list(response.stream(1 << 16))

    return attempts.run(url, attempt)


@contextlib.contextmanager
def streamed(url: str, headers: Mapping[str, str]) -> Iterator[Response]:
    """One attempt at GET url, its body left unread for the caller to stream.

    A 5xx answer, and any failure while connecting or reading the body in the ``with``
    block, raise ``Retryable``; the connection goes back to the pool at the end if the body
    was read whole, and is closed if not.
    """
    from accord.reconciler.fetch.answer import HTTPError  # slow path only

    try:
        response = _http().request(url, {**headers, **auth_headers(url)}, preload_content=False)
    except HTTPError as exc:
        raise Retryable(describe_failure(exc)) from exc
    try:
        if response.status >= 500:
            raise Retryable(status_line(response))
        yield response
    except HTTPError as exc:
        raise Retryable(describe_failure(exc)) from exc
    finally:
        response.release_conn()


def download(
    url: str,
    destination: Path,
    attempts: Attempts,
    *,
    refused: Callable[[Response], Exception],
) -> str:
    """Stream url into destination with retries; the sha256 of what was written.

    Each attempt starts the file afresh. An answer other than 200 (and 5xx, which is tried
    again) raises ``refused(response)``.
    """

    def attempt() -> str:
        digest = hashlib.sha256()
        with streamed(url, {}) as response:
            if response.status != 200:
                raise refused(response)
            size = response.headers.get("Content-Length", "")
            name = unquote(urlsplit(url).path.rsplit("/", 1)[-1])
            bar = progress().download(name, int(size) if size.isdigit() else None)
            with bar, destination.open("wb") as out:
                for block in response.stream(CHUNK):
                    digest.update(block)
                    out.write(block)
                    bar.advance(len(block))
        return digest.hexdigest()

    return attempts.run(url, attempt)
