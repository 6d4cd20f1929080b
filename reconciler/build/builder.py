"""Building what the plan installs from source (apply stage): the project and other source
trees (editable or not), and sdist-only packages.

``ProjectBuilder`` is what ``apply_plan`` calls; it knows the interpreter, the cache and how
to reach the index for build environments. When a tree must be rebuilt is the project
stage's answer (``reconciler.project.source_trees``).
"""

from __future__ import annotations

import contextlib
import glob
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import attrs
from packaging.utils import InvalidSdistFilename, canonicalize_name, parse_sdist_filename

from accord.model.config_settings import BuildSettings, ConfigSettings
from accord.model.desired import ArtifactKind, DesiredDist
from accord.model.interpreter import Interpreter
from accord.model.lock import SourceKind
from accord.model.render import build_label
from accord.model.request import ConfigOptions, IndexOptions
from accord.reconciler.cachedir import cache_root
from accord.reconciler.console import building
from accord.reconciler.filelocks import scratch_directory
from accord.reconciler.project.source_trees import tree_path

if TYPE_CHECKING:
    from packaging.requirements import Requirement

    from accord.reconciler.fetch.index import IndexClient

__all__ = ["ProjectBuilder", "make_builder"]

_WORK = ".tmp-work-"
"""The scratch directories (``<cache>/builds/.tmp-work-*``) a tree is copied or unpacked into
to be built or prepared."""


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
    config_settings: BuildSettings = attrs.field(factory=BuildSettings)
    """The PEP 517 ``config_settings`` of each build (``-C``, ``config-settings``...)."""
    refresh: bool = False
    """``--refresh`` or ``--reinstall`` (which implies it in uv): source trees are built again
    even when a wheel of their current build inputs is kept."""
    refresh_packages: frozenset[str] = frozenset()
    """The same for these packages (``--reinstall-package``)."""

    def _isolated(self, name: str) -> bool:
        return self.isolation and canonicalize_name(name) not in self.no_isolation

    def _wheel(
        self,
        source: Path,
        dist: DesiredDist,
        output: Path,
        settings: ConfigSettings,
        *,
        editable: bool,
    ) -> Path:
        """The backend's wheel of ``source`` (``dist``'s tree), written into ``output``."""
        from accord.reconciler.build.backend import build_wheel

        return build_wheel(
            source,
            editable=editable,
            interpreter=self.interpreter,
            cache=self.cache,
            client_factory=self.client_factory,
            isolation=self._isolated(dist.name),
            output=output,
            name=dist.name,
            constraints=self.build_constraints,
            config_settings=settings,
        )

    def build_tree(self, dist: DesiredDist) -> Path:
        """A wheel (editable when the dist is) built from the dist's source tree; kept, as uv
        keeps it, until the tree's build inputs change (``dist.build_digest``: its
        ``pyproject.toml`` and cache keys), so a new environment does not build it again.

        Another process building the same tree is waited for (its wheel then serves), and the
        wheel returned stays in the cache while this process lives (``build.kept_trees``)."""
        from accord.reconciler.build.kept_trees import (
            keep_wheel,
            kept_wheel,
            tree_key,
            tree_locked,
            tree_place,
        )

        tree = tree_path(dist)
        settings = self.config_settings.for_package(dist.name)
        place = tree_place(tree, self.cache)
        key = tree_key(
            editable=dist.editable, digest=dist.build_digest, shard=settings.cache_shard()
        )
        refresh = self.refresh or canonicalize_name(dist.name) in self.refresh_packages
        with tree_locked(place):
            if dist.build_digest is not None and not refresh:
                kept = kept_wheel(place, key)
                if kept is not None:
                    return kept
            output = Path(tempfile.mkdtemp(prefix=".tmp-", dir=place))
            with building(build_label(dist)), _removed_on_failure(output):
                wheel = self._wheel(tree, dist, output, settings, editable=dist.editable)
            return keep_wheel(place, key, output, wheel)

    def sdist_metadata(
        self, url: str, sha256: str | None, filename: str, subdirectory: str | None = None
    ) -> bytes:
        """Core metadata of an sdist (of the project in its ``subdirectory``, when given),
        cached by its hash: read from the archive when it states it statically
        (``reconciler.build.sdist_metadata``, uv's rules; for a subdirectory's project, from
        the unpacked directory), else prepared by its backend."""

        from accord.model.lock import Artifact
        from accord.reconciler.build.sdist import build_key
        from accord.reconciler.build.sdist_metadata import static_sdist_metadata
        from accord.reconciler.fetch.artifacts import fetch_archive

        digest, sdist = fetch_archive(
            Artifact(url=url, hash=f"sha256:{sha256}" if sha256 else None), self.cache
        )
        try:
            name, version = parse_sdist_filename(filename)
        except InvalidSdistFilename:
            name, version = None, None  # nothing to check the metadata against
        # Metadata a backend prepared may depend on the settings it got: kept apart.
        shard = self.config_settings.for_package(name).cache_shard()
        key = build_key(digest, subdirectory)
        stored = (
            self.cache
            / "sdist-metadata"
            / (f"{key}.METADATA" if shard is None else f"{key}-{shard}.METADATA")
        )
        if stored.is_file():
            return stored.read_bytes()
        metadata = None
        if name is not None and version is not None and subdirectory is None:
            metadata = static_sdist_metadata(sdist, name, version)
        if metadata is None:
            within = None if subdirectory is None else (subdirectory, url)
            metadata = self._prepared_metadata(sdist, filename, name, within)
        from accord.reconciler.fsutil import write_atomic

        write_atomic(stored, metadata)  # another process may be writing the same entry
        return metadata

    def _prepared_metadata(
        self, sdist: Path, filename: str, name: str | None, within: tuple[str, str] | None
    ) -> bytes:
        """The metadata the sdist's backend prepares (``prepare_metadata_for_build_wheel``),
        for the project in a subdirectory of the archive at a URL when ``within`` says
        ``(subdirectory, url)``: read from its pyproject.toml instead when that states it."""
        from accord.reconciler.build.backend import prepare_metadata
        from accord.reconciler.build.sdist import unpack_sdist
        from accord.reconciler.build.sdist_metadata import static_tree_metadata

        # No `Building` line: uv 0.13.8 prints none for metadata it prepares while locking.
        with scratch_directory(self.cache / "builds", _WORK) as work:
            if within is None:
                source = unpack_sdist(sdist, Path(work) / "src")
            else:
                subdirectory, url = within
                origin = f"{url}#subdirectory={subdirectory}"
                source = unpack_sdist(sdist, Path(work) / "src", subdirectory, origin=origin)
                static = static_tree_metadata(source)
                if static is not None:
                    return static
            return prepare_metadata(
                source,
                interpreter=self.interpreter,
                cache=self.cache,
                client_factory=self.client_factory,
                isolation=self.isolation,
                name=filename,
                constraints=self.build_constraints,
                config_settings=self.config_settings.for_package(name),
            )

    def tree_metadata(
        self, tree: Path, name: str, *, editable: bool = False, commit: str | None = None
    ) -> bytes:
        """Core metadata of a source tree, prepared by its backend
        (``prepare_metadata_for_build_wheel``, ``_editable`` with ``editable``), as uv prepares
        a path or git dependency whose version or requirements are dynamic.

        A local tree is prepared in place, and the answer kept until the tree's revision moves
        (``tree_revision``: a cache key's content or timestamp), as uv keeps it: a version read
        from a module is not prepared again when only that module changes. A git commit's
        shared checkout is copied first (backends write into their tree), and its answer kept
        for good: a commit never changes. Both are kept apart by build settings."""
        from accord.reconciler.build.backend import prepare_metadata

        settings = self.config_settings.for_package(name)

        def prepare(source: Path) -> bytes:
            return prepare_metadata(
                source,
                interpreter=self.interpreter,
                cache=self.cache,
                client_factory=self.client_factory,
                isolation=self._isolated(name),
                editable=editable,
                name=name if commit is None else f"{name} @ {commit}",
                constraints=self.build_constraints,
                config_settings=settings,
            )

        import shutil

        from accord.reconciler.filelocks import exclusive
        from accord.reconciler.fsutil import write_atomic

        shard = settings.cache_shard()
        kind = "editable" if editable else "wheel"
        leaf = f"{kind}.METADATA" if shard is None else f"{kind}-{shard}.METADATA"
        if commit is not None:
            # One commit may hold several packages (subdirectories): kept apart by name.
            stored = self.cache / "git-metadata" / commit / name / leaf
            if stored.is_file():
                return stored.read_bytes()
            with scratch_directory(self.cache / "builds", _WORK) as work:
                source = Path(work) / "src"
                shutil.copytree(tree, source, symlinks=True)
                metadata = prepare(source)
            write_atomic(stored, metadata)
            return metadata
        import hashlib

        from accord.reconciler.project.source_trees import tree_revision

        place = hashlib.sha256(os.fsencode(os.path.abspath(tree))).hexdigest()[:32]
        entry = self.cache / "tree-metadata" / place
        revision = tree_revision(tree)
        stored = entry / revision / leaf
        entry.mkdir(parents=True, exist_ok=True)
        # As uv locks a source tree's cache shard: one process prepares it at a time (the next
        # finds its answer), and an older revision's answer goes only under the lock, never
        # while another process reads it.
        with exclusive(entry / ".lock"):
            if stored.is_file():
                return stored.read_bytes()
            metadata = prepare(tree)  # (no `Building` line, as for an sdist's metadata)
            for old in os.listdir(entry):
                if old != revision and not old.startswith("."):
                    shutil.rmtree(entry / old, ignore_errors=True)  # an older revision's
            write_atomic(stored, metadata)
            return metadata

    def build_git(self, dist: DesiredDist) -> Path:
        """A wheel built from the locked commit of a git source (the shared checkout is
        copied first: backends may write into their source tree)."""
        import shutil

        from accord.model.git import parse_lock_url
        from accord.reconciler.fetch.git import checkout

        reference, commit = parse_lock_url(dist.source.location)
        tree = checkout(reference, commit, self.cache)
        settings = self.config_settings.for_package(dist.name)
        shard = settings.cache_shard()
        key = commit if shard is None else f"{commit}-{shard}"
        output = self.cache / "built-git" / key
        existing = _kept_wheel(output)
        if existing is not None:
            return existing  # a commit never changes: built once, never replaced
        from accord.reconciler.filelocks import exclusive

        output.mkdir(parents=True, exist_ok=True)
        # One build of a commit at a time: a second would replace the wheel the first
        # process's caller is reading.
        with exclusive(output.parent / f"{key}.lock"):
            existing = _kept_wheel(output)
            if existing is not None:
                return existing  # built by another process while this one waited
            with (
                scratch_directory(self.cache / "builds", _WORK) as work,
                building(build_label(dist)),
            ):
                source = Path(work) / "src"
                shutil.copytree(tree, source, symlinks=True)
                return self._wheel(source, dist, output, settings, editable=False)

    def build_sdist(
        self,
        sdist: Path,
        sha256: str,
        label: str | None = None,
        *,
        name: str | None = None,
        subdirectory: str | None = None,
    ) -> Path:
        """The wheel built (once, then cached by the sdist's hash) from an sdist, or from the
        project in its ``subdirectory``; ``label`` names it in uv's ``Building``/``Built``
        lines. ``name`` is the package's (by default the file name's: an archive at a URL
        need not be named as an sdist)."""
        from accord.reconciler.build.sdist import build_sdist_wheel

        if name is None:
            name, _ = parse_sdist_filename(sdist.name)
        return build_sdist_wheel(
            sdist,
            sha256,
            interpreter=self.interpreter,
            cache=self.cache,
            client_factory=self.client_factory,
            isolation=self._isolated(name),
            constraints=self.build_constraints,
            config_settings=self.config_settings.for_package(name),
            label=label,
            subdirectory=subdirectory,
        )


@contextlib.contextmanager
def _removed_on_failure(directory: Path) -> Iterator[None]:
    try:
        yield
    except BaseException:
        import shutil

        shutil.rmtree(directory, ignore_errors=True)
        raise


def _kept_wheel(directory: Path) -> Path | None:
    """The wheel in ``directory`` (none being copied in: those are ``.tmp-`` files)."""
    found = sorted(p for p in directory.glob("*.whl") if not p.name.startswith("."))
    return found[0] if found else None


def kept_tree_wheel(dist: DesiredDist, cache: Path) -> Path | None:
    """The wheel kept for a source tree's current build inputs (with any build settings),
    if one is."""
    from accord.reconciler.build.kept_trees import find_kept, tree_key, tree_place

    if dist.kind is not ArtifactKind.SOURCE_TREE or dist.build_digest is None:
        return None
    key = tree_key(editable=dist.editable, digest=dist.build_digest, shard=None)
    return find_kept(tree_place(tree_path(dist), cache), key)


def built_kept(dist: DesiredDist, cache: Path) -> bool:
    """Whether the cache holds a wheel built from this git commit, sdist or source tree (its
    current build inputs; with any build settings), as the builder keeps them."""
    if dist.source.kind is SourceKind.GIT:
        where, key = cache / "built-git", dist.source.location.rpartition("#")[2]
    elif dist.kind is ArtifactKind.SOURCE_TREE:
        return kept_tree_wheel(dist, cache) is not None
    elif dist.artifact is not None and dist.artifact.sha256 is not None:
        from accord.reconciler.build.sdist import build_key

        where, key = cache / "built", build_key(dist.artifact.sha256, dist.source.subdirectory)
    else:
        return False
    return any(where.glob(f"{glob.escape(key)}*/*.whl"))


def make_builder(
    interpreter: Interpreter,
    pyproject: Path | None,
    *,
    index: IndexOptions,
    config: ConfigOptions,
    no_build_isolation: bool = False,
    config_settings: BuildSettings | None = None,
    refresh: bool = False,
    refresh_packages: frozenset[str] = frozenset(),
) -> ProjectBuilder:
    """The builder apply uses for sdists and source trees: on the indexes ``index`` and
    the settings of ``pyproject``'s workspace (under ``config``) name; ``config_settings``
    are the command line's, before the files'; ``refresh`` and ``refresh_packages`` build
    source trees again (``run.builders.refreshed_trees``)."""
    from accord.reconciler.project.config import build_settings, index_config
    from accord.reconciler.project.indexes import configured_indexes, configured_strategy

    root = pyproject.parent if pyproject is not None and pyproject.is_file() else None
    data = index_config(root, config)
    indexes, _ = configured_indexes(index, data)
    strategy = configured_strategy(index, data)
    from accord.reconciler.project.discover import toml_table

    uv = toml_table(data, "tool", "uv")
    no_isolation = uv.get("no-build-isolation-package", [])
    if not isinstance(no_isolation, list):
        no_isolation = []
    from accord.model.uv_settings import SettingInvalid, read_dependencies
    from accord.reconciler.errors import ProjectInvalid

    try:
        build_constraints = read_dependencies(
            "build-constraint-dependencies", uv.get("build-constraint-dependencies")
        )
    except SettingInvalid as exc:
        raise ProjectInvalid(f"`{pyproject}`: {exc}", path=pyproject) from exc
    return ProjectBuilder(
        interpreter=interpreter,
        cache=cache_root(),
        client_factory=lambda: _index_client(indexes, offline=index.offline, strategy=strategy),
        isolation=not (no_build_isolation or uv.get("no-build-isolation") is True),
        no_isolation=frozenset(canonicalize_name(str(n)) for n in no_isolation),
        build_constraints=build_constraints,
        config_settings=build_settings(root, config, config_settings or BuildSettings()),
        refresh=refresh,
        refresh_packages=refresh_packages,
    )


def _index_client(indexes: list[str], *, offline: bool, strategy: str) -> IndexClient:
    """The index client a build's requirements are resolved on, made when a build needs one
    (the index client's modules are not imported by a sync that builds nothing)."""
    from accord.reconciler.fetch.index import IndexClient

    return IndexClient(indexes, cache_dir=cache_root(), offline=offline, strategy=strategy)
