"""The network policy shared by index pages, metadata and downloads (fetch side).

One timeout, one retry count, one way to put a failure into words, as uv 0.13 does:

- ``UV_HTTP_TIMEOUT`` (or ``ACCORD_HTTP_TIMEOUT``, which wins), in seconds, default 30: how
  long a read may wait for the server (a connection gets at most 10 s of it);
- ``UV_HTTP_RETRIES`` (or ``ACCORD_HTTP_RETRIES``), default 3: how many times a request that
  failed in a way another attempt may not (refused or dropped connection, timeout, 5xx, a body
  shorter than announced) is tried again, after 0.1 s, then twice as long each time;
- the message names the URL (logins redacted by ``AccordError``) and the cause in words:
  "the server closed the connection without answering", never urllib3's ``HTTPConnectionPool
  (host=…): Max retries exceeded …``.

urllib3 is imported only inside the functions that need it (slow path only).
"""

from __future__ import annotations

import functools
import os
import threading
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from accord.reconciler.errors import UsageError

if TYPE_CHECKING:
    import ssl

    import urllib3

__all__ = [
    "DEFAULT_RETRIES",
    "DEFAULT_TIMEOUT",
    "Retryable",
    "describe_failure",
    "http_retries",
    "http_timeout",
    "new_pool",
    "retrying",
]

_T = TypeVar("_T")

DEFAULT_TIMEOUT = 30.0
"""uv's default ``UV_HTTP_TIMEOUT``, in seconds."""
DEFAULT_RETRIES = 3
"""uv's default ``UV_HTTP_RETRIES``."""
_CONNECT_TIMEOUT = 10.0


def _setting(names: tuple[str, ...]) -> tuple[str, str] | None:
    for name in names:
        value = os.environ.get(name, "").strip()
        if value:
            return name, value
    return None


def http_timeout() -> float:
    """Seconds a read may wait (``ACCORD_HTTP_TIMEOUT``, ``UV_HTTP_TIMEOUT``; uv's default)."""
    found = _setting(("ACCORD_HTTP_TIMEOUT", "UV_HTTP_TIMEOUT", "UV_REQUEST_TIMEOUT"))
    if found is None:
        return DEFAULT_TIMEOUT
    name, value = found
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not seconds > 0 or seconds != seconds or seconds == float("inf"):
        raise UsageError(
            f"Failed to parse environment variable `{name}` with invalid value `{value}`: "
            "expected a number of seconds greater than zero"
        )
    return seconds


def http_retries() -> int:
    """How many times a failed request is tried again (``ACCORD_HTTP_RETRIES``,
    ``UV_HTTP_RETRIES``; uv's default 3)."""
    found = _setting(("ACCORD_HTTP_RETRIES", "UV_HTTP_RETRIES"))
    if found is None:
        return DEFAULT_RETRIES
    name, value = found
    if not value.isdigit():
        raise UsageError(
            f"Failed to parse environment variable `{name}` with invalid value `{value}`: "
            "expected a whole number of retries"
        )
    return int(value)


def new_pool() -> urllib3.PoolManager:
    """A connection pool with the timeout policy; it follows redirects and retries nothing
    itself (``retrying`` does, with backoff and a message in words). Its HTTPS connections
    share one TLS context (``_https_pool``)."""
    import urllib3  # slow path only

    read = http_timeout()
    pool = urllib3.PoolManager(
        maxsize=16,
        timeout=urllib3.Timeout(connect=min(_CONNECT_TIMEOUT, read), read=read),
        retries=urllib3.Retry(total=None, connect=0, read=0, status=0, other=0, redirect=5),
    )
    pool.pool_classes_by_scheme = {**pool.pool_classes_by_scheme, "https": _https_pool()}
    return pool


_context_lock = threading.Lock()
_contexts: list[ssl.SSLContext] = []


def _tls_context() -> ssl.SSLContext:
    """The TLS context every HTTPS connection shares, made on the first: urllib3's own
    (verified, the platform's certificates), which it would otherwise make for each
    connection, each with every certificate parsed again (30 ms and about 1 MiB apiece;
    a cold lock opens up to sixteen)."""
    from urllib3.util.ssl_ import ALPN_PROTOCOLS, create_urllib3_context  # slow path only

    with _context_lock:
        if not _contexts:
            context = create_urllib3_context()
            context.load_default_certs()
            context.set_alpn_protocols(ALPN_PROTOCOLS)
            context.__class__ = _settled_context()
            _contexts.append(context)
        return _contexts[0]


@functools.cache
def _settled_context() -> type[ssl.SSLContext]:
    import ssl

    class SettledContext(ssl.SSLContext):
        """A TLS context whose ALPN protocols were set before threads shared it. urllib3
        sets them again for every connection, and setting them frees the list that a
        handshake starting in another thread may be copying (OpenSSL's ``SSL_new`` runs
        without the GIL); it only ever asks for the ones set."""

        def set_alpn_protocols(self, alpn_protocols: Iterable[str]) -> None:
            pass

    return SettledContext


@functools.cache
def _https_pool() -> type[urllib3.HTTPSConnectionPool]:
    """urllib3's HTTPS pool, its connections given the shared TLS context."""
    import urllib3  # slow path only

    class SharedContextPool(urllib3.HTTPSConnectionPool):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs.setdefault("ssl_context", _tls_context())
            super().__init__(*args, **kwargs)

    return SharedContextPool


class Retryable(Exception):
    """An attempt failed in a way another attempt may not; ``reason`` says how, in words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def retrying(
    attempt: Callable[[], _T],
    *,
    fail: Callable[[str, str], Exception],
    retries: int | None = None,
    backoff: float = 0.1,
) -> _T:
    """``attempt()``, tried again up to ``retries`` times (default: ``http_retries()``) while
    it raises ``Retryable``; then ``fail(retried, reason)`` is raised: ``retried`` is
    `` after 3 retries`` (uv's words; empty when there were none), ``reason`` the last cause."""
    retries = http_retries() if retries is None else retries
    delay = backoff
    for number in range(retries + 1):
        try:
            return attempt()
        except Retryable as failure:
            if number == retries:
                retried = "" if retries == 0 else f" after {_retries(retries)}"
                raise fail(retried, failure.reason) from failure
        time.sleep(delay)
        delay *= 2
    raise AssertionError("unreachable")


def _retries(count: int) -> str:
    return "1 retry" if count == 1 else f"{count} retries"


def describe_failure(exc: BaseException) -> str:
    """What went wrong, in words, for an exception raised by urllib3 (or the socket below)."""
    import http.client

    import urllib3  # slow path only

    errors = urllib3.exceptions
    seen: list[BaseException] = []
    pending: list[BaseException | None] = [exc]
    while pending:
        current = pending.pop(0)
        if current is None or any(current is known for known in seen):
            continue
        seen.append(current)
        if isinstance(current, errors.MaxRetryError):
            pending.append(current.reason)
        if isinstance(current, errors.ProtocolError):
            pending.extend(arg for arg in current.args if isinstance(arg, BaseException))
        pending.extend((current.__cause__, current.__context__))
    for current in seen:
        if isinstance(current, errors.NameResolutionError):
            return f"could not resolve the host name `{current.conn.host}`"
    for current in seen:  # the socket's own words first: "Connection refused"
        is_socket_error = isinstance(current, OSError) and not isinstance(current, errors.HTTPError)
        if is_socket_error and isinstance(current, OSError) and current.strerror:
            return str(current.strerror)
    for current in seen:
        if isinstance(current, errors.NewConnectionError):
            continue  # urllib3 files it under connect timeouts; its cause was named above
        if isinstance(current, errors.ConnectTimeoutError):
            return f"could not connect within {_seconds(_CONNECT_TIMEOUT, http_timeout())}"
        if isinstance(current, errors.ReadTimeoutError | TimeoutError):
            return (
                f"no answer within {_seconds(http_timeout())} (set UV_HTTP_TIMEOUT to wait longer)"
            )
        if isinstance(current, errors.IncompleteRead | http.client.IncompleteRead):
            received, expected = _incomplete(current)
            if expected is not None:
                return (
                    f"the connection closed after {received} of {received + expected} bytes "
                    "of the response"
                )
            return "the connection closed before the whole response arrived"
        if isinstance(current, http.client.RemoteDisconnected | ConnectionResetError):
            return "the server closed the connection without answering"
        if isinstance(current, errors.SSLError):
            return f"TLS failed: {current}"
    for current in seen:
        if isinstance(current, errors.ProtocolError):
            return "the connection broke off"
    return str(exc)


def _incomplete(error: BaseException) -> tuple[int, int | None]:
    partial = getattr(error, "partial", 0)
    expected = getattr(error, "expected", None)
    received = partial if isinstance(partial, int) else len(partial)
    return received, expected if isinstance(expected, int) else None


def _seconds(*candidates: float) -> str:
    value = min(candidates)
    return f"{value:g} s"
