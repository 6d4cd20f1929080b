"""What a project's environment should be (run stage, desire side), from its lock.

The interpreter bounds of the project and the groups a run installs, then the lock narrowed
to the request's selection, the interpreter and the binary policy (``model.desired``), with the
source trees located and, when the plan is shown in full, why each package is wanted.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import attrs
from packaging.specifiers import SpecifierSet

from accord.model.conflicts import SelectionConflicts
from accord.model.desired import (
    DesiredEnvironment,
    NoCompatibleArtifact,
    Selection,
    SelectionUnknown,
    desire,
)
from accord.model.interpreter import Interpreter
from accord.model.lock import Lock
from accord.model.request import OutputFormat, RunRequest
from accord.model.target import Project
from accord.reconciler.errors import NoArtifactForPlatform
from accord.reconciler.project.source_trees import locate_source_trees

if TYPE_CHECKING:
    from accord.model.uv_settings import BinaryPolicy

__all__ = ["desire_project", "requires_python"]


def requires_python(request: RunRequest, project: Project) -> SpecifierSet | None:
    """The project's requires-python, the other workspace members', and that of every
    dependency group this run installs (``tool.uv.dependency-groups.<group>.requires-python``):
    uv picks an interpreter that satisfies them all."""
    base = project.workspace_requires_python
    if request.run.no_project or project.name is None:
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

    flags = request.locking.no_binary or request.locking.no_build
    flags = flags or bool(request.locking.no_binary_packages or request.locking.no_build_packages)
    pyproject = Path(project.root) / "pyproject.toml"
    uv = settings_for(Path(project.root), request.config).table
    keys = ("no-binary", "no-build", "no-binary-package", "no-build-package")
    if not flags and not any(key in uv for key in keys):
        return None
    try:
        policy = read_binary_policy(uv) if uv else BinaryPolicy()
    except SettingInvalid as exc:
        raise ProjectInvalid(f"`{pyproject}`: {exc}", path=pyproject) from exc
    return policy.with_flags(
        no_binary=request.locking.no_binary,
        no_binary_packages=request.locking.no_binary_packages,
        no_build=request.locking.no_build,
        no_build_packages=request.locking.no_build_packages,
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


def desire_project(
    request: RunRequest, project: Project, lock: Lock, interpreter: Interpreter
) -> DesiredEnvironment:
    """The lock narrowed to this request's selection and ``interpreter``.

    Raises the selection's error (an unknown extra or group) or NoArtifactForPlatform.
    """
    selection = _selection(request, project, lock)
    binaries = _binary_policy(project, request)
    try:
        desired = desire(
            lock,
            selection,
            interpreter,
            exact=request.sync.exact,
            reinstall=request.sync.reinstall,
            reinstall_packages=frozenset(request.sync.reinstall_packages),
            binaries=binaries,
        )
    except SelectionUnknown as exc:
        from accord.reconciler.run.export import selection_error

        raise selection_error(exc) from exc
    except SelectionConflicts as exc:
        from accord.reconciler.errors import SelectionInvalid

        raise SelectionInvalid(str(exc)) from exc
    except NoCompatibleArtifact as exc:
        raise _no_artifact(exc, binaries) from exc
    from accord.reconciler.project.config import build_settings

    root = Path(project.root)
    settings = build_settings(root, request.config, request.locking.config_settings)
    desired = locate_source_trees(desired, root, settings)
    if request.output.verbose or request.output.output_format is OutputFormat.JSON:
        # The plan shown in full says why each package is wanted (model.why).
        from accord.model.why import why

        chains = why(lock, selection, interpreter.marker_environment())
        desired = attrs.evolve(desired, why=tuple(sorted(chains.items())))
    return desired
