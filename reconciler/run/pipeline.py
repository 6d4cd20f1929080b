"""The stages in order: discover → interpreter → lock → desire → observe → diff → print | apply.

``sync(request)`` returns the outcome (the plan, and the environment to run in); it never
prints except the plan/summary it is asked to, on the streams it is given. ``cli.py`` calls it
and then hands the command to ``execute``. What the environment should be comes from
``run.desire``, what is shown from ``run.report``; without a project, ``run.bare`` decides.
"""

from __future__ import annotations

import io
import os
import sys
import time
from pathlib import Path
from typing import TextIO
from urllib.parse import unquote, urlsplit

import attrs

from accord.model.desired import ArtifactKind
from accord.model.lock_action import KeepLock, WriteLock
from accord.model.plan import Keep, diff
from accord.model.request import LockMode, RunRequest
from accord.model.target import BareEnvironment, Project
from accord.reconciler.cachedir import cache_root
from accord.reconciler.console import debug
from accord.reconciler.errors import LockStale
from accord.reconciler.install.envlock import environment_lock
from accord.reconciler.interpreters.find import find_interpreter, read_version_file
from accord.reconciler.project.config import discover_with_settings
from accord.reconciler.run.builders import project_builder
from accord.reconciler.run.desire import desire_project, requires_python
from accord.reconciler.run.outcome import SyncOutcome
from accord.reconciler.run.report import (
    announce,
    print_plan,
    print_uv_dry_run,
    timed,
    why_interpreter,
)

__all__ = ["sync"]


def _has_stash_litter(venv: Path) -> bool:
    try:
        return any(entry.startswith(".accord-stash-") for entry in os.listdir(venv))
    except OSError:
        return False


def _compile_bytecode(venv: Path, *, quiet: bool, err: TextIO) -> None:
    """``--compile-bytecode``: every module in site-packages, with the environment's own
    interpreter (bytecode is per interpreter version), as uv does after each sync."""
    import subprocess

    python = venv / "bin" / "python"
    found = sorted((venv / "lib").glob("*/site-packages"))
    started = time.perf_counter()
    # uv's count: the modules in site-packages (each compiled, or found compiled).
    count = sum(
        name.endswith(".py") for where in found for _, _, names in os.walk(where) for name in names
    )
    result = subprocess.run(
        [str(python), "-m", "compileall", "-q", "-j", "0", *map(str, found)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        from accord.reconciler.errors import AccordError

        raise AccordError(
            f"Failed to compile bytecode in `{venv}`", hint=result.stdout + result.stderr
        )
    if not quiet:
        from accord.model.render import format_elapsed

        elapsed = format_elapsed(time.perf_counter() - started)
        err.write(f"Bytecode compiled {count} file{'' if count == 1 else 's'} in {elapsed}\n")


def _no_sync(request: RunRequest, project: Project, venv: Path, out: TextIO) -> SyncOutcome:
    """``--no-sync``: the environment as it is, without reading the lock; an empty one is
    created when there is none (as uv does)."""
    python = venv / "bin" / "python"
    if request.python is None:  # uv reads it (and warns) even for an environment it keeps
        read_version_file(request.version_file_dir(Path(project.directory)))
    if not python.exists():
        from accord.reconciler.install.venv import create_venv

        interpreter = find_interpreter(
            request=request.python,
            project_dir=request.version_file_dir(Path(project.directory)),
            requires_python=project.workspace_requires_python,
            existing_venv=None,
            origin=project.interpreter_origin,
        )
        if request.output.dry_plan:
            out.write(f"--no-sync: would create {venv} with {interpreter.executable}\n")
            return SyncOutcome(venv=venv, python=python, plan=None, dry_plan=True)
        with environment_lock(venv):
            if not python.exists():
                create_venv(venv, interpreter)
    elif request.output.dry_plan:
        out.write(f"--no-sync: running in {venv} as it is\n")
        return SyncOutcome(venv=venv, python=python, plan=None, dry_plan=True)
    return SyncOutcome(
        venv=venv, python=python, plan=None, strict=project.strict, project_root=Path(project.root)
    )


def sync_project(
    request: RunRequest, project: Project, *, err: TextIO | None = None, out: TextIO | None = None
) -> SyncOutcome:
    """Bring the project's environment in line with its lock (or print the plan)."""
    err = sys.stderr if err is None else err
    out = sys.stdout if out is None else out
    from accord.reconciler.lock.ensure import ensure_lock
    from accord.reconciler.project.discover import select_environment

    # `--isolated` syncs a cached environment of its own, whatever `--active` says.
    active = request.run.active and not request.run.isolated
    project = select_environment(project, active, Path(request.cwd))
    venv = Path(project.venv)
    if not (request.output.quiet or request.run.isolated):
        from accord.reconciler.fastpath import virtual_env_warning

        err.write(
            virtual_env_warning(
                str(venv.absolute()), str(request.cwd), os.environ, request.run.active
            )
        )
    if request.sync.no_sync:
        return _no_sync(request, project, venv, out)
    started = time.perf_counter()
    interpreter = find_interpreter(
        request=request.python,
        project_dir=request.version_file_dir(Path(project.directory)),
        requires_python=requires_python(request, project),
        existing_venv=venv,
        origin=project.interpreter_origin,
    )
    debug("Found project `%s` at: %s", project.name or "(virtual)", project.root)
    debug(
        "Using %s interpreter at: %s (%s)",
        interpreter.display_name,
        interpreter.executable,
        why_interpreter(request, project, interpreter),
    )
    from accord.reconciler.run.lock import lock_builders

    builders = lock_builders(interpreter, request, Path(project.root))
    # What the lock says (its warnings) follows the environment's lines, as in uv, which
    # makes the environment before it locks: held until those are written, or an error.
    lock_said = io.StringIO()
    # uv sync says how the lock went (not under --frozen, where nothing is resolved), after
    # the interpreter and environment lines; uv run only under -v.
    say_resolved = not (request.output.quiet or request.output.uv_dry_run) and (
        request.output.verbose
        or (request.output.uv_summary and request.locking.lock_mode is not LockMode.FROZEN)
    )
    refused: LockStale | None = None
    try:
        lock, lock_action = ensure_lock(
            project,
            interpreter,
            request.locking,
            request.index,
            request.config,
            builders=builders,
            err=lock_said,
        )
    except BaseException as error:
        stale = error if isinstance(error, LockStale) else None
        if stale is None or stale.update is None or not request.output.uv_dry_run:
            err.write(lock_said.getvalue())
            if say_resolved and stale is not None and stale.resolved is not None:
                err.write(timed("Resolved", stale.resolved, started))  # uv resolved, refused
            raise
        # uv's `sync --dry-run --locked`: what a sync from the new lock would do, then the
        # refusal (after `--check`'s own, which comes first).
        refused, lock_action = stale, stale.update
        lock = stale.update.lock
    held = lock_said.getvalue()
    debug("Lock `%s`: %s (%s)", project.lock_path, lock_action.kind, lock_action.reason)
    resolved = timed("Resolved", len(lock.packages), started)
    if request.output.verbose and not request.output.uv_summary:
        # run -v: before its Resolved line and the plan, which names the environment.
        err.write(held)
        held = ""
    if say_resolved and not request.output.uv_summary:
        err.write(resolved)
    if request.run.isolated:
        # uv: an isolated run resolves in memory and never writes the lock; the environment
        # is a cached one of its own, mirroring the lock exactly.
        from accord.reconciler.run.cached import environment_key

        key = environment_key(
            "isolated", str(project.root), str(interpreter.base_executable), *request.options_key
        )
        venv = cache_root() / "environments" / f"isolated-{key}"
        if isinstance(lock_action, WriteLock):
            lock_action = KeepLock(f"--isolated: {lock_action.reason}, resolved in memory only")
        request = request.evolve(exact=True)
    desired = desire_project(request, project, lock, interpreter)

    from accord.reconciler.install.observe import observe_checked

    relative_to = Path(request.cwd)
    # The lock is taken before observing, so the plan applied is the plan computed.
    with environment_lock(venv):
        checking = time.perf_counter()
        # A verify reads every file: nothing is taken on the snapshot's word.
        observed, vouched = observe_checked(venv, trust=not request.sync.verify)
        verification = None
        if request.sync.verify:
            from accord.reconciler.install.verify import verify_environment

            verification = verify_environment(observed)
            observed = verification.observed
        plan = attrs.evolve(diff(desired, observed), lock=lock_action)
        if not (request.output.quiet or request.output.uv_dry_run or request.output.dry_plan) and (
            request.output.uv_summary or not request.output.verbose
        ):
            from accord.model.render import environment_news

            err.write(environment_news(plan, relative_to=relative_to))
        if not request.output.uv_dry_run:
            err.write(held)
        if say_resolved and request.output.uv_summary:
            err.write(resolved)
        if request.output.dry_plan and request.output.uv_dry_run:
            if not request.output.quiet:
                print_uv_dry_run(plan, request, project, resolved, checking, err, held)
        elif request.output.dry_plan:
            print_plan(plan, request, out, relative_to)
        if request.output.dry_plan:
            return SyncOutcome(
                venv=venv,
                python=venv / "bin" / "python",
                plan=plan,
                dry_plan=True,
                plan_is_empty=plan.is_empty,
                interpreter=interpreter,
                refused=refused,
            )
        if plan.is_empty and _has_stash_litter(venv):
            from accord.reconciler.install.apply import remove_interrupted_stashes

            remove_interrupted_stashes(venv)  # an interrupted sync's, once all was repaired
        applied = None
        changes: list[str] = []  # the change lines, when they follow the compiling
        if not plan.is_empty:
            from accord.reconciler.install.apply import apply_plan
            from accord.reconciler.run.stamp import remove_stamp

            started = time.perf_counter()
            announce(plan, request, err, relative_to)
            if isinstance(plan.lock, WriteLock):
                from accord.reconciler.lock.write import write_lock

                # The lock is written first, as uv does: the environment follows from it.
                write_lock(plan.lock.lock, Path(project.lock_path))
            if plan.actions or not isinstance(plan.environment, Keep):
                applied = apply_plan(
                    plan,
                    venv,
                    cache_root(),
                    before_changes=lambda: remove_stamp(venv),
                    offline=request.index.offline,
                    # Index and build settings live in the workspace root's pyproject.toml.
                    builder=project_builder(
                        interpreter, request, Path(project.root) / "pyproject.toml"
                    ),
                )
            if not request.output.quiet:
                from accord.model.render import uv_summary

                seconds = time.perf_counter() - started
                if applied is not None:
                    # uv counts the installing apart from the preparing.
                    seconds -= applied.prepare_seconds
                # With --compile-bytecode, uv says what it compiled before the changes.
                compiling = request.sync.compile_bytecode and request.output.uv_summary
                err.write(
                    uv_summary(
                        plan,
                        seconds,
                        changes=request.output.uv_summary and not compiling,
                        # uv run says nothing of what it downloaded or built.
                        prepared=(applied.prepared, applied.prepare_seconds)
                        if applied is not None and request.output.uv_summary
                        else (0, 0.0),
                        built=dict(applied.built_versions) if applied is not None else {},
                    )
                )
                if not plan.actions and request.output.uv_summary and not compiling:
                    # A new environment with nothing to install: uv's sync checks it.
                    err.write(timed("Checked", len(desired.dists), checking))
                if compiling:
                    from accord.model.render import change_lines

                    changes = change_lines(
                        plan, built=dict(applied.built_versions) if applied else {}
                    )
        elif (
            (request.output.uv_summary or request.output.verbose)
            and not request.output.quiet
            and not request.sync.compile_bytecode  # uv says only what it compiled then
        ):
            # uv counts the packages the sync asked for, not what else the environment holds.
            err.write(timed("Checked", len(desired.dists), checking))
        if isinstance(plan.environment, Keep):
            from accord.model.plan import Remove, Replace
            from accord.reconciler.install.checked import write_checked

            # After the apply: the dists it replaced or removed are not vouched for.
            changed = {
                action.installed.dist_info
                for action in plan.actions
                if isinstance(action, Replace | Remove)
            }
            write_checked(venv, vouched, changed)
            if verification is not None:
                from accord.reconciler.install.verify import write_snapshot

                write_snapshot(venv, verification, changed)
        if request.sync.compile_bytecode:
            _compile_bytecode(venv, quiet=bool(request.output.quiet), err=err)
            err.write("".join(line + "\n" for line in changes))
        if not request.run.isolated:
            from accord.reconciler.run.stamp import write_stamp

            trees = [
                Path(unquote(urlsplit(dist.directory_url).path))
                for dist in desired.dists
                if dist.kind is ArtifactKind.SOURCE_TREE and dist.directory_url is not None
            ]
            inputs = write_stamp(request, project, interpreter, venv, trees)
            if (
                inputs is not None
                and applied is not None
                and verification is None
                and not request.sync.compile_bytecode
            ):
                from accord.reconciler.run.recipe import record_recipe

                record_recipe(
                    request,
                    project,
                    plan,
                    applied,
                    venv,
                    Path(interpreter.base_executable),
                    inputs,
                    len(lock.packages),
                )
    return SyncOutcome(
        venv=venv,
        python=venv / "bin" / "python",
        plan=plan,
        plan_is_empty=plan.is_empty,
        strict=project.strict,
        interpreter=interpreter,
        project_root=Path(project.root),
    )


def sync(
    request: RunRequest, *, out: TextIO | None = None, err: TextIO | None = None
) -> SyncOutcome:
    """Run every stage up to (and including) apply for this request."""
    err = sys.stderr if err is None else err
    out = sys.stdout if out is None else out
    if request.run.script is not None:
        from accord.reconciler.run.script import sync_script

        outcome = sync_script(request, Path(request.run.script), out=out, err=err)
    else:
        project_dir = Path(request.project) if request.project is not None else Path(request.cwd)
        target = discover_with_settings(
            project_dir, request.config, no_project=request.run.no_project
        )
        if isinstance(target, BareEnvironment) and request.sync.require_project:
            from accord.reconciler.errors import ProjectNotFound
            from accord.reconciler.project.discover import find_pyproject

            if find_pyproject(project_dir) is None:
                raise ProjectNotFound(
                    "No `pyproject.toml` found in current directory or any parent directory"
                )
        if isinstance(target, BareEnvironment):
            from accord.reconciler.run.bare import sync_bare

            outcome = sync_bare(request, target, out=out, err=err)
        else:
            # discover_with_settings read the settings first, as uv does: a bad uv.toml stops
            # even a --frozen run.
            outcome = sync_project(request, target, out=out, err=err)
    if request.run.with_requirements or request.run.with_files or request.run.with_editables:
        from accord.reconciler.run.overlay import add_with_layer

        outcome = add_with_layer(request, outcome, out=out, err=err)
    if request.output.dry_plan:
        outcome = attrs.evolve(outcome, dry_plan=True)
    return outcome
