"""accord's HTTP/1.1 client against real sockets on 127.0.0.1 that answer byte for byte.

Each server runs a script per connection: it reads requests and writes the answers given,
so every test sees exactly what crossed the wire (the requests, how many connections) and
the client has to cope with answers shaped as real servers shape them.
"""

from __future__ import annotations

import contextlib
import gzip
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from accord.reconciler.fetch import answer, wire
from accord.reconciler.fetch.http import Attempts, get
from accord.reconciler.fetch.network import describe_failure, tls_context
from fixtures.tls import needs_openssl, self_signed, serve_tls

Script = Callable[["Peer"], None]


class Peer:
    """One accepted connection, as the script sees it."""

    def __init__(self, connection: socket.socket, server: RawServer) -> None:
        self.connection = connection
        self.server = server
        self._pending = b""

    def request(self) -> bytes:
        """The next request's head (b"" once the client has closed)."""
        while b"\r\n\r\n" not in self._pending:
            data = self.connection.recv(65536)
            if not data:
                return b""
            self._pending += data
        head, _, self._pending = self._pending.partition(b"\r\n\r\n")
        self.server.requests.append(head)
        return head

    def send(self, data: bytes) -> None:
        self.connection.sendall(data)


class RawServer:
    """Connection N is handled by ``scripts[N]`` (the last repeats)."""

    def __init__(self, *scripts: Script) -> None:
        self.scripts = scripts
        self.connections = 0
        self.requests: list[bytes] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def url(self, path: str = "/page") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self._listener.accept()
            except OSError:
                return
            script = self.scripts[min(self.connections, len(self.scripts) - 1)]
            self.connections += 1
            threading.Thread(target=self._run, args=(script, connection), daemon=True).start()

    def _run(self, script: Script, connection: socket.socket) -> None:
        with connection, contextlib.suppress(OSError):
            script(Peer(connection, self))

    def close(self) -> None:
        self._listener.close()


@pytest.fixture
def servers() -> Iterator[list[RawServer]]:
    made: list[RawServer] = []
    yield made
    for server in made:
        server.close()


@pytest.fixture
def pool() -> Iterator[wire.Pool]:
    made = wire.Pool(connect=5, read=5, tls=tls_context)
    yield made
    made.clear()


def _ok(body: bytes, *headers: str) -> bytes:
    head = [b"HTTP/1.1 200 OK", f"Content-Length: {len(body)}".encode()]
    head += [header.encode() for header in headers]
    return b"\r\n".join(head) + b"\r\n\r\n" + body


def _serve_all(answer: Callable[[bytes], bytes]) -> Script:
    """Answer every request on the connection with ``answer(request head)``."""

    def script(peer: Peer) -> None:
        while head := peer.request():
            peer.send(answer(head))

    return script


def test_wire_keeps_a_connection_alive_and_sends_what_uv_would(
    servers: list[RawServer], pool: wire.Pool
) -> None:
    server = RawServer(_serve_all(lambda head: _ok(b"hello " + head.split(b" ")[1])))
    servers.append(server)
    first = pool.request(server.url("/a b?x=1#sha256=00"), {"Accept": "text/html"})
    second = pool.request(server.url("/c"), {})
    assert (first.status, first.reason, first.data) == (200, "OK", b"hello /a%20b?x=1")
    assert second.data == b"hello /c"
    assert first.geturl() == server.url("/a b?x=1#sha256=00")
    assert first.headers["content-length"] == first.headers.get("Content-Length") == "16"
    assert server.connections == 1
    lines = server.requests[0].decode().split("\r\n")
    assert lines[0] == "GET /a%20b?x=1 HTTP/1.1"  # the fragment is the client's own
    assert f"Host: 127.0.0.1:{server.port}" in lines
    assert "Accept-Encoding: identity" in lines and "Accept: text/html" in lines
    assert any(line.startswith("User-Agent: accord/") for line in lines)


def test_wire_sends_again_on_a_new_connection_when_the_kept_one_was_closed(
    servers: list[RawServer], pool: wire.Pool
) -> None:
    """A server may close an idle connection at any moment: a request that finds its kept
    connection closed before any answer is sent again, once, on a new one."""

    def answer_one_then_close_on_the_next(peer: Peer) -> None:
        peer.request()
        peer.send(_ok(b"one"))
        peer.request()  # and close without answering

    server = RawServer(answer_one_then_close_on_the_next, _serve_all(lambda _: _ok(b"two")))
    servers.append(server)
    assert pool.request(server.url(), {}).data == b"one"
    assert pool.request(server.url(), {}).data == b"two"
    assert server.connections == 2


def test_wire_a_new_connection_closed_without_answer_is_a_failure(
    servers: list[RawServer], pool: wire.Pool
) -> None:
    server = RawServer(lambda peer: peer.request() and None)
    servers.append(server)
    with pytest.raises(answer.ClosedWithoutAnswer) as caught:
        pool.request(server.url(), {})
    assert describe_failure(caught.value) == "the server closed the connection without answering"
    assert server.connections == 1


def test_wire_reads_chunked_and_gzip_bodies_and_skips_informational_answers(
    servers: list[RawServer], pool: wire.Pool
) -> None:
    packed = gzip.compress(b"x" * 5000)

    def answer(head: bytes) -> bytes:
        if b"/chunked" in head:
            return (
                b"HTTP/1.1 100 Continue\r\n\r\n"
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                b"5;name=value\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\nTrailer: yes\r\n\r\n"
            )
        return _ok(packed, "Content-Encoding: gzip")

    server = RawServer(_serve_all(answer))
    servers.append(server)
    assert pool.request(server.url("/chunked"), {}).data == b"hello world"
    streamed = pool.request(server.url("/gzip"), {}, preload_content=False)
    assert b"".join(streamed.stream(1000)) == b"x" * 5000
    assert pool.request(server.url("/chunked"), {}).data == b"hello world"
    assert server.connections == 1  # each body read to its end: the connection kept


def test_wire_a_body_up_to_the_close_ends_the_connection(
    servers: list[RawServer], pool: wire.Pool
) -> None:
    def answer_then_close(peer: Peer) -> None:
        peer.request()
        peer.send(b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nall of it")

    server = RawServer(answer_then_close)
    servers.append(server)
    assert pool.request(server.url(), {}).data == b"all of it"
    assert pool.request(server.url(), {}).data == b"all of it"
    assert server.connections == 2


def test_wire_a_body_cut_short_is_a_failure_in_words(
    servers: list[RawServer], pool: wire.Pool
) -> None:
    def chunk_then_close(peer: Peer) -> None:
        peer.request()
        peer.send(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nonly")

    server = RawServer(chunk_then_close)
    servers.append(server)
    with pytest.raises(answer.IncompleteBody) as caught:
        pool.request(server.url(), {})
    assert describe_failure(caught.value) == (
        "the connection closed before the whole response arrived"
    )


def test_wire_follows_redirects_and_keeps_the_login_on_its_own_host_only(
    servers: list[RawServer], pool: wire.Pool
) -> None:
    elsewhere = RawServer(_serve_all(lambda head: _ok(b"moved")))
    servers.append(elsewhere)

    def answer(head: bytes) -> bytes:
        if b"GET /start" in head:
            return b"HTTP/1.1 302 Found\r\nLocation: /next\r\nContent-Length: 0\r\n\r\n"
        if b"GET /next" in head:
            target = elsewhere.url("/there")
            return f"HTTP/1.1 301 Moved\r\nLocation: {target}\r\nContent-Length: 0\r\n\r\n".encode()
        return _ok(b"?")

    server = RawServer(_serve_all(answer))
    servers.append(server)
    response = pool.request(server.url("/start"), {"Authorization": "Basic c2VjcmV0"})
    assert (response.status, response.data) == (200, b"moved")
    assert response.geturl() == elsewhere.url("/there")
    assert all(b"Authorization: Basic c2VjcmV0" in head for head in server.requests)
    assert len(server.requests) == 2
    assert b"Authorization" not in elsewhere.requests[0]


def test_wire_too_many_redirects_is_a_failure_in_words(
    servers: list[RawServer], pool: wire.Pool
) -> None:
    loop = b"HTTP/1.1 307 Again\r\nLocation: /page\r\nContent-Length: 0\r\n\r\n"
    server = RawServer(_serve_all(lambda _: loop))
    servers.append(server)
    attempts = Attempts(unreachable=lambda url, retried, why: RuntimeError(why), retries=0)
    with pytest.raises(RuntimeError, match=r"^more than 5 redirects$"):
        get(server.url(), {}, attempts)
    assert len(server.requests) == wire.MAX_REDIRECTS + 1


def test_wire_an_answer_that_is_not_http_is_a_failure_in_words(
    servers: list[RawServer], pool: wire.Pool
) -> None:
    server = RawServer(_serve_all(lambda _: b"SSH-2.0-OpenSSH_9.6\r\n\r\n"))
    servers.append(server)
    with pytest.raises(answer.BadAnswer) as caught:
        pool.request(server.url(), {})
    assert describe_failure(caught.value) == (
        "the answer is not HTTP: not an HTTP/1.x status line: b'SSH-2.0-OpenSSH_9.6'"
    )


def test_wire_a_not_modified_answer_has_no_body_and_keeps_the_connection(
    servers: list[RawServer], pool: wire.Pool
) -> None:
    server = RawServer(_serve_all(lambda _: b'HTTP/1.1 304 Not Modified\r\nETag: "a"\r\n\r\n'))
    servers.append(server)
    for _ in range(2):
        response = pool.request(server.url(), {"If-None-Match": '"a"'})
        assert (response.status, response.data, response.headers["etag"]) == (304, b"", '"a"')
    assert server.connections == 1


UNTRUSTED = """
import sys
from accord.reconciler.fetch import http
attempts = http.Attempts(unreachable=lambda url, retried, why: SystemExit(why), retries=0)
http.get(sys.argv[1], {}, attempts)
"""


@needs_openssl
def test_wire_an_https_server_whose_certificate_is_not_trusted_is_refused(
    tmp_path: Path,
) -> None:
    made = [self_signed(tmp_path, name) for name in ("served", "trusted")]
    listener = serve_tls(*made[0], lambda tls: None)  # the client refuses the handshake
    try:
        env = dict(os.environ, SSL_CERT_FILE=str(made[1][0]), SSL_CERT_DIR=str(tmp_path))
        url = f"https://localhost:{listener.getsockname()[1]}/"
        ran = subprocess.run(
            [sys.executable, "-c", UNTRUSTED, url], env=env, capture_output=True, text=True
        )
    finally:
        listener.close()
    assert ran.returncode == 1
    assert ran.stderr.startswith("TLS failed: [SSL: CERTIFICATE_VERIFY_FAILED]"), ran.stderr


def test_wire_a_gzip_body_of_several_members_is_read_whole_and_a_cut_one_fails(
    servers: list[RawServer], pool: wire.Pool
) -> None:
    joined = gzip.compress(b"first ") + gzip.compress(b"second")

    def respond(peer: Peer) -> None:
        head = peer.request()
        if b"/cut" in head:  # a body up to the close, its gzip stream stopped midway
            body = gzip.compress(b"y" * 5000)[:-20]
            peer.send(b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n\r\n" + body)
        else:
            peer.send(_ok(joined, "Content-Encoding: gzip", "Connection: close"))

    server = RawServer(respond)
    servers.append(server)
    assert pool.request(server.url(), {}).data == b"first second"
    with pytest.raises(answer.IncompleteBody):
        pool.request(server.url("/cut"), {})


@pytest.mark.parametrize(
    "sent",
    [
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-5\r\nhello\r\n0\r\n\r\n",
        b'HTTP/1.1 200 OK\r\nETag: "a"\rX-Evil: 1\r\nContent-Length: 0\r\n\r\n',
        b"HTTP/1.1 302 Found\r\nLocation: http://[bad/\r\nContent-Length: 0\r\n\r\n",
    ],
    ids=["negative-chunk", "cr-in-header", "bad-location"],
)
def test_wire_a_malformed_answer_is_a_failure_in_words_not_a_crash(
    servers: list[RawServer], pool: wire.Pool, sent: bytes
) -> None:
    server = RawServer(_serve_all(lambda _: sent))
    servers.append(server)
    with pytest.raises(answer.BadAnswer) as caught:
        pool.request(server.url(), {})
    assert describe_failure(caught.value).startswith("the answer is not HTTP: ")


def test_wire_a_header_with_a_line_break_is_not_sent(pool: wire.Pool) -> None:
    with pytest.raises(answer.BadAnswer):
        pool.request("http://127.0.0.1:9/", {"If-None-Match": '"a"\r\nX-Evil: 1'})
