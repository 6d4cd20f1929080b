"""uv's configuration files: find, read and merge them (reads files and the environment).

``settings_for(root, config)`` is the ``[tool.uv]`` table every stage reads its settings
from. It follows uv 0.13.8 (``uv-settings``, checked side by side):

- ``--config-file FILE`` (``UV_CONFIG_FILE``): that file alone, over ``--no-config``;
- ``--no-config`` (``UV_NO_CONFIG``): no file at all, not even the project's ``[tool.uv]``;
- otherwise the project's file, then the user's, then the system's (highest first). The
  project's is the first directory, from the workspace root upward, that holds a ``uv.toml``
  (preferred; uv warns about what it masks in a ``[tool.uv]`` beside it) or a pyproject.toml
  with a ``[tool.uv]`` table. The user's is ``$XDG_CONFIG_HOME/uv/uv.toml`` (else
  ``~/.config/uv/uv.toml``); the system's the first ``uv/uv.toml`` under ``$XDG_CONFIG_DIRS``
  when that is set, else ``/etc/uv/uv.toml``.

The project keys (``model.uv_config.PROJECT_KEYS``) always come from the workspace root's
pyproject.toml. Each file is read once per process.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from accord.model.uv_config import (
    ConfigLayer,
    EffectiveSettings,
    check_values,
    disallowed_in_uv_toml,
    effective_settings,
    masked_by_uv_toml,
)
from accord.model.uv_options import OptionsProblem, options_problem
from accord.reconciler.errors import ConfigInvalid
from accord.reconciler.fsutil import user_display
from accord.reconciler.notices import SETTINGS, warn

if TYPE_CHECKING:
    from accord.model.config_settings import BuildSettings
    from accord.model.request import ConfigOptions
    from accord.model.target import Target

__all__ = [
    "build_settings",
    "candidate_files",
    "discover_with_settings",
    "index_config",
    "script_index_config",
    "settings_for",
    "system_config_file",
    "user_config_file",
]


def user_config_file() -> Path | None:
    """``$XDG_CONFIG_HOME/uv/uv.toml`` (an absolute one), else ``~/.config/uv/uv.toml``."""
    home = os.environ.get("XDG_CONFIG_HOME", "")
    if not os.path.isabs(home):
        user_home = os.path.expanduser("~")
        if user_home == "~":
            return None
        home = os.path.join(user_home, ".config")
    return Path(home, "uv", "uv.toml")


def _system_candidates() -> list[Path]:
    dirs = os.environ.get("XDG_CONFIG_DIRS")
    if dirs is None:
        return [Path("/etc/uv/uv.toml")]
    # uv: an empty XDG_CONFIG_DIRS means /etc/xdg; the list ends at its first empty entry.
    found = []
    for directory in (dirs or "/etc/xdg").split(":"):
        if not directory:
            break
        found.append(Path(directory, "uv", "uv.toml"))
    return [*found, Path("/etc/uv/uv.toml")]


def system_config_file() -> Path | None:
    """The first ``uv/uv.toml`` under ``$XDG_CONFIG_DIRS`` (when set), else
    ``/etc/uv/uv.toml``; None when there is none."""
    return next((path for path in _system_candidates() if path.is_file()), None)


def candidate_files(root: Path | None) -> list[Path]:
    """Every file whose appearance or change could change the settings for ``root`` (for the
    stamp: a missing one counts too)."""
    candidates = [path for path in (user_config_file(),) if path is not None]
    candidates += _system_candidates()
    if root is not None:
        for directory in (root, *root.parents):
            candidates += [directory / "uv.toml", directory / "pyproject.toml"]
    return list(dict.fromkeys(candidates))


def _read_text(path: Path) -> str | None:
    """The file's text; None when it does not exist."""
    try:
        return path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        return None
    except UnicodeDecodeError as exc:
        raise ConfigInvalid(
            f"failed to read from file `{os.path.abspath(path)}`: stream did not contain valid "
            "UTF-8",
            path=path,
        ) from exc
    except OSError as exc:
        raise ConfigInvalid(
            f"failed to open file `{user_display(path)}`: {exc.strerror or exc}", path=path
        ) from exc


def _parse(path: Path, text: str) -> dict[str, Any]:
    from accord.model.toml import TomlSyntaxError, loads

    try:
        return loads(text)
    except TomlSyntaxError as exc:
        raise ConfigInvalid(
            exc.report(user_display(path)), path=path, line=exc.line, column=exc.column
        ) from exc


def _problem_block(text: str, prefix: tuple[str, ...], problem: OptionsProblem) -> str:
    """uv's report of a settings value at ``prefix + problem.path`` in ``text``."""
    from accord.model.toml import block
    from accord.model.toml_spans import locate

    found = locate(text, (*prefix, *problem.path), key=problem.at_key)
    if found is None:
        return problem.detail
    return block(found.line, found.column, found.source_line, problem.detail, width=found.width)


def _read_uv_toml(path: Path, text: str) -> ConfigLayer:
    """A ``uv.toml`` as a layer; refuses (as uv does) a key uv does not know or a value of the
    wrong shape, then the keys only a pyproject.toml may hold (with its line and column)."""
    from accord.model.toml import caused

    table = _parse(path, text)
    shown = user_display(path)
    problem = options_problem(table)
    if problem is not None:
        raise ConfigInvalid(
            caused(f"Failed to parse: {shown}", _problem_block(text, (), problem)), path=path
        )
    key = disallowed_in_uv_toml(table)
    if key is not None:
        raise ConfigInvalid(
            f"Failed to parse `{shown}`. The `{key}` field is not allowed in a `uv.toml` file. "
            f"`{key}` is only applicable in the context of a project, and should be placed in "
            "a `pyproject.toml` file instead.",
            path=path,
        )
    invalid = check_values(table)
    if invalid is not None:
        found = OptionsProblem((invalid[0],), invalid[1])
        raise ConfigInvalid(
            caused(f"Failed to parse: {shown}", _problem_block(text, (), found)), path=path
        )
    return ConfigLayer(path, table)


def _tool_uv(pyproject: Path) -> dict[str, Any] | None:
    """A pyproject.toml's ``[tool.uv]`` table; None when it has none or does not parse (uv
    passes over it in settings discovery; the project's own is checked by discovery)."""
    from accord.model.toml import TomlSyntaxError, loads

    text = _read_text(pyproject)
    if text is None:
        return None
    try:
        data = loads(text)
    except TomlSyntaxError:
        return None
    tool = data.get("tool")
    uv = tool.get("uv") if isinstance(tool, dict) else None
    return uv if isinstance(uv, dict) else None


def _discovered_tool_uv(pyproject: Path, text: str) -> dict[str, Any] | None:
    """A pyproject.toml's ``[tool.uv]`` as settings discovery reads it: None when it has
    none, or when uv could not read it as settings (it does not parse, or a setting is unknown
    or of the wrong shape), which uv passes over with a warning naming the mistake."""
    from accord.model.toml import TomlSyntaxError, loads

    try:
        data = loads(text)
    except TomlSyntaxError as exc:
        _warn_unreadable(pyproject, exc.block())
        return None
    tool = data.get("tool")
    uv = tool.get("uv") if isinstance(tool, dict) else None
    if not isinstance(uv, dict):
        return None
    problem = options_problem(uv)
    if problem is not None:
        _warn_unreadable(pyproject, _problem_block(text, ("tool", "uv"), problem))
        return None
    return uv


def _warn_unreadable(pyproject: Path, report: str) -> None:
    indented = "\n".join(f"  {line}" if line.strip() else "" for line in report.split("\n"))
    warn(
        f"Failed to parse `{user_display(pyproject)}` during settings discovery:\n{indented}\n",
        when=SETTINGS,
    )


def _project_layer(root: Path) -> ConfigLayer | None:
    """uv's ``FilesystemOptions::find``: from ``root`` upward, the first directory with a
    ``uv.toml`` or a pyproject.toml whose ``[tool.uv]`` uv can read (one it cannot is passed
    over, with a warning)."""
    for directory in (root, *root.parents):
        uv_toml = directory / "uv.toml"
        text = _read_text(uv_toml)
        if text is not None:
            masked = masked_by_uv_toml(_tool_uv(directory / "pyproject.toml") or {})
            if masked:
                listing = "\n- ".join(masked)
                warn(
                    "Found both a `uv.toml` file and a `[tool.uv]` section in an "
                    "adjacent `pyproject.toml`. The following fields from `[tool.uv]` will be "
                    f"ignored in favor of the `uv.toml` file:\n- {listing}",
                    when=SETTINGS,
                )
            return _read_uv_toml(uv_toml, text)
        pyproject = directory / "pyproject.toml"
        text = _read_text(pyproject)
        table = None if text is None else _discovered_tool_uv(pyproject, text)
        if table is not None:
            return ConfigLayer(pyproject, table, is_pyproject=True)
    return None


def _file_layer(path: Path | None) -> ConfigLayer | None:
    if path is None:
        return None
    text = _read_text(path)
    return None if text is None else _read_uv_toml(path, text)


@functools.cache
def _layers(
    root: Path, no_config: bool, config_file: Path | None, _env: tuple[str | None, ...]
) -> tuple[ConfigLayer, ...]:
    if config_file is not None:
        if config_file.name == "pyproject.toml":
            warn(
                "The `--config-file` argument expects to receive a `uv.toml` file, "
                "not a `pyproject.toml`. If you're trying to run a command from another "
                "project, use the `--project` argument instead.",
                when=SETTINGS,
            )
        text = _read_text(config_file)
        if text is None:
            raise ConfigInvalid(
                f"failed to open file `{config_file}`: No such file or directory (os error 2)",
                path=config_file,
            )
        return (_read_uv_toml(config_file, text),)
    if no_config:
        return ()
    project = _project_layer(root)
    found = (project, _file_layer(user_config_file()), _file_layer(system_config_file()))
    return tuple(layer for layer in found if layer is not None)


@functools.cache
def _settings_root(directory: Path) -> Path:
    """Where uv's settings discovery starts without a project root: the root of the workspace
    ``directory`` is in (uv discovers it for its settings before it reads the command, so
    even under ``--no-project``), else ``directory`` itself."""
    from accord.model.target import Project
    from accord.reconciler.errors import ProjectInvalid
    from accord.reconciler.project.discover import discover_target

    try:
        target = discover_target(directory)
    except ProjectInvalid:
        return directory
    return Path(target.root) if isinstance(target, Project) else directory


def settings_for(root: Path | None, config: ConfigOptions) -> EffectiveSettings:
    """The ``[tool.uv]`` settings for the workspace rooted at ``root`` (None: no project;
    the search starts at the workspace root around ``config.settings_from``, else there)
    under ``--config-file`` and ``--no-config``. Raises ConfigInvalid naming a file that
    cannot be used."""
    config_file = Path(config.config_file) if config.config_file is not None else None
    env = tuple(os.environ.get(name) for name in ("XDG_CONFIG_HOME", "XDG_CONFIG_DIRS", "HOME"))
    start = root
    if start is None:
        start = _settings_root(Path(os.path.abspath(config.settings_from or Path.cwd())))
    layers = _layers(start, config.no_config, config_file, env)
    root_tool_uv = (_tool_uv(root / "pyproject.toml") or {}) if root is not None else {}
    return effective_settings(layers, root_tool_uv)


def discover_with_settings(
    project_dir: Path, config: ConfigOptions, *, no_project: bool = False
) -> Target:
    """``discover_target`` in uv's order: uv reads its settings before it uses the project, so
    a settings warning (a pyproject.toml it cannot read, met on its way up from the project
    directory) or a settings error comes before the project's own error, if any."""
    from accord.model.target import Project
    from accord.reconciler.errors import ProjectInvalid
    from accord.reconciler.project.discover import discover_target

    try:
        target = discover_target(project_dir, no_project=no_project)
    except ProjectInvalid:
        settings_for(Path(os.path.abspath(project_dir)), config)
        raise
    # uv reads its settings first whatever it then does with the project: a bare run too
    # (`--no-project` included) warns about a `[tool.uv]` it cannot read, or stops at a bad
    # uv.toml.
    settings_for(Path(target.root) if isinstance(target, Project) else None, config)
    return target


def index_config(root: Path | None, config: ConfigOptions) -> dict[str, Any]:
    """``settings_for`` as the pyproject-shaped table ``project.indexes.configured_indexes``
    reads."""
    return {"tool": {"uv": dict(settings_for(root, config).table)}}


def script_index_config(
    script: Path, tool_uv: Mapping[str, Any], config: ConfigOptions
) -> dict[str, Any]:
    """A PEP 723 script's settings: its own ``[tool.uv]`` over the configuration files (as
    uv lays a script's settings over the filesystem's)."""
    from accord.model.uv_config import merge_layers

    own = ConfigLayer(script, tool_uv, is_pyproject=True)
    return {"tool": {"uv": merge_layers((own, *settings_for(None, config).layers))}}


def build_settings(root: Path | None, config: ConfigOptions, given: BuildSettings) -> BuildSettings:
    """The PEP 517 ``config_settings`` of every build: ``given`` (the command line's ``-C`` and
    ``--config-settings-package``) first, then each file's ``config-settings`` and
    ``config-settings-package`` in precedence order, joined key by key as uv joins them (a key
    set twice gets both values, a list); and each file's ``extra-build-dependencies`` and
    ``extra-build-variables`` (``model.extra_build``). Raises ConfigInvalid naming a file
    whose value has the wrong shape."""
    from accord.model.config_settings import (
        BuildSettings,
        read_config_settings,
        read_package_config_settings,
    )
    from accord.model.extra_build import read_extra_build_dependencies, read_extra_build_variables

    merged = given
    for layer in settings_for(root, config).layers:
        common = layer.table.get("config-settings", {})
        packages = layer.table.get("config-settings-package", {})
        try:
            settings = BuildSettings(
                common=read_config_settings(layer.key_name("config-settings"), common)
            ).merge(
                read_package_config_settings(layer.key_name("config-settings-package"), packages)
            )
            for key, read in (
                ("extra-build-dependencies", read_extra_build_dependencies),
                ("extra-build-variables", read_extra_build_variables),
            ):
                if key in layer.table:
                    extra = read(layer.key_name(key), layer.table[key])
                    settings = settings.merge(BuildSettings(extra=extra))
        except ValueError as exc:
            path = Path(layer.path)
            raise ConfigInvalid(f"`{user_display(path)}`: {exc}", path=path) from exc
        merged = merged.merge(settings)
    return merged
