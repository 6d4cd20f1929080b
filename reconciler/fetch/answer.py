"""An HTTP/1.1 answer as ``reconciler.fetch.wire`` reads it off a connection.

``exchange`` sends a request and reads the status line and headers (1xx answers skipped);
the ``Response`` then reads the body as it is framed (``Content-Length``, chunked, or up to
the close), decoding ``gzip`` and ``deflate``, and hands the connection back (``release``)
once the body is read to its end and the server keeps it open. Every failure is one of the
``HTTPError`` classes, which ``reconciler.fetch.network`` puts into words.
"""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Callable, Iterator, Mapping
from typing import NoReturn, TypeVar, overload

__all__ = [
    "BadAnswer",
    "ClosedWithoutAnswer",
    "ConnectTimedOut",
    "Connection",
    "ConnectionBroken",
    "HTTPError",
    "Headers",
    "IncompleteBody",
    "NameNotResolved",
    "ProxyRefused",
    "ReadTimedOut",
    "Response",
    "TLSFailed",
    "TooManyRedirects",
    "ask",
    "exchange",
]

_T = TypeVar("_T")
_MAX_HEAD = 1 << 16
"""Bytes a status line and headers may take."""
_RECV = 1 << 16


class HTTPError(Exception):
    """A request that failed before its answer was whole."""


class NameNotResolved(HTTPError):
    def __init__(self, host: str) -> None:
        super().__init__(f"could not resolve the host name `{host}`")
        self.host = host


class ConnectTimedOut(HTTPError):
    pass


class ReadTimedOut(HTTPError):
    pass


class ClosedWithoutAnswer(HTTPError):
    """The connection closed before the first byte of an answer."""


class IncompleteBody(HTTPError):
    def __init__(self, received: int, expected: int | None) -> None:
        super().__init__(f"{received} bytes received, {expected} more expected")
        self.received = received
        self.expected = expected
        """Bytes still missing, when the answer said how many it had."""


class ConnectionBroken(HTTPError):
    """The socket failed (refused, reset, unreachable): its ``OSError`` is the cause."""

    def __init__(self, error: OSError) -> None:
        super().__init__(error.strerror or str(error) or type(error).__name__)
        self.error = error


class TLSFailed(HTTPError):
    pass


class BadAnswer(HTTPError):
    """An answer that is not HTTP/1.x as written (a malformed status line, header or chunk)."""


class TooManyRedirects(HTTPError):
    pass


class ProxyRefused(HTTPError):
    """The proxy would not open a tunnel to the host (its answer to ``CONNECT``)."""


class Headers(Mapping[str, str]):
    """An answer's headers, by name in any case; a repeated header's values joined by ``, ``."""

    __slots__ = ("_items",)

    def __init__(self, items: dict[str, str]) -> None:
        self._items = items  # by lower-case name

    def __getitem__(self, name: str) -> str:
        return self._items[name.lower()]

    @overload
    def get(self, name: str, /) -> str | None: ...
    @overload
    def get(self, name: str, default: str, /) -> str: ...
    @overload
    def get(self, name: str, default: _T, /) -> str | _T: ...
    def get(self, name: str, default: object = None, /) -> object:
        return self._items.get(name.lower(), default)

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)


class Connection:
    """One socket and what was received on it beyond the answer read so far."""

    __slots__ = ("buffer", "key", "sock")

    def __init__(self, key: tuple[object, ...], sock: socket.socket) -> None:
        self.key = key
        self.sock = sock
        self.buffer = bytearray()

    def fill(self) -> bool:
        """Receive more into the buffer; False at the end of the stream."""
        try:
            data = self.sock.recv(_RECV)
        except TimeoutError as exc:
            raise ReadTimedOut("no answer in time") from exc
        except OSError as exc:
            raise ConnectionBroken(exc) from exc
        self.buffer += data
        return bool(data)

    def line(self) -> bytes:
        """The next line, without its line end; at the end of the stream, what is left."""
        start = 0
        while True:
            end = self.buffer.find(b"\n", start)
            if end >= 0:
                line = bytes(self.buffer[:end])
                del self.buffer[: end + 1]
                return line.rstrip(b"\r")
            if len(self.buffer) > _MAX_HEAD:
                raise BadAnswer("a header line longer than 64 KiB")
            start = len(self.buffer)
            if not self.fill():
                line = bytes(self.buffer)
                self.buffer.clear()
                return line

    def take(self, size: int) -> bytes:
        """Up to ``size`` bytes: what is buffered, else one receive's worth; b"" at the end."""
        if not self.buffer and not self.fill():
            return b""
        data = bytes(self.buffer[:size])
        del self.buffer[:size]
        return data

    def is_dropped(self) -> bool:
        """Whether an idle connection was closed by the server (or sent something unasked)."""
        if self.buffer:
            return True
        import select

        try:
            if hasattr(select, "poll"):  # any descriptor; select() only those below 1024
                poller = select.poll()
                poller.register(self.sock, select.POLLIN)
                return bool(poller.poll(0))
            return bool(select.select([self.sock], [], [], 0)[0])
        except (OSError, ValueError):
            return True

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.close()


class Response:
    """An answer: its status, reason and headers at once, its body as it is read.

    The body is read by ``data``, ``read()`` or ``stream()``; the connection goes back to the
    pool once the body has been read to its end (and the server keeps it open), or is closed
    by ``close()``/``release_conn()`` before."""

    def __init__(
        self,
        release: Callable[[Connection], None],
        connection: Connection,
        url: str,
        status: int,
        reason: str,
        headers: Headers,
        keep: bool,
    ) -> None:
        self.url = url
        self.status = status
        self.reason = reason
        self.headers = headers
        self._release = release
        self._connection: Connection | None = connection
        self._keep = keep
        self._data: bytes | None = None
        self._received = 0
        chunked = "chunked" in headers.get("Transfer-Encoding", "").lower()
        length = headers.get("Content-Length")
        self._left: int | None = None  # None: up to the close (or chunked)
        self._chunked = False
        if status in (204, 304) or 100 <= status < 200:
            self._left = 0
        elif chunked:
            self._chunked = True
            self._left = 0  # of the current chunk
        elif length is not None:
            try:
                self._left = int(length.split(",")[0].strip())
            except ValueError as exc:
                raise BadAnswer(f"Content-Length `{length}` is not a number") from exc
            if self._left < 0:
                raise BadAnswer(f"Content-Length `{length}` is not a number")
        else:
            self._keep = False
        self._decoder = _decoder(headers.get("Content-Encoding", ""))
        self._ended = False
        if self._left == 0 and not self._chunked:
            self._end()

    def geturl(self) -> str:
        """The URL that answered (after redirects)."""
        return self.url

    @property
    def data(self) -> bytes:
        """The whole body (read now if it was not)."""
        if self._data is None:
            self._data = self.read()
        return self._data

    def read(self) -> bytes:
        """The rest of the body."""
        if self._data is not None:
            return self._data
        return b"".join(self.stream(_RECV))

    def stream(self, size: int = _RECV) -> Iterator[bytes]:
        """The rest of the body, in pieces of at most about ``size`` bytes (decoded); a
        failure on the way closes the connection."""
        try:
            while True:
                raw = self._raw(size)
                if not raw:
                    break
                data = raw if self._decoder is None else self._decoder(raw)
                if data:
                    yield data
            if self._decoder is not None:
                rest = self._decoder(b"")
                if rest:
                    yield rest
        except BaseException:
            self.close()
            raise

    def _raw(self, size: int) -> bytes:
        connection = self._connection
        if self._ended or connection is None:
            return b""
        if self._chunked:
            if self._left == 0:
                self._left = self._chunk_size(connection)
                if self._left == 0:
                    while connection.line():  # trailers, up to the blank line
                        pass
                    self._end()
                    return b""
            assert self._left is not None
            data = connection.take(min(size, self._left))
            if not data:
                self._broken(None)
            self._received += len(data)
            self._left -= len(data)
            if self._left == 0 and connection.line():
                raise BadAnswer("a chunk not followed by its line end")
            return data
        wanted = size if self._left is None else min(size, self._left)
        data = connection.take(wanted)
        if not data:
            if self._left is None:
                self._end()
                return b""
            self._broken(self._left)
        self._received += len(data)
        if self._left is not None:
            self._left -= len(data)
            if self._left == 0:
                self._end()
        return data

    def _chunk_size(self, connection: Connection) -> int:
        line = connection.line()
        if not line:
            self._broken(None)
        size = line.split(b";", 1)[0].strip()
        if not size or size.strip(b"0123456789abcdefABCDEF"):  # hex digits only: no sign, no 0x
            raise BadAnswer(f"a chunk size that is not a number: {line[:40]!r}")
        return int(size, 16)

    def _broken(self, missing: int | None) -> NoReturn:
        raise IncompleteBody(self._received, missing)

    def _end(self) -> None:
        self._ended = True
        connection, self._connection = self._connection, None
        if connection is not None:
            if self._keep:
                self._release(connection)
            else:
                connection.close()

    def close(self) -> None:
        """Drop the connection, whatever of the body is left unread."""
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.close()

    def release_conn(self) -> None:
        """The body is no longer wanted: the connection is closed unless it was read whole."""
        self.close()


def _decoder(encoding: str) -> Callable[[bytes], bytes] | None:
    """What decodes a body sent with ``Content-Encoding: encoding`` (b"" flushes); None for
    identity and for an encoding not known here (the body is then given as sent)."""
    encoding = encoding.strip().lower()
    if encoding not in ("gzip", "x-gzip", "deflate"):
        return None
    return _Decoder(encoding)


class _Decoder:
    __slots__ = ("_decompressor", "_encoding", "_started")

    def __init__(self, encoding: str) -> None:
        import zlib

        self._encoding = encoding
        self._decompressor = zlib.decompressobj(
            zlib.MAX_WBITS if encoding == "deflate" else 16 + zlib.MAX_WBITS
        )
        self._started = False

    def __call__(self, data: bytes) -> bytes:
        """``data`` decoded; b"" ends the body: a stream cut short is an IncompleteBody."""
        import zlib

        if not data:
            out = self._decompressor.flush()
            if self._started and not self._decompressor.eof:
                raise IncompleteBody(0, None)  # the compressed stream stopped midway
            return out
        try:
            out = self._decompressor.decompress(data)
            # A gzip body may hold several members, one after the other.
            while self._decompressor.eof and self._decompressor.unused_data:
                rest = self._decompressor.unused_data
                self._decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
                out += self._decompressor.decompress(rest)
        except zlib.error as exc:
            if self._encoding == "deflate" and not self._started:
                # A raw deflate stream (no zlib header), as some servers send.
                self._decompressor = zlib.decompressobj(-zlib.MAX_WBITS)
                self._started = True
                return self(data)
            raise BadAnswer(f"the {self._encoding} body does not decode: {exc}") from exc
        self._started = True
        return out


def exchange(
    connection: Connection, url: str, request: bytes, release: Callable[[Connection], None]
) -> Response:
    """Send ``request`` on ``connection`` and read the answer's head (1xx answers skipped)."""
    version, status, reason, headers = ask(connection, request)
    connection_header = headers.get("Connection", "").lower()
    keep = "close" not in connection_header and (
        version != "HTTP/1.0" or "keep-alive" in connection_header
    )
    return Response(release, connection, url, status, reason, headers, keep)


def ask(connection: Connection, request: bytes) -> tuple[str, int, str, Headers]:
    """Send ``request`` and read the head of its answer (1xx answers skipped): the HTTP
    version, status, reason and headers."""
    try:
        connection.sock.sendall(request)
    except TimeoutError as exc:
        raise ReadTimedOut("the request could not be sent in time") from exc
    except OSError as exc:
        raise ConnectionBroken(exc) from exc
    while True:
        status_line = connection.line()
        if not status_line:
            raise ClosedWithoutAnswer("the server closed the connection without answering")
        version, _, rest = status_line.decode("latin-1").partition(" ")
        code, _, reason = rest.strip().partition(" ")
        if not version.startswith("HTTP/1.") or len(code) != 3 or not code.isdigit():
            raise BadAnswer(f"not an HTTP/1.x status line: {status_line[:80]!r}")
        headers = _headers(connection)
        status = int(code)
        if 100 <= status < 200 and status != 101:
            continue  # 100 Continue and the like: the answer follows
        return version, status, reason.strip(), headers


def _headers(connection: Connection) -> Headers:
    items: dict[str, str] = {}
    size = 0
    while True:
        line = connection.line()
        if not line:
            return Headers(items)
        size += len(line)
        if size > _MAX_HEAD:
            raise BadAnswer("headers longer than 64 KiB")
        name, colon, value = line.decode("latin-1").partition(":")
        if not colon or not name or name != name.strip() or "\r" in value or "\0" in value:
            raise BadAnswer(f"not a header line: {line[:80]!r}")
        name = name.lower()
        value = value.strip()
        items[name] = f"{items[name]}, {value}" if name in items else value
