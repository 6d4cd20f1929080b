"""accord's HTTP/1.1 client: a GET over pooled keep-alive connections, and nothing more.

The fetch stage asks an index for pages, metadata, byte ranges and archives, always with a
GET. A general client (urllib3) cost a cold lock about 30 ms of imports (``http.client``,
``email``, ``ssl`` even for ``http://``, its own regular expressions) and more per request
than the work it did; this module speaks just what the fetch stage needs, over ``socket``:

- connections kept per (scheme, host, port) and reused, one request at a time on each; one
  that sat idle is looked at before reuse, and a request whose reused connection turns out
  closed before any answer is sent again on a new one (the server may drop an idle
  connection at any moment);
- bodies by ``Content-Length``, chunked, or up to the close; ``gzip`` and ``deflate``
  decoded; 1xx answers skipped;
- redirects followed (at most ``MAX_REDIRECTS``), the ``Authorization`` header dropped when
  one leads to another host;
- TLS over the context the caller gives (verified, with the host's name);
- an HTTP proxy where ``reconciler.fetch.proxies`` names one: a request in absolute form for
  ``http://``, a ``CONNECT`` tunnel for ``https://`` (TLS then goes end to end);
- every failure raised as one of the ``HTTPError`` classes (``reconciler.fetch.answer``,
  which reads the answers), for ``reconciler.fetch.network`` to put into words and try again.

Timeouts: ``connect`` seconds to connect (and shake hands), ``read`` seconds for each wait
on the server after that.
"""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING
from urllib.parse import quote, urljoin, urlsplit

from accord.reconciler import __version__
from accord.reconciler.fetch.answer import (
    BadAnswer,
    ClosedWithoutAnswer,
    Connection,
    ConnectionBroken,
    ConnectTimedOut,
    NameNotResolved,
    ProxyRefused,
    ReadTimedOut,
    Response,
    TLSFailed,
    TooManyRedirects,
    ask,
    exchange,
)
from accord.reconciler.fetch.proxies import NONE, Proxies, Proxy

if TYPE_CHECKING:
    import ssl

__all__ = ["MAX_REDIRECTS", "Pool"]

MAX_REDIRECTS = 5
_Key = tuple[str, str, int, "Proxy | None"]
"""A connection's scheme, host, port, and the proxy it goes through."""
_LOG = logging.getLogger("accord-wire")  # not an ``accord`` logger: shown under -vv only
_USER_AGENT = f"accord/{__version__}"
_IDLE_PER_HOST = 16
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_SAFE_PATH = "/%:@!$&'()*+,;=-._~"
_SAFE_QUERY = _SAFE_PATH + "?"


class Pool:
    """Connections by (scheme, host, port, proxy), for GETs with these timeouts and proxies;
    safe for threads."""

    def __init__(
        self,
        *,
        connect: float,
        read: float,
        tls: Callable[[], ssl.SSLContext],
        proxies: Proxies = NONE,
    ) -> None:
        self.connect_timeout = connect
        self.read_timeout = read
        self._tls = tls
        self._proxies = proxies
        self._lock = threading.Lock()
        self._idle: dict[tuple[object, ...], list[Connection]] = {}

    def request(
        self, url: str, headers: Mapping[str, str], *, preload_content: bool = True
    ) -> Response:
        """GET ``url`` with ``headers``, following redirects; the body read whole unless
        ``preload_content`` is false."""
        sent = dict(headers)
        for name, value in sent.items():
            if any(c in name or c in value for c in "\r\n\0"):
                raise BadAnswer(f"a header with a line break or NUL: {name!r}")
        for _ in range(MAX_REDIRECTS + 1):
            response = self._once(url, sent)
            location = response.headers.get("Location")
            if response.status not in _REDIRECTS or not location:
                if preload_content:
                    response.data  # noqa: B018 - read whole, the connection released
                return response
            response.close()
            try:
                target = urljoin(url, location.strip())
                moved = _origin(target) != _origin(url)
            except ValueError as exc:
                raise BadAnswer(f"a redirect to an unusable URL: {location[:80]!r}") from exc
            if moved:
                sent = {k: v for k, v in sent.items() if k.lower() != "authorization"}
            url = target
        raise TooManyRedirects(f"more than {MAX_REDIRECTS} redirects")

    def _once(self, url: str, headers: Mapping[str, str]) -> Response:
        try:
            parts = urlsplit(url)
            port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
            # A name that is not ASCII is asked for, connected to and named as IDNA.
            host = (parts.hostname or "").encode("idna").decode("ascii")
        except (ValueError, UnicodeError) as exc:
            raise BadAnswer(f"not a URL accord can fetch: {url[:120]}") from exc
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https") or not host:
            raise BadAnswer(f"cannot fetch a `{scheme}:` URL over HTTP")
        proxy = self._proxies.for_url(scheme, host) if self._proxies is not NONE else None
        key = (scheme, host, port, proxy)
        target = quote(parts.path or "/", safe=_SAFE_PATH)
        if parts.query:
            target += "?" + quote(parts.query, safe=_SAFE_QUERY)
        named = f"[{host}]" if ":" in host else host
        authority = named + (f":{parts.port}" if parts.port else "")
        # Through a proxy, a plain request names its whole URL (a tunnel carries it as is).
        absolute = proxy is not None and scheme == "http"
        lines = [
            f"GET {f'http://{authority}{target}' if absolute else target} HTTP/1.1",
            f"Host: {authority}",
        ]
        if absolute and proxy is not None and proxy.authorization:
            lines.append(f"Proxy-Authorization: {proxy.authorization}")
        given = {name.lower() for name in headers}
        if "user-agent" not in given:
            lines.append(f"User-Agent: {_USER_AGENT}")
        if "accept-encoding" not in given:
            lines.append("Accept-Encoding: identity")
        lines.extend(f"{name}: {value}" for name, value in headers.items())
        request = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        while True:
            connection, reused = self._connection(key)
            try:
                response = exchange(connection, url, request, self.put)
            except (ClosedWithoutAnswer, ConnectionBroken):
                connection.close()
                if reused:
                    continue  # closed by the server while idle: once more, on a new one
                raise
            except BaseException:
                connection.close()
                raise
            _LOG.debug('"GET %s://%s:%s%s" %s', scheme, named, port, target, response.status)
            return response

    def _connection(self, key: _Key) -> tuple[Connection, bool]:
        with self._lock:
            idle = self._idle.get(key)
            while idle:
                connection = idle.pop()
                if not connection.is_dropped():
                    return connection, True
                connection.close()
        return Connection(key, self._connect(key)), False

    def _connect(self, key: _Key) -> socket.socket:
        scheme, host, port, proxy = key
        if proxy is None:
            _LOG.debug("Connecting to %s://%s:%s", scheme, host, port)
            sock = self._open(host, port)
        else:
            _LOG.debug("Connecting to %s://%s:%s through %s", scheme, host, port, proxy.variable)
            sock = self._open(proxy.host, proxy.port)
        try:
            try:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except OSError as exc:
                raise ConnectionBroken(exc) from exc
            if scheme == "https":
                if proxy is not None:
                    self._tunnel(sock, host, port, proxy)
                sock = self._handshake(sock, host)
            sock.settimeout(self.read_timeout)
        except BaseException:
            sock.close()
            raise
        return sock

    def _open(self, host: str, port: int) -> socket.socket:
        try:
            # An ASCII name as bytes: a str is encoded by the idna codec, ~3 ms to import.
            address = host.encode("ascii") if host.isascii() else host
            return socket.create_connection(
                (address, port),  # type: ignore[arg-type]  # getaddrinfo takes bytes too
                timeout=self.connect_timeout,
            )
        except socket.gaierror as exc:
            raise NameNotResolved(host) from exc
        except TimeoutError as exc:
            raise ConnectTimedOut("could not connect in time") from exc
        except OSError as exc:
            raise ConnectionBroken(exc) from exc

    def _tunnel(self, sock: socket.socket, host: str, port: int, proxy: Proxy) -> None:
        """Ask ``proxy`` (connected on ``sock``) for a tunnel to ``host:port``."""
        authority = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        lines = [f"CONNECT {authority} HTTP/1.1", f"Host: {authority}"]
        if proxy.authorization:
            lines.append(f"Proxy-Authorization: {proxy.authorization}")
        request = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        connection = Connection(("", proxy.host, proxy.port, None), sock)
        try:
            _, status, reason, _ = ask(connection, request)
        except ReadTimedOut as exc:  # still connecting, as far as the request is concerned
            raise ConnectTimedOut("the proxy did not open the tunnel in time") from exc
        if not 200 <= status < 300 or connection.buffer:
            raise ProxyRefused(
                f"the proxy at {proxy.host}:{proxy.port} (`{proxy.variable}`) would not open a "
                f"tunnel to {authority}: HTTP {status} {reason}".rstrip()
            )

    def _handshake(self, sock: socket.socket, host: str) -> socket.socket:
        import ssl

        try:
            return self._tls().wrap_socket(sock, server_hostname=host)
        except TimeoutError as exc:
            raise ConnectTimedOut("the TLS handshake did not end in time") from exc
        except (ssl.SSLError, ssl.CertificateError, ValueError) as exc:  # ValueError: a bad name
            raise TLSFailed(str(exc)) from exc
        except OSError as exc:
            raise ConnectionBroken(exc) from exc

    def put(self, connection: Connection) -> None:
        """Keep ``connection`` for the next request to its host (a full pool closes it)."""
        with self._lock:
            idle = self._idle.setdefault(connection.key, [])
            if len(idle) < _IDLE_PER_HOST:
                idle.append(connection)
                return
        connection.close()

    def clear(self) -> None:
        """Close every idle connection."""
        with self._lock:
            idle, self._idle = self._idle, {}
        for connections in idle.values():
            for connection in connections:
                connection.close()


def _origin(url: str) -> tuple[str, str | None, int | None]:
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = None
    return parts.scheme.lower(), parts.hostname, port
