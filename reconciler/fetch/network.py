"""The network policy shared by index pages, metadata and downloads (fetch side).

One timeout, one retry count, one way to put a failure into words, as uv 0.13 does:

- ``UV_HTTP_TIMEOUT`` (or ``ACCORD_HTTP_TIMEOUT``, which wins), in seconds, default 30: how
  long a read may wait for the server (a connection gets at most 10 s of it);
- ``UV_HTTP_RETRIES`` (or ``ACCORD_HTTP_RETRIES``), default 3: how many times a request that
  failed in a way another attempt may not (refused or dropped connection, timeout, 5xx, a body
  shorter than announced) is tried again, after 0.1 s, then twice as long each time;
- the message names the URL (logins redacted by ``AccordError``) and the cause in words:
  "the server closed the connection without answering", never a client library's
  ``Max retries exceeded …``.

The HTTP client (``reconciler.fetch.wire``) is imported only inside the functions that need
it (slow path only).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from accord.reconciler.errors import UsageError

if TYPE_CHECKING:
    import ssl

    from accord.reconciler.fetch.wire import Pool

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


def new_pool() -> Pool:
    """A connection pool with the timeout policy, through the proxies the variables name
    (``reconciler.fetch.proxies``); it follows redirects and retries nothing itself
    (``retrying`` does, with backoff and a message in words). Its HTTPS connections share one
    TLS context (``tls_context``)."""
    from accord.reconciler.fetch.proxies import proxies_from  # slow path only
    from accord.reconciler.fetch.wire import Pool

    read = http_timeout()
    return Pool(
        connect=min(_CONNECT_TIMEOUT, read), read=read, tls=tls_context, proxies=proxies_from()
    )


_context_lock = threading.Lock()
_contexts: list[ssl.SSLContext] = []


def tls_context() -> ssl.SSLContext:
    """The TLS context every HTTPS connection shares, made on the first: verified against
    the platform's certificates (``SSL_CERT_FILE`` and ``SSL_CERT_DIR`` name others), the
    host's name checked, TLS 1.2 at least, offering HTTP/1.1. One context for all: each
    made anew parses every certificate again (30 ms and about 1 MiB apiece)."""
    import ssl  # https only

    with _context_lock:
        if not _contexts:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # verifies, checks the name
            context.minimum_version = ssl.TLSVersion.TLSv1_2
            context.options |= ssl.OP_NO_COMPRESSION
            context.load_default_certs()
            context.set_alpn_protocols(["http/1.1"])
            _contexts.append(context)
        return _contexts[0]


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
    """What went wrong, in words, for an exception raised by ``reconciler.fetch.wire``."""
    from accord.reconciler.fetch import answer  # slow path only

    if isinstance(exc, answer.ConnectTimedOut):
        return f"could not connect within {_seconds(_CONNECT_TIMEOUT, http_timeout())}"
    if isinstance(exc, answer.ReadTimedOut):
        return f"no answer within {_seconds(http_timeout())} (set UV_HTTP_TIMEOUT to wait longer)"
    if isinstance(exc, answer.IncompleteBody):
        if exc.expected is not None:
            return (
                f"the connection closed after {exc.received} of "
                f"{exc.received + exc.expected} bytes of the response"
            )
        return "the connection closed before the whole response arrived"
    if isinstance(exc, answer.ClosedWithoutAnswer):
        return "the server closed the connection without answering"
    if isinstance(exc, answer.TLSFailed):
        return f"TLS failed: {exc}"
    if isinstance(exc, answer.BadAnswer):
        return f"the answer is not HTTP: {exc}"
    return str(exc)  # the host not found, the socket's own words, too many redirects


def _seconds(*candidates: float) -> str:
    value = min(candidates)
    return f"{value:g} s"
