"""``accord export`` (slow path): the project's lock, narrowed to a selection, as a file.

Finds the project and its lock exactly as ``accord lock`` does (``--locked``/``--frozen``
apply; a lock that has to change is written first, as ``uv export`` writes it), then hands
the lock and the selection to the pure ``model.export`` and ``model.export_formats``.
Touches: pyproject.toml files, uv.lock (read, and written when stale without ``--frozen``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import attrs
from packaging.utils import NormalizedName, canonicalize_name

from accord.model.desired import Selection, SelectionUnknown
from accord.model.lock import Lock
from accord.model.request import LockMode, RunRequest
from accord.model.target import Project
from accord.reconciler.errors import LockStale, SelectionInvalid, UsageError

if TYPE_CHECKING:  # the formats are imported by an export only, not by a sync's selection
    from accord.model.export_formats import ExportFormat

__all__ = [
    "ExportOptions",
    "export_lock",
    "export_selection",
    "header_command",
    "output_format",
    "read_project_lock",
    "request_selection",
    "selection_error",
]

_DEV = canonicalize_name("dev")


@attrs.frozen(kw_only=True)
class ExportOptions:
    """What ``accord export`` writes, besides the selection in the request."""

    format: ExportFormat
    hashes: bool = True
    header: bool = True
    annotate: bool = True
    command: tuple[str, ...] = ()
    """The command line for the header (``accord export ...``)."""


def header_command(argv: Sequence[str]) -> tuple[str, ...]:
    """``accord`` and the arguments, without the ones uv leaves out of its header
    (``-q``, ``-v``, ``--upgrade``, ``--upgrade-package X``, ``--upgrade-group X``)."""
    kept = ["accord"]
    skip_next = False
    for argument in argv:
        if skip_next:
            skip_next = False
            continue
        if argument in ("--upgrade", "-U", "--quiet", "-q", "--verbose", "-v"):
            continue
        if argument in ("--upgrade-package", "-P", "--upgrade-group"):
            skip_next = True
            continue
        if argument.startswith(("--upgrade-package=", "-P", "--upgrade-group=")):
            continue
        kept.append(argument)
    return tuple(kept)


def _is_pylock_name(name: str) -> bool:
    """PEP 751: ``pylock.toml`` or ``pylock.<name>.toml`` with a non-empty, dot-free name."""
    if name == "pylock.toml":
        return True
    if not (name.startswith("pylock.") and name.endswith(".toml")):
        return False
    middle = name[len("pylock.") : -len(".toml")]
    return bool(middle) and "." not in middle


def output_format(requested: str | None, output_file: str | None) -> ExportFormat:
    from accord.model.export_formats import ExportFormat

    """The format asked for, else the one the output file's name implies (as uv decides);
    refuses a pylock file name PEP 751 does not allow."""
    name = Path(output_file).name if output_file else None
    if name is not None and name.lower() == "pyproject.toml":
        raise UsageError(
            "`pyproject.toml` is not a supported output format for `accord export` "
            "(supported formats: requirements.txt, pylock.toml)"
        )
    if requested is not None:
        chosen = ExportFormat(requested)
    elif name is not None and _is_pylock_name(name):
        chosen = ExportFormat.PYLOCK_TOML
    else:
        chosen = ExportFormat.REQUIREMENTS_TXT
    if chosen is ExportFormat.PYLOCK_TOML and name is not None and not _is_pylock_name(name):
        raise UsageError(
            "Expected the output filename to be `pylock.toml` or `pylock.<name>.toml`, where "
            f"`<name>` is non-empty and contains no dots; found `{name}`"
        )
    return chosen


def request_selection(
    request: RunRequest, project: Project, roots: tuple[NormalizedName, ...]
) -> Selection:
    """What the request selects of ``roots``: extras, groups, and the project's default
    groups (uv's ``dev`` when it names none; none under ``--no-default-groups``)."""
    default_groups = project.default_groups
    if request.selection.no_default_groups:
        default_groups = ()
    elif default_groups is None:
        default_groups = (_DEV,)
    return Selection(
        roots=roots,
        extras=request.selection.extras,
        all_extras=request.selection.all_extras,
        groups=request.selection.groups,
        only_groups=request.selection.only_groups,
        no_groups=request.selection.no_groups,
        all_groups=request.selection.all_groups
        or (project.all_default_groups and not request.selection.no_default_groups),
        default_groups=default_groups,
    )


def export_selection(request: RunRequest, project: Project, lock: Lock) -> tuple[Selection, bool]:
    """The selection of the request, and whether the workspace root's own groups count
    (not when one member is the target: ``--package``, or a member's own directory)."""
    if request.selection.package is not None:
        if (
            request.selection.package not in lock.members
            and request.selection.package != project.name
        ):
            raise UsageError(
                f"The workspace does not have a member {request.selection.package}: {project.root}"
            )
        roots: tuple[NormalizedName, ...] = (request.selection.package,)
        workspace_groups = False
    elif request.selection.all_packages or project.name is None:
        roots = lock.members or ((project.name,) if project.name else ())
        workspace_groups = True
    else:
        roots = (project.name,)
        workspace_groups = False
    for root in roots:
        if not lock.packages_named(root):
            raise LockStale(
                f"The lockfile at `{os.path.relpath(project.lock_path)}` needs to be updated, "
                f"but `--frozen` was provided: Missing workspace member `{root}`.",
                hint="To update the lockfile, run `uv lock`.",
            )
    selection = request_selection(request, project, roots)
    if not request.sync.install_filter.is_empty:
        # uv's `--no-install-project` speaks of the project the command runs for: the
        # current one, or `--package`'s member (none at a virtual workspace root).
        installs = attrs.evolve(
            request.sync.install_filter, project=request.selection.package or project.name
        )
        selection = attrs.evolve(selection, install=installs)
    return selection, workspace_groups


def selection_error(exc: SelectionUnknown) -> SelectionInvalid:
    if exc.kind == "Extra":
        return SelectionInvalid(
            f"Extra `{exc.name}` is not defined in the `optional-dependencies` table for "
            f"`{exc.root}`"
        )
    if exc.kind == "Group":
        return SelectionInvalid(
            f"Group `{exc.name}` is not defined in the project's `dependency-groups` table"
        )
    return SelectionInvalid(str(exc))


def read_project_lock(
    request: RunRequest, *, announce: Callable[[str], None] | None = None
) -> tuple[Project, Lock, int | None]:
    """The project and its lock (written first when it had to change and may be); the
    number of packages resolved, or None under ``--frozen``. ``announce`` as
    ``lock_target``'s."""
    from accord.model.lock_action import WriteLock
    from accord.reconciler.lock.write import write_lock
    from accord.reconciler.project.config import discover_with_settings
    from accord.reconciler.project.discover import require_project
    from accord.reconciler.run.lock import lock_target

    start = Path(request.project) if request.project is not None else Path(request.cwd)
    project = require_project(discover_with_settings(start, request.config))
    lock, action, path = lock_target(request, announce=announce)
    if isinstance(action, WriteLock):
        write_lock(action.lock, path)
    resolved = None if request.locking.lock_mode is LockMode.FROZEN else len(lock.packages)
    return project, lock, resolved


def export_lock(project: Project, lock: Lock, request: RunRequest, options: ExportOptions) -> str:
    """The exported file's text, header included."""
    from accord.model.export import exportable_packages
    from accord.model.export_formats import (
        ExportFormat,
        header,
        render_pylock_toml,
        render_requirements_txt,
    )

    selection, workspace_groups = export_selection(request, project, lock)
    try:
        packages = exportable_packages(lock, selection, workspace_groups=workspace_groups)
    except SelectionUnknown as exc:
        raise selection_error(exc) from exc
    text = header(options.command) if options.header else ""
    if options.format is ExportFormat.PYLOCK_TOML:
        return text + render_pylock_toml(lock, packages)
    return text + render_requirements_txt(
        packages, hashes=options.hashes, annotate=options.annotate
    )
