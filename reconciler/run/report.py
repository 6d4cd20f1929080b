"""What a project sync tells (run stage, output side): the plan, uv's summaries, and why.

Pure formatting lives in ``model.render`` and ``model.uv_dry_run``; these functions choose
what to show for a request and write it to the stream they are given. ``pipeline`` calls them.
"""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path
from typing import TextIO

from accord.model.interpreter import Interpreter
from accord.model.plan import Plan
from accord.model.request import OutputFormat, RunRequest
from accord.model.target import Project
from accord.reconciler.console import console, paint_plan

__all__ = ["announce", "print_plan", "print_uv_dry_run", "timed", "why_interpreter"]


def print_plan(plan: Plan, request: RunRequest, out: TextIO, relative_to: Path) -> None:
    from accord.model.render import render_json, render_text

    if request.output.output_format is OutputFormat.JSON:
        out.write(render_json(plan))
    else:
        text = render_text(plan, relative_to=relative_to)
        out.write(paint_plan(text) if console().colour_for(out) else text)


def print_uv_dry_run(
    plan: Plan,
    request: RunRequest,
    project: Project,
    resolved: str,
    checking: float,
    err: TextIO,
    warnings: str = "",
) -> None:
    """``accord sync --dry-run``/``--check``: the plan in uv's words, on stderr (``warnings``:
    what the lock said)."""
    from accord.model.elapsed import format_elapsed
    from accord.model.request import LockMode
    from accord.model.uv_dry_run import render_uv_dry_run

    def shown(path: Path) -> str:
        return os.path.relpath(path) if path.is_relative_to(Path.cwd()) else str(path)

    lock_path = Path(project.lock_path)
    remote, built = _kept(plan, request)
    err.write(
        render_uv_dry_run(
            plan,
            venv=shown(Path(project.venv)),
            lock_path=shown(lock_path),
            lock_exists=lock_path.is_file(),
            lock_fixed=request.locking.lock_mode is not LockMode.WRITE,
            resolved=None if request.locking.lock_mode is LockMode.FROZEN else resolved,
            checked=format_elapsed(time.perf_counter() - checking),
            remote=remote,
            built=built,
            warnings=warnings,
        )
    )


def _kept(plan: Plan, request: RunRequest) -> tuple[frozenset[str], dict[str, str]]:
    """What applying ``plan`` would download or build (uv's ``Would download``): a git commit,
    an sdist or a source tree (its current build inputs) not built in the cache yet, a wheel
    not kept there, and every package the request refreshes (``--refresh``, ``--reinstall``
    and ``--reinstall-package``, which imply it in uv); and the versions of the dynamic
    packages whose wheel is kept built."""
    from packaging.utils import InvalidWheelFilename, parse_wheel_filename

    from accord.model.desired import ArtifactKind
    from accord.model.lock import SourceKind
    from accord.model.plan import Install, Replace
    from accord.reconciler.build.builder import built_kept, kept_tree_wheel
    from accord.reconciler.cachedir import cache_root
    from accord.reconciler.fetch.artifacts import wheel_kept
    from accord.reconciler.run.builders import refreshed_trees

    cache = cache_root()
    refresh, refresh_packages = refreshed_trees(request)
    remote: set[str] = set()
    versions: dict[str, str] = {}
    for action in plan.actions:
        if not isinstance(action, Install | Replace):
            continue
        dist = action.dist
        if dist.kind is ArtifactKind.SOURCE_TREE and dist.source.kind is not SourceKind.GIT:
            wheel = kept_tree_wheel(dist, cache)
            if wheel is not None and dist.version is None:
                with contextlib.suppress(InvalidWheelFilename):
                    versions[dist.name] = str(parse_wheel_filename(wheel.name)[1])
            kept = wheel is not None
        elif dist.source.kind is SourceKind.GIT or dist.kind is ArtifactKind.SDIST:
            kept = built_kept(dist, cache)
        else:
            kept = dist.artifact is not None and wheel_kept(dist.artifact, cache)
        if not kept or refresh or dist.name in refresh_packages:
            remote.add(dist.name)
    return frozenset(remote), versions


def announce(plan: Plan, request: RunRequest, err: TextIO, relative_to: Path) -> None:
    """Before apply: the full plan under ``-v``; else, for ``run``, the lines with news."""
    from accord.model.render import render_news, render_text

    if request.output.quiet:
        return
    if request.output.verbose:
        err.write(render_text(plan, relative_to=relative_to))
    elif not request.output.uv_summary:
        err.write(render_news(plan))


def timed(what: str, count: int, started: float) -> str:
    """``Resolved 3 packages in 12ms``: a count and the time since ``started`` (``Resolved in
    12ms``, ``Checked in 0.01ms`` when the count is 0)."""
    from accord.model.elapsed import checked_line, format_elapsed, resolved_line

    elapsed = format_elapsed(time.perf_counter() - started)
    if what == "Resolved":
        return resolved_line(count, elapsed) + "\n"
    if what == "Checked":
        return checked_line(count, elapsed) + "\n"
    noun = "package" if count == 1 else "packages"
    return f"{what} {count} {noun} in {elapsed}\n"


def why_interpreter(request: RunRequest, project: Project, interpreter: Interpreter) -> str:
    """Why ``find_interpreter`` chose ``interpreter`` (its order, DESIGN.md "Interpreters")."""
    from accord.reconciler.interpreters.layout import is_environment_of

    if is_environment_of(interpreter, Path(project.venv)):
        return "the project environment's interpreter satisfies the request"
    if request.python is not None:
        return f"requested with `--python {request.python}`"
    directory = Path(project.directory).absolute()
    for parent in (directory, *directory.parents):
        if (parent / ".python-version").is_file():
            return f"requested by `{parent / '.python-version'}`"
    if project.requires_python is not None:
        return f"the first one found within `requires-python = {project.requires_python}`"
    return "the first interpreter found"
