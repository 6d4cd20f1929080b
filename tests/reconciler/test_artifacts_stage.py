"""Artifacts as a stage: wheels downloaded from an index on 127.0.0.1, verified against the
lock's hash, kept in the cache by sha256 and unpacked once; offline, HTTP and hash failures
leave nothing behind; what the wheel spec allows in an archive is accepted."""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from accord.model.lock import Artifact
from accord.reconciler.errors import DownloadFailed, DownloadNotCached, HashMismatch
from accord.reconciler.fetch.artifacts import prepare_wheels
from fixtures.index import IndexServer, build_index
from fixtures.resolver_catalog import build_resolver_catalog
from fixtures.wheels import WheelSpec, build_wheel
from tests.reconciler.envs import Env, rewrite_wheel, wheel_dist


@pytest.fixture(scope="module")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return build_resolver_catalog(tmp_path_factory.mktemp("artifact-dists"))


@pytest.fixture(scope="module")
def server(wheels: list[Path], tmp_path_factory: pytest.TempPathFactory) -> Iterator[IndexServer]:
    with IndexServer(build_index(sorted(wheels), tmp_path_factory.mktemp("idx"))) as running:
        yield running


def _artifact(server: IndexServer, wheels: list[Path], name: str, *, digest: str = "") -> Artifact:
    wheel = next(w for w in wheels if w.name.startswith(name + "-"))
    sha256 = digest or hashlib.sha256(wheel.read_bytes()).hexdigest()
    project = name.split("-", 1)[0].replace("_", "-")
    return Artifact(url=f"{server.url}{project}/{wheel.name}", hash=f"sha256:{sha256}")


def test_prepare_wheels_downloads_verifies_and_caches(
    server: IndexServer, wheels: list[Path], tmp_path: Path
) -> None:
    artifact = _artifact(server, wheels, "rv_base-1.0")
    server.reset_requests()
    prepared = prepare_wheels([artifact], tmp_path)  # online unless told otherwise
    (wheel,) = prepared.values()
    assert (wheel.tree / "rv_base" / "__init__.py").is_file()
    sha256 = artifact.hash.split(":", 1)[1] if artifact.hash else ""
    assert (tmp_path / "wheels" / sha256 / "rv_base-1.0-py3-none-any.whl").is_file()
    downloads = sum(server.requests.values())
    assert downloads >= 1
    again = prepare_wheels([artifact], tmp_path, offline=True)  # the cache answers
    assert again == prepared
    assert sum(server.requests.values()) == downloads


def test_prepare_wheels_offline_without_the_wheel_cached(
    server: IndexServer, wheels: list[Path], tmp_path: Path
) -> None:
    with pytest.raises(DownloadNotCached) as caught:
        prepare_wheels([_artifact(server, wheels, "rv_pre-0.1a1")], tmp_path, offline=True)
    assert caught.value.message == (
        "`rv_pre-0.1a1-py3-none-any.whl` is not in the cache, and `--offline` was given"
    )


def test_prepare_wheels_hash_mismatch_keeps_nothing(
    server: IndexServer, wheels: list[Path], tmp_path: Path
) -> None:
    artifact = _artifact(server, wheels, "rv_stable-1.0", digest="0" * 64)
    with pytest.raises(HashMismatch) as caught:
        prepare_wheels([artifact], tmp_path)
    assert caught.value.message.startswith(
        f"Hash mismatch for `rv_stable-1.0-py3-none-any.whl`: the lock says sha256:{'0' * 64}, "
    )
    assert [p.name for p in (tmp_path / "wheels").iterdir()] == []


def test_prepare_wheels_names_the_http_status_of_a_failed_download(
    server: IndexServer, tmp_path: Path
) -> None:
    url = f"{server.url}rv-base/rv_base-9.9-py3-none-any.whl"
    with pytest.raises(DownloadFailed) as caught:
        prepare_wheels([Artifact(url=url, hash="sha256:" + "0" * 64)], tmp_path)
    assert caught.value.message == f"Failed to download `{url}`: HTTP 404 Not Found"


def test_unpack_accepts_a_directory_entry_after_its_files(env: Env) -> None:
    wheel = build_wheel(WheelSpec("dirs", "1.0"), env.wheels / "plain")
    with_dir = rewrite_wheel(wheel, env.wheels / wheel.name, add=[(zipfile.ZipInfo("dirs/"), b"")])
    env.sync(wheel_dist(with_dir))
    assert (env.site / "dirs" / "__init__.py").is_file()


def test_unpack_accepts_record_signatures_that_record_does_not_list(env: Env) -> None:
    """RECORD.jws and RECORD.p7s sign RECORD, so RECORD cannot list them (the wheel spec)."""
    wheel = build_wheel(WheelSpec("signed", "1.0"), env.wheels / "plain")
    signed = rewrite_wheel(
        wheel,
        env.wheels / wheel.name,
        add=[
            ("signed-1.0.dist-info/RECORD.jws", b"{}"),
            ("signed-1.0.dist-info/RECORD.p7s", b"\x00"),
        ],
    )
    env.sync(wheel_dist(signed))
    assert (env.site / "signed" / "__init__.py").is_file()
