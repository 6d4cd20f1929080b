"""Artifacts in the cache: download, verify, unpack once (apply stage, cache side).

``wheels/<sha256>/<file>``: archives, verified against the lock's sha256 before use, always.
``unpacked/<sha256>/``: each wheel unpacked once into an immutable tree.
Every write into the cache is a rename of a finished temporary file or directory, so a crash
never leaves a half-written entry behind a final name.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import unquote, urlsplit

import attrs

from accord.model.lock import Artifact
from accord.reconciler.errors import (
    DistributionInvalid,
    DistributionNotFound,
    DownloadFailed,
    DownloadNotCached,
    HashMismatch,
)
from accord.reconciler.fetch import http
from accord.reconciler.fetch.wheelfile import (
    MemberCheck,
    check_dist_info,
    safe_members,
    wheel_record,
)
from accord.reconciler.progress import progress
from accord.reconciler.threads import quiet

__all__ = [
    "PreparedWheel",
    "fetch_archive",
    "file_sha256",
    "prepare_wheels",
    "unpack_wheel",
]

_CHUNK = http.CHUNK
_SHA256 = re.compile(r"[0-9a-f]{64}")
_ATTEMPTS = http.Attempts(
    unreachable=lambda url, retried, reason: DownloadFailed(
        f"Failed to download `{url}`{retried}: {reason}"
    )
)


@attrs.frozen
class PreparedWheel:
    """A wheel verified and unpacked in the cache."""

    sha256: str
    tree: Path
    """The unpacked, immutable tree (never modified after the rename that created it)."""
    fresh: bool = attrs.field(default=False, eq=False)
    """Unpacked by this run (downloaded or built now), not found in the cache: what uv
    counts as ``Prepared``."""


def _fetch(url: str, destination: Path) -> str:
    """Stream ``url`` into ``destination``; return the sha256 of what was written.

    Refused and dropped connections, timeouts, 5xx answers and bodies shorter than announced
    are tried again (``reconciler.fetch.http``, ``reconciler.fetch.network``'s policy); each
    attempt starts the file afresh.
    """
    parts = urlsplit(url)
    if parts.scheme == "file":
        digest = hashlib.sha256()
        try:
            with open(unquote(parts.path), "rb") as source, destination.open("wb") as out:
                for block in iter(lambda: source.read(_CHUNK), b""):
                    digest.update(block)
                    out.write(block)
        except FileNotFoundError as exc:
            raise DistributionNotFound(f"Distribution not found at: {url}") from exc
        except OSError as exc:
            raise DownloadFailed(
                f"Failed to read `{url}`: {exc.strerror or exc}", path=Path(unquote(parts.path))
            ) from exc
        return digest.hexdigest()
    # The index's login (from its URL, UV_INDEX_<NAME>_*, or .netrc) also opens its files.
    return http.download(
        url,
        destination,
        _ATTEMPTS,
        refused=lambda response: DownloadFailed(
            f"Failed to download `{url}`: {http.status_line(response)}"
        ),
    )


def _unpack(archive_path: Path, tree: Path, name: str) -> None:
    """Unpack into a staging directory, verifying every member (``reconciler.fetch.wheelfile``),
    then rename it to ``tree``: a refused wheel leaves nothing behind."""
    staging = Path(tempfile.mkdtemp(prefix=".tmp-", dir=tree.parent))
    try:
        try:
            with zipfile.ZipFile(archive_path) as archive:
                members = safe_members(archive, name)
                dist_info, rows = wheel_record(archive, members, name)
                check_dist_info(archive, dist_info, name)
                for member in members:
                    target = staging / member.filename
                    if member.is_dir():
                        target.mkdir(parents=True, exist_ok=True)
                        continue
                    check = MemberCheck(name, member, rows, dist_info)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    with archive.open(member) as source, target.open("xb") as out:
                        for block in iter(lambda: source.read(_CHUNK), b""):
                            check.update(block)
                            out.write(block)
                    check.verify()
                    mode = (member.external_attr >> 16) & 0o777
                    os.chmod(target, 0o755 if mode & 0o111 else 0o644)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError) as exc:
            raise DistributionInvalid(f"The wheel `{name}` is not a valid zip file: {exc}") from exc
        except (FileExistsError, NotADirectoryError, IsADirectoryError) as exc:
            raise DistributionInvalid(
                f"The wheel `{name}` has a file and a directory at one path: "
                f"`{os.path.relpath(exc.filename or '', staging)}`"
            ) from exc
        try:
            os.rename(staging, tree)
        except OSError:
            if not tree.is_dir():  # lost a race to another process only if the tree now exists
                raise
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def _locked_sha256(artifact: Artifact) -> str | None:
    """The lock's sha256 for ``artifact``, once it is known to be 64 hex digits and its file
    name a plain name: both become paths in the cache."""
    expected = artifact.sha256
    if expected is not None and _SHA256.fullmatch(expected) is None:
        raise HashMismatch(f"`{artifact.name}` has an invalid sha256 in the lock: `{expected}`")
    name = artifact.name
    if name in (".", "..") or "\\" in name or "\0" in name:
        raise DownloadFailed(f"The lock names an artifact with an unusable file name: `{name}`")
    return expected


def fetch_archive(artifact: Artifact, cache: Path, *, offline: bool = False) -> tuple[str, Path]:
    """(sha256, path) of the artifact in ``wheels/<sha256>/<file>``, downloading and
    verifying it against the lock's hash unless it is already there."""
    expected = _locked_sha256(artifact)
    name = artifact.name
    archives = cache / "wheels"
    if expected is not None and (archives / expected / name).is_file():
        return expected, archives / expected / name
    if artifact.url is None:
        raise DownloadFailed(f"`{name}` has no URL to download it from")
    if offline and urlsplit(artifact.url).scheme != "file":
        raise DownloadNotCached(
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


def wheel_kept(artifact: Artifact, cache: Path) -> bool:
    """Whether the cache holds this locked wheel, unpacked or as downloaded."""
    sha256 = artifact.sha256
    if sha256 is None or _SHA256.fullmatch(sha256) is None:
        return False
    return (cache / "unpacked" / sha256).is_dir() or (cache / "wheels" / sha256).is_dir()


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
    if tree.is_dir():
        return PreparedWheel(sha256, tree)
    _unpack(wheel, tree, unquote(wheel.name))
    return PreparedWheel(sha256, tree, fresh=True)


def _prepare(artifact: Artifact, cache: Path, offline: bool = False) -> PreparedWheel:
    expected = _locked_sha256(artifact)
    if expected is not None:
        tree = cache / "unpacked" / expected
        if tree.is_dir():
            progress().count()
            return PreparedWheel(expected, tree)
    sha256, archive = fetch_archive(artifact, cache, offline=offline)
    prepared = unpack_wheel(archive, cache, sha256)
    progress().count()
    return prepared


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
    with ThreadPoolExecutor(max_workers=workers, initializer=quiet) as pool:
        futures = {
            name: pool.submit(_prepare, artifact, cache, offline)
            for name, artifact in wanted.items()
        }
        return {name: future.result() for name, future in futures.items()}
