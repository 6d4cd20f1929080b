"""The stages in order: discover → interpreter → lock → desire → observe → diff → print | apply.

``sync(request)`` returns the outcome (the plan, and the environment to run in); it never
prints except the plan/summary it is asked to, on the streams it is given. ``cli.py`` calls it
and then hands the command to ``execute``.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, TextIO
from urllib.parse import unquote, urlsplit

import attrs
from packaging.specifiers import SpecifierSet

from accord.model.desired import (
    ArtifactKind,
    NoCompatibleArtifact,
    Selection,
    SelectionUnknown,
    desire,
)
from accord.model.interpreter import Interpreter
from accord.model.lock import Lock
from accord.model.plan import Keep, KeepLock, Plan, WriteLock, diff
from accord.model.request import OutputFormat, RunRequest
from accord.model.target import BareEnvironment, Project
from accord.reconciler.build.builder import make_builder
from accord.reconciler.cachedir import cache_root
from accord.reconciler.console import console, debug, paint_plan
from accord.reconciler.errors import (
    NoArtifactForPlatform,
)
from accord.reconciler.install.envlock import environment_lock
from accord.reconciler.interpreters.find import find_interpreter
from accord.reconciler.project.discover import discover_target
from accord.reconciler.project.source_trees import locate_source_trees
from accord.reconciler.run.outcome import SyncOutcome

if TYPE_CHECKING:
    from accord.model.uv_settings import BinaryPolicy

__all__ = ["sync"]


def _requires_python(request: RunRequest, project: Project) -> SpecifierSet | None:
    """The project's requires-python and that of every dependency group this run installs
    (``tool.uv.dependency-groups.<group>.requires-python``): uv picks an interpreter that
    satisfies them all."""
    base = project.requires_python
    if request.no_project or project.name is None:
        return base
    from accord.reconciler.project.discover import read_pyproject
    from accord.reconciler.project.workspace import group_requires_python

    pyproject = Path(project.directory) / "pyproject.toml"
    if not pyproject.is_file():
        return base
    bounds = dict(group_requires_python(read_pyproject(pyproject), pyproject))
    if not bounds:
        return base
    from accord.reconciler.run.export import request_selection

    selection = request_selection(request, project, (project.name,))
    combined = SpecifierSet() if base is None else base
    for group in selection.active_groups(sorted(bounds)):
        combined &= bounds[group]
    return combined


def _selection(request: RunRequest, project: Project, lock: Lock) -> Selection:
    from accord.reconciler.run.export import export_selection

    return export_selection(request, project, lock)[0]


def _binary_policy(project: Project, request: RunRequest) -> BinaryPolicy | None:
    """The workspace root's ``no-binary``/``no-build`` settings with the command line's
    (None: the default)."""
    from accord.model.uv_settings import BinaryPolicy, SettingInvalid, read_binary_policy
    from accord.reconciler.errors import ProjectInvalid
    from accord.reconciler.project.config import settings_for

    flags = request.no_binary or request.no_build
    flags = flags or bool(request.no_binary_packages or request.no_build_packages)
    pyproject = Path(project.root) / "pyproject.toml"
    uv = settings_for(Path(project.root), request).table
    keys = ("no-binary", "no-build", "no-binary-package", "no-build-package")
    if not flags and not any(key in uv for key in keys):
        return None
    try:
        policy = read_binary_policy(uv) if uv else BinaryPolicy()
    except SettingInvalid as exc:
        raise ProjectInvalid(f"`{pyproject}`: {exc}", path=pyproject) from exc
    return policy.with_flags(
        no_binary=request.no_binary,
        no_binary_packages=request.no_binary_packages,
        no_build=request.no_build,
        no_build_packages=request.no_build_packages,
    )


def _no_artifact(
    exc: NoCompatibleArtifact, binaries: BinaryPolicy | None = None
) -> NoArtifactForPlatform:
    package = exc.package
    if binaries is not None and not binaries.wheels_allowed(package.name):
        return NoArtifactForPlatform(
            f"Distribution `{package.name}=={package.display_version}` can't be installed "
            "because it doesn't have a source distribution",
            hint=f"A source distribution is required for `{package.name}` because using "
            f"pre-built wheels is disabled for `{package.name}` (`tool.uv.no-binary`)",
        )
    if binaries is not None and not binaries.builds_allowed(package.name):
        return NoArtifactForPlatform(
            f"Distribution `{package.name}=={package.display_version}` can't be installed "
            "because it doesn't have a wheel for the current platform, and building is "
            f"disabled for `{package.name}` (`tool.uv.no-build`)",
        )
    wheels = ", ".join(wheel.name for wheel in package.wheels) or "none"
    return NoArtifactForPlatform(
        f"Distribution `{package.name}=={package.display_version}` can't be installed because it "
        f"doesn't have a source distribution or wheel for the current platform "
        f"(CPython {exc.interpreter.version})",
        hint=f"wheels in the lock: {wheels}",
    )


def _print_plan(plan: Plan, request: RunRequest, out: TextIO, relative_to: Path) -> None:
    from accord.model.render import render_json, render_text

    if request.output_format is OutputFormat.JSON:
        out.write(render_json(plan))
    else:
        text = render_text(plan, relative_to=relative_to)
        out.write(paint_plan(text) if console().colour_for(out) else text)


def _print_uv_dry_run(
    plan: Plan, request: RunRequest, project: Project, resolved: str, checking: float, err: TextIO
) -> None:
    """``accord sync --dry-run``/``--check``: the plan in uv's words, on stderr."""
    from accord.model.render import format_elapsed
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
            frozen=request.lock_mode is LockMode.FROZEN,
            resolved=None if request.lock_mode is LockMode.FROZEN else resolved,
            checked=format_elapsed(time.perf_counter() - checking),
        )
    )


def _announce(plan: Plan, request: RunRequest, err: TextIO, relative_to: Path) -> None:
    """Before apply: the full plan under ``-v``; else, for ``run``, the lines with news."""
    from accord.model.render import render_news, render_text

    if request.quiet:
        return
    if request.verbose:
        err.write(render_text(plan, relative_to=relative_to))
    elif not request.uv_summary:
        err.write(render_news(plan, relative_to=relative_to))


def _timed(what: str, count: int, started: float) -> str:
    from accord.model.render import format_elapsed

    noun = "package" if count == 1 else "packages"
    return f"{what} {count} {noun} in {format_elapsed(time.perf_counter() - started)}\n"


def _why_interpreter(request: RunRequest, project: Project, interpreter: Interpreter) -> str:
    """Why ``find_interpreter`` chose ``interpreter`` (its order, DESIGN.md "Interpreters")."""
    if interpreter.is_venv and Path(interpreter.prefix) == Path(project.venv):
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

        err.write(f"Bytecode compiled in {format_elapsed(time.perf_counter() - started)}\n")


def _no_sync(request: RunRequest, project: Project, venv: Path, out: TextIO) -> SyncOutcome:
    """``--no-sync``: the environment as it is, without reading the lock; an empty one is
    created when there is none (as uv does)."""
    python = venv / "bin" / "python"
    if not python.exists():
        from accord.reconciler.install.venv import create_venv

        interpreter = find_interpreter(
            request=request.python,
            project_dir=Path(project.directory),
            requires_python=project.requires_python,
            existing_venv=None,
        )
        if request.dry_plan:
            out.write(f"--no-sync: would create {venv} with {interpreter.executable}\n")
            return SyncOutcome(venv=venv, python=python, plan=None, dry_plan=True)
        with environment_lock(venv):
            if not python.exists():
                create_venv(venv, interpreter)
    elif request.dry_plan:
        out.write(f"--no-sync: running in {venv} as it is\n")
        return SyncOutcome(venv=venv, python=python, plan=None, dry_plan=True)
    return SyncOutcome(
        venv=venv, python=python, plan=None, strict=project.strict, project_root=Path(project.root)
    )


def sync_project(
    request: RunRequest, project: Project, *, err: TextIO = sys.stderr, out: TextIO = sys.stdout
) -> SyncOutcome:
    """Bring the project's environment in line with its lock (or print the plan)."""
    from accord.reconciler.lock.ensure import ensure_lock

    venv = Path(project.venv)
    if request.no_sync:
        return _no_sync(request, project, venv, out)
    started = time.perf_counter()
    interpreter = find_interpreter(
        request=request.python,
        project_dir=Path(project.directory),
        requires_python=_requires_python(request, project),
        existing_venv=venv,
    )
    debug("Found project `%s` at: %s", project.name or "(virtual)", project.root)
    debug(
        "Using %s interpreter at: %s (%s)",
        interpreter.display_name,
        interpreter.executable,
        _why_interpreter(request, project, interpreter),
    )
    from accord.reconciler.run.lock import lock_builders

    builders = lock_builders(interpreter, request)
    lock, lock_action = ensure_lock(project, interpreter, request, builders=builders, err=err)
    debug("Lock `%s`: %s (%s)", project.lock_path, lock_action.kind, lock_action.reason)
    # uv sync always says how the lock went; uv run only under -v.
    resolved = _timed("Resolved", len(lock.packages), started)
    if (request.uv_summary or request.verbose) and not (request.quiet or request.uv_dry_run):
        err.write(resolved)
    if request.isolated:
        # uv: an isolated run resolves in memory and never writes the lock; the environment
        # is a cached one of its own, mirroring the lock exactly.
        from accord.reconciler.run.cached import environment_key

        key = environment_key(
            "isolated", str(project.root), str(interpreter.base_executable), *request.options_key
        )
        venv = cache_root() / "environments" / f"isolated-{key}"
        if isinstance(lock_action, WriteLock):
            lock_action = KeepLock(f"--isolated: {lock_action.reason}, resolved in memory only")
        request = attrs.evolve(request, exact=True)
    selection = _selection(request, project, lock)
    binaries = _binary_policy(project, request)
    try:
        desired = desire(
            lock,
            selection,
            interpreter,
            exact=request.exact,
            reinstall=request.reinstall,
            reinstall_packages=frozenset(request.reinstall_packages),
            binaries=binaries,
        )
    except SelectionUnknown as exc:
        from accord.reconciler.run.export import selection_error

        raise selection_error(exc) from exc
    except NoCompatibleArtifact as exc:
        raise _no_artifact(exc, binaries) from exc
    desired = locate_source_trees(desired, Path(project.root))
    if request.verbose or request.output_format is OutputFormat.JSON:
        # The plan shown in full says why each package is wanted (model.why).
        from accord.model.why import why

        chains = why(lock, selection, interpreter.marker_environment())
        desired = attrs.evolve(desired, why=tuple(sorted(chains.items())))

    from accord.reconciler.install.observe import observe_environment

    relative_to = Path(request.cwd)
    # The lock is taken before observing, so the plan applied is the plan computed.
    with environment_lock(venv):
        checking = time.perf_counter()
        observed = observe_environment(venv)
        verification = None
        if request.verify:
            from accord.reconciler.install.verify import verify_environment

            verification = verify_environment(observed)
            observed = verification.observed
        plan = attrs.evolve(diff(desired, observed), lock=lock_action)
        if request.dry_plan and request.uv_dry_run:
            if not request.quiet:
                _print_uv_dry_run(plan, request, project, resolved, checking, err)
        elif request.dry_plan:
            _print_plan(plan, request, out, relative_to)
        if request.dry_plan:
            return SyncOutcome(
                venv=venv,
                python=venv / "bin" / "python",
                plan=plan,
                dry_plan=True,
                plan_is_empty=plan.is_empty,
                interpreter=interpreter,
            )
        if plan.is_empty and _has_stash_litter(venv):
            from accord.reconciler.install.apply import remove_interrupted_stashes

            remove_interrupted_stashes(venv)  # an interrupted sync's, once all was repaired
        if not plan.is_empty:
            from accord.reconciler.install.apply import apply_plan
            from accord.reconciler.run.stamp import remove_stamp

            started = time.perf_counter()
            _announce(plan, request, err, relative_to)
            if isinstance(plan.lock, WriteLock):
                from accord.reconciler.lock.write import write_lock

                # The lock is written first, as uv does: the environment follows from it.
                write_lock(plan.lock.lock, Path(project.lock_path))
            if plan.actions or not isinstance(plan.environment, Keep):
                apply_plan(
                    plan,
                    venv,
                    cache_root(),
                    before_changes=lambda: remove_stamp(venv),
                    offline=request.offline,
                    # Index and build settings live in the workspace root's pyproject.toml.
                    builder=make_builder(
                        interpreter, request, Path(project.root) / "pyproject.toml"
                    ),
                )
            if not request.quiet:
                from accord.model.render import uv_summary

                seconds = time.perf_counter() - started
                err.write(uv_summary(plan, seconds, changes=request.uv_summary))
        elif (request.uv_summary or request.verbose) and not request.quiet:
            err.write(_timed("Checked", len(observed.dists), checking))
        if verification is not None and isinstance(plan.environment, Keep):
            from accord.model.plan import Remove, Replace
            from accord.reconciler.install.verify import write_snapshot

            # After the apply: the dists it replaced or removed are not vouched for.
            changed = {
                action.installed.dist_info
                for action in plan.actions
                if isinstance(action, Replace | Remove)
            }
            write_snapshot(venv, verification, changed)
        if request.compile_bytecode:
            _compile_bytecode(venv, quiet=bool(request.quiet), err=err)
        if not request.isolated:
            from accord.reconciler.run.stamp import write_stamp

            trees = [
                Path(unquote(urlsplit(dist.directory_url).path))
                for dist in desired.dists
                if dist.kind is ArtifactKind.SOURCE_TREE and dist.directory_url is not None
            ]
            write_stamp(request, project, interpreter, venv, trees)
    return SyncOutcome(
        venv=venv,
        python=venv / "bin" / "python",
        plan=plan,
        plan_is_empty=plan.is_empty,
        strict=project.strict,
        interpreter=interpreter,
        project_root=Path(project.root),
    )


def sync_bare(request: RunRequest, target: BareEnvironment) -> SyncOutcome:
    """No project: run in the active environment, a ``.venv`` upward, or an interpreter."""
    active = os.environ.get("VIRTUAL_ENV")
    candidates = [Path(active)] if active else []
    start = Path(target.directory)
    candidates += [directory / ".venv" for directory in (start, *start.parents)]
    if request.python is None:
        for venv in candidates:
            if (venv / "pyvenv.cfg").is_file() and (venv / "bin" / "python").exists():
                return SyncOutcome(venv=venv, python=venv / "bin" / "python", plan=None)
    interpreter: Interpreter = find_interpreter(
        request=request.python, project_dir=start, requires_python=None, existing_venv=None
    )
    venv_path = Path(interpreter.prefix) if interpreter.is_venv else None
    return SyncOutcome(venv=venv_path, python=Path(interpreter.executable), plan=None)


def _bare_isolated(
    request: RunRequest, outcome: SyncOutcome, out: TextIO, err: TextIO
) -> SyncOutcome:
    """``--isolated`` without a project: a fresh cached environment from the interpreter."""
    from accord.reconciler.interpreters.find import query_interpreter
    from accord.reconciler.run.cached import environment_key, sync_requirements

    interpreter = query_interpreter(outcome.python)
    base = find_interpreter(
        request=str(interpreter.base_executable),
        project_dir=None,
        requires_python=None,
        existing_venv=None,
    )
    key = environment_key("isolated", str(base.base_executable), str(base.version))
    made = sync_requirements(
        name="isolated",
        requirements=(),
        interpreter=base,
        request=request,
        key=key,
        label="--isolated environment",
        out=out,
        err=err,
    )
    return attrs.evolve(
        outcome, venv=made.venv, python=made.venv / "bin" / "python", interpreter=base
    )


def sync(request: RunRequest, *, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> SyncOutcome:
    """Run every stage up to (and including) apply for this request."""
    if request.script is not None:
        from accord.reconciler.run.script import sync_script

        outcome = sync_script(request, Path(request.script), out=out, err=err)
    else:
        project_dir = Path(request.project) if request.project is not None else Path(request.cwd)
        target = discover_target(project_dir, no_project=request.no_project)
        if isinstance(target, BareEnvironment) and request.require_project:
            from accord.reconciler.errors import ProjectNotFound
            from accord.reconciler.project.discover import find_pyproject

            if find_pyproject(project_dir) is None:
                raise ProjectNotFound(
                    "No `pyproject.toml` found in current directory or any parent directory"
                )
        if isinstance(target, BareEnvironment):
            outcome = sync_bare(request, target)
            if request.isolated:
                outcome = _bare_isolated(request, outcome, out, err)
            elif request.dry_plan:
                where = outcome.venv or outcome.python
                note = f"No project: running in {where} as is ({target.reason})"
                if request.output_format is OutputFormat.JSON:
                    from accord.model.render import render_bare_json
                    from accord.reconciler.interpreters.find import query_interpreter

                    interpreter = outcome.interpreter or query_interpreter(outcome.python)
                    out.write(render_bare_json(where, interpreter, note))
                else:
                    out.write(note + "\n")
                outcome = attrs.evolve(outcome, dry_plan=True)
        else:
            from accord.reconciler.project.config import settings_for

            # Read before anything else, as uv does: a bad uv.toml stops even a --frozen run.
            settings_for(Path(target.root), request)
            outcome = sync_project(request, target, out=out, err=err)
    if request.with_requirements or request.with_files or request.with_editables:
        from accord.reconciler.run.overlay import add_with_layer

        outcome = add_with_layer(request, outcome, out=out, err=err)
    if request.dry_plan:
        outcome = attrs.evolve(outcome, dry_plan=True)
    return outcome
