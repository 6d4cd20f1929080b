"""The fast-path stamp: written last, after a successful sync (apply stage, final step).

It records the digest of every input that decided the sync (``fastpath.compute_key``), so a
later ``accord run`` with the same inputs can exec at once. Written by rename, and only after
every package is in place: an interrupted apply leaves the old stamp (whose key no longer
matches the changed site-packages) or none, and the next run takes the slow path.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from accord.model.interpreter import Interpreter
from accord.model.request import RunRequest
from accord.model.target import Project
from accord.reconciler.fastpath import STAMP_NAME, compute_key, format_stamp
from accord.reconciler.fsutil import write_atomic
from accord.reconciler.notices import kept

__all__ = ["StampInputs", "remove_stamp", "write_stamp"]


class StampInputs(NamedTuple):
    """What a stamp's key was computed from (the replay's recipe keeps them)."""

    files: list[str]
    globs: list[tuple[str, str]]
    stats: list[str]
    strict: list[str] | None
    warnings: list[tuple[str, str]]
    """(when, text) of what the sync warned about the project's files (``notices``)."""


def remove_stamp(venv: Path) -> None:
    with contextlib.suppress(FileNotFoundError, NotADirectoryError):
        (venv / STAMP_NAME).unlink()


def write_stamp(
    request: RunRequest,
    project: Project,
    interpreter: Interpreter,
    venv: Path,
    source_trees: Sequence[Path] = (),
) -> StampInputs | None:
    """Record this sync's inputs in ``venv``; a venv outside ``<root>/.venv`` gets none.

    ``source_trees`` are the directories of the source-tree dists the sync installed (the
    project, members, path dependencies): their build inputs decide a rebuild, so they are
    inputs of the stamp too, and so are the timestamps uv's freshness record of each depends
    on: the plan accepts an install uv made while that record is current, so the fast path
    must not outlive it. The site-packages directory's own inode and ctime catch another tool
    reinstalling a package under the same name (the plan then judges the new install)."""
    if Path(project.venv) != Path(project.root) / ".venv":
        return None  # the fast path only looks for <root>/.venv; others always take the slow path
    files = [str(path) for path in project.pyprojects] + [str(project.lock_path)]
    # Every member's pyproject.toml decides the lock too: a change in any of them must send
    # the next run down the slow path.
    from accord.reconciler.project.discover import read_pyproject
    from accord.reconciler.project.workspace import member_directories

    root = Path(project.root)
    for directory in member_directories(root, read_pyproject(root / "pyproject.toml")):
        candidate = str(directory / "pyproject.toml")
        if candidate not in files:
            files.append(candidate)
    if request.config.config_file is None and not request.config.no_config:
        from accord.reconciler.project.config import candidate_files

        # uv's configuration files decide the settings: one created, edited or removed must
        # send the next run down the slow path (a missing file is an input too).
        files += [str(path) for path in candidate_files(root) if str(path) not in files]
    globs: list[tuple[str, str]] = []
    stats: list[str] = []
    if source_trees:
        from accord.reconciler.project.source_trees import build_inputs, uv_default_cache_keys

        stats += sorted(str(site) for site in venv.glob("lib/*/site-packages"))
        for tree in source_trees:
            tree_files, tree_globs = build_inputs(tree)
            files += [path for path in tree_files if path not in files]
            globs += [pair for pair in tree_globs if pair not in globs]
            uv_keys = uv_default_cache_keys(tree)
            if uv_keys is not None:
                stats += [str(path) for path in [*uv_keys[0], *uv_keys[1]]]
    key = compute_key(
        str(project.directory), str(venv), files, list(request.options_key), globs, stats
    )
    if key is None:
        remove_stamp(venv)
        return None
    strict = None
    if project.strict:
        from accord.reconciler.run.execute import provided_commands

        strict = sorted(provided_commands(venv))
    warnings = kept()
    text = format_stamp(
        str(project.directory), files, key, strict, globs, stats, warnings, os.getcwd()
    )
    write_atomic(venv / STAMP_NAME, text)
    return StampInputs(files, globs, stats, strict, warnings)
