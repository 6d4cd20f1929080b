"""``accord why NAME`` (slow path): the requirement chains that bring one package in.

The project's lock as ``accord export`` reads it, the selection of the command line, and the
interpreter the project's environment uses (its marker environment decides which edges
count); the chains themselves come from the pure ``model.why``.
"""

from __future__ import annotations

from pathlib import Path

from packaging.utils import canonicalize_name

from accord.model.desired import SelectionUnknown
from accord.model.request import RunRequest
from accord.model.why import Chain, why
from accord.reconciler.errors import AccordError, ExitCode
from accord.reconciler.run.export import export_selection, read_project_lock, selection_error

__all__ = ["PackageNotWanted", "why_chains"]


class PackageNotWanted(AccordError):
    """The package is not in the lock, or the selection does not bring it in here."""

    exit_code = ExitCode.FAILURE


def why_chains(request: RunRequest, name: str) -> tuple[Chain, ...]:
    """The chains that bring ``name`` into the project's environment, shortest first."""
    from accord.reconciler.interpreters.find import find_interpreter

    project, lock, _ = read_project_lock(request)
    wanted = canonicalize_name(name)
    if not lock.packages_named(wanted):
        raise PackageNotWanted(f"`{name}` is not in the lockfile")
    interpreter = find_interpreter(
        request=request.python,
        project_dir=request.version_file_dir(Path(project.directory)),
        requires_python=project.workspace_requires_python,
        existing_venv=Path(project.venv),
        origin=project.interpreter_origin,
    )
    selection, workspace_groups = export_selection(request, project, lock)
    try:
        chains = why(
            lock,
            selection,
            interpreter.marker_environment(),
            workspace_groups=workspace_groups,
        )
    except SelectionUnknown as exc:
        raise selection_error(exc) from exc
    if wanted not in chains:
        raise PackageNotWanted(
            f"`{name}` is in the lockfile, but nothing the selection installs with "
            f"{interpreter.display_name} needs it",
            hint="its markers do not hold here, or it belongs to an extra or group not selected",
        )
    return chains[wanted]
