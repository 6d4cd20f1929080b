"""Wheels built from sdists, once (apply stage, build side).

``build_sdist_wheel`` verifies an sdist against its sha256, unpacks it (tar or zip; an sdist
is untrusted input, so every member path is checked) into a temporary directory in the
cache, builds it with ``reconciler.build.backend.build_wheel`` and keeps the wheel at
``<cache>/built/<sha256 of the sdist>/<wheel file>``, renamed into place once finished.
A later call finds it there and runs no backend. Several wheels of one sdist can sit side by
side (one per interpreter, for sdists with compiled code); the best one for the interpreter's
tags is used.
"""

from __future__ import annotations

import os
import posixpath
import tarfile
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from packaging.utils import InvalidWheelFilename, parse_wheel_filename

from accord.model.config_settings import ConfigSettings
from accord.model.interpreter import Interpreter
from accord.reconciler.build.backend import build_wheel
from accord.reconciler.console import building
from accord.reconciler.errors import DistributionInvalid, HashMismatch
from accord.reconciler.fetch.artifacts import file_sha256
from accord.reconciler.filelocks import scratch_directory

if TYPE_CHECKING:
    from packaging.requirements import Requirement

    from accord.reconciler.fetch.index import IndexClient

__all__ = ["build_key", "build_sdist_wheel", "unpack_sdist"]


def _built_wheel(directory: Path, interpreter: Interpreter) -> Path | None:
    """The wheel in ``directory`` whose best tag ranks highest for ``interpreter``."""
    if not directory.is_dir():
        return None
    priority = interpreter.tag_priority()
    best: tuple[int, str, Path] | None = None
    for path in directory.glob("*.whl"):
        if path.name.startswith("."):
            continue  # a temporary file still being renamed into place
        try:
            _, _, _, tags = parse_wheel_filename(path.name)
        except InvalidWheelFilename:
            continue
        ranks = [priority[str(tag)] for tag in tags if str(tag) in priority]
        if ranks and (best is None or (min(ranks), path.name) < best[:2]):
            best = (min(ranks), path.name, path)
    return best[2] if best else None


def _checked(name: str, member: str) -> str:
    """``member`` as a safe relative path, or ``DistributionInvalid``."""
    path = member.replace("\\", "/")
    normal = posixpath.normpath(path)
    # Absolute paths, drive letters and parent references would write outside the tree.
    if path.startswith("/") or ":" in path or normal == ".." or normal.startswith("../"):
        raise DistributionInvalid(f"The sdist `{name}` has an unsafe path: `{member}`")
    return normal


def _inside(root: Path, target: Path) -> bool:
    real_root = os.path.realpath(root)
    return os.path.commonpath([real_root, os.path.realpath(target)]) == real_root


def _write(root: Path, name: str, member: str, data: bytes | None, executable: bool) -> None:
    target = root / member
    if not _inside(root, target):
        raise DistributionInvalid(f"The sdist `{name}` writes through a link: `{member}`")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data or b"")
    os.chmod(target, 0o755 if executable else 0o644)


def _extract_tar(sdist: Path, root: Path) -> None:
    name = sdist.name
    with tarfile.open(sdist) as archive:
        for info in archive:
            member = _checked(name, info.name)
            if member == ".":
                continue
            if info.isdir():
                (root / member).mkdir(parents=True, exist_ok=True)
            elif info.isfile():
                stream = archive.extractfile(info)
                data = stream.read() if stream is not None else b""
                _write(root, name, member, data, bool(info.mode & 0o111))
            elif info.issym():
                pointee = posixpath.join(posixpath.dirname(member), info.linkname)
                pointee = posixpath.normpath(pointee)
                if info.linkname.startswith("/") or pointee == ".." or pointee.startswith("../"):
                    raise DistributionInvalid(
                        f"The sdist `{name}` has a link out of the tree: `{info.name}`"
                    )
                (root / member).parent.mkdir(parents=True, exist_ok=True)
                os.symlink(info.linkname, root / member)
            elif info.islnk():
                origin = root / _checked(name, info.linkname)
                if not origin.is_file() or not _inside(root, origin):
                    raise DistributionInvalid(
                        f"The sdist `{name}` has a bad hard link: `{info.name}`"
                    )
                _write(root, name, member, origin.read_bytes(), os.access(origin, os.X_OK))
            else:
                raise DistributionInvalid(
                    f"The sdist `{name}` has a member that is not a file: `{info.name}`"
                )


def _extract_zip(sdist: Path, root: Path) -> None:
    name = sdist.name
    with zipfile.ZipFile(sdist) as archive:
        for info in archive.infolist():
            member = _checked(name, info.filename)
            if member == ".":
                continue
            if info.is_dir():
                (root / member).mkdir(parents=True, exist_ok=True)
                continue
            mode = (info.external_attr >> 16) & 0o777
            _write(root, name, member, archive.read(info), bool(mode & 0o111))


def build_key(sha256: str, subdirectory: str | None = None) -> str:
    """The name of an sdist's entry under ``<cache>/built``: its sha256, or, for the project
    in one of its subdirectories (an archive holding several), a digest of both, so that
    each project of the archive has a wheel of its own."""
    if subdirectory is None:
        return sha256
    import hashlib

    return hashlib.sha256(f"{sha256}#subdirectory={subdirectory}".encode()).hexdigest()


def unpack_sdist(
    sdist: Path, dest: Path, subdirectory: str | None = None, *, origin: str | None = None
) -> Path:
    """Unpack ``sdist`` (``.tar.gz`` and other tar forms, or ``.zip``) into the empty or
    missing directory ``dest``; return the source tree (its single top-level directory, or
    ``subdirectory`` within it: a ``url`` source's ``subdirectory``, as uv takes it).

    Raises ``DistributionInvalid`` for an unreadable archive, an unsafe member path or link,
    a ``subdirectory`` the archive does not hold (``origin`` names the archive, as uv does:
    its URL; the file name by default), or a tree with neither pyproject.toml nor setup.py.
    """
    dest.mkdir(parents=True, exist_ok=True)
    try:
        if sdist.name.endswith(".zip"):
            _extract_zip(sdist, dest)
        else:
            _extract_tar(sdist, dest)
    except (tarfile.TarError, zipfile.BadZipFile, EOFError, OSError) as exc:
        raise DistributionInvalid(f"The sdist `{sdist.name}` cannot be unpacked: {exc}") from exc
    entries = list(dest.iterdir())
    root = entries[0] if len(entries) == 1 and entries[0].is_dir() else dest
    if subdirectory is not None:
        within = root / subdirectory
        if not (_inside(root, within) and within.is_dir()):
            raise DistributionInvalid(
                f"The source distribution `{origin or sdist.name}` has no subdirectory "
                f"`{subdirectory}`"
            )
        root = within
    if not ((root / "pyproject.toml").is_file() or (root / "setup.py").is_file()):
        raise DistributionInvalid(
            f"The sdist `{sdist.name}` has neither pyproject.toml nor setup.py at its root"
        )
    return root


def build_sdist_wheel(
    sdist: Path,
    sha256: str,
    *,
    interpreter: Interpreter,
    cache: Path,
    client_factory: Callable[[], IndexClient],
    isolation: bool = True,
    constraints: Sequence[Requirement] = (),
    config_settings: ConfigSettings | None = None,
    label: str | None = None,
    subdirectory: str | None = None,
) -> Path:
    """The wheel built from ``sdist`` (the project in its ``subdirectory``, when given) for
    ``interpreter``: from ``<cache>/built/<key>/`` (``build_key``; ``<key>-<shard>`` with
    ``config_settings``) when one is there (no backend runs), else built now and kept there.

    ``label`` names it in uv's ``Building``/``Built`` lines (the file's name without).

    Raises ``HashMismatch`` when ``sdist`` is not the file ``sha256`` names (checked before
    anything is unpacked), ``DistributionInvalid`` for a bad archive, and whatever
    ``build_wheel`` raises. The cache entry appears only once the wheel is complete.
    """
    settings = config_settings if config_settings is not None else ConfigSettings()
    shard = settings.cache_shard()
    key = build_key(sha256, subdirectory)
    key = key if shard is None else f"{key}-{shard}"
    built = cache / "built" / key
    found = _built_wheel(built, interpreter)
    if found is not None:
        return found
    actual = file_sha256(sdist)
    if actual != sha256:
        raise HashMismatch(
            f"Hash mismatch for `{sdist.name}`: expected sha256:{sha256}, "
            f"the file is sha256:{actual}",
            hint="nothing was built",
        )
    from filelock import FileLock  # slow path only

    built.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(built.parent / f"{key}.lock")):
        found = _built_wheel(built, interpreter)
        if found is not None:  # built by another process while we waited
            return found
        with scratch_directory(cache / "builds", ".tmp-sdist-") as temporary:
            source = unpack_sdist(sdist, Path(temporary) / "source", subdirectory)
            with building(label or sdist.name):
                wheel = build_wheel(
                    source,
                    editable=False,
                    interpreter=interpreter,
                    cache=cache,
                    client_factory=client_factory,
                    isolation=isolation,
                    output=Path(temporary) / "wheel",
                    name=sdist.name,
                    constraints=constraints,
                    config_settings=settings,
                )
            built.mkdir(exist_ok=True)
            final = built / wheel.name
            os.replace(wheel, final)  # both in the cache, so one file system: atomic
    return final
