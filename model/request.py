"""What the user asked for (pure): built by the CLI, read by the stages.

A ``RunRequest`` is a handful of small values, one per concern (indexes, configuration files,
the lock policy, the selection, the sync policy, the output, what runs), so that each stage
below the run stage is handed only its own (``ensure_lock`` gets the lock policy, the index and
configuration options; never the whole request).
"""

from __future__ import annotations

import enum
from pathlib import PurePath
from typing import Any, TypeVar

import attrs
from packaging.utils import NormalizedName

from accord.model.config_settings import BuildSettings
from accord.model.install_filter import InstallFilter

__all__ = [
    "ConfigOptions",
    "IndexOptions",
    "LockMode",
    "LockPolicy",
    "OutputFormat",
    "OutputOptions",
    "RunOptions",
    "RunRequest",
    "SelectionOptions",
    "SyncPolicy",
]

P = TypeVar("P", bound=PurePath)


class LockMode(enum.Enum):
    WRITE = "write"
    """Default: use the lock, (re)locking when needed."""
    LOCKED = "locked"
    """``--locked``: the lock must already be current."""
    FROZEN = "frozen"
    """``--frozen``: use the lock as it is, without checking it against pyproject.toml."""


class OutputFormat(enum.Enum):
    TEXT = "text"
    JSON = "json"


@attrs.frozen(kw_only=True)
class IndexOptions:
    """Where packages come from: the indexes and how they are reached."""

    default_index: str | None = None
    """``--default-index`` / ``--index-url``."""
    extra_index_urls: tuple[str, ...] = ()
    no_index: bool = False
    """``--no-index`` (or ``UV_NO_INDEX``): no index at all, only local sources."""
    find_links: tuple[str, ...] = ()
    """``--find-links`` (or ``UV_FIND_LINKS``), as given: paths relative to the working
    directory; before ``tool.uv.find-links``."""
    index_strategy: str | None = None
    """``--index-strategy`` (or ``UV_INDEX_STRATEGY``): over ``tool.uv.index-strategy``."""
    offline: bool = False
    refresh: bool = False


@attrs.frozen(kw_only=True)
class ConfigOptions:
    """Which uv configuration files are read."""

    no_config: bool = False
    """``--no-config`` (``UV_NO_CONFIG``): read no uv configuration file, nor the settings
    of the project's ``[tool.uv]``."""
    config_file: PurePath | None = None
    """``--config-file`` (``UV_CONFIG_FILE``): the one uv.toml to read settings from."""
    settings_from: PurePath | None = None
    """``--project``'s directory (None: the working directory): where uv's settings discovery
    starts when no project root is given (``--no-project``, no project, a script). uv reads
    the settings of the workspace that directory is in even under ``--no-project``."""


@attrs.frozen(kw_only=True)
class LockPolicy:
    """What may happen to the lock, and how a new one is resolved."""

    lock_mode: LockMode = LockMode.WRITE
    locked_flag: str = "--locked"
    """How the user asked for ``LockMode.LOCKED`` (``accord lock --check`` says ``--check``)."""
    upgrade: bool = False
    upgrade_packages: tuple[NormalizedName, ...] = ()
    resolution: str | None = None
    """``--resolution`` (or ``UV_RESOLUTION``): over ``tool.uv.resolution``."""
    prerelease: str | None = None
    """``--prerelease`` (or ``UV_PRERELEASE``): over ``tool.uv.prerelease``."""
    prerelease_package: tuple[str, ...] = ()
    """``--prerelease-package NAME=MODE`` values: over ``tool.uv.prerelease-package``."""
    exclude_newer: str | None = None
    """``--exclude-newer`` (or ``UV_EXCLUDE_NEWER``): over ``tool.uv.exclude-newer``."""
    fork_strategy: str | None = None
    """``--fork-strategy`` (or ``UV_FORK_STRATEGY``): over ``tool.uv.fork-strategy``."""
    no_build: bool = False
    no_build_packages: tuple[NormalizedName, ...] = ()
    no_binary: bool = False
    no_binary_packages: tuple[NormalizedName, ...] = ()
    """``--no-build``/``--no-binary`` (and ``-package``): added to ``tool.uv``'s."""
    no_build_isolation: bool = False
    """``--no-build-isolation``: build with the target interpreter's own packages."""
    config_settings: BuildSettings = attrs.field(factory=BuildSettings)
    """``-C``/``--config-setting`` and ``--config-settings-package``: the PEP 517 settings of
    every build, before the configuration files' (``reconciler.project.config``)."""
    no_sources: bool = False
    """``--no-sources`` (or ``UV_NO_SOURCES``): resolve without ``tool.uv.sources``, as
    ``tool.uv.no-sources = true`` does."""
    no_sources_packages: tuple[NormalizedName, ...] = ()
    """``--no-sources-package`` (or ``UV_NO_SOURCES_PACKAGE``): these packages' entries of
    ``tool.uv.sources`` ignored; added to ``tool.uv.no-sources-package``."""


@attrs.frozen(kw_only=True)
class SelectionOptions:
    """Which extras, groups and workspace members the environment holds."""

    extras: tuple[NormalizedName, ...] = ()
    all_extras: bool = False
    groups: tuple[NormalizedName, ...] = ()
    only_groups: tuple[NormalizedName, ...] = ()
    no_groups: tuple[NormalizedName, ...] = ()
    all_groups: bool = False
    no_default_groups: bool = False
    package: NormalizedName | None = None
    """``--package``: run in the context of this workspace member."""
    all_packages: bool = False
    """``--all-packages``: install every workspace member."""


@attrs.frozen(kw_only=True)
class SyncPolicy:
    """How the environment is brought in line with the lock."""

    exact: bool = False
    reinstall: bool = False
    reinstall_packages: tuple[NormalizedName, ...] = ()
    verify: bool = False
    """``--verify``: hash every installed file against its RECORD (not only its size), and
    repair the packages whose files differ."""
    no_sync: bool = False
    """``--no-sync``: no lock, no install; the environment is only created when missing."""
    compile_bytecode: bool = False
    """``--compile-bytecode``: compile site-packages to bytecode after a sync."""
    require_project: bool = False
    """``accord sync``: outside any project is an error (as ``uv sync``)."""
    install_filter: InstallFilter = attrs.Factory(InstallFilter)
    """``--no-install-*``/``--only-install-*`` (``sync``, ``add``): what of the selection is
    left uninstalled; its ``project`` is filled in once the project is known."""


@attrs.frozen(kw_only=True)
class OutputOptions:
    """What is printed, and in which form."""

    dry_plan: bool = False
    output_format: OutputFormat = OutputFormat.TEXT
    check: bool = False
    quiet: int = 0
    verbose: int = 0
    uv_dry_run: bool = False
    """``accord sync --dry-run``/``--check``: the plan told on stderr in uv's words
    (``model.uv_dry_run``), not accord's plan on stdout."""
    uv_summary: bool = False
    """Report a sync in uv's words (``Resolved N packages``, `` + name==1.0``), not the plan."""


@attrs.frozen(kw_only=True)
class RunOptions:
    """What runs, and in which environment (the project's, or a cached one)."""

    command: tuple[str, ...] = ()
    """Empty for ``accord sync``."""
    no_project: bool = False
    active: bool | None = None
    """``--active`` (True) or ``--no-active`` (False), whichever was given last: ``True`` syncs
    the environment ``VIRTUAL_ENV`` names instead of the project's; ``False`` keeps the
    project's without the warning that ``VIRTUAL_ENV`` names another. None: neither given."""
    isolated: bool = False
    """``--isolated``: a cached environment of its own; the project's ``.venv`` untouched."""
    with_requirements: tuple[str, ...] = ()
    """``--with`` values, already split on commas."""
    with_files: tuple[PurePath, ...] = ()
    """``--with-requirements`` files."""
    with_editables: tuple[PurePath, ...] = ()
    """``--with-editable`` project directories."""
    script: PurePath | None = None
    """A PEP 723 script to run in its own environment (found by the CLI)."""


_PARTS: dict[str, type[Any]] = {
    "index": IndexOptions,
    "config": ConfigOptions,
    "locking": LockPolicy,
    "selection": SelectionOptions,
    "sync": SyncPolicy,
    "output": OutputOptions,
    "run": RunOptions,
}
_HOME = {field.name: part for part, kind in _PARTS.items() for field in attrs.fields(kind)}


@attrs.frozen(kw_only=True)
class RunRequest:
    """One ``accord run`` / ``sync`` / ``lock`` / ... invocation, after option parsing."""

    cwd: PurePath
    """The working directory (after ``--directory``)."""
    project: PurePath | None = None
    """``--project``: where to look for the project (the working directory stays)."""
    python: str | None = None
    index: IndexOptions = attrs.field(factory=IndexOptions)
    config: ConfigOptions = attrs.field(factory=ConfigOptions)
    locking: LockPolicy = attrs.field(factory=LockPolicy)
    selection: SelectionOptions = attrs.field(factory=SelectionOptions)
    sync: SyncPolicy = attrs.field(factory=SyncPolicy)
    output: OutputOptions = attrs.field(factory=OutputOptions)
    run: RunOptions = attrs.field(factory=RunOptions)
    options_key: tuple[str, ...] = ()
    """The sync-affecting options exactly as given, for the fast-path stamp."""

    @classmethod
    def of(cls, **fields: Any) -> RunRequest:
        """A request from flat option names (``offline=True``, ``extras=(...)``), each put in
        its part; a name no part has is a ``TypeError``."""
        return _build(cls, dict(fields))

    def version_file_dir(self, directory: P) -> P | None:
        """Where a ``.python-version`` is looked for from: ``directory``, or nowhere under
        ``--no-config``/``UV_NO_CONFIG`` (uv ignores the file then)."""
        return None if self.config.no_config else directory

    def evolve(self, **fields: Any) -> RunRequest:
        """This request with some options changed, named flat as in ``of``."""
        top = {name: fields.pop(name) for name in list(fields) if name not in _HOME}
        changes: dict[str, dict[str, Any]] = {}
        for name, value in fields.items():
            changes.setdefault(_HOME[name], {})[name] = value
        parts = {
            part: attrs.evolve(getattr(self, part), **values) for part, values in changes.items()
        }
        return attrs.evolve(self, **top, **parts)


def _build(cls: type[RunRequest], fields: dict[str, Any]) -> RunRequest:
    top = {name: fields.pop(name) for name in list(fields) if name not in _HOME}
    grouped: dict[str, dict[str, Any]] = {}
    for name, value in fields.items():
        grouped.setdefault(_HOME[name], {})[name] = value
    parts = {part: _PARTS[part](**values) for part, values in grouped.items()}
    return cls(**top, **parts)
