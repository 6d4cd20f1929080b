"""What a project sync tells (run stage, output side): the plan, uv's summaries, and why.

Pure formatting lives in ``model.render`` and ``model.uv_dry_run``; these functions choose
what to show for a request and write it to the stream they are given. ``pipeline`` calls them.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import TextIO

from accord.model.desired import DesiredDist
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
    plan: Plan, request: RunRequest, project: Project, resolved: str, checking: float, err: TextIO
) -> None:
    """``accord sync --dry-run``/``--check``: the plan in uv's words, on stderr."""
    from accord.model.elapsed import format_elapsed
    from accord.model.request import LockMode
    from accord.model.uv_dry_run import render_uv_dry_run

    def shown(path: Path) -> str:
        return os.path.relpath(path) if path.is_relative_to(Path.cwd()) else str(path)

    lock_path = Path(project.lock_path)
    err.write(
        render_uv_dry_run(
            plan,
            venv=shown(Path(project.venv)),
            lock_path=shown(lock_path),
            lock_exists=lock_path.is_file(),
            frozen=request.locking.lock_mode is LockMode.FROZEN,
            resolved=None if request.locking.lock_mode is LockMode.FROZEN else resolved,
            checked=format_elapsed(time.perf_counter() - checking),
            remote=_remote(plan, request),
            built=_kept_versions(plan),
        )
    )


def _kept_versions(plan: Plan) -> dict[str, str]:
    """The versions of the dynamic packages ``plan`` installs whose wheel is kept built."""
    from accord.model.plan import Install, Replace
    from accord.reconciler.build.builder import kept_tree_version
    from accord.reconciler.cachedir import cache_root

    cache = cache_root()
    found = {
        action.name: kept_tree_version(action.dist, cache)
        for action in plan.actions
        if isinstance(action, Install | Replace) and action.dist.version is None
    }
    return {name: version for name, version in found.items() if version is not None}


def _remote(plan: Plan, request: RunRequest) -> frozenset[str]:
    """The packages applying ``plan`` would download or build (uv's ``Would download``): a
    git commit, an sdist or a source tree (its current build inputs) not built in the cache
    yet, a wheel not kept there; with ``--reinstall`` or ``--refresh``, every source tree."""
    from accord.model.desired import ArtifactKind
    from accord.model.lock import SourceKind
    from accord.model.plan import Install, Replace
    from accord.reconciler.build.builder import built_kept
    from accord.reconciler.cachedir import cache_root
    from accord.reconciler.fetch.artifacts import wheel_kept

    cache = cache_root()

    def kept(dist: DesiredDist) -> bool:
        if dist.kind is ArtifactKind.SOURCE_TREE and dist.source.kind is not SourceKind.GIT:
            rebuilt = request.sync.reinstall or request.index.refresh
            return (
                not rebuilt
                and dist.name not in request.sync.reinstall_packages
                and (built_kept(dist, cache))
            )
        if dist.source.kind is SourceKind.GIT or dist.kind is ArtifactKind.SDIST:
            return built_kept(dist, cache)
        if dist.kind is ArtifactKind.WHEEL and dist.artifact is not None:
            return wheel_kept(dist.artifact, cache)
        return False

    return frozenset(
        action.name
        for action in plan.actions
        if isinstance(action, Install | Replace) and not kept(action.dist)
    )


def announce(plan: Plan, request: RunRequest, err: TextIO, relative_to: Path) -> None:
    """Before apply: the full plan under ``-v``; else, for ``run``, the lines with news."""
    from accord.model.render import render_news, render_text

    if request.output.quiet:
        return
    if request.output.verbose:
        err.write(render_text(plan, relative_to=relative_to))
    elif not request.output.uv_summary:
        err.write(render_news(plan, relative_to=relative_to))


def timed(what: str, count: int, started: float) -> str:
    """``Resolved 3 packages in 12ms``: a count and the time since ``started``."""
    from accord.model.elapsed import format_elapsed, resolved_line

    elapsed = format_elapsed(time.perf_counter() - started)
    if what == "Resolved":
        return resolved_line(count, elapsed) + "\n"
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
