"""Lock stage: are the lock's path dependencies still what their trees declare?

uv checks every local directory the lock holds (``{ directory = ... }`` and ``{ editable =
... }`` packages that are not workspace members) before it calls a lock current: from the
tree's pyproject.toml when that states the requirements, else from the metadata its build
backend prepares. A dynamic version is never compared (the lock omits it); a tree whose
version became dynamic, or static, makes the lock stale. The comparison itself is pure
(``model.staleness.why_tree_stale``).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from pathlib import Path

from accord.model.lock import Lock, LockedPackage, SourceKind
from accord.model.manifest import ProjectManifest
from accord.model.staleness import why_tree_stale
from accord.reconciler.lock.resolve.local import TreeMetadata

__all__ = ["why_trees_stale"]


def why_trees_stale(
    lock: Lock,
    root: Path,
    members: Collection[str],
    tree_metadata: Callable[[], TreeMetadata],
) -> str | None:
    """The first way one of ``lock``'s path dependencies (relative to the workspace ``root``;
    ``members`` are checked elsewhere) no longer matches its tree, or None.
    ``tree_metadata()`` gives the backend's metadata when the pyproject.toml cannot answer."""
    for package in lock.packages:
        kind = package.source.kind
        if kind not in (SourceKind.DIRECTORY, SourceKind.EDITABLE) or package.name in members:
            continue
        stale = _tree_stale(package, root, tree_metadata)
        if stale is not None:
            return stale
    return None


def _tree_stale(
    package: LockedPackage, root: Path, tree_metadata: Callable[[], TreeMetadata]
) -> str | None:
    from accord.reconciler.project.workspace import read_path_dependency

    location = package.source.location
    directory = root / location  # an absolute location stays absolute
    if not (directory / "pyproject.toml").is_file():
        # A tree without pyproject.toml (setup.py alone) is not one accord locks: the lock
        # came from uv, and is taken as uv wrote it.
        return None
    static = read_path_dependency(directory, root, location)
    if not static.dynamic_requirements:
        stale = why_tree_stale(package, static)
        # uv trusts what pyproject.toml says, except for a version that stays dynamic: the
        # backend may spell the requirements its own way (hatchling flattens an extra that
        # names the package itself), so its metadata has the last word.
        if stale is None or package.version is not None or static.version is not None:
            return stale
    return why_tree_stale(package, _built(package, static, directory, tree_metadata))


def _built(
    package: LockedPackage,
    static: ProjectManifest,
    directory: Path,
    tree_metadata: Callable[[], TreeMetadata],
) -> ProjectManifest:
    from accord.reconciler.lock.resolve.local import built_package

    editable = package.source.kind is SourceKind.EDITABLE
    raw = tree_metadata()(directory, package.name, editable=editable)
    return built_package(package.name, static, package.source, raw, keep_version=False).manifest
