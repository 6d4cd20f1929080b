"""Building what the plan installs from source (apply stage): the project and other source
trees (editable or not), and sdist-only packages.

``ProjectBuilder`` is what ``apply_plan`` calls; it knows the interpreter, the cache and how
to reach the index for build environments. ``source_tree_digest`` decides when a source tree
must be rebuilt: a digest of its build inputs, uv's default cache keys (pyproject.toml,
setup.py, setup.cfg) plus any ``tool.uv.cache-keys`` file entries. Editing a module is not a
build input: an editable install picks it up as it is.
"""

from __future__ import annotations

import glob
import hashlib
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

import attrs
from packaging.utils import InvalidSdistFilename, canonicalize_name, parse_sdist_filename

from model.desired import DesiredDist
from model.interpreter import Interpreter

if TYPE_CHECKING:
    from packaging.requirements import Requirement

    from reconciler.fetch.index import IndexClient

__all__ = ["ProjectBuilder", "build_inputs", "source_tree_digest", "tree_path"]

_DEFAULT_KEYS = ("pyproject.toml", "setup.py", "setup.cfg")


def tree_path(dist: DesiredDist) -> Path:
    """The directory of a source-tree dist, from its file:// URL."""
    if dist.directory_url is None:
        raise ValueError(f"{dist.name} has no directory")
    return Path(unquote(urlsplit(dist.directory_url).path))


def _cache_key_files(directory: Path) -> list[str]:
    from reconciler.project.discover import read_pyproject, toml_table

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
    from reconciler.project.discover import read_pyproject, toml_table

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


def source_tree_digest(directory: Path) -> str:
    """A digest of the build inputs of the source tree at ``directory``."""
    digest = hashlib.sha256()
    for name in _cache_key_files(directory):
        path = directory / name
        digest.update(name.encode() + b"\0")
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(b"-")
        digest.update(b"\0")
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

    from reconciler.project.birthtime import birth_time_ns

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


def uv_freshness_files(dist: DesiredDist) -> dict[str, bytes]:
    """uv's own freshness records (``uv_cache.json``, ``uv_build.json``) for a dist built from
    a local tree or archive, byte for byte as uv 0.13.8 writes them, so that uv sees accord's
    install as current instead of rebuilding it, and accord sees uv's (the plan compares the
    installed record with this one).

    A tree's record (``CacheInfo::from_directory``): ``timestamp`` is the latest ``ctime`` of
    pyproject.toml, setup.py and setup.cfg (those that exist), ``directories.src`` the birth
    time of ``src/`` (``null`` when absent). An archive's (``CacheInfo::from_file``): its
    ``ctime``. ``uv_build.json`` is ``{}`` for anything built without build settings. Trees
    with custom ``tool.uv.cache-keys`` get none (uv then rebuilds once, as it would without
    them)."""
    import os

    from model.lock import SourceKind

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
        return {"uv_cache.json": cache, "uv_build.json": b"{}"}
    if dist.source.kind is SourceKind.PATH and dist.artifact is not None and dist.artifact.url:
        archive = Path(unquote(urlsplit(dist.artifact.url).path))
        if not archive.is_file():
            return {}
        files = {"uv_cache.json": _uv_cache_json(os.stat(archive).st_ctime_ns, {})}
        if not archive.name.endswith(".whl"):
            files["uv_build.json"] = b"{}"
        return files
    return {}


@attrs.frozen
class ProjectBuilder:
    interpreter: Interpreter
    cache: Path
    client_factory: Callable[[], IndexClient]
    isolation: bool = True
    no_isolation: frozenset[str] = frozenset()
    """Packages built without isolation (``tool.uv.no-build-isolation-package``)."""
    build_constraints: tuple[Requirement, ...] = ()
    """``tool.uv.build-constraint-dependencies``: applied when resolving build environments."""

    def _isolated(self, name: str) -> bool:
        return self.isolation and canonicalize_name(name) not in self.no_isolation

    def build_tree(self, dist: DesiredDist) -> Path:
        """A wheel (editable when the dist is) built from the dist's source tree."""
        from reconciler.build.backend import build_wheel

        output = self.cache / "built-trees"
        output.mkdir(parents=True, exist_ok=True)
        return build_wheel(
            tree_path(dist),
            editable=dist.editable,
            interpreter=self.interpreter,
            cache=self.cache,
            client_factory=self.client_factory,
            isolation=self._isolated(dist.name),
            output=Path(tempfile.mkdtemp(prefix=f"{dist.name}-", dir=output)),
            name=dist.name,
            constraints=self.build_constraints,
        )

    def sdist_metadata(self, url: str, sha256: str | None, filename: str) -> bytes:
        """Core metadata of an sdist, cached by its hash: read from the archive when it states
        it statically (``reconciler.build.sdist_metadata``, uv's rules), else prepared by its
        backend."""

        from model.lock import Artifact
        from reconciler.build.sdist_metadata import static_sdist_metadata
        from reconciler.fetch.artifacts import fetch_archive

        digest, sdist = fetch_archive(
            Artifact(url=url, hash=f"sha256:{sha256}" if sha256 else None), self.cache
        )
        stored = self.cache / "sdist-metadata" / f"{digest}.METADATA"
        if stored.is_file():
            return stored.read_bytes()
        try:
            name, version = parse_sdist_filename(filename)
        except InvalidSdistFilename:
            metadata = None  # nothing to check the metadata against: the backend decides
        else:
            metadata = static_sdist_metadata(sdist, name, version)
        if metadata is None:
            metadata = self._prepared_metadata(sdist, filename)
        from reconciler.fsutil import write_atomic

        write_atomic(stored, metadata)  # another process may be writing the same entry
        return metadata

    def _prepared_metadata(self, sdist: Path, filename: str) -> bytes:
        """The metadata the sdist's backend prepares (``prepare_metadata_for_build_wheel``)."""
        from reconciler.build.backend import prepare_metadata
        from reconciler.build.sdist import unpack_sdist

        with tempfile.TemporaryDirectory(dir=self.cache) as work:
            source = unpack_sdist(sdist, Path(work) / "src")
            return prepare_metadata(
                source,
                interpreter=self.interpreter,
                cache=self.cache,
                client_factory=self.client_factory,
                isolation=self.isolation,
                name=filename,
                constraints=self.build_constraints,
            )

    def build_git(self, dist: DesiredDist) -> Path:
        """A wheel built from the locked commit of a git source (the shared checkout is
        copied first: backends may write into their source tree)."""
        import shutil

        from reconciler.build.backend import build_wheel
        from reconciler.fetch.git import checkout, parse_lock_url

        reference, commit = parse_lock_url(dist.source.location)
        tree = checkout(reference, commit, self.cache)
        output = self.cache / "built-git" / commit
        output.mkdir(parents=True, exist_ok=True)
        existing = sorted(output.glob("*.whl"))
        if existing:
            return existing[0]  # a commit never changes: built once
        with tempfile.TemporaryDirectory(dir=self.cache) as work:
            source = Path(work) / "src"
            shutil.copytree(tree, source, symlinks=True)
            return build_wheel(
                source,
                editable=False,
                interpreter=self.interpreter,
                cache=self.cache,
                client_factory=self.client_factory,
                isolation=self._isolated(dist.name),
                output=output,
                name=dist.name,
                constraints=self.build_constraints,
            )

    def build_sdist(self, sdist: Path, sha256: str) -> Path:
        """The wheel built (once, then cached by the sdist's hash) from an sdist."""
        from reconciler.build.sdist import build_sdist_wheel

        name, _ = parse_sdist_filename(sdist.name)
        return build_sdist_wheel(
            sdist,
            sha256,
            interpreter=self.interpreter,
            cache=self.cache,
            client_factory=self.client_factory,
            isolation=self._isolated(name),
            constraints=self.build_constraints,
        )
