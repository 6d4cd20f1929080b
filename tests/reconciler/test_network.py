"""Network faults against a real server on 127.0.0.1 that misbehaves on purpose.

The server answers each request by the next step of a script: `stall` (read the request,
answer nothing), `drop` (close at once), `short` (announce 1000 bytes, send 11, close), `503`,
or `ok` (the real body). Index pages (IndexClient) and downloads (fetch_archive) must retry
the first four with backoff, succeed when a later attempt does, and otherwise fail with the
URL (login redacted) and the cause in words, within the timeout policy.
"""

from __future__ import annotations

import hashlib
import os
import platform
import socket
import ssl
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from accord.model.lock import Artifact
from accord.reconciler.errors import DownloadFailed, ExitCode, IndexUnavailable, UsageError
from accord.reconciler.fetch.artifacts import fetch_archive
from accord.reconciler.fetch.index import IndexClient
from accord.reconciler.fetch.network import http_retries, http_timeout, tls_context
from fixtures.tls import needs_openssl, self_signed

PAGE = b'<html><body><a href="pkg-1.0-py3-none-any.whl">pkg-1.0-py3-none-any.whl</a></body></html>'


class FaultyServer:
    """Answers request N with ``script[N]`` (the last step repeats); counts requests."""

    def __init__(self, script: list[str], body: bytes = PAGE) -> None:
        self.script = script
        self.body = body
        self.requests = 0
        self._stop = threading.Event()
        self._socket = socket.socket()
        self._socket.bind(("127.0.0.1", 0))
        self._socket.listen(16)
        self._socket.settimeout(0.2)
        self.port = self._socket.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def url(self, login: str = "") -> str:
        return f"http://{login}127.0.0.1:{self.port}/simple/"

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._socket.accept()
            except OSError:
                continue
            step = self.script[min(self.requests, len(self.script) - 1)]
            self.requests += 1
            threading.Thread(target=self._answer, args=(connection, step), daemon=True).start()

    def _answer(self, connection: socket.socket, step: str) -> None:
        with connection:
            connection.recv(65536)
            if step == "stall":
                self._stop.wait(30)
            elif step == "short":
                connection.sendall(
                    b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 1000\r\n"
                    b"Connection: close\r\n\r\n<html>short"
                )
            elif step == "503":
                connection.sendall(
                    b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n"
                    b"Connection: close\r\n\r\n"
                )
            elif step == "ok":
                connection.sendall(
                    b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
                    + f"Content-Length: {len(self.body)}\r\nConnection: close\r\n\r\n".encode()
                    + self.body
                )

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self._socket.close()


@pytest.fixture
def serve() -> Iterator[list[FaultyServer]]:
    servers: list[FaultyServer] = []
    yield servers
    for server in servers:
        server.close()


@pytest.fixture(autouse=True)
def _quick(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ACCORD_HTTP_TIMEOUT", "UV_HTTP_TIMEOUT", "ACCORD_HTTP_RETRIES"):
        monkeypatch.delenv(name, raising=False)
    for name in ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "NO_PROXY"):  # a machine's own
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    monkeypatch.setenv("UV_HTTP_TIMEOUT", "0.5")
    monkeypatch.setenv("UV_HTTP_RETRIES", "3")


CAUSES = {
    "stall": "no answer within 0.5 s (set UV_HTTP_TIMEOUT to wait longer)",
    "drop": "the server closed the connection without answering",
    "short": "the connection closed after 11 of 1000 bytes of the response",
    "503": "HTTP 503 Service Unavailable",
}


@pytest.mark.parametrize("fault", sorted(CAUSES))
def test_network_page_fault_is_retried_then_named_in_words(
    serve: list[FaultyServer], tmp_path: Path, fault: str
) -> None:
    server = FaultyServer([fault])
    serve.append(server)
    with (
        IndexClient([server.url("alice:TOKEN@")], cache_dir=tmp_path, backoff=0.01) as client,
        pytest.raises(IndexUnavailable) as caught,
    ):
        client.files("pkg")

    # The login was taken out of the index URL before any request (reconciler.credentials).
    assert caught.value.message == (
        f"Failed to fetch `{server.url()}pkg/` after 3 retries: {CAUSES[fault]}"
    )
    assert caught.value.exit_code == ExitCode.ERROR  # uv exits 2 for a network failure
    assert caught.value.hint == "is the index up? use --offline to work from the cache"
    assert server.requests == 4


@pytest.mark.parametrize("fault", sorted(CAUSES))
def test_network_page_fault_then_success_is_recovered(
    serve: list[FaultyServer], tmp_path: Path, fault: str
) -> None:
    server = FaultyServer([fault, fault, "ok"])
    serve.append(server)
    with IndexClient([server.url()], cache_dir=tmp_path, backoff=0.01) as client:
        (found,) = client.files("pkg")

    assert found.filename == "pkg-1.0-py3-none-any.whl"
    assert server.requests == 3


def test_network_failed_page_is_not_fetched_again_by_the_same_client(
    serve: list[FaultyServer], tmp_path: Path
) -> None:
    server = FaultyServer(["drop"])
    serve.append(server)
    with IndexClient([server.url()], cache_dir=tmp_path, backoff=0.01) as client:
        for _ in range(3):
            with pytest.raises(IndexUnavailable):
                client.files("pkg")

    assert server.requests == 4  # one request's retries, not three


WHEEL = b"PK\x05\x06" + b"\x00" * 18  # an empty zip: the download is checked by hash only


@pytest.mark.parametrize("fault", sorted(CAUSES))
def test_network_download_fault_is_retried_and_the_file_is_whole(
    serve: list[FaultyServer], tmp_path: Path, fault: str
) -> None:
    server = FaultyServer([fault, "ok"], body=WHEEL)
    serve.append(server)
    digest = hashlib.sha256(WHEEL).hexdigest()
    artifact = Artifact(
        url=f"http://127.0.0.1:{server.port}/files/pkg-1.0-py3-none-any.whl",
        hash=f"sha256:{digest}",
    )

    sha256, path = fetch_archive(artifact, tmp_path)

    assert (sha256, path.read_bytes()) == (digest, WHEEL)
    assert sorted(p.name for p in (tmp_path / "wheels").iterdir()) == [digest]


def test_network_download_that_keeps_failing_names_url_and_cause(
    serve: list[FaultyServer], tmp_path: Path
) -> None:
    server = FaultyServer(["short"], body=WHEEL)
    serve.append(server)
    url = f"http://bob:SECRET@127.0.0.1:{server.port}/files/pkg-1.0-py3-none-any.whl"
    artifact = Artifact(url=url, hash="sha256:" + "0" * 64)

    with pytest.raises(DownloadFailed) as caught:
        fetch_archive(artifact, tmp_path)

    assert caught.value.message == (
        f"Failed to download `{url.replace('SECRET', '****')}` after 3 retries: "
        "the connection closed after 11 of 1000 bytes of the response"
    )
    assert caught.value.exit_code == ExitCode.ERROR
    assert list((tmp_path / "wheels").iterdir()) == []  # no partial file left behind


@pytest.mark.parametrize(
    ("name", "value"),
    [("UV_HTTP_TIMEOUT", "soon"), ("UV_HTTP_TIMEOUT", "0"), ("UV_HTTP_RETRIES", "-1")],
)
def test_network_settings_refuse_garbage(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(UsageError, match=f"`{name}` with invalid value `{value}`"):
        http_timeout() if name == "UV_HTTP_TIMEOUT" else http_retries()


def test_network_accord_variables_win(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACCORD_HTTP_TIMEOUT", "7")
    monkeypatch.setenv("ACCORD_HTTP_RETRIES", "0")
    assert (http_timeout(), http_retries()) == (7.0, 0)
    monkeypatch.delenv("ACCORD_HTTP_TIMEOUT")
    monkeypatch.delenv("UV_HTTP_TIMEOUT")
    assert http_timeout() == 30.0  # uv's default


ARENAS = """
import ctypes, sys, threading
from accord.reconciler.fetch import http

response = http.get(sys.argv[1], {}, http.Attempts(unreachable=lambda *why: RuntimeError(why)))
assert response.status == 200
ready = threading.Barrier(6)

def allocate():
    blocks = [bytearray(4096) for _ in range(64)]  # from malloc, not Python's own allocator
    ready.wait()

threads = [threading.Thread(target=allocate) for _ in range(6)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
ctypes.CDLL(None).malloc_stats()  # one "Arena N:" paragraph per heap, on stderr
"""


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc's malloc only")
def test_network_threads_share_two_heaps_once_the_network_is_used(
    serve: list[FaultyServer],
) -> None:
    """glibc gives each thread a heap of its own; the threads that fetch pages ahead kept
    tens of MiB apiece in theirs. From the first request on, new threads share two."""
    server = FaultyServer(["ok"])
    serve.append(server)
    env = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")}
    ran = subprocess.run(
        [sys.executable, "-c", ARENAS, server.url()], env=env, capture_output=True, text=True
    )
    assert ran.returncode == 0, ran.stderr
    heaps = [line for line in ran.stderr.splitlines() if line.startswith("Arena ")]
    assert len(heaps) == 2, ran.stderr


def test_network_https_connections_share_one_verifying_tls_context() -> None:
    """One TLS context for every HTTPS connection (each made anew parses every certificate
    again): it verifies the certificate and the host's name, from TLS 1.2 on."""
    context = tls_context()
    assert tls_context() is context
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    assert context.minimum_version >= ssl.TLSVersion.TLSv1_2


CONCURRENT_HTTPS = """
import sys, threading
from accord.reconciler.fetch import http

statuses = []

def fetch(n):
    attempts = http.Attempts(unreachable=lambda *why: RuntimeError(why), retries=0)
    statuses.append(http.get(f"{sys.argv[1]}{n}", {}, attempts).status)

threads = [threading.Thread(target=fetch, args=(n,)) for n in range(8)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(sorted(statuses))
"""


@needs_openssl
def test_network_https_from_threads_verifies_and_offers_alpn_on_every_connection(
    tmp_path: Path,
) -> None:
    """Eight threads at once over the shared TLS context (its ALPN protocols set once,
    before any thread has it): every connection verified, and offering ``http/1.1``."""
    cert, key = self_signed(tmp_path)
    offered: list[str | None] = []

    class Answer(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            assert isinstance(self.connection, ssl.SSLSocket)
            offered.append(self.connection.selected_alpn_protocol())
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Answer)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    context.set_alpn_protocols(["http/1.1"])
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        # The platform's certificates: ours. Handshakes are served one at a time: time enough.
        env = dict(os.environ, SSL_CERT_FILE=str(cert), UV_HTTP_TIMEOUT="30")
        ran = subprocess.run(
            [sys.executable, "-c", CONCURRENT_HTTPS, f"https://localhost:{server.server_port}/"],
            env=env,
            capture_output=True,
            text=True,
        )
    finally:
        server.shutdown()
        server.server_close()
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.split("\n")[0] == str([200] * 8), ran.stderr
    assert offered == ["http/1.1"] * 8  # one connection per request: HTTP/1.0 closes each
