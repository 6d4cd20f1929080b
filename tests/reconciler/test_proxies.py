"""HTTP proxies, as uv reads them from the environment: which one a URL takes, and requests
going through a real forward proxy on 127.0.0.1 (absolute-form requests and CONNECT
tunnels), side by side with uv going through the same proxy."""

from __future__ import annotations

import base64
import contextlib
import os
import socket
import ssl
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from accord.reconciler.errors import UsageError
from accord.reconciler.fetch.network import tls_context
from accord.reconciler.fetch.proxies import Proxy, proxies_from
from accord.reconciler.fetch.wire import Pool
from fixtures.proxy import ForwardProxy
from fixtures.tls import needs_openssl, self_signed, serve_tls

_PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "REQUEST_METHOD")


def test_proxies_by_scheme_then_all_proxy_upper_case_first() -> None:
    environ = {
        "http_proxy": "http://lower:1",
        "HTTP_PROXY": "upper:2",
        "ALL_PROXY": "http://every:3",
    }
    proxies = proxies_from(environ)
    assert proxies.for_url("http", "pypi.org") == Proxy("upper", 2, None, "HTTP_PROXY")
    assert proxies.for_url("https", "pypi.org") == Proxy("every", 3, None, "ALL_PROXY")
    assert proxies_from({}).for_url("https", "pypi.org") is None
    assert proxies_from({"HTTPS_PROXY": " "}).for_url("https", "pypi.org") is None


def test_proxies_pass_over_http_proxy_in_a_cgi_environment() -> None:
    """httpoxy: a CGI script's client sets ``HTTP_PROXY`` with a ``Proxy:`` header."""
    environ = {"HTTP_PROXY": "http://attacker:1", "REQUEST_METHOD": "GET"}
    assert proxies_from(environ).for_url("http", "pypi.org") is None
    environ["http_proxy"] = "http://mine:2"
    assert proxies_from(environ).for_url("http", "pypi.org") == Proxy("mine", 2, None, "http_proxy")


@pytest.mark.parametrize(
    ("no_proxy", "host", "direct"),
    [
        ("*", "pypi.org", True),
        ("pypi.org", "pypi.org", True),
        ("pypi.org", "files.pypi.org", True),
        (".pypi.org", "pypi.org", True),
        ("pypi.org", "notpypi.org", False),
        ("10.0.0.0/8, 127.0.0.1", "10.1.2.3", True),
        ("10.0.0.0/8", "11.1.2.3", False),
        ("10.0.0.0/8", "pypi.org", False),
        ("localhost,127.0.0.1", "127.0.0.1", True),
    ],
)
def test_proxies_no_proxy_sends_these_hosts_directly(
    no_proxy: str, host: str, direct: bool
) -> None:
    proxies = proxies_from({"HTTPS_PROXY": "http://proxy:3128", "no_proxy": no_proxy})
    assert (proxies.for_url("https", host) is None) is direct


def test_proxies_login_goes_to_the_proxy_as_basic_authorization() -> None:
    found = proxies_from({"HTTPS_PROXY": "http://me:p%40ss@proxy"}).for_url("https", "pypi.org")
    assert found == Proxy(
        "proxy", 80, "Basic " + base64.b64encode(b"me:p@ss").decode(), "HTTPS_PROXY"
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            "socks5://me:secret@proxy:1080",
            "`HTTPS_PROXY` names a socks5:// proxy (`socks5://proxy:1080`): "
            "accord goes through http:// proxies only",
        ),
        ("http://proxy:port", "`HTTPS_PROXY` is not a proxy URL: `http://proxy:port`"),
    ],
)
def test_proxies_refuse_what_accord_cannot_go_through(value: str, message: str) -> None:
    with pytest.raises(UsageError) as caught:
        proxies_from({"HTTPS_PROXY": value})
    assert caught.value.message == message


class Origin:
    """A plain HTTP/1.1 server answering every request with its own request line."""

    def __init__(self) -> None:
        self.heads: list[str] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(connection,), daemon=True).start()

    def _serve(self, connection: socket.socket) -> None:
        with connection, contextlib.suppress(OSError):
            pending = b""
            while True:
                while b"\r\n\r\n" not in pending:
                    data = connection.recv(65536)
                    if not data:
                        return
                    pending += data
                head, _, pending = pending.partition(b"\r\n\r\n")
                self.heads.append(head.decode("latin-1"))
                body = head.split(b"\r\n")[0]
                connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body))
                connection.sendall(body)

    def close(self) -> None:
        self._listener.close()


@pytest.fixture
def origin() -> Iterator[Origin]:
    made = Origin()
    yield made
    made.close()


@pytest.fixture
def proxy() -> Iterator[ForwardProxy]:
    made = ForwardProxy()
    yield made
    made.close()


def test_proxies_a_plain_request_goes_through_the_proxy_in_absolute_form(
    origin: Origin, proxy: ForwardProxy
) -> None:
    proxies = proxies_from({"HTTP_PROXY": f"http://me:pw@127.0.0.1:{proxy.port}"})
    pool = Pool(connect=5, read=5, tls=tls_context, proxies=proxies)
    url = f"http://127.0.0.1:{origin.port}/simple/pkg/"
    assert pool.request(url, {}).data == b"GET /simple/pkg/ HTTP/1.1"
    lines = proxy.heads[0].split("\r\n")
    assert lines[0] == f"GET {url} HTTP/1.1"
    assert f"Proxy-Authorization: Basic {base64.b64encode(b'me:pw').decode()}" in lines
    assert "Proxy-Authorization" not in origin.heads[0]  # the proxy's login stays with it


def test_proxies_a_host_in_no_proxy_is_reached_directly(
    origin: Origin, proxy: ForwardProxy
) -> None:
    proxies = proxies_from({"HTTP_PROXY": proxy.url, "NO_PROXY": "localhost,127.0.0.1"})
    pool = Pool(connect=5, read=5, tls=tls_context, proxies=proxies)
    assert pool.request(f"http://127.0.0.1:{origin.port}/x", {}).data == b"GET /x HTTP/1.1"
    assert proxy.heads == []


THROUGH = """
import sys
from accord.reconciler.fetch import http
attempts = http.Attempts(unreachable=lambda url, retried, why: SystemExit(why), retries=0)
print(http.get(sys.argv[1], {}, attempts).data.decode())
"""


@needs_openssl
@pytest.mark.parametrize("refuse", [None, "407 Proxy Authentication Required"])
def test_proxies_an_https_request_goes_through_a_tunnel(tmp_path: Path, refuse: str | None) -> None:
    """``CONNECT`` to the host, then TLS end to end (the host's own certificate checked); a
    proxy that will not open the tunnel is a failure in words."""
    cert, key = self_signed(tmp_path)

    def answer(tls: ssl.SSLSocket) -> None:
        tls.recv(65536)
        tls.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nsecret")

    listener = serve_tls(cert, key, answer)
    port = listener.getsockname()[1]
    forward = ForwardProxy(refuse=refuse)
    try:
        env = {
            **{k: v for k, v in os.environ.items() if k.upper() not in _PROXY_VARIABLES},
            "SSL_CERT_FILE": str(cert),
            "HTTPS_PROXY": forward.url,
            "UV_HTTP_TIMEOUT": "30",
        }
        url = f"https://localhost:{port}/"
        ran = subprocess.run(
            [sys.executable, "-c", THROUGH, url], env=env, capture_output=True, text=True
        )
    finally:
        listener.close()
        forward.close()
    assert forward.heads[0].split("\r\n")[0] == f"CONNECT localhost:{port} HTTP/1.1"
    if refuse is None:
        assert (ran.returncode, ran.stdout) == (0, "secret\n"), ran.stderr
    else:
        assert ran.returncode == 1
        assert ran.stderr == (
            f"the proxy at 127.0.0.1:{forward.port} (`HTTPS_PROXY`) would not open a tunnel "
            f"to localhost:{port}: HTTP {refuse}\n"
        )
