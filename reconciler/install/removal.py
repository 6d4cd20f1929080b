"""Removing an installed dist, or moving it aside while a replacement goes in (apply stage)."""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path

__all__ = ["prune_empty", "remove_dist", "stash_dist"]


def _record_paths(site_packages: Path, dist_info: str) -> list[Path]:
    from accord.reconciler.install.observe import read_record

    rows = read_record(site_packages / dist_info) or []
    venv_root = site_packages.parents[2]
    paths: list[Path] = []
    for relative, _, _ in rows:
        path = Path(os.path.normpath(site_packages / relative))
        # Never delete outside the environment, whatever RECORD says.
        if venv_root in path.parents:
            paths.append(path)
    return paths


def prune_empty(directory: Path, stop: Path) -> None:
    """Remove empty directories from ``directory`` upward, only strictly inside ``stop``."""
    while stop in directory.parents:
        try:
            directory.rmdir()
        except OSError:
            return
        directory = directory.parent


def _pycache_files(path: str, listings: dict[str, list[str]]) -> list[str]:
    """The bytecode of the module at ``path`` in its ``__pycache__`` (none for a file that is
    not a ``.py`` module), each ``__pycache__`` listed once into ``listings`` for all the
    modules beside it."""
    directory, base = os.path.split(path)
    dot = base.rfind(".")
    if not (0 < dot < len(base) - 1 and base[dot:] == ".py"):  # pathlib's suffix rule
        return []
    stem = base[:dot]
    cache = os.path.join(directory, "__pycache__")
    names = listings.get(cache)
    if names is None:
        try:
            names = listings[cache] = os.listdir(cache)
        except OSError:
            names = listings[cache] = []
    return [os.path.join(cache, entry) for entry in names if entry.startswith(stem + ".")]


def remove_dist(site_packages: Path, dist_info: str) -> None:
    """Delete every file RECORD lists (and their bytecode), then the dist-info directory;
    then the directories this left empty, deepest first."""
    stop = str(site_packages)
    emptied: set[str] = set()
    listings: dict[str, list[str]] = {}
    for path in _record_paths(site_packages, dist_info):
        name = str(path)
        for file in (name, *_pycache_files(name, listings)):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(file)
            emptied.add(os.path.dirname(file))
    shutil.rmtree(site_packages / dist_info, ignore_errors=True)
    for directory in sorted(emptied, key=lambda found: found.count(os.sep), reverse=True):
        if directory.startswith(stop + os.sep):
            prune_empty(Path(directory), site_packages)


def stash_dist(site_packages: Path, dist_info: str, stash: Path) -> list[tuple[Path, Path]]:
    """Move a dist's files aside (rename) so a replacement can be rolled back.

    Returns (original, stashed) pairs; moving each stashed path back restores the dist.
    """
    moved: list[tuple[Path, Path]] = []
    paths = _record_paths(site_packages, dist_info)
    dist_info_path = site_packages / dist_info
    files = [p for p in paths if dist_info_path not in p.parents]
    # The bytecode goes with its source: left behind, an old ``.pyc`` whose recorded size and
    # mtime match the new ``.py`` (same size, unpacked within one second) would run instead.
    listings: dict[str, list[str]] = {}
    bytecode = [Path(cached) for path in files for cached in _pycache_files(str(path), listings)]
    paths = [*files, *bytecode, dist_info_path]
    for number, path in enumerate(paths):
        if not (path.exists() or path.is_symlink()):
            continue
        stashed = stash / f"{number}-{path.name}"
        os.replace(path, stashed)
        moved.append((path, stashed))
    return moved
