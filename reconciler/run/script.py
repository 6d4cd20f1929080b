"""PEP 723 scripts (discover + lock + apply for a script): a script with a ``# /// script``
block runs in a cached environment of its own, decided by its inline metadata (under
``--active``, the environment ``VIRTUAL_ENV`` names, as in uv).

The environment is keyed by the metadata block and the interpreter, so editing the
dependency list selects a different environment. ``<script>.lock`` (uv's script-lock
format, kept current by the lock stage: ``reconciler/lock/script.py``) is used when it
exists, and ``--locked``/``--frozen`` apply to it; without one the script's requirements are
resolved straight into the environment, and those flags are errors (as in uv; ``run`` only
warns of ``UV_LOCKED``/``UV_FROZEN``).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from accord.model.lock import Lock
from accord.model.lock_action import LockAction, WriteLock
from accord.model.request import LockMode, RunRequest
from accord.reconciler.errors import LockStale, ScriptInvalid, UsageError
from accord.reconciler.lock.script import script_lock_path

__all__ = ["read_script_metadata", "script_interpreter", "sync_script"]

if TYPE_CHECKING:
    from accord.model.interpreter import Interpreter
    from accord.model.script import ScriptMetadata, ScriptMetadataError
    from accord.reconciler.run.outcome import SyncOutcome


def read_script_metadata(script: Path) -> ScriptMetadata | None:
    """The script's inline metadata, None without a block; errors name file and line."""
    from accord.model.script import ScriptMetadataError, parse_script_metadata

    try:
        text = script.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ScriptInvalid(
            f"Failed to read `{script}`: it is not UTF-8 text (byte {exc.start})", path=script
        ) from exc
    except OSError as exc:
        raise UsageError(f"Failed to read `{script}`: {exc.strerror}") from exc
    try:
        metadata = parse_script_metadata(text)
    except ScriptMetadataError as exc:
        raise script_invalid(script, exc) from exc
    if metadata is not None:
        _refuse_unhonoured(script, dict(metadata.tool_uv))
    return metadata


def script_invalid(script: Path, error: ScriptMetadataError) -> ScriptInvalid:
    """uv's report of a broken ``script`` block (for a mistake in its TOML: the ``TOML parse
    error`` block, whose lines count from the block's first), under a head that names the
    script and where in it the mistake is."""
    from accord.model.toml import caused
    from accord.reconciler.fsutil import user_display

    where = f"line {error.line}" + (f", column {error.column}" if error.column else "")
    head = f"Failed to parse the `script` metadata block of `{user_display(script)}` at {where}"
    return ScriptInvalid(
        caused(head, error.report or error.message),
        path=script,
        line=error.line,
        column=error.column,
    )


SCRIPT_SETTINGS = frozenset(
    {"index", "index-url", "extra-index-url", "find-links", "no-index", "index-strategy"}
)
"""The ``[tool.uv]`` keys of a PEP 723 script that accord honours (where packages come from)."""


def _refuse_unhonoured(script: Path, table: dict[str, Any]) -> None:
    """Refuse, by name, a script setting that would change what uv installs and that accord
    does not apply to scripts (a settings key uv knows but does not use is only warned of)."""
    from accord.model.uv_settings import NOT_USED, check_uv_settings
    from accord.reconciler.errors import SettingUnsupported

    for line in check_uv_settings(table).warnings(str(script)):
        sys.stderr.write(f"warning: {line}\n")
    for key in sorted(table):
        if key in SCRIPT_SETTINGS or key in NOT_USED:
            continue
        raise SettingUnsupported(
            f"`{script}` sets `[tool.uv] {key}`, which accord does not honour for scripts yet",
            hint="remove it, or run the script with uv",
            path=script,
        )


def _index_config(script: Path, metadata: ScriptMetadata, request: RunRequest) -> dict[str, Any]:
    from accord.reconciler.project.config import script_index_config

    return script_index_config(script, dict(metadata.tool_uv), request.config)


def sync_script(
    request: RunRequest, script: Path, *, out: TextIO | None = None, err: TextIO | None = None
) -> SyncOutcome:
    """Bring the script's cached environment in line with its metadata (or its lock)."""
    err = sys.stderr if err is None else err
    out = sys.stdout if out is None else out
    from accord.reconciler.fsutil import user_display
    from accord.reconciler.lock.script import ensure_script_lock
    from accord.reconciler.lock.write import write_lock
    from accord.reconciler.run.cached import (
        STORED_LOCK,
        environment_key,
        environment_path,
        sync_requirements,
    )
    from accord.reconciler.run.outcome import SyncOutcome
    from accord.reconciler.run.report import timed

    metadata = read_script_metadata(script)
    if metadata is None:
        raise UsageError(f"`{script}` has no `# /// script` metadata block")
    interpreter = script_interpreter(request, script, metadata, err)
    key = environment_key(
        "script", metadata.block_text, str(interpreter.base_executable), str(interpreter.version)
    )
    stem = "".join(c if c.isalnum() or c in "-_" else "-" for c in script.stem)[:60] or "script"
    # `--active`: the environment VIRTUAL_ENV names (relative to the working directory), as
    # uv does; without it, `sync --script` warns that VIRTUAL_ENV is passed over (a run not).
    virtual_env = os.environ.get("VIRTUAL_ENV")
    active = Path(request.cwd) / virtual_env if request.run.active and virtual_env else None
    cached = environment_path(f"script-{stem}", key)
    if (
        virtual_env
        and request.run.active is None
        and not (request.run.command or request.output.quiet)
        and os.path.realpath(virtual_env) != os.path.realpath(cached)
    ):
        err.write(
            f"warning: `VIRTUAL_ENV={user_display(Path(virtual_env))}` does not match the "
            f"script environment path `{user_display(cached)}` and will be ignored; use "
            "`--active` to target the active environment instead\n"
        )
    lock: Lock | None = None
    lock_action: LockAction | None = None
    if script_lock_path(script).is_file():
        started = time.perf_counter()
        try:
            lock, lock_action = ensure_script_lock(
                script, metadata, interpreter, request.locking, request.index, request.config
            )
        except LockStale as stale:
            # uv resolves, says so (`sync --script`, a run under -v), then refuses.
            output = request.output
            said = output.verbose or (output.uv_summary and not output.dry_plan)
            if stale.resolved is not None and said and not output.quiet:
                err.write(timed("Resolved", stale.resolved, started))
            raise
    elif request.locking.lock_mode is not LockMode.WRITE:
        frozen = request.locking.lock_mode is LockMode.FROZEN
        if request.run.command and request.locking.locked_flag.startswith("UV_"):
            # uv's `run`: a variable (set for every project, say) does not stop a script that
            # has no lock; uv names `UV_FROZEN` as `--frozen` here.
            ignored = "--frozen" if frozen else request.locking.locked_flag
            err.write(
                f"warning: No lockfile found for Python script (ignoring `{ignored}`); run "
                "`accord lock --script` to generate a lockfile\n"
            )
        else:
            flag = "--frozen" if frozen else "--locked"
            raise UsageError(
                f"Unable to find lockfile for Python script, but `{flag}` was provided. "
                "To create a lockfile, run `accord lock --script`."
            )
    made = sync_requirements(
        name=f"script-{stem}",
        requirements=metadata.dependencies,
        interpreter=interpreter,
        request=request,
        key=key,
        label=f"environment for {script.name}",
        lock=lock,
        lock_action=lock_action,
        index_config=_index_config(script, metadata, request),
        lock_name=script_lock_path(script).name if lock is not None else STORED_LOCK,
        active=active,
        exact=request.sync.exact,
        out=out,
        err=err,
    )
    if isinstance(lock_action, WriteLock) and lock is not None and not request.output.dry_plan:
        write_lock(lock, script_lock_path(script))
    return SyncOutcome(
        venv=made.venv,
        python=made.venv / "bin" / "python",
        plan=made.plan,
        plan_is_empty=made.plan.is_empty,
        interpreter=interpreter,
        dry_plan=request.output.dry_plan,
    )


def script_interpreter(
    request: RunRequest, script: Path, metadata: ScriptMetadata, err: TextIO
) -> Interpreter:
    """The interpreter for ``script``: one its ``requires-python`` allows, or (uv's rule) the one
    asked for by name (``--python``, ``UV_PYTHON``) all the same, with a warning."""
    from accord.reconciler.errors import InterpreterIncompatible
    from accord.reconciler.interpreters.find import find_interpreter

    try:
        return find_interpreter(
            request=request.python,
            project_dir=request.version_file_dir(script.absolute().parent),
            requires_python=metadata.requires_python,
            existing_venv=None,
        )
    except InterpreterIncompatible:
        if request.python is None:
            raise
    interpreter = find_interpreter(
        request=request.python,
        project_dir=request.version_file_dir(script.absolute().parent),
        requires_python=None,
        existing_venv=None,
    )
    spec = ", ".join(str(s) for s in metadata.requires_python or ())
    err.write(
        f"warning: The requested interpreter resolved to Python {interpreter.version}, "
        f"which is incompatible with the script's Python requirement: `{spec}`\n"
    )
    return interpreter
