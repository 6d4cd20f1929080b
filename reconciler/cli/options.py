"""The options of ``run``, ``sync`` and ``lock`` as uv 0.13.8 spells them (CLI, slow path).

Every option uv accepts is declared here, so that an unknown one is refused before any work
(as clap does) and a known one accord cannot honour yet is refused by name instead of being
taken for the command or silently ignored. Global options (``-q``, ``--directory``, ...) are
declared on the group and on each subcommand, so they work before or after it, as in uv.

uv's environment variables are read here too, with uv's boolish parsing and its error
message; an ``ACCORD_*`` twin, where one exists, is read first.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import click

from accord.model.uv_settings import PRERELEASE_MODES, RESOLUTION_MODES
from accord.reconciler.errors import UsageError

__all__ = [
    "GLOBAL_OPTIONS",
    "INSTALL_OPTIONS",
    "LOCK_OPTIONS",
    "SELECTION_OPTIONS",
    "InvalidValue",
    "apply_environment",
    "apply_options",
    "env_flag",
    "merge_globals",
    "refuse_unsupported",
]

F = TypeVar("F", bound=Callable[..., Any])
Decorator = Callable[[F], F]


class InvalidValue(click.UsageError):
    """A value outside an option's choices, worded as clap words it."""


class _Choice(click.Choice):  # type: ignore[type-arg]
    """click.Choice with clap's message (``invalid value 'x' for '--color <COLOR_CHOICE>'``)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if value in self.choices:
            return value
        name = param.opts[-1] if param is not None and param.opts else "value"
        metavar = param.metavar if isinstance(param, click.Option) and param.metavar else "VALUE"
        raise InvalidValue(
            f"invalid value '{value}' for '{name} <{metavar}>'\n"
            f"  [possible values: {', '.join(str(choice) for choice in self.choices)}]",
            ctx=ctx,
        )


def _metavar(decls: Sequence[str]) -> str:
    long = next((d for d in decls if d.startswith("--")), decls[0])
    return long.lstrip("-").replace("-", "_").upper()


def _flag(*decls: str, help: str | None = None, hidden: bool = False) -> Decorator[Any]:
    return click.option(*decls, is_flag=True, default=False, help=help, hidden=hidden)


def _value(
    *decls: str,
    help: str | None = None,
    multiple: bool = False,
    choices: Sequence[str] | None = None,
    metavar: str | None = None,
    hidden: bool = False,
    type: Any = None,
) -> Decorator[Any]:
    names = [d for d in decls if d.startswith("-")]
    return click.option(
        *decls,
        multiple=multiple,
        default=() if multiple else None,
        type=_Choice(choices) if choices is not None else type,
        metavar=metavar or _metavar(names),
        help=help,
        hidden=hidden,
    )


def apply_options(function: F, options: Sequence[Decorator[Any]]) -> F:
    for option in reversed(options):
        function = option(function)
    return function


GLOBAL_OPTIONS: list[Decorator[Any]] = [
    click.option("-q", "--quiet", count=True, help="Print less."),
    click.option("-v", "--verbose", count=True, help="Print more."),
    _value(
        "--color",
        "color",
        choices=("auto", "always", "never"),
        metavar="COLOR_CHOICE",
        help="Colour on a terminal: auto (unless NO_COLOR), always, never.",
    ),
    _flag("--system-certs", "--native-tls", "system_certs", help="The platform's certificates."),
    _flag("--offline", help="Never use the network (ACCORD_OFFLINE, UV_OFFLINE)."),
    _value("--allow-insecure-host", multiple=True, help="Not supported."),
    _flag("--no-progress", help="No progress output (accord shows none)."),
    _value("--directory", help="Change to this directory first (UV_WORKING_DIR)."),
    _value("--project", help="Find the project from this directory (UV_PROJECT)."),
    _value("--config-file", help="Read settings from this uv.toml only (UV_CONFIG_FILE)."),
    _flag("--no-config", help="Read no uv.toml, nor the settings in [tool.uv] (UV_NO_CONFIG)."),
    _flag("-n", "--no-cache", help="Use a temporary cache, removed afterwards (UV_NO_CACHE)."),
    _value("--cache-dir", help="The cache directory (ACCORD_CACHE_DIR, UV_CACHE_DIR)."),
    _flag("--managed-python", help="Not supported: accord uses installed interpreters only."),
    _flag("--no-managed-python", help="Use interpreters not managed by uv (always true)."),
    _flag("--no-python-downloads", help="Never download Python (accord never does)."),
    _value(
        "--python-preference",
        choices=("only-managed", "managed", "system", "only-system"),
        hidden=True,
    ),
    _flag("--preview", hidden=True),
    _flag("--no-preview", hidden=True),
]

LOCK_OPTIONS: list[Decorator[Any]] = [
    _value("--index", "index", multiple=True, help="An index before the default (UV_INDEX)."),
    _value(
        "--default-index",
        help="The default index (ACCORD_INDEX_URL, UV_DEFAULT_INDEX, UV_INDEX_URL).",
    ),
    _value("-i", "--index-url", help="The default index (deprecated spelling)."),
    _value(
        "--extra-index-url",
        "extra_index_url",
        multiple=True,
        help="An index before the default (UV_EXTRA_INDEX_URL).",
    ),
    _value("-f", "--find-links", multiple=True, help="Not supported."),
    _flag("--no-index", help="Use no index: only local sources (UV_NO_INDEX)."),
    _value(
        "--index-strategy",
        choices=("first-index", "unsafe-first-match", "unsafe-best-match"),
        help="Only first-index (accord's and uv's default).",
    ),
    _value("--keyring-provider", choices=("disabled", "subprocess"), help="Only disabled."),
    _flag("-U", "--upgrade", help="Ignore the lock's versions."),
    _flag("--no-upgrade", hidden=True),
    _value("-P", "--upgrade-package", multiple=True, help="Let this package move."),
    _value("--upgrade-group", multiple=True, help="Not supported."),
    _value(
        "--resolution",
        choices=RESOLUTION_MODES,
        help="highest, lowest or lowest-direct (ACCORD_RESOLUTION, UV_RESOLUTION).",
    ),
    _value(
        "--prerelease",
        choices=PRERELEASE_MODES,
        help="When pre-releases are candidates (ACCORD_PRERELEASE, UV_PRERELEASE).",
    ),
    _flag("--pre", hidden=True),
    _value("--prerelease-package", multiple=True, help="Not supported."),
    _value(
        "--fork-strategy",
        choices=("fewest", "requires-python"),
        help="requires-python (split by Python) or fewest (UV_FORK_STRATEGY).",
    ),
    _value(
        "--exclude-newer",
        help="Only files uploaded before this (ACCORD_EXCLUDE_NEWER, UV_EXCLUDE_NEWER).",
    ),
    _value("--exclude-newer-package", multiple=True, help="Not supported."),
    _flag("--no-sources", help="Not supported."),
    _value("--no-sources-package", multiple=True, help="Not supported."),
    _value("-C", "--config-setting", "config_setting", multiple=True, help="Not supported."),
    _value("--config-settings-package", multiple=True, help="Not supported."),
    _flag("--no-build-isolation", help="Build with the target's own packages."),
    _flag("--build-isolation", hidden=True),
    _value("--no-build-isolation-package", multiple=True, help="Not supported."),
    _flag("--no-build", help="Never build a package from an sdist (UV_NO_BUILD)."),
    _flag("--build", hidden=True),
    _value("--no-build-package", multiple=True, help="Never build this package from an sdist."),
    _flag("--no-binary", help="Never install a pre-built wheel (UV_NO_BINARY)."),
    _flag("--binary", hidden=True),
    _value("--no-binary-package", multiple=True, help="Never install this package's wheels."),
    _flag("--require-build-hashes", help="Not supported."),
    _flag("--no-require-build-hashes", help="Do not require build hashes (the default)."),
    _value(
        "--link-mode",
        choices=("clone", "copy", "hardlink", "symlink"),
        help="Only hardlink (accord copies where links fail).",
    ),
    _flag("--refresh", help="Revalidate every cached index page."),
    _flag("--no-refresh", hidden=True),
    _value("--refresh-package", multiple=True, help="Revalidate (accord: every page)."),
    _value("-p", "--python", help="Interpreter: a version, a path, or a name (UV_PYTHON)."),
]

_EXTRAS_AND_GROUPS: list[Decorator[Any]] = [
    _value("--extra", multiple=True, help="Include an extra (repeatable, comma lists)."),
    _flag("--all-extras", help="Include every extra."),
    _flag("--no-all-extras", hidden=True),
    _value("--no-extra", multiple=True, help="Not supported."),
    _flag("--dev", hidden=True),
    _flag("--no-dev", help="Exclude the `dev` group (UV_NO_DEV)."),
    _flag("--only-dev", help="Only the `dev` group."),
    _value("--group", multiple=True, help="Include a dependency group."),
    _value("--no-group", multiple=True, help="Exclude a dependency group (UV_NO_GROUP)."),
    _flag("--no-default-groups", help="Ignore tool.uv.default-groups (UV_NO_DEFAULT_GROUPS)."),
    _value("--only-group", multiple=True, help="Only this group, no project dependencies."),
    _flag("--all-groups", help="Include every dependency group."),
    _flag("--no-editable", help="Not supported."),
    _flag("--editable", hidden=True),
]
"""The selection options `run`, `sync` and `export` share."""

SELECTION_OPTIONS: list[Decorator[Any]] = [
    *_EXTRAS_AND_GROUPS,
    _value("--no-editable-package", multiple=True, help="Not supported."),
    _flag("--active", help="Not supported."),
    _flag("--no-active", help="Use the project environment whatever VIRTUAL_ENV says."),
    _flag("--locked", help="Fail unless uv.lock is up to date (UV_LOCKED)."),
    _flag("--no-locked", hidden=True),
    _flag("--frozen", help="Use uv.lock as it is, without checking it (UV_FROZEN)."),
    _flag("--no-frozen", hidden=True),
    _flag("--all-packages", help="Install every workspace member."),
    _value("--package", help="Run in the context of this workspace member."),
    _value("--python-platform", help="Not supported."),
    _flag("--dry-plan", help="Print the plan; change nothing."),
    _value(
        "--format",
        "output_format",
        choices=("text", "json"),
        metavar="FORMAT",
        help="Plan output format (with --dry-plan).",
    ),
]

INSTALL_OPTIONS: list[Decorator[Any]] = [
    _flag("--reinstall", help="Reinstall every package."),
    _flag("--no-reinstall", hidden=True),
    _value("--reinstall-package", multiple=True, help="Reinstall this package."),
    _flag("--verify", help="Hash every installed file against its RECORD; repair what differs."),
    _flag("--compile-bytecode", help="Compile to bytecode after installing (UV_COMPILE_BYTECODE)."),
    _flag("--no-compile-bytecode", hidden=True),
]

# Options accord parses but cannot honour yet: (parameter, spelling, why). A set value is an
# error naming the option, never silence.
_UNSUPPORTED: tuple[tuple[str, str, str], ...] = (
    ("allow_insecure_host", "--allow-insecure-host", "accord always verifies TLS"),
    ("managed_python", "--managed-python", "accord uses installed interpreters only"),
    ("find_links", "--find-links", "accord finds packages on indexes only"),
    ("upgrade_group", "--upgrade-group", "use `--upgrade-package` for each package"),
    ("prerelease_package", "--prerelease-package", "use `--prerelease` or a `>=1.0a1` bound"),
    ("exclude_newer_package", "--exclude-newer-package", "use `tool.uv.exclude-newer-package`"),
    ("no_sources", "--no-sources", "accord always applies `tool.uv.sources`"),
    ("no_sources_package", "--no-sources-package", "accord always applies `tool.uv.sources`"),
    ("config_setting", "--config-setting", "accord passes no settings to build backends"),
    ("config_settings_package", "--config-settings-package", "accord passes no settings"),
    (
        "no_build_isolation_package",
        "--no-build-isolation-package",
        "use `tool.uv.no-build-isolation-package`",
    ),
    ("require_build_hashes", "--require-build-hashes", "build dependencies are not hashed"),
    ("no_extra", "--no-extra", "list the extras you want with `--extra`"),
    ("no_editable", "--no-editable", "accord installs the project and members editable"),
    ("no_editable_package", "--no-editable-package", "accord installs local projects editable"),
    ("active", "--active", "accord syncs the project's own environment"),
    ("python_platform", "--python-platform", "accord installs for the interpreter it runs"),
    ("preview", "--preview", "accord has no preview features"),
)

# Values of choice options accord honours; any other value is refused by name.
_SUPPORTED_VALUES: Mapping[str, tuple[str, str, str]] = {
    "index_strategy": (
        "first-index",
        "--index-strategy",
        "accord takes each package from the first index that has it",
    ),
    "keyring_provider": (
        "disabled",
        "--keyring-provider",
        "accord reads logins from UV_INDEX_<NAME>_USERNAME/_PASSWORD and .netrc",
    ),
    "link_mode": (
        "hardlink",
        "--link-mode",
        "accord hardlinks from its cache (copying where links fail)",
    ),
}

# Boolean variables: (parameter, names in precedence order). uv reads each as a "boolish".
_FLAG_VARIABLES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("offline", ("ACCORD_OFFLINE", "UV_OFFLINE")),
    ("no_cache", ("UV_NO_CACHE",)),
    ("no_progress", ("UV_NO_PROGRESS",)),
    ("no_config", ("UV_NO_CONFIG",)),
    ("system_certs", ("UV_SYSTEM_CERTS", "UV_NATIVE_TLS")),
    ("managed_python", ("UV_MANAGED_PYTHON",)),
    ("no_managed_python", ("UV_NO_MANAGED_PYTHON",)),
    ("no_dev", ("UV_NO_DEV",)),
    ("dev", ("UV_DEV",)),
    ("no_default_groups", ("UV_NO_DEFAULT_GROUPS",)),
    ("no_editable", ("UV_NO_EDITABLE",)),
    ("no_build_isolation", ("UV_NO_BUILD_ISOLATION",)),
    ("no_build", ("UV_NO_BUILD",)),
    ("no_binary", ("UV_NO_BINARY",)),
    ("no_index", ("UV_NO_INDEX",)),
    ("no_sources", ("UV_NO_SOURCES",)),
    ("compile_bytecode", ("UV_COMPILE_BYTECODE",)),
    ("no_sync", ("UV_NO_SYNC",)),
    ("isolated", ("ACCORD_ISOLATED", "UV_ISOLATED")),
    ("no_project", ("UV_NO_PROJECT",)),
    ("no_env_file", ("ACCORD_NO_ENV_FILE", "UV_NO_ENV_FILE")),
    ("preview", ("UV_PREVIEW",)),
)

# Single-valued variables: (parameter, names in precedence order).
_VALUE_VARIABLES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("python", ("UV_PYTHON",)),
    ("project", ("UV_PROJECT",)),
    ("directory", ("UV_WORKING_DIR", "UV_WORKING_DIRECTORY")),
    ("cache_dir", ("UV_CACHE_DIR",)),
    ("config_file", ("UV_CONFIG_FILE",)),
    ("index_strategy", ("UV_INDEX_STRATEGY",)),
    ("keyring_provider", ("UV_KEYRING_PROVIDER",)),
    ("fork_strategy", ("UV_FORK_STRATEGY",)),
    ("link_mode", ("UV_LINK_MODE",)),
    ("resolution", ("ACCORD_RESOLUTION", "UV_RESOLUTION")),
    ("prerelease", ("ACCORD_PRERELEASE", "UV_PRERELEASE")),
    ("exclude_newer", ("ACCORD_EXCLUDE_NEWER", "UV_EXCLUDE_NEWER")),
    ("python_preference", ("UV_PYTHON_PREFERENCE",)),
    ("max_recursion_depth", ("ACCORD_RUN_MAX_RECURSION_DEPTH", "UV_RUN_MAX_RECURSION_DEPTH")),
)

# List variables: (parameter, names, separator; None splits on whitespace).
_LIST_VARIABLES: tuple[tuple[str, tuple[str, ...], str | None], ...] = (
    ("index", ("UV_INDEX",), None),
    ("extra_index_url", ("UV_EXTRA_INDEX_URL",), None),
    ("find_links", ("UV_FIND_LINKS",), ","),
    ("no_group", ("UV_NO_GROUP",), None),
    ("env_file", ("ACCORD_ENV_FILE", "UV_ENV_FILE"), None),
    ("allow_insecure_host", ("UV_INSECURE_HOST",), None),
    ("no_binary_package", ("UV_NO_BINARY_PACKAGE",), None),
    ("no_build_package", ("UV_NO_BUILD_PACKAGE",), None),
    ("no_sources_package", ("UV_NO_SOURCES_PACKAGE",), None),
)

_TRUE = frozenset({"1", "true", "yes", "y", "on", "t"})
_FALSE = frozenset({"0", "false", "no", "n", "off", "f"})


def env_flag(name: str, environ: Mapping[str, str] | None = None) -> bool | None:
    """A boolish variable as uv reads it: None when unset; an unparsable value is an error."""
    value = (os.environ if environ is None else environ).get(name)
    if value is None:
        return None
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise UsageError(
        f"Failed to parse environment variable `{name}` with invalid value `{value}`: "
        "expected a boolish value"
    )


def _is_default(ctx: click.Context, name: str) -> bool:
    source = ctx.get_parameter_source(name)
    return source is None or source in (
        click.core.ParameterSource.DEFAULT,
        click.core.ParameterSource.DEFAULT_MAP,
    )


def merge_globals(ctx: click.Context, options: dict[str, Any]) -> dict[str, Any]:
    """Global options given before the subcommand (``accord -q run``) merged into its own."""
    parent = ctx.parent
    if parent is None:
        return options
    for name, value in parent.params.items():
        if name not in options or value in (None, False, 0, ()):
            continue
        mine = options[name]
        if name in ("quiet", "verbose"):
            options[name] = mine + value
        elif isinstance(value, tuple):
            options[name] = value + mine
        elif mine in (None, False):
            options[name] = value
    return options


def apply_environment(
    ctx: click.Context, options: dict[str, Any], sources: dict[str, str]
) -> dict[str, Any]:
    """Fill options the command line left unset from uv's (and accord's) variables.

    ``sources`` records which variable set each option (for messages such as
    ``UV_LOCKED=1``)."""
    given = {name for name in options if not _is_default(ctx, name)}
    parent = ctx.parent
    if parent is not None:
        given |= {name for name in parent.params if not _is_default(parent, name)}
    for name, variables in _FLAG_VARIABLES:
        if name not in options or name in given:
            continue
        for variable in variables:
            flag = env_flag(variable)
            if flag is not None:
                options[name] = flag
                if flag:
                    sources[name] = variable
                break
    for name, variables in _VALUE_VARIABLES:
        if name not in options or name in given:
            continue
        for variable in variables:
            value = os.environ.get(variable)
            if value:
                options[name] = _checked(ctx, name, value)
                sources[name] = variable
                break
    for name, variables, separator in _LIST_VARIABLES:
        if name not in options or name in given:
            continue
        for variable in variables:
            value = os.environ.get(variable)
            if value:
                parts = value.split(separator) if separator else value.split()
                options[name] = tuple(part.strip() for part in parts if part.strip())
                sources[name] = variable
                break
    return options


def _checked(ctx: click.Context, name: str, value: str) -> Any:
    """A variable's value through the option's own type (choices, integers)."""
    for param in ctx.command.params:
        if param.name == name:
            return param.type_cast_value(ctx, value)
    return value


def refuse_unsupported(options: Mapping[str, Any], sources: Mapping[str, str]) -> None:
    """Raise for the first option accord parses but cannot honour yet."""
    for name, spelling, why in _UNSUPPORTED:
        if options.get(name) not in (None, False, ()):
            shown = f"`{sources[name]}`" if name in sources else f"`{spelling}`"
            raise UsageError(f"{shown} is not supported by accord yet", hint=why)
    for name, (supported, spelling, why) in _SUPPORTED_VALUES.items():
        value = options.get(name)
        if value is not None and value != supported:
            shown = f"`{sources[name]}={value}`" if name in sources else f"`{spelling} {value}`"
            raise UsageError(f"{shown} is not supported by accord yet", hint=why)
    if options.get("python_preference") == "only-managed":
        raise UsageError(
            "`--python-preference only-managed` is not supported by accord yet",
            hint="accord uses installed interpreters only",
        )


RUN_OPTIONS: list[Decorator[Any]] = [
    _flag("-m", "--module", help="Run COMMAND as a module (python -m)."),
    _flag("-s", "--script", help="Run COMMAND as a Python script."),
    _flag("--gui-script", help="Run COMMAND as a GUI script (pythonw)."),
    _value(
        "-w",
        "--with",
        "with_",
        multiple=True,
        metavar="WITH",
        help="Also provide this requirement, in a cached layer (repeatable, comma lists).",
    ),
    _value("--with-editable", multiple=True, help="Also provide this local project, editable."),
    _value("--with-requirements", multiple=True, help="Also provide the requirements in FILE."),
    _flag("--isolated", help="A cached environment of its own (ACCORD_ISOLATED, UV_ISOLATED)."),
    _flag("--no-sync", help="Run in the environment as it is: no lock, no install (UV_NO_SYNC)."),
    _value("--env-file", multiple=True, help="Load a dotenv file (ACCORD_ENV_FILE, UV_ENV_FILE)."),
    _flag("--no-env-file", help="Ignore env files (ACCORD_NO_ENV_FILE, UV_NO_ENV_FILE)."),
    _flag("--no-project", help="Ignore any project; run as is (UV_NO_PROJECT)."),
    _flag("--exact", help="Remove packages the lock does not ask for."),
    _flag("--inexact", "--no-exact", "inexact", hidden=True),
    _flag("--show-resolution", hidden=True),
    _value(
        "--max-recursion-depth",
        type=click.IntRange(min=0),
        help="Refuse to run when nested deeper (default 100; UV_RUN_MAX_RECURSION_DEPTH).",
    ),
    _value("-c", "code", metavar="CODE", help="Run CODE with the environment's python."),
    _flag("--no-exec", help="Spawn the command instead of exec."),
    _flag("--strict", help="Run only what the environment itself provides."),
    _flag("--check", help="With --dry-plan: exit 1 if the plan is not empty."),
]

SYNC_OPTIONS: list[Decorator[Any]] = [
    _flag("--inexact", help="Keep packages the lock does not ask for."),
    _flag("--exact", hidden=True),
    _flag("--no-install-project", help="Not supported."),
    _flag("--no-install-workspace", help="Not supported."),
    _flag("--no-install-local", help="Not supported."),
    _value("--no-install-package", multiple=True, help="Not supported."),
    _value("--output-format", choices=("text", "json"), help="Only text."),
    _flag("--dry-run", help="Print what would change; change nothing."),
    _value("--script", help="Sync a PEP 723 script's environment."),
    _flag("--check", help="Exit 1 if the environment is not in sync (changes nothing)."),
]

_UNSUPPORTED_SYNC = (
    ("no_install_project", "--no-install-project", "UV_NO_INSTALL_PROJECT"),
    ("no_install_workspace", "--no-install-workspace", "UV_NO_INSTALL_WORKSPACE"),
    ("no_install_local", "--no-install-local", "UV_NO_INSTALL_LOCAL"),
)


def refuse_unsupported_sync(options: Mapping[str, Any]) -> None:
    """``uv sync``'s options that leave parts of the lock uninstalled, not honoured yet."""
    for name, spelling, variable in _UNSUPPORTED_SYNC:
        if options.get(name) or env_flag(variable):
            shown = spelling if options.get(name) else f"{variable}=1"
            raise UsageError(
                f"`{shown}` is not supported by accord yet",
                hint="accord installs everything the selection asks for",
            )
    if options.get("no_install_package"):
        raise UsageError(
            "`--no-install-package` is not supported by accord yet",
            hint="accord installs everything the selection asks for",
        )
    if options.get("output_format") == "json":
        raise UsageError(
            "`--output-format json` is not supported by accord yet",
            hint="`accord sync --dry-plan --format json` prints the plan as JSON",
        )


LOCK_COMMAND_OPTIONS: list[Decorator[Any]] = [
    _flag("--check", help="Fail (exit 1) if the lock is not up to date."),
    _flag("--locked", help="The same as --check."),
    _flag("--check-exists", help="Fail if there is no lock; do not check it is current."),
    _flag("--dry-run", help="Resolve and report; write nothing."),
    _value("--script", help="Lock a PEP 723 script instead."),
]


def global_options(function: F) -> F:
    return apply_options(function, GLOBAL_OPTIONS)


def run_options(function: F) -> F:
    return apply_options(
        function,
        [*LOCK_OPTIONS, *SELECTION_OPTIONS, *INSTALL_OPTIONS, *RUN_OPTIONS, *GLOBAL_OPTIONS],
    )


def sync_options(function: F) -> F:
    return apply_options(
        function,
        [*LOCK_OPTIONS, *SELECTION_OPTIONS, *INSTALL_OPTIONS, *SYNC_OPTIONS, *GLOBAL_OPTIONS],
    )


def lock_command_options(function: F) -> F:
    return apply_options(function, [*LOCK_COMMAND_OPTIONS, *LOCK_OPTIONS, *GLOBAL_OPTIONS])


EXPORT_SELECTION_OPTIONS: list[Decorator[Any]] = [
    *_EXTRAS_AND_GROUPS,
    _flag("--locked", help="Fail unless uv.lock is up to date (UV_LOCKED)."),
    _flag("--no-locked", hidden=True),
    _flag("--frozen", help="Use uv.lock as it is, without checking it (UV_FROZEN)."),
    _flag("--no-frozen", hidden=True),
    _flag("--all-packages", help="Export every workspace member."),
    _value("--package", help="Export this workspace member."),
]

EXPORT_OPTIONS: list[Decorator[Any]] = [
    _value(
        "--format",
        "export_format",
        choices=("requirements.txt", "pylock.toml"),
        metavar="FORMAT",
        help="requirements.txt (default) or pylock.toml (or as -o's file name implies).",
    ),
    _value("-o", "--output-file", help="Also write the export to this file."),
    _flag("--no-hashes", help="Leave out the hashes (requirements.txt)."),
    _flag("--hashes", hidden=True),
    _flag("--no-header", help="Leave out the header comment."),
    _flag("--no-annotate", help="Leave out the `# via` comments."),
    _flag("--no-emit-project", help="Not supported."),
    _flag("--no-emit-workspace", help="Not supported."),
    _flag("--no-emit-local", help="Not supported."),
    _value("--no-emit-package", "--prune", multiple=True, help="Not supported."),
    _flag("--emit-index-url", help="Not supported."),
    _flag("--emit-find-links", help="Not supported."),
    _value("--script", help="Not supported."),
]

_UNSUPPORTED_EXPORT = (
    ("no_emit_project", "--no-emit-project"),
    ("no_emit_workspace", "--no-emit-workspace"),
    ("no_emit_local", "--no-emit-local"),
    ("no_emit_package", "--no-emit-package"),
    ("emit_index_url", "--emit-index-url"),
    ("emit_find_links", "--emit-find-links"),
    ("script", "--script"),
)


def refuse_unsupported_export(options: Mapping[str, Any]) -> None:
    """``uv export``'s options accord does not honour yet, refused by name."""
    for name, spelling in _UNSUPPORTED_EXPORT:
        if options.get(name) not in (None, False, ()):
            raise UsageError(
                f"`{spelling}` is not supported by `accord export` yet",
                hint="accord exports the whole selection, without index or find-links lines",
            )


def export_options(function: F) -> F:
    return apply_options(
        function, [*EXPORT_OPTIONS, *EXPORT_SELECTION_OPTIONS, *LOCK_OPTIONS, *GLOBAL_OPTIONS]
    )


def why_options(function: F) -> F:
    return apply_options(function, [*EXPORT_SELECTION_OPTIONS, *LOCK_OPTIONS, *GLOBAL_OPTIONS])


_EDIT_PLACE_OPTIONS: list[Decorator[Any]] = [
    _flag("--dev", "dev", help="The `dev` dependency group (UV_DEV)."),
    _value("--optional", help="The optional dependencies of this extra."),
    _value("--group", help="This dependency group."),
    _flag("--no-sync", help="Lock, but do not sync the environment (UV_NO_SYNC)."),
    _flag("--locked", help="Fail unless uv.lock stays as it is (UV_LOCKED)."),
    _flag("--no-locked", hidden=True),
    _flag("--frozen", help="Only edit: no lock, no sync (UV_FROZEN)."),
    _flag("--no-frozen", hidden=True),
    _flag("--active", help="Not supported."),
    _value("--package", help="Not supported."),
    _value("--script", help="Edit a PEP 723 script's `# /// script` block instead."),
]

_EDIT_INSTALL_OPTIONS: list[Decorator[Any]] = [
    _flag("--reinstall", help="Reinstall every package."),
    _flag("--no-reinstall", hidden=True),
    _value("--reinstall-package", multiple=True, help="Reinstall this package."),
    _flag("--compile-bytecode", help="Compile to bytecode after installing (UV_COMPILE_BYTECODE)."),
    _flag("--no-compile-bytecode", hidden=True),
]

ADD_OPTIONS: list[Decorator[Any]] = [
    _value("-r", "--requirements", multiple=True, help="Not supported."),
    _value("-c", "--constraints", multiple=True, help="Not supported."),
    _value("-m", "--marker", help="Not supported."),
    *_EDIT_PLACE_OPTIONS,
    _flag("--editable", help="Not supported."),
    _flag("--raw", help="Write each requirement as given, without a bound."),
    _value(
        "--bounds",
        choices=("lower", "major", "minor", "exact"),
        help="The specifier written for a requirement given without one (default: lower).",
    ),
    _value("--rev", help="Not supported."),
    _value("--tag", help="Not supported."),
    _value("--branch", help="Not supported."),
    _flag("--lfs", help="Not supported."),
    _value("--extra", multiple=True, help="An extra of the added requirements (repeatable)."),
    _flag("--workspace", help="Not supported."),
    _flag("--no-workspace", help="Not supported."),
    _flag("--no-install-project", help="Not supported."),
    _flag("--no-install-workspace", help="Not supported."),
    _flag("--no-install-local", help="Not supported."),
    _value("--no-install-package", multiple=True, help="Not supported."),
]

_UNSUPPORTED_EDIT = (
    ("requirements", "--requirements", "name the packages on the command line"),
    ("constraints", "--constraints", "add constraints to `tool.uv.constraint-dependencies`"),
    ("marker", "--marker", "write the marker into each requirement instead"),
    ("editable", "--editable", "accord writes no `tool.uv.sources` entries yet"),
    ("rev", "--rev", "accord writes no `tool.uv.sources` entries yet"),
    ("tag", "--tag", "accord writes no `tool.uv.sources` entries yet"),
    ("branch", "--branch", "accord writes no `tool.uv.sources` entries yet"),
    ("lfs", "--lfs", "accord writes no `tool.uv.sources` entries yet"),
    ("workspace", "--workspace", "add the member to `tool.uv.workspace.members` by hand"),
    ("no_workspace", "--no-workspace", "accord never adds workspace members"),
    ("active", "--active", "accord syncs the project's own environment"),
    ("package", "--package", "run accord in the member's directory"),
    ("no_install_project", "--no-install-project", "accord installs what the selection asks for"),
    ("no_install_workspace", "--no-install-workspace", "accord installs the selection"),
    ("no_install_local", "--no-install-local", "accord installs what the selection asks for"),
    ("no_install_package", "--no-install-package", "accord installs what the selection asks for"),
)


def refuse_unsupported_edit(options: Mapping[str, Any], command: str) -> None:
    """``uv add``/``uv remove`` options accord does not honour yet, refused by name."""
    for name, spelling, why in _UNSUPPORTED_EDIT:
        if options.get(name) not in (None, False, ()):
            raise UsageError(f"`{spelling}` is not supported by `accord {command}` yet", hint=why)
    places = [("--dev", options.get("dev")), ("--optional <OPTIONAL>", options.get("optional"))]
    places.append(("--group <GROUP>", options.get("group")))
    given = [spelling for spelling, value in places if value]
    if len(given) > 1:
        raise UsageError(f"the argument '{given[0]}' cannot be used with '{given[1]}'")


def add_options(function: F) -> F:
    return apply_options(
        function, [*ADD_OPTIONS, *LOCK_OPTIONS, *_EDIT_INSTALL_OPTIONS, *GLOBAL_OPTIONS]
    )


def remove_options(function: F) -> F:
    return apply_options(
        function, [*_EDIT_PLACE_OPTIONS, *LOCK_OPTIONS, *_EDIT_INSTALL_OPTIONS, *GLOBAL_OPTIONS]
    )
