"""Index logins: taken out of URLs, sent as HTTP Basic auth, never written or shown.

Runs the index client against the fixture index served on 127.0.0.1 behind a Basic-auth login.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from accord.reconciler.credentials import (
    Credentials,
    auth_headers,
    credentials_for,
    forget_all,
    redact,
    remember_index,
    strip_credentials,
)
from accord.reconciler.errors import IndexUnavailable
from accord.reconciler.fetch.index import IndexClient
from fixtures.index import IndexServer

TOKEN = "s3cr3t-T0KEN"


@pytest.fixture(autouse=True)
def _no_logins(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    monkeypatch.setenv("NETRC", str(tmp_path / "no-netrc"))
    for key in list(os.environ):
        if key.startswith("UV_INDEX_"):
            monkeypatch.delenv(key)
    forget_all()
    yield
    forget_all()


@pytest.fixture(scope="module")
def locked_index(index_dir: Path) -> Iterator[IndexServer]:
    with IndexServer(index_dir, auth=("alice", TOKEN)) as server:
        yield server


def _with_login(url: str, login: str) -> str:
    return url.replace("http://", f"http://{login}@", 1)


def _files_under(root: Path) -> dict[Path, bytes]:
    return {path: path.read_bytes() for path in root.rglob("*") if path.is_file()}


def test_strip_credentials_splits_and_unquotes() -> None:
    assert strip_credentials("https://u%40x:p%3Aw@host:8443/simple/") == (
        "https://host:8443/simple/",
        Credentials("u@x", "p:w"),
    )
    assert strip_credentials("https://TOKEN@host/simple/") == (
        "https://host/simple/",
        Credentials("TOKEN", None),
    )
    assert strip_credentials("https://host/simple/") == ("https://host/simple/", None)


def test_redact_hides_every_login_in_a_text() -> None:
    text = "Failed to fetch `http://alice:TOKEN@h/simple/x/` (from https://TOKEN@g/simple/)"
    assert (
        redact(text)
        == "Failed to fetch `http://alice:****@h/simple/x/` (from https://****@g/simple/)"
    )


def test_an_error_message_never_carries_a_login() -> None:
    error = IndexUnavailable(
        "Failed to fetch `http://alice:TOKEN@h/simple/`", hint="see http://a:b@h/"
    )
    assert (error.message, error.hint) == (
        "Failed to fetch `http://alice:****@h/simple/`",
        "see http://a:****@h/",
    )


def test_a_login_is_sent_only_to_its_realm() -> None:
    assert (
        remember_index(f"http://alice:{TOKEN}@127.0.0.1:9/simple/") == "http://127.0.0.1:9/simple/"
    )
    assert credentials_for("http://127.0.0.1:9/simple/pkg/pkg-1.0.whl") == Credentials(
        "alice", TOKEN
    )
    assert credentials_for("http://127.0.0.1:9/files/pkg-1.0.whl") == Credentials("alice", TOKEN)
    assert credentials_for("http://127.0.0.1:10/simple/") is None
    assert credentials_for("https://127.0.0.1:9/simple/") is None
    assert credentials_for("http://localhost:9/simple/") is None


def test_named_index_reads_uv_index_name_username_and_password(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("UV_INDEX_INTERNAL_PROXY_USERNAME", "bob")
    monkeypatch.setenv("UV_INDEX_INTERNAL_PROXY_PASSWORD", TOKEN)
    remember_index("https://pkgs.example/simple/", name="internal-proxy")
    assert credentials_for("https://pkgs.example/simple/pkg/") == Credentials("bob", TOKEN)
    assert credentials_for("https://other.example/simple/pkg/") is None


def test_netrc_answers_for_its_host(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    netrc = tmp_path / "netrc"
    netrc.write_text(f"machine pkgs.example login carol password {TOKEN}\n", encoding="utf-8")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    assert auth_headers("https://pkgs.example/simple/") == {
        "Authorization": Credentials("carol", TOKEN).header()
    }
    assert auth_headers("https://elsewhere.example/simple/") == {}


def test_index_client_logs_in_and_keeps_the_token_out_of_its_cache(
    locked_index: IndexServer, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    with IndexClient([_with_login(locked_index.url, f"alice:{TOKEN}")], cache_dir=cache) as client:
        files = client.files("pkg")
        metadata = client.metadata(files[0])

    assert b"\nName: pkg\n" in metadata  # fetched with the login
    assert client.indexes == (locked_index.url,)
    assert {file.index for file in files} == {locked_index.url}
    assert all("alice" not in file.url and TOKEN not in file.url for file in files)
    written = _files_under(cache)
    assert written, "the page was not cached"
    for path, data in written.items():
        assert TOKEN.encode() not in data and b"alice" not in data, path
        assert TOKEN not in str(path) and "alice" not in str(path)
    assert not locked_index.unauthorized


def test_index_client_without_login_names_the_cause(
    locked_index: IndexServer, tmp_path: Path
) -> None:
    client = IndexClient([locked_index.url], cache_dir=tmp_path / "cache")
    with client, pytest.raises(IndexUnavailable) as raised:
        client.files("pkg")
    assert (
        raised.value.message == f"Failed to fetch `{locked_index.url}pkg/`: HTTP 401 Unauthorized"
    )
    assert raised.value.hint is not None and "UV_INDEX_<NAME>_USERNAME" in raised.value.hint


def test_index_client_with_a_wrong_login_never_shows_it(
    locked_index: IndexServer, tmp_path: Path
) -> None:
    wrong = _with_login(locked_index.url, "alice:WRONG-TOKEN")
    client = IndexClient([wrong], cache_dir=tmp_path / "cache")
    with client, pytest.raises(IndexUnavailable) as raised:
        client.files("pkg")
    assert "WRONG-TOKEN" not in raised.value.message
    assert locked_index.unauthorized
