"""No project (run stage, ``--no-project`` or no pyproject.toml found): nothing to sync.

The command runs in the active environment, a ``.venv`` upward, or an interpreter as they
are; ``--isolated`` gets a fresh cached environment from that interpreter instead
(``reconciler.run.cached``), and ``--dry-plan`` says which one would be used.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TextIO

import attrs

from accord.model.interpreter import Interpreter
from accord.model.request import OutputFormat, RunRequest
from accord.model.target import BareEnvironment
from accord.reconciler.interpreters.find import find_interpreter, read_version_file
from accord.reconciler.run.outcome import SyncOutcome

__all__ = ["sync_bare"]


def sync_bare(
    request: RunRequest, target: BareEnvironment, *, out: TextIO, err: TextIO
) -> SyncOutcome:
    """No project: the environment or interpreter to run in (or, ``--dry-plan``, said)."""
    outcome = _found_environment(request, target)
    if request.run.isolated:
        return _bare_isolated(request, outcome, out, err)
    if request.output.dry_plan:
        where = outcome.venv or outcome.python
        note = f"No project: running in {where} as is ({target.reason})"
        if request.output.output_format is OutputFormat.JSON:
            from accord.model.render import render_bare_json
            from accord.reconciler.interpreters.find import query_interpreter

            interpreter = outcome.interpreter or query_interpreter(outcome.python)
            out.write(render_bare_json(where, interpreter, note))
        else:
            out.write(note + "\n")
        outcome = attrs.evolve(outcome, dry_plan=True)
    return outcome


def _found_environment(request: RunRequest, target: BareEnvironment) -> SyncOutcome:
    """The active environment, a ``.venv`` upward, or an interpreter."""
    active = os.environ.get("VIRTUAL_ENV")
    candidates = [Path(active)] if active else []
    start = Path(target.directory)
    candidates += [directory / ".venv" for directory in (start, *start.parents)]
    if request.python is None:
        read_version_file(request.version_file_dir(start))  # uv's warnings, whatever it finds
        for venv in candidates:
            if (venv / "pyvenv.cfg").is_file() and (venv / "bin" / "python").exists():
                return SyncOutcome(venv=venv, python=venv / "bin" / "python", plan=None)
    interpreter: Interpreter = find_interpreter(
        request=request.python,
        project_dir=request.version_file_dir(start),
        requires_python=None,
        existing_venv=None,
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
