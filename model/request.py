"""What the user asked for, as one value (pure): built by the CLI, read by every stage."""

from __future__ import annotations

import enum
from pathlib import PurePath

import attrs
from packaging.utils import NormalizedName

__all__ = ["LockMode", "OutputFormat", "RunRequest"]


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
class RunRequest:
    """One ``accord run`` / ``accord sync`` invocation, after option parsing."""

    command: tuple[str, ...] = ()
    """Empty for ``accord sync``."""
    cwd: PurePath
    """The working directory (after ``--directory``)."""
    project: PurePath | None = None
    """``--project``: where to look for the project (the working directory stays)."""
    python: str | None = None
    lock_mode: LockMode = LockMode.WRITE
    locked_flag: str = "--locked"
    """How the user asked for ``LockMode.LOCKED`` (``accord lock --check`` says ``--check``)."""
    dry_plan: bool = False
    output_format: OutputFormat = OutputFormat.TEXT
    check: bool = False
    exact: bool = False
    extras: tuple[NormalizedName, ...] = ()
    all_extras: bool = False
    groups: tuple[NormalizedName, ...] = ()
    only_groups: tuple[NormalizedName, ...] = ()
    no_groups: tuple[NormalizedName, ...] = ()
    all_groups: bool = False
    no_default_groups: bool = False
    no_project: bool = False
    reinstall: bool = False
    reinstall_packages: tuple[NormalizedName, ...] = ()
    verify: bool = False
    """``--verify``: hash every installed file against its RECORD (not only its size), and
    repair the packages whose files differ."""
    upgrade: bool = False
    upgrade_packages: tuple[NormalizedName, ...] = ()
    default_index: str | None = None
    """``--default-index`` / ``--index-url``."""
    extra_index_urls: tuple[str, ...] = ()
    offline: bool = False
    refresh: bool = False
    resolution: str | None = None
    """``--resolution`` (or ``UV_RESOLUTION``): over ``tool.uv.resolution``."""
    prerelease: str | None = None
    """``--prerelease`` (or ``UV_PRERELEASE``): over ``tool.uv.prerelease``."""
    exclude_newer: str | None = None
    """``--exclude-newer`` (or ``UV_EXCLUDE_NEWER``): over ``tool.uv.exclude-newer``."""
    fork_strategy: str | None = None
    """``--fork-strategy`` (or ``UV_FORK_STRATEGY``): over ``tool.uv.fork-strategy``."""
    no_index: bool = False
    """``--no-index`` (or ``UV_NO_INDEX``): no index at all, only local sources."""
    no_build: bool = False
    no_build_packages: tuple[NormalizedName, ...] = ()
    no_binary: bool = False
    no_binary_packages: tuple[NormalizedName, ...] = ()
    """``--no-build``/``--no-binary`` (and ``-package``): added to ``tool.uv``'s."""
    no_build_isolation: bool = False
    """``--no-build-isolation``: build with the target interpreter's own packages."""
    no_config: bool = False
    """``--no-config`` (``UV_NO_CONFIG``): read no uv configuration file, nor the settings
    of the project's ``[tool.uv]``."""
    config_file: PurePath | None = None
    """``--config-file`` (``UV_CONFIG_FILE``): the one uv.toml to read settings from."""
    package: NormalizedName | None = None
    """``--package``: run in the context of this workspace member."""
    all_packages: bool = False
    """``--all-packages``: install every workspace member."""
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
    no_sync: bool = False
    """``--no-sync``: no lock, no install; the environment is only created when missing."""
    compile_bytecode: bool = False
    """``--compile-bytecode``: compile site-packages to bytecode after a sync."""
    require_project: bool = False
    """``accord sync``: outside any project is an error (as ``uv sync``)."""
    uv_dry_run: bool = False
    """``accord sync --dry-run``/``--check``: the plan told on stderr in uv's words
    (``model.uv_dry_run``), not accord's plan on stdout."""
    uv_summary: bool = False
    """Report a sync in uv's words (``Resolved N packages``, `` + name==1.0``), not the plan."""
    quiet: int = 0
    verbose: int = 0
    options_key: tuple[str, ...] = ()
    """The sync-affecting options exactly as given, for the fast-path stamp."""
