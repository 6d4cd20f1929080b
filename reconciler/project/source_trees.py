"""Local source trees and archives as the plan sees them (project stage): where each one is,
the digest of its build inputs, and uv's freshness records for it.

``source_tree_digest`` decides when a source tree must be rebuilt: a digest of its build
inputs, uv's default cache keys (pyproject.toml, setup.py, setup.cfg) plus any
``tool.uv.cache-keys`` file entries. Editing a module is not a build input: an editable
install picks it up as it is. ``uv_freshness_files`` are the records uv keeps beside such an
install, written by apply so that uv and accord accept each other's installs; the fast path's
stamp watches the same inputs (``build_inputs``, ``uv_default_cache_keys``).
"""

from __future__ import annotations

import glob
import hashlib
from pathlib import Path
from urllib.parse import unquote, urlsplit

import attrs

from accord.model.config_settings import BuildSettings, ConfigSettings
from accord.model.desired import ArtifactKind, DesiredDist, DesiredEnvironment
from accord.model.lock import SourceKind

__all__ = [
    "build_inputs",
    "locate_source_trees",
    "source_tree_digest",
    "tree_path",
    "tree_revision",
    "uv_default_cache_keys",
    "uv_freshness_files",
]


_DEFAULT_KEYS = ("pyproject.toml", "setup.py", "setup.cfg")


def tree_path(dist: DesiredDist) -> Path:
    """The directory of a source-tree dist, from its file:// URL."""
    if dist.directory_url is None:
        raise ValueError(f"{dist.name} has no directory")
    return Path(unquote(urlsplit(dist.directory_url).path))


def _cache_key_files(directory: Path) -> list[str]:
    from accord.reconciler.project.discover import read_pyproject, toml_table

    patterns = list(_DEFAULT_KEYS)
    pyproject = directory / "pyproject.toml"
    if pyproject.is_file():
        data = read_pyproject(pyproject)
        keys = toml_table(data, "tool", "uv").get("cache-keys")
        if isinstance(keys, list):
            patterns = [str(k["file"]) for k in keys if isinstance(k, dict) and "file" in k]
    files: set[str] = set()
    for pattern in patterns:
        files.update(glob.glob(pattern, root_dir=directory, recursive=True))
    return sorted(files)


def build_inputs(directory: Path) -> tuple[list[str], list[tuple[str, str]]]:
    """What ``source_tree_digest`` reads, for the fast path's stamp: the files (absolute,
    whether they exist or not, so creating one is seen) and the (directory, pattern) pairs of
    wildcard ``tool.uv.cache-keys``."""
    from accord.reconciler.project.discover import read_pyproject, toml_table

    patterns = list(_DEFAULT_KEYS)
    pyproject = directory / "pyproject.toml"
    if pyproject.is_file():
        keys = toml_table(read_pyproject(pyproject), "tool", "uv").get("cache-keys")
        if isinstance(keys, list):
            patterns = [str(k["file"]) for k in keys if isinstance(k, dict) and "file" in k]
    files = [str(pyproject)]
    globs: list[tuple[str, str]] = []
    for pattern in patterns:
        if any(char in pattern for char in "*?["):
            globs.append((str(directory), pattern))
        elif str(directory / pattern) not in files:
            files.append(str(directory / pattern))
    return files, globs


def source_tree_digest(directory: Path, settings: ConfigSettings | None = None) -> str:
    """A digest of the build inputs of the source tree at ``directory``, and of the config
    settings its build gets (none: the digest such trees always had)."""
    digest = hashlib.sha256()
    if settings is not None and not settings.is_empty:
        digest.update(b"config-settings\0" + settings.uv_build_json() + b"\0")
    for name in _cache_key_files(directory):
        path = directory / name
        digest.update(name.encode() + b"\0")
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(b"-")
        digest.update(b"\0")
    return digest.hexdigest()[:32]


def tree_revision(directory: Path) -> str:
    """When a source tree's prepared metadata is kept: as long as its build inputs
    (``source_tree_digest``) and the ``ctime`` of each cache-key file stay the same (uv
    prepares again when a cache key's timestamp moves, even with the same content)."""
    import os

    digest = hashlib.sha256(source_tree_digest(directory).encode())
    for name in _cache_key_files(directory):
        try:
            digest.update(f"{name}\0{os.stat(directory / name).st_ctime_ns}\0".encode())
        except OSError:
            digest.update(f"{name}\0-\0".encode())
    return digest.hexdigest()[:32]


def _uv_timestamp(nanos: int) -> dict[str, int]:
    # serde's form of a std::time::SystemTime, which uv's Timestamp wraps.
    return {"secs_since_epoch": nanos // 1_000_000_000, "nanos_since_epoch": nanos % 1_000_000_000}


def _uv_cache_json(
    timestamp_ns: int | None, directories: dict[str, dict[str, int] | int | None]
) -> bytes:
    """uv's ``CacheInfo`` as serde_json writes it: compact, fields in declaration order,
    ``directories`` sorted (a BTreeMap)."""
    import json

    info = {
        "timestamp": None if timestamp_ns is None else _uv_timestamp(timestamp_ns),
        "commit": None,
        "tags": None,
        "env": {},
        "directories": dict(sorted(directories.items())),
    }
    return json.dumps(info, separators=(",", ":")).encode()


def _uv_directories(paths: list[Path]) -> dict[str, dict[str, int] | int | None]:
    """uv's ``DirectoryTimestamp`` for each ``{dir = ...}`` cache key: the directory's birth
    time, or its inode where the filesystem keeps none; None (JSON null) when it does not
    exist. uv leaves out a key that names a file, or that it cannot stat."""
    import os
    import stat

    from accord.reconciler.project.birthtime import birth_time_ns

    directories: dict[str, dict[str, int] | int | None] = {}
    for path in paths:
        try:
            status = os.stat(path)
        except FileNotFoundError:
            directories[path.name] = None
            continue
        except OSError:
            continue
        if not stat.S_ISDIR(status.st_mode):
            continue
        born = birth_time_ns(path)
        directories[path.name] = _uv_timestamp(born) if born is not None else status.st_ino
    return directories


def uv_default_cache_keys(directory: Path) -> tuple[list[Path], list[Path]] | None:
    """The (files, directories) whose timestamps uv's freshness record of the tree at
    ``directory`` depends on, or None when the tree sets its own ``tool.uv.cache-keys`` (accord
    records nothing for those). The fast path's stamp watches them (``reconciler.run.stamp``)."""
    if _cache_key_files(directory) != [n for n in _DEFAULT_KEYS if (directory / n).exists()]:
        return None
    return [directory / name for name in _DEFAULT_KEYS], [directory / "src"]


def uv_freshness_files(
    dist: DesiredDist, settings: ConfigSettings | None = None
) -> dict[str, bytes]:
    """uv's own freshness records (``uv_cache.json``, ``uv_build.json``) for a dist built from
    a local tree or archive, byte for byte as uv 0.13.8 writes them, so that uv sees accord's
    install as current instead of rebuilding it, and accord sees uv's (the plan compares the
    installed record with this one).

    A tree's record (``CacheInfo::from_directory``): ``timestamp`` is the latest ``ctime`` of
    pyproject.toml, setup.py and setup.cfg (those that exist), ``directories.src`` the birth
    time of ``src/`` (``null`` when absent). An archive's (``CacheInfo::from_file``): its
    ``ctime``. ``uv_build.json`` holds the config settings the build gets (``BuildInfo``:
    ``{}`` without any, else ``{"config_settings":{...}}``). Trees
    with custom ``tool.uv.cache-keys`` get none (uv then rebuilds once, as it would without
    them)."""
    import os

    build = (settings or ConfigSettings()).uv_build_json()
    if dist.source.kind.is_source_tree and dist.directory_url is not None:
        directory = tree_path(dist)
        keys = uv_default_cache_keys(directory)
        if keys is None:
            return {}
        key_files, key_directories = keys
        times = [os.stat(path).st_ctime_ns for path in key_files if path.is_file()]
        cache = _uv_cache_json(
            max(times) if times else None,
            _uv_directories(key_directories),
        )
        return {"uv_cache.json": cache, "uv_build.json": build}
    if dist.source.kind is SourceKind.PATH and dist.artifact is not None and dist.artifact.url:
        archive = Path(unquote(urlsplit(dist.artifact.url).path))
        if not archive.is_file():
            return {}
        files = {"uv_cache.json": _uv_cache_json(os.stat(archive).st_ctime_ns, {})}
        if not archive.name.endswith(".whl"):
            files["uv_build.json"] = build
        return files
    return {}


def _is_flat(dist: DesiredDist) -> bool:
    artifact = dist.artifact
    return (
        dist.source.kind is SourceKind.REGISTRY
        and artifact is not None
        and artifact.path is not None
        and artifact.url is None
    )


def locate_source_trees(
    desired: DesiredEnvironment, root: Path, config_settings: BuildSettings | None = None
) -> DesiredEnvironment:
    """Give each source-tree dist its file:// URL and the digest of its build inputs (the
    config settings its build gets, from ``config_settings``, among them)."""
    if not any(
        d.kind is ArtifactKind.SOURCE_TREE or d.source.kind is SourceKind.PATH or _is_flat(d)
        for d in desired.dists
    ):
        return desired  # the common case: nothing local, nothing to import or read
    dists = []
    every = config_settings or BuildSettings()
    for dist in desired.dists:
        settings = every.for_package(dist.name)
        if _is_flat(dist):
            # A find-links directory's file: the lock names it within the directory (relative
            # to the root, or absolute), the way uv reads it back.
            assert dist.artifact is not None and dist.artifact.path is not None
            archive = root / dist.source.location / dist.artifact.path
            dist = attrs.evolve(
                dist, artifact=attrs.evolve(dist.artifact, url=archive.resolve().as_uri())
            )
        if dist.source.kind is SourceKind.PATH and dist.artifact is not None:
            # A local archive: the lock names it relative to the root; apply needs a URL.
            location = Path(dist.source.location)
            archive = location if location.is_absolute() else root / location
            dist = attrs.evolve(
                dist, artifact=attrs.evolve(dist.artifact, url=archive.resolve().as_uri())
            )
        if dist.kind is ArtifactKind.SOURCE_TREE:
            directory = (root / dist.source.location).resolve()
            dist = attrs.evolve(
                dist,
                directory_url=directory.as_uri(),
                build_digest=source_tree_digest(directory, settings),
            )
        records = uv_freshness_files(dist, settings)
        if records:
            record = records.get("uv_cache.json")
            dist = attrs.evolve(
                dist,
                uv_records=tuple(sorted(records.items())),
                uv_freshness=(
                    record.decode()
                    if record is not None and dist.kind is ArtifactKind.SOURCE_TREE
                    else None
                ),
            )
        dists.append(dist)
    return attrs.evolve(desired, dists=tuple(dists))
