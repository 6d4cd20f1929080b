"""Lock stage: the ``[tool.uv]`` settings a resolution depends on, read and checked.

Reads no file: the settings come merged from ``reconciler.project.config`` (``EffectiveSettings``,
with the file each layer came from) and are parsed by ``model.uv_settings``. A bad value is a
``ProjectInvalid`` naming the pyproject.toml it is in; a key accord does not know or does not
use is a warning; a key accord cannot honour is returned, for the caller to refuse.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import attrs
from packaging.specifiers import SpecifierSet
from packaging.utils import NormalizedName

from accord.model.lock import Lock
from accord.model.request import LockPolicy
from accord.reconciler.errors import ProjectInvalid
from accord.reconciler.notices import LOCK, warn

if TYPE_CHECKING:
    from packaging.requirements import Requirement

    from accord.model.conflicts import ConflictSets
    from accord.model.dependency_metadata import StaticMetadata
    from accord.model.exclude_newer import ExcludeNewer
    from accord.model.interpreter import Interpreter
    from accord.model.marker_tree import MarkerTree
    from accord.model.uv_config import EffectiveSettings
    from accord.model.uv_settings import BinaryPolicy
    from accord.reconciler.project.workspace import Workspace

__all__ = [
    "DependencySettings",
    "check_settings",
    "default_requires_python",
    "exclude_newer_changed",
    "read_dependency_settings",
    "read_exclude_newer",
    "read_no_sources",
    "read_prerelease",
]


def default_requires_python(interpreter: Interpreter, err: TextIO) -> SpecifierSet:
    """The interpreter's ``>=X.Y``, for a workspace (or a script) that declares no
    requires-python, with uv's warning."""
    default = SpecifierSet(f">={interpreter.python_version}")
    warn(
        f"No `requires-python` value found in the workspace. Defaulting to `{default}`.",
        when=LOCK,
        err=err,
    )
    return default


def check_settings(
    workspace: Workspace, config: EffectiveSettings, err: TextIO
) -> tuple[Path, str] | None:
    """Check the ``[tool.uv]`` keys of every file the settings come from, and the project
    keys of the workspace root's pyproject.toml; warn about keys accord does not use. Returns
    the first file that sets a key accord refuses to resolve with, and those keys."""
    from accord.model.uv_config import PROJECT_KEYS, ConfigLayer
    from accord.model.uv_settings import check_uv_settings
    from accord.reconciler.project.discover import toml_table

    root = workspace.root / "pyproject.toml"
    root_table = toml_table(workspace.root_data, "tool", "uv")
    layers = list(config.layers)
    if not any(layer.path == root for layer in layers):
        # Its settings are masked (a uv.toml, --config-file, --no-config): only its project
        # keys, and keys no uv knows, are still its own.
        layers.append(
            ConfigLayer(
                root,
                {k: v for k, v in root_table.items() if k in PROJECT_KEYS},
                is_pyproject=True,
            )
        )
    refused: tuple[Path, str] | None = None
    for layer in layers:
        own = (
            layer.table
            if layer.is_pyproject
            else {k: v for k, v in layer.table.items() if k not in PROJECT_KEYS}
        )
        report = check_uv_settings(own)
        prefix = "tool.uv." if layer.is_pyproject else ""
        for line in report.warnings(str(layer.path), prefix=prefix):
            warn(line, when=LOCK, err=err)
        if not layer.is_pyproject:
            for key in sorted(k for k in layer.table if k in PROJECT_KEYS):
                warn(
                    f"`{key}` in `{layer.path}` is not used: uv reads it from a "
                    "project's pyproject.toml only",
                    when=LOCK,
                    err=err,
                )
        if report.unhonoured and refused is None:
            names = ", ".join(f"`{prefix}{key}`" for key in report.unhonoured)
            refused = (Path(layer.path), names)
    return refused


def _where(workspace: Workspace, config: EffectiveSettings) -> Path:
    """The pyproject.toml a bad ``[tool.uv]`` value is in (uv.toml values are checked when
    the file is read)."""
    return next(
        (Path(layer.path) for layer in config.layers if layer.is_pyproject),
        workspace.root / "pyproject.toml",
    )


def read_prerelease(
    workspace: Workspace, config: EffectiveSettings, given: str | None = None
) -> str | None:
    """``--prerelease``, else the ``prerelease`` setting; None for uv's default."""
    from accord.model.uv_settings import PRERELEASE_MODES

    value = given or config.table.get("prerelease")
    if value is None or value == PRERELEASE_MODES[-1]:
        return None
    if value not in PRERELEASE_MODES:
        pyproject = _where(workspace, config)
        raise ProjectInvalid(
            f"`{pyproject}`: `tool.uv.prerelease` must be one of "
            + ", ".join(f"`{mode}`" for mode in PRERELEASE_MODES)
            + f", not {value!r}",
            path=pyproject,
        )
    return str(value)


@attrs.frozen
class DependencySettings:
    """The workspace root's ``constraint-dependencies``, ``override-dependencies``,
    ``build-constraint-dependencies`` and ``resolution``."""

    constraints: tuple[Requirement, ...] = ()
    overrides: tuple[Requirement, ...] = ()
    build_constraints: tuple[Requirement, ...] = ()
    resolution: str | None = None
    environments: tuple[MarkerTree, ...] = ()
    """``tool.uv.environments``: the only environments the lock supports."""
    required_environments: tuple[MarkerTree, ...] = ()
    """``tool.uv.required-environments``: where wheel-only versions must have a wheel."""
    fork_strategy: str | None = None
    """``tool.uv.fork-strategy``: None for uv's default (``requires-python``)."""
    binaries: BinaryPolicy | None = None
    """``no-binary``/``no-build`` (and their ``-package`` lists)."""
    excludes: tuple[NormalizedName, ...] = ()
    """``tool.uv.exclude-dependencies``."""
    conflicts: ConflictSets = ()
    """``tool.uv.conflicts`` of the workspace root's project."""
    dependency_metadata: tuple[StaticMetadata, ...] = ()
    """``tool.uv.dependency-metadata``, in the order given."""
    prerelease_package: tuple[tuple[NormalizedName, str], ...] = ()
    """``tool.uv.prerelease-package`` and ``--prerelease-package``: (name, mode), by name."""

    def why_stale(self, lock: Lock) -> str | None:
        """How the lock's ``[options]`` and ``[manifest]`` differ from these settings (the
        requirements compared as sets)."""
        from accord.model.conflicts import same_conflicts
        from accord.model.manifest import lock_requirement, requirement_key
        from accord.model.marker_tree import same_markers

        if lock.options.resolution_mode != self.resolution:
            return "the resolution mode changed"
        if lock.options.fork_strategy != self.fork_strategy:
            return "the fork strategy changed"
        if not same_markers(lock.supported_markers, self.environments):
            return "the supported environments (`tool.uv.environments`) changed"
        if sorted(lock.excludes) != sorted(self.excludes):
            return "`tool.uv.exclude-dependencies` changed"
        if not same_conflicts(lock.conflicts, self.conflicts):
            return "the conflicting extras and groups (`tool.uv.conflicts`) changed"
        if not same_markers(lock.required_markers, self.required_environments):
            return "the required environments (`tool.uv.required-environments`) changed"
        for label, recorded, declared in (
            ("constraint-dependencies", lock.constraints, self.constraints),
            ("override-dependencies", lock.overrides, self.overrides),
            ("build-constraint-dependencies", lock.build_constraints, self.build_constraints),
        ):
            old = {requirement_key(r) for r in recorded}
            new = {requirement_key(lock_requirement(r)) for r in declared}
            if old != new:
                return f"`tool.uv.{label}` changed"
        if set(lock.dependency_metadata) != set(self.dependency_metadata):
            return "`tool.uv.dependency-metadata` changed"
        if sorted(lock.options.prerelease_package) != list(self.prerelease_package):
            return "the per-package prerelease modes (`tool.uv.prerelease-package`) changed"
        return None


def read_dependency_settings(
    workspace: Workspace, config: EffectiveSettings, policy: LockPolicy
) -> DependencySettings:
    from accord.model.conflicts import read_conflicts
    from accord.model.dependency_metadata import read_dependency_metadata
    from accord.model.uv_settings import (
        SettingInvalid,
        read_binary_policy,
        read_dependencies,
        read_environments,
        read_excludes,
        read_fork_strategy,
        read_prerelease_package,
        read_resolution_mode,
    )

    uv = config.table
    try:
        return DependencySettings(
            constraints=read_dependencies(
                "constraint-dependencies", uv.get("constraint-dependencies")
            ),
            overrides=read_dependencies("override-dependencies", uv.get("override-dependencies")),
            build_constraints=read_dependencies(
                "build-constraint-dependencies", uv.get("build-constraint-dependencies")
            ),
            resolution=read_resolution_mode(policy.resolution or uv.get("resolution")),
            environments=read_environments("environments", uv.get("environments")),
            required_environments=read_environments(
                "required-environments", uv.get("required-environments")
            ),
            fork_strategy=read_fork_strategy(policy.fork_strategy or uv.get("fork-strategy")),
            excludes=read_excludes(uv.get("exclude-dependencies")),
            conflicts=read_conflicts(uv.get("conflicts"), _project_name(workspace)),
            dependency_metadata=read_dependency_metadata(
                uv.get("dependency-metadata"), "tool.uv.dependency-metadata"
            ),
            prerelease_package=read_prerelease_package(
                uv.get("prerelease-package"), policy.prerelease_package
            ),
            binaries=read_binary_policy(uv).with_flags(
                no_binary=policy.no_binary,
                no_binary_packages=policy.no_binary_packages,
                no_build=policy.no_build,
                no_build_packages=policy.no_build_packages,
            ),
        )
    except SettingInvalid as exc:
        pyproject = _where(workspace, config)
        raise ProjectInvalid(f"`{pyproject}`: {exc}", hint=exc.hint, path=pyproject) from exc


def _project_name(workspace: Workspace) -> NormalizedName:
    """The project whose pyproject.toml is at the workspace root (a conflict item's default
    package); a virtual root's conflicts name their packages."""
    for member in workspace.members:
        if member.directory == ".":
            return member.name
    return NormalizedName("")


def read_exclude_newer(
    workspace: Workspace, config: EffectiveSettings, given: str | None = None
) -> ExcludeNewer:
    """``--exclude-newer`` (else the ``exclude-newer`` setting) and ``exclude-newer-package``."""
    from accord.model.exclude_newer import ExcludeNewer, ExcludeNewerInvalid
    from accord.reconciler.errors import UsageError

    uv = config.table
    if given is not None:
        try:
            ExcludeNewer.from_settings(given, None)
        except ExcludeNewerInvalid as exc:
            raise UsageError(f"invalid value {given!r} for '--exclude-newer': {exc}") from exc
    try:
        return ExcludeNewer.from_settings(
            given or uv.get("exclude-newer"), uv.get("exclude-newer-package")
        )
    except ExcludeNewerInvalid as exc:
        pyproject = _where(workspace, config)
        raise ProjectInvalid(
            f"`{pyproject}`: `tool.uv.exclude-newer`: {exc}", path=pyproject
        ) from exc


def exclude_newer_changed(lock: Lock, exclude_newer: ExcludeNewer) -> bool:
    """uv's rule: a span is compared as a span (time passing changes nothing); a timestamp
    and the per-package limits as written."""
    timestamp, span = exclude_newer.lock_options()
    options = lock.options
    if (options.exclude_newer_span, options.exclude_newer) != (span, timestamp):
        return True
    return dict(options.exclude_newer_package) != dict(exclude_newer.packages)


def read_no_sources(
    workspace: Workspace, config: EffectiveSettings, policy: LockPolicy
) -> frozenset[NormalizedName] | None:
    """The packages resolved without their ``tool.uv.sources`` entries: None for every one
    (``--no-sources``, ``UV_NO_SOURCES``, ``tool.uv.no-sources``), else those named by
    ``--no-sources-package`` (``UV_NO_SOURCES_PACKAGE``) and ``tool.uv.no-sources-package``
    together (uv joins the two lists)."""
    from packaging.utils import canonicalize_name

    pyproject = _where(workspace, config)
    value = config.table.get("no-sources", False)
    if not isinstance(value, bool):
        raise ProjectInvalid(
            f"`{pyproject}`: `tool.uv.no-sources` must be true or false, not {value!r}",
            path=pyproject,
        )
    if policy.no_sources or value:
        return None
    names = config.table.get("no-sources-package", [])
    if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
        raise ProjectInvalid(
            f"`{pyproject}`: `tool.uv.no-sources-package` must be a list of package names",
            path=pyproject,
        )
    return frozenset(policy.no_sources_packages) | {canonicalize_name(n) for n in names}
