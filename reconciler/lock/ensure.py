"""Lock stage: make sure the project's ``uv.lock`` is current (reads files and the index).

``ensure_lock`` returns the lock to plan from and the lock action. It never writes: a new
lock travels in the plan (``WriteLock``) and is written by apply, so ``--dry-plan`` changes
nothing. Modes follow uv: ``--frozen`` uses the lock as it is (no index access);
``--locked`` fails when the lock would change; the default re-locks when the inputs moved.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TextIO

import attrs
from packaging.specifiers import SpecifierSet
from packaging.utils import NormalizedName

from accord.model.interpreter import Interpreter
from accord.model.lock import Lock, SourceKind
from accord.model.plan import KeepLock, LockAction, WriteLock
from accord.model.request import LockMode, RunRequest
from accord.model.staleness import why_stale
from accord.model.target import Project
from accord.reconciler.errors import (
    LockfileMissing,
    LockStale,
    ProjectInvalid,
    SettingUnsupported,
)

if TYPE_CHECKING:
    from packaging.requirements import Requirement

    from accord.model.exclude_newer import ExcludeNewer
    from accord.model.marker_tree import MarkerTree
    from accord.model.uv_config import EffectiveSettings
    from accord.model.uv_settings import BinaryPolicy
    from accord.reconciler.project.workspace import Workspace

__all__ = [
    "DEFAULT_INDEX",
    "MetadataBuilder",
    "MetadataBuilders",
    "configured_indexes",
    "ensure_lock",
    "load_workspace",
]

DEFAULT_INDEX = "https://pypi.org/simple"


class MetadataBuilder(Protocol):
    """Prepares the core metadata of an sdist (or local archive) the index gives no wheel for:
    the build stage's ``ProjectBuilder``, handed in by the caller (the lock stage sits below
    the build stage and never imports it)."""

    def sdist_metadata(self, url: str, sha256: str | None, filename: str) -> bytes: ...


MetadataBuilders = Callable[[Sequence[str], "tuple[Requirement, ...]"], MetadataBuilder]
"""``(indexes, build constraints) -> MetadataBuilder``: what a resolution builds with."""


def configured_indexes(request: RunRequest, pyproject: Mapping[str, Any]) -> tuple[list[str], bool]:
    """The indexes in search order, and whether any was configured explicitly.

    Extra indexes (``--extra-index-url``, non-default ``[[tool.uv.index]]``) come before the
    default one, as in uv; the default is ``--default-index``/``--index-url``, else
    ``ACCORD_INDEX_URL``, else a ``[[tool.uv.index]]`` with ``default = true``, else
    ``tool.uv.index-url``, else PyPI. ``tool.uv.extra-index-url`` entries come after the
    ``[[tool.uv.index]]`` ones; ``tool.uv.no-index`` leaves no index at all.
    """
    from accord.reconciler.credentials import remember_index
    from accord.reconciler.project.discover import toml_table

    uv = toml_table(pyproject, "tool", "uv")
    declared = [e for e in uv.get("index", []) if isinstance(e, dict) and "url" in e]
    # Logins are taken out of the URLs here (and sent as HTTP Basic auth): the lock, the
    # cache and every message only ever see the bare URLs.
    declared = [
        dict(e, url=remember_index(str(e["url"]), str(e["name"]) if e.get("name") else None))
        for e in declared
    ]
    if request.no_index or uv.get("no-index") is True:
        return [], True  # only local sources can be resolved (uv: `--no-index`)
    settings_extras = uv.get("extra-index-url", [])
    if not isinstance(settings_extras, list) or not all(
        isinstance(url, str) for url in settings_extras
    ):
        raise ProjectInvalid("`tool.uv.extra-index-url` must be a list of index URLs")
    index_url = uv.get("index-url")
    if index_url is not None and not isinstance(index_url, str):
        raise ProjectInvalid("`tool.uv.index-url` must be an index URL")
    extras = [remember_index(url) for url in request.extra_index_urls]
    extras += [str(e["url"]) for e in declared if not e.get("default") and not e.get("explicit")]
    # uv searches [[tool.uv.index]] entries before the (deprecated) extra-index-url ones.
    extras += [remember_index(str(url)) for url in settings_extras]
    given = request.default_index or os.environ.get("ACCORD_INDEX_URL")
    default = remember_index(given) if given else None
    default = default or next((str(e["url"]) for e in declared if e.get("default")), None)
    if default is None and index_url is not None:
        default = remember_index(index_url)
    explicit = bool(default or extras)
    ordered = [*extras, default or DEFAULT_INDEX]
    return list(dict.fromkeys(ordered)), explicit


def load_workspace(
    project: Project, interpreter: Interpreter, err: TextIO = sys.stderr
) -> Workspace:
    """The workspace's declared inputs (every member); a member without requires-python gets
    the interpreter's ``>=X.Y``, with uv's warning."""
    from accord.reconciler.project.workspace import read_workspace

    workspace = read_workspace(Path(project.root))
    if not any(m.requires_python for m in workspace.members):
        version = interpreter.python_version
        err.write(
            "warning: No `requires-python` value found in the workspace. "
            f"Defaulting to `>={version}`.\n"
        )
        default = SpecifierSet(f">={version}")
        workspace = attrs.evolve(
            workspace,
            members=tuple(attrs.evolve(m, requires_python=default) for m in workspace.members),
        )
    return workspace


def _read_existing(path: Path) -> tuple[str | None, Lock | None]:
    """The lock as text and value, ``(None, None)`` when there is none. A lock that exists
    but cannot be read is an error (exit 2), as in uv: never ignored, never replaced."""
    from accord.reconciler.lock.memo import read_existing_lock

    return read_existing_lock(path)


def _stale_error(display: str, why: str, flag: str = "--locked") -> LockStale:
    return LockStale(
        f"The lockfile at `{display}` needs to be updated, but `{flag}` was provided.\n"
        f"  cause: {why}",
        hint="To update the lockfile, run `accord lock`.",
    )


def ensure_lock(
    project: Project,
    interpreter: Interpreter,
    request: RunRequest,
    *,
    builders: MetadataBuilders,
    err: TextIO = sys.stderr,
) -> tuple[Lock, LockAction]:
    """The lock to plan from, and what happens to the file (see the module docstring)."""
    path = Path(project.lock_path)
    display = os.path.relpath(path) if path.is_relative_to(Path.cwd()) else str(path)
    text, existing = _read_existing(path)
    if request.lock_mode is LockMode.FROZEN:
        if existing is None:
            raise LockfileMissing(
                f"Unable to find lockfile at `{display}`, but `--frozen` was provided. "
                "To create a lockfile, run `accord lock` or `accord sync` without the flag."
            )
        return existing, KeepLock("--frozen: used as it is")
    if existing is None and request.lock_mode is LockMode.LOCKED:
        raise LockfileMissing(
            f"Unable to find lockfile at `{display}`, but `{request.locked_flag}` was provided. "
            "To create a lockfile, run `accord lock` or `accord sync` without the flag."
        )

    from accord.model.manifest import lock_requirement
    from accord.model.uv_settings import recorded_prerelease
    from accord.reconciler.project.config import settings_for

    workspace = load_workspace(project, interpreter, err)
    config = settings_for(workspace.root, request)
    refused = _settings(workspace, config, err)
    prerelease = _prerelease(workspace, config, request.prerelease)
    exclude_newer = _exclude_newer(workspace, config, request.exclude_newer)
    inputs = _dependency_settings(workspace, config, request)
    indexes, explicit = configured_indexes(request, {"tool": {"uv": dict(config.table)}})
    upgrading = request.upgrade or bool(request.upgrade_packages)
    if existing is None:
        why = "missing" if text is None else "unreadable"
    elif request.upgrade:
        why = "--upgrade"
    else:
        is_workspace = len(workspace.members) > 1 or workspace.is_virtual_root
        stale = why_stale(
            existing,
            workspace.members,
            indexes if explicit else (),
            members=[m.name for m in workspace.members] if is_workspace else (),
            root_groups=[
                (group, [lock_requirement(r) for r in reqs])
                for group, reqs in workspace.root_groups
            ],
        )
        if stale is None:
            stale = inputs.why_stale(existing)
        if stale is None and existing.options.prerelease_mode != recorded_prerelease(prerelease):
            stale = "the prerelease mode changed"
        if stale is None and _exclude_newer_changed(existing, exclude_newer):
            stale = "the exclude-newer limit changed"
        if stale is None and not upgrading:
            return existing, KeepLock("up to date")
        why = stale or "--upgrade-package " + ", ".join(request.upgrade_packages)
        if (existing.options.resolution_mode, existing.options.fork_strategy) != (
            inputs.resolution,
            inputs.fork_strategy,
        ):
            # uv ignores a lock resolved in another mode or fork strategy (no preferences, no
            # forks kept).
            existing = None
    if refused is not None:
        # Refused before resolving: the lock accord would write is not the one uv writes.
        where, names = refused
        raise SettingUnsupported(
            f"`{where}` sets {names}, which accord does not support yet; "
            "it changes the lock, so accord will not resolve without it",
            hint="lock with uv (accord runs from a uv.lock that is up to date), "
            "or remove the setting",
            path=where,
        )
    builder = builders(indexes, inputs.build_constraints)
    new = _resolve(
        workspace, indexes, request, existing, builder, prerelease, exclude_newer, inputs, err
    )
    from accord.reconciler.lock.write import format_lock

    if text is not None and format_lock(new) == text:
        return existing or new, KeepLock("up to date")
    if request.lock_mode is LockMode.LOCKED:
        raise _stale_error(display, why, request.locked_flag)
    return new, WriteLock(reason=why, lock=new)


def _settings(
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
            err.write(f"warning: {line}\n")
        if not layer.is_pyproject:
            for key in sorted(k for k in layer.table if k in PROJECT_KEYS):
                err.write(
                    f"warning: `{key}` in `{layer.path}` is not used: uv reads it from a "
                    "project's pyproject.toml only\n"
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


def _prerelease(
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

    @property
    def supported_markers(self) -> tuple[str, ...]:
        return tuple(str(tree) for tree in self.environments)

    def why_stale(self, lock: Lock) -> str | None:
        """How the lock's ``[options]`` and ``[manifest]`` differ from these settings (the
        requirements compared as sets)."""
        from accord.model.manifest import lock_requirement, requirement_key

        if lock.options.resolution_mode != self.resolution:
            return "the resolution mode changed"
        if lock.options.fork_strategy != self.fork_strategy:
            return "the fork strategy changed"
        if tuple(str(m) for m in lock.supported_markers) != self.supported_markers:
            return "the supported environments (`tool.uv.environments`) changed"
        if sorted(lock.excludes) != sorted(self.excludes):
            return "`tool.uv.exclude-dependencies` changed"
        required = tuple(str(tree) for tree in self.required_environments)
        if tuple(str(m) for m in lock.required_markers) != required:
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
        return None


def _dependency_settings(
    workspace: Workspace, config: EffectiveSettings, request: RunRequest
) -> DependencySettings:
    from accord.model.uv_settings import (
        SettingInvalid,
        read_binary_policy,
        read_dependencies,
        read_environments,
        read_excludes,
        read_fork_strategy,
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
            resolution=read_resolution_mode(request.resolution or uv.get("resolution")),
            environments=read_environments("environments", uv.get("environments")),
            required_environments=read_environments(
                "required-environments", uv.get("required-environments")
            ),
            fork_strategy=read_fork_strategy(request.fork_strategy or uv.get("fork-strategy")),
            excludes=read_excludes(uv.get("exclude-dependencies")),
            binaries=read_binary_policy(uv).with_flags(
                no_binary=request.no_binary,
                no_binary_packages=request.no_binary_packages,
                no_build=request.no_build,
                no_build_packages=request.no_build_packages,
            ),
        )
    except SettingInvalid as exc:
        pyproject = _where(workspace, config)
        raise ProjectInvalid(f"`{pyproject}`: {exc}", hint=exc.hint, path=pyproject) from exc


def _exclude_newer(
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


def _exclude_newer_changed(lock: Lock, exclude_newer: ExcludeNewer) -> bool:
    """uv's rule: a span is compared as a span (time passing changes nothing); a timestamp
    and the per-package limits as written."""
    timestamp, span = exclude_newer.lock_options()
    options = lock.options
    if (options.exclude_newer_span, options.exclude_newer) != (span, timestamp):
        return True
    return dict(options.exclude_newer_package) != dict(exclude_newer.packages)


def _warner(err: TextIO) -> Callable[[str], None]:
    def warn(line: str) -> None:
        err.write(f"warning: {line}\n")

    return warn


def _resolve(
    workspace: Workspace,
    indexes: Sequence[str],
    request: RunRequest,
    existing: Lock | None,
    builder: MetadataBuilder,
    prerelease: str | None = None,
    exclude_newer: ExcludeNewer | None = None,
    inputs: DependencySettings | None = None,
    err: TextIO | None = None,
) -> Lock:
    from accord.model.git import parse_lock_url
    from accord.reconciler.cachedir import cache_root
    from accord.reconciler.fetch.index import IndexClient
    from accord.reconciler.lock.resolve import resolve_lock

    git_commits: dict[NormalizedName, str] = {}
    if existing is not None:
        for package in existing.packages:
            upgraded = request.upgrade or package.name in request.upgrade_packages
            if package.source.kind is SourceKind.GIT and not upgraded:
                # A git dependency stays on its locked commit until upgraded (uv's rule).
                git_commits[package.name] = parse_lock_url(package.source.location)[1]
    client = IndexClient(
        indexes, cache_dir=cache_root(), offline=request.offline, refresh=request.refresh
    )
    clients: dict[str, IndexClient] = {}
    pinned: dict[NormalizedName, IndexClient] = {}
    for member in workspace.members:
        for name, url in member.index_pins:
            if url not in clients:
                clients[url] = IndexClient(
                    [url], cache_dir=cache_root(), offline=request.offline, refresh=request.refresh
                )
            pinned[name] = clients[url]
    try:
        return resolve_lock(
            workspace.members,
            client,
            root=workspace.root,
            root_groups=workspace.root_groups,
            virtual_root=workspace.is_virtual_root,
            cache=cache_root(),
            offline=request.offline,
            git_commits=git_commits,
            archive_metadata=builder.sdist_metadata,
            pinned=pinned,
            index_url=indexes[-1] if indexes else "",
            existing=existing,
            upgrade=request.upgrade,
            upgrade_packages=frozenset(request.upgrade_packages),
            prerelease=prerelease,
            exclude_newer=exclude_newer,
            constraints=inputs.constraints if inputs else (),
            overrides=inputs.overrides if inputs else (),
            build_constraints=inputs.build_constraints if inputs else (),
            resolution=inputs.resolution if inputs else None,
            environments=inputs.environments if inputs else (),
            required_environments=inputs.required_environments if inputs else (),
            fork_strategy=inputs.fork_strategy if inputs else None,
            binaries=inputs.binaries if inputs else None,
            excludes=inputs.excludes if inputs else (),
            warn=None if err is None else _warner(err),
            sdist_metadata=lambda file: builder.sdist_metadata(
                file.url, file.sha256, file.filename
            ),
        )
    finally:
        client.close()
        for pinned_client in clients.values():
            pinned_client.close()
