"""The replay's recipe (run stage, after the stamp): how to make this environment again.

Written after a sync that made the project's environment from nothing (``Create``), its package
files linked from the unpacked wheels in one ``cp -al``. ``reconciler.replay`` reads it when the
environment is missing again and every input is unchanged; see there. The recipe is the
environment as it stands once the sync is done, read back from disk: its directories and
symbolic links, the package trees (by the unpacked wheel they were linked from), the files
linked from a wheel's dist-info or ``.data`` (found by inode), and every other file's bytes
and mode; a file of more than 32 KiB (a large set's RECORDs come to megabytes) is kept
once beside the recipes, under the digest of its bytes, and copied from there.
Nothing here can fail a sync: a recipe that cannot be written is simply not there.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import stat
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from accord.model.elapsed import resolved_line
from accord.model.plan import Create, Plan
from accord.model.render import environment_news
from accord.model.request import LockMode, RunRequest
from accord.model.target import Project
from accord.reconciler.cachedir import cache_root
from accord.reconciler.fastargs import step_aside_variable
from accord.reconciler.fastpath import STAMP_NAME
from accord.reconciler.fsutil import write_atomic
from accord.reconciler.install.apply import Applied
from accord.reconciler.install.links import link_stages, package_entries
from accord.reconciler.install.listing import tree_listing
from accord.reconciler.install.observe import find_site_packages
from accord.reconciler.replay import (
    INSTALLED,
    RECIPE_VERSION,
    RESOLVED,
    input_key,
    recipe_path,
    replay_cache_root,
)
from accord.reconciler.run.stamp import StampInputs

__all__ = ["record_recipe"]

_COPY_OVER = 64 * 1024
"""A file the apply copied from a wheel (a binary script) and larger than this is copied from
the cache again, not kept in the recipe."""
_BLOB_OVER = 32 * 1024
"""A written file larger than this is kept as a blob (``blobs/<sha256>``), not in the recipe:
the recipe, and the memory that writes it, stay small."""
_SENTINEL_SECONDS = 3599.0
"""A duration no summary shows (``59m 59s``), replaced by the replay's own."""


def record_recipe(
    request: RunRequest,
    project: Project,
    plan: Plan,
    applied: Applied,
    venv: Path,
    interpreter: Path,
    inputs: StampInputs,
    resolved: int,
) -> None:
    """Write the recipe of the environment this sync just made, when a replay could use it."""
    options = list(request.options_key)
    if not isinstance(plan.environment, Create) or not applied.linked or not applied.trees:
        return
    if (options and options[0] == "<not on the fast path>") or step_aside_variable(os.environ):
        return  # the replay never serves such a run
    cache = replay_cache_root(os.environ)
    if cache is None or Path(cache) != cache_root():
        return
    command = "sync" if request.output.uv_summary else "run"
    project_dir = str(project.directory)
    with contextlib.suppress(OSError, UnicodeDecodeError):
        key = input_key(
            project_dir,
            str(venv),
            str(interpreter),
            options,
            inputs.files,
            inputs.globs,
            inputs.stats,
        )
        path = Path(recipe_path(cache, str(request.cwd), project_dir, command, options))
        layout = _layout(venv, applied, path.parent / "blobs")
        if key is None or layout is None:
            return
        recipe: dict[str, Any] = {
            "version": RECIPE_VERSION,
            "key": key,
            "project_dir": project_dir,
            "venv": str(venv),
            "interpreter": str(interpreter),
            "files": inputs.files,
            "globs": inputs.globs,
            "stats": inputs.stats,
            "strict": inputs.strict,
            "warnings": inputs.warnings,
            "head": environment_news(plan, relative_to=Path(request.cwd)),
            "text": _text(request, plan, command, resolved, dict(applied.built_versions)),
            **layout,
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        # Streamed to a temporary file and renamed in: a large set's recipe is megabytes, and
        # marshal.dumps would hold a second copy of it.
        temporary = path.with_name(f"{path.name}.tmp-{os.getpid()}")
        try:
            with open(temporary, "wb") as stream:
                marshal.dump(recipe, stream)
            os.replace(temporary, path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                temporary.unlink()


def _text(
    request: RunRequest, plan: Plan, command: str, resolved: int, built: dict[str, str]
) -> str:
    """What the slow path printed after the environment's lines and the lock's warnings,
    with the replay's times to fill in."""
    from accord.model.render import uv_summary

    text = ""
    if command == "sync" and request.locking.lock_mode is not LockMode.FROZEN:
        text += resolved_line(resolved, RESOLVED) + "\n"
    summary = uv_summary(plan, _SENTINEL_SECONDS, changes=command == "sync", built=built)
    return text + summary.replace(" in 59m 59s", f" in {INSTALLED}")


def _layout(venv: Path, applied: Applied, blobs: Path) -> dict[str, Any] | None:
    """The environment at ``venv`` as the replay's operations (larger written files kept in
    ``blobs``); None if it holds anything the recipe cannot say (a special file)."""
    site = find_site_packages(venv)
    if site is None:
        return None
    site_relative = os.path.relpath(site, venv)
    covered: set[str] = set()
    # What the apply links from a wheel besides its package entries (dist-info files, the
    # ``.data`` schemes), by inode: a file of the environment that is one of these is linked.
    sources: dict[tuple[int, int], str] = {}
    by_size: dict[int, list[str]] = {}  # the same files by size: a large copy is found by bytes
    # How many files each package entry holds (summed over the wheels that share one): the
    # weights of the link stages, from the trees' kept listings.
    weights: dict[str, int] = {}
    for tree in applied.trees:
        entries = set(package_entries(tree))
        covered.update(entries)
        for relative, files in tree_listing(tree):
            top = relative.partition("/")[0]
            if top in entries:
                weights[top] = weights.get(top, 0) + len(files)
            elif not relative:
                for name in entries.intersection(files):
                    weights[name] = weights.get(name, 0) + 1
            elif top.endswith((".dist-info", ".data")):
                for name in files:
                    path = os.path.join(tree, relative, name)
                    status = os.lstat(path)
                    sources[(status.st_dev, status.st_ino)] = path
                    by_size.setdefault(status.st_size, []).append(path)
    counts: dict[str, int] = {}
    dirs: list[str] = []
    symlinks: list[tuple[str, str]] = []
    links: list[tuple[str, str]] = []
    writes: list[tuple[str, int, bytes]] = []
    copies: list[tuple[str, str, int]] = []
    for root, dirnames, filenames in os.walk(venv):
        relative_root = os.path.relpath(root, venv)
        if relative_root == site_relative:
            for name in (*dirnames, *filenames):
                if name in covered:
                    counts[name] = weights.get(name, 1)
            dirnames[:] = [name for name in dirnames if name not in covered]
            filenames = [name for name in filenames if name not in covered]
        for name in list(dirnames):
            full = os.path.join(root, name)
            relative = os.path.normpath(os.path.join(relative_root, name))
            if os.path.islink(full):
                symlinks.append((relative, os.readlink(full)))
                dirnames.remove(name)
            else:
                dirs.append(relative)
        for name in filenames:
            full = os.path.join(root, name)
            relative = os.path.normpath(os.path.join(relative_root, name))
            if relative == STAMP_NAME:
                continue
            status = os.lstat(full)
            if stat.S_ISLNK(status.st_mode):
                symlinks.append((relative, os.readlink(full)))
            elif not stat.S_ISREG(status.st_mode):
                return None
            else:
                source = sources.get((status.st_dev, status.st_ino))
                if status.st_nlink > 1 and source is not None:
                    links.append((source, relative))
                elif status.st_size > _COPY_OVER and (
                    same := _same_bytes(full, by_size.get(status.st_size, ()))
                ):
                    copies.append((same, relative, stat.S_IMODE(status.st_mode)))
                else:
                    with open(full, "rb") as stream:
                        data = stream.read()
                    mode = stat.S_IMODE(status.st_mode)
                    if len(data) > _BLOB_OVER:
                        copies.append((_blob(data, blobs), relative, mode))
                    else:
                        writes.append((relative, mode, data))
    if set(counts) != set(covered):
        return None
    return {
        "dirs": dirs,
        "symlinks": symlinks,
        "links": links,
        "writes": writes,
        "copies": copies,
        "trees": [
            [(site_relative, sources) for sources in stage]
            for stage in link_stages(applied.trees, counts)
        ],
    }


def _blob(data: bytes, blobs: Path) -> str:
    """``data`` kept in ``blobs`` under its digest (written once, renamed in whole)."""
    import hashlib

    path = blobs / hashlib.sha256(data).hexdigest()
    if not path.exists():
        write_atomic(path, data)
    return str(path)


def _same_bytes(path: str, candidates: Sequence[str]) -> str | None:
    """The first of ``candidates`` with the same bytes as ``path``."""
    import filecmp

    for candidate in candidates:
        if filecmp.cmp(path, candidate, shallow=False):
            return candidate
    return None
