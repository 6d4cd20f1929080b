"""An sdist's metadata read from the archive, before any build backend runs (lock stage).

``static_sdist_metadata`` looks inside a ``.tar.gz`` (or other tar) or ``.zip`` sdist for the
``pyproject.toml`` and ``PKG-INFO`` at the root of its source tree, in memory: nothing is
extracted, and a member larger than ``MAX_MEMBER_SIZE`` is refused rather than read. The
rules for trusting them (uv's order: ``pyproject.toml`` ``[project]``, then ``PKG-INFO`` 2.2+,
both checked against the file name) live in ``model.static_metadata``. ``None`` means "ask
the backend": ``ProjectBuilder.sdist_metadata`` then prepares the metadata as before.
"""

from __future__ import annotations

import posixpath
import tarfile
import zipfile
import zlib
from pathlib import Path
from typing import IO

from packaging.utils import InvalidName, NormalizedName, canonicalize_name
from packaging.version import InvalidVersion, Version

from accord.model.static_metadata import metadata_from_pkg_info, metadata_from_pyproject

__all__ = ["MAX_MEMBER_SIZE", "static_sdist_metadata", "static_tree_metadata"]

MAX_MEMBER_SIZE = 16 * 1024 * 1024
"""Larger ``pyproject.toml`` or ``PKG-INFO`` files are refused (a PKG-INFO carries the long
description, so a few hundred kilobytes happen; many megabytes do not)."""

_WANTED = ("pyproject.toml", "PKG-INFO")


class _Refused(Exception):
    """A wanted member that cannot be read safely (too large, or not a regular file)."""


def _member_path(name: str) -> str | None:
    """A member's normalized relative path; None for one that would leave the tree (the
    sdist is then left to ``unpack_sdist``, which reports it)."""
    path = name.replace("\\", "/")
    normal = posixpath.normpath(path)
    if path.startswith("/") or ":" in path or normal == ".." or normal.startswith("../"):
        return None
    return normal


def _read(stream: IO[bytes] | None, size: int) -> bytes:
    if stream is None or size > MAX_MEMBER_SIZE:
        raise _Refused
    data = stream.read(MAX_MEMBER_SIZE + 1)  # the header's size is not trusted
    if len(data) > MAX_MEMBER_SIZE:
        raise _Refused
    return data


class _Tree:
    """What the archive holds at the root of its source tree, gathered in one pass.

    ``unpack_sdist`` takes a single top-level directory as the tree's root, and the archive's
    root otherwise; both candidates are kept until the members are all seen."""

    def __init__(self) -> None:
        self.tops: set[str] = set()
        self.top_is_directory = False
        self.at_root: dict[str, bytes] = {}
        self.in_top: dict[str, bytes] = {}

    def wants(self, path: str) -> bool:
        top, _, below = path.partition("/")
        if below:
            return below in _WANTED and self.tops <= {top}
        return path in _WANTED

    def add(self, path: str, is_directory: bool, data: bytes | None) -> None:
        top, _, below = path.partition("/")
        self.tops.add(top)
        if below or is_directory:
            self.top_is_directory = self.top_is_directory or len(self.tops) == 1
        if len(self.tops) > 1:
            self.in_top.clear()  # no single top-level directory: the root is the archive's
        if data is None:
            return
        if below:
            self.in_top[below] = data  # a later duplicate wins, as when extracting
        else:
            self.at_root[path] = data

    def files(self) -> dict[str, bytes]:
        if len(self.tops) == 1 and self.top_is_directory:
            return self.in_top
        return self.at_root


def _scan_tar(archive: Path) -> dict[str, bytes]:
    tree = _Tree()
    with tarfile.open(archive) as tar:
        for info in tar:
            path = _member_path(info.name)
            if path is None or path == ".":
                continue
            data = None
            if tree.wants(path):
                if not info.isfile():
                    raise _Refused
                data = _read(tar.extractfile(info), info.size)
            tree.add(path, info.isdir(), data)
    return tree.files()


def _scan_zip(archive: Path) -> dict[str, bytes]:
    tree = _Tree()
    with zipfile.ZipFile(archive) as zip_file:
        for info in zip_file.infolist():
            path = _member_path(info.filename)
            if path is None or path == ".":
                continue
            data = None
            if not info.is_dir() and tree.wants(path):
                with zip_file.open(info) as stream:
                    data = _read(stream, info.file_size)
            tree.add(path, info.is_dir(), data)
    return tree.files()


def _unreadable() -> tuple[type[BaseException], ...]:
    errors: list[type[BaseException]] = [
        tarfile.TarError,
        zipfile.BadZipFile,
        zlib.error,
        EOFError,
        OSError,
        ValueError,
        _Refused,
    ]
    try:
        import lzma  # absent from some Python builds
    except ImportError:  # pragma: no cover - depends on the interpreter's build
        pass
    else:
        errors.append(lzma.LZMAError)
    return tuple(errors)


def static_sdist_metadata(archive: Path, name: NormalizedName, version: Version) -> bytes | None:
    """Core metadata of the sdist at ``archive`` (whose file name says ``name`` and
    ``version``), read without building: from its ``pyproject.toml`` ``[project]`` table, else
    its ``PKG-INFO``, under uv's rules (``model.static_metadata``). None when neither can be
    relied on, or the archive cannot be read (the build path then reports what is wrong);
    never raises for the archive's contents."""
    try:
        files = (_scan_zip if archive.name.endswith(".zip") else _scan_tar)(archive)
    except _unreadable():
        return None
    pyproject = files.get("pyproject.toml")
    if pyproject is not None:
        try:
            text = pyproject.decode("utf-8")
        except UnicodeDecodeError:
            text = None
        metadata = None if text is None else metadata_from_pyproject(text, name, version)
        if metadata is not None:
            return metadata
    pkg_info = files.get("PKG-INFO")
    if pkg_info is not None:
        return metadata_from_pkg_info(pkg_info, name, version)
    return None


def static_tree_metadata(tree: Path) -> bytes | None:
    """Core metadata of the project in a directory of an unpacked archive (a ``url`` source's
    ``subdirectory``), read from its ``pyproject.toml`` ``[project]`` table under uv's rules
    when the table states the name and version (no file name fixes them here); None to ask
    the backend."""
    from accord.model.toml import TomlSyntaxError, loads

    try:
        text = (tree / "pyproject.toml").read_text(encoding="utf-8")
        project = loads(text).get("project")
        if not isinstance(project, dict):
            return None
        name = canonicalize_name(str(project["name"]), validate=True)
        version = Version(str(project["version"]))
    except (OSError, UnicodeError, TomlSyntaxError, KeyError, InvalidName, InvalidVersion):
        return None
    return metadata_from_pyproject(text, name, version)
