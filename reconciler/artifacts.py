"""Artifacts in the cache: download, verify, unpack once (apply stage, cache side).

``wheels/<sha256>/<file>``: archives, verified against the lock's sha256 before use, always.
``unpacked/<sha256>/``: each wheel unpacked once into an immutable tree.
Every write into the cache is a rename of a finished temporary file or directory, so a crash
never leaves a half-written entry behind a final name.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import threading
import zipfile
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

import attrs

from model.lock import Artifact
from reconciler.errors import DistributionInvalid, DownloadFailed, HashMismatch

if TYPE_CHECKING:
    import urllib3

__all__ = [
    "PreparedWheel",
    "fetch_archive",
    "file_sha256",
    "prepare_wheels",
    "unpack_wheel",
]

_CHUNK = 1 << 16
_pool_lock = threading.Lock()
_pool: urllib3.PoolManager | None = None


@attrs.frozen
class PreparedWheel:
    """A wheel verified and unpacked in the cache."""

    sha256: str
    tree: Path
    """The unpacked, immutable tree (never modified after the rename that created it)."""


def _http() -> urllib3.PoolManager:
    global _pool
    with _pool_lock:
        if _pool is None:
            import urllib3  # slow path only

            retries = urllib3.Retry(
                total=3, backoff_factor=0.2, status_forcelist=(500, 502, 503, 504)
            )
            # A stalled server must not hang a sync for ever (as the index client does).
            timeout = urllib3.Timeout(connect=10.0, read=60.0)
            _pool = urllib3.PoolManager(maxsize=16, retries=retries, timeout=timeout)
        return _pool


def _fetch(url: str, destination: Path) -> str:
    """Stream ``url`` into ``destination``; return the sha256 of what was written."""
    digest = hashlib.sha256()
    parts = urlsplit(url)
    if parts.scheme == "file":
        with open(unquote(parts.path), "rb") as source, destination.open("wb") as out:
            for block in iter(lambda: source.read(_CHUNK), b""):
                digest.update(block)
                out.write(block)
        return digest.hexdigest()
    import urllib3  # slow path only

    try:
        response = _http().request("GET", url, preload_content=False)
    except urllib3.exceptions.HTTPError as exc:
        raise DownloadFailed(f"Failed to download `{url}`: {exc}") from exc
    try:
        if response.status != 200:
            raise DownloadFailed(f"Failed to download `{url}`: HTTP {response.status}")
        with destination.open("wb") as out:
            for block in response.stream(_CHUNK):
                digest.update(block)
                out.write(block)
    except urllib3.exceptions.HTTPError as exc:
        raise DownloadFailed(f"Failed to download `{url}`: {exc}") from exc
    finally:
        response.release_conn()
    return digest.hexdigest()


def _safe_members(archive: zipfile.ZipFile, name: str) -> list[zipfile.ZipInfo]:
    members = archive.infolist()
    for member in members:
        path = member.filename
        # Reject absolute paths and parent references: a wheel is untrusted input.
        if path.startswith(("/", "\\")) or ".." in Path(path).parts or ":" in path:
            raise DistributionInvalid(f"The wheel `{name}` has an unsafe path: `{path}`")
    if not any(m.filename.split("/", 1)[0].endswith(".dist-info") for m in members):
        raise DistributionInvalid(f"The wheel `{name}` has no .dist-info directory")
    return members


def _unpack(archive_path: Path, tree: Path, name: str) -> None:
    staging = Path(tempfile.mkdtemp(prefix=".tmp-", dir=tree.parent))
    try:
        try:
            with zipfile.ZipFile(archive_path) as archive:
                members = _safe_members(archive, name)
                for member in members:
                    target = staging / member.filename
                    if member.is_dir():
                        target.mkdir(parents=True, exist_ok=True)
                        continue
                    target.parent.mkdir(parents=True, exist_ok=True)
                    with archive.open(member) as source, target.open("wb") as out:
                        shutil.copyfileobj(source, out, _CHUNK)
                    mode = (member.external_attr >> 16) & 0o777
                    os.chmod(target, 0o755 if mode & 0o111 else 0o644)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError) as exc:
            raise DistributionInvalid(f"The wheel `{name}` is not a valid zip file: {exc}") from exc
        try:
            os.rename(staging, tree)
        except OSError:
            if not tree.is_dir():  # lost a race to another process only if the tree now exists
                raise
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def fetch_archive(artifact: Artifact, cache: Path, *, offline: bool = False) -> tuple[str, Path]:
    """(sha256, path) of the artifact in ``wheels/<sha256>/<file>``, downloading and
    verifying it against the lock's hash unless it is already there."""
    expected = artifact.sha256
    name = artifact.name
    archives = cache / "wheels"
    if expected is not None and (archives / expected / name).is_file():
        return expected, archives / expected / name
    if artifact.url is None:
        raise DownloadFailed(f"`{name}` has no URL to download it from")
    if offline and urlsplit(artifact.url).scheme != "file":
        raise DownloadFailed(
            f"`{name}` is not in the cache, and `--offline` was given",
            hint="run once without --offline to download it",
        )
    archives.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".tmp-", dir=archives)
    os.close(handle)
    try:
        actual = _fetch(artifact.url, Path(temporary))
        if expected is not None and actual != expected:
            raise HashMismatch(
                f"Hash mismatch for `{name}`: the lock says sha256:{expected}, "
                f"the download is sha256:{actual}",
                hint="the index serves a different file than the one locked; nothing was "
                "installed. Re-lock if the change is intended.",
            )
        final_dir = archives / actual
        final_dir.mkdir(exist_ok=True)
        os.replace(temporary, final_dir / name)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return actual, final_dir / name


def file_sha256(path: Path) -> str:
    """The sha256 hex digest of a file, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(_CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def unpack_wheel(wheel: Path, cache: Path, sha256: str | None = None) -> PreparedWheel:
    """``unpacked/<sha256>/`` for a wheel file on disk (unpacked once)."""
    if sha256 is None:
        sha256 = file_sha256(wheel)
    tree = cache / "unpacked" / sha256
    tree.parent.mkdir(parents=True, exist_ok=True)
    if not tree.is_dir():
        _unpack(wheel, tree, wheel.name)
    return PreparedWheel(sha256, tree)


def _prepare(artifact: Artifact, cache: Path, offline: bool = False) -> PreparedWheel:
    expected = artifact.sha256
    if expected is not None:
        tree = cache / "unpacked" / expected
        if tree.is_dir():
            return PreparedWheel(expected, tree)
    sha256, archive = fetch_archive(artifact, cache, offline=offline)
    return unpack_wheel(archive, cache, sha256)


def prepare_wheels(
    artifacts: Iterable[Artifact], cache: Path, *, offline: bool = False
) -> dict[str, PreparedWheel]:
    """Download (in parallel), verify and unpack each wheel; keyed by artifact file name.

    Raises the first DownloadFailed, HashMismatch or DistributionInvalid; nothing outside the
    cache is touched, so a failure here leaves the environment as it was.
    """
    wanted = {artifact.name: artifact for artifact in artifacts}
    if not wanted:
        return {}
    workers = min(8, len(wanted))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {
            name: pool.submit(_prepare, artifact, cache, offline)
            for name, artifact in wanted.items()
        }
        return {name: future.result() for name, future in futures.items()}
