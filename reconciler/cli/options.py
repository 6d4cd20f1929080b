"""The option sets the commands share, as uv 0.13.8 spells them (CLI, slow path).

Every option uv accepts is declared (here and in ``reconciler.cli.command_options``), so that
an unknown one is refused before any work (as clap does) and a known one accord cannot honour
yet is refused by name (``reconciler.cli.refusals``) instead of being taken for the command or
silently ignored. Global options (``-q``, ``--directory``, ...) are declared on the group and
on each subcommand, so they work before or after it, as in uv.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import click

from accord.model.uv_settings import PRERELEASE_MODES, RESOLUTION_MODES

__all__ = [
    "EXTRAS_AND_GROUPS",
    "GLOBAL_OPTIONS",
    "INSTALL_OPTIONS",
    "LOCK_OPTIONS",
    "SELECTION_OPTIONS",
    "U32",
    "Decorator",
    "InvalidValue",
    "apply_options",
    "flag",
    "value",
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


class U32(click.ParamType):  # type: ignore[type-arg]
    """A count, read as clap reads a ``u32``: through a 64-bit integer, then its range, with
    Rust's words for what does not parse."""

    name = "u32"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, int):
            return value
        text = str(value)
        reason = _integer_error(text)
        if reason is None:
            number = int(text)
            if 0 <= number <= 0xFFFFFFFF:
                return number
            reason = f"{number} is not in 0..={0xFFFFFFFF}"
        long = next((o for o in param.opts if o.startswith("--")), "") if param else ""
        metavar = param.metavar if isinstance(param, click.Option) else "VALUE"
        raise InvalidValue(f"invalid value '{text}' for '{long} <{metavar}>': {reason}", ctx=ctx)


def _integer_error(text: str) -> str | None:
    """Why Rust's ``str::parse::<i64>`` refuses ``text``; None when it parses."""
    if not text:
        return "cannot parse integer from empty string"
    digits = text[1:] if text[0] in "+-" else text
    if not digits or not all("0" <= char <= "9" for char in digits):
        return "invalid digit found in string"
    if int(text) > 2**63 - 1:
        return "number too large to fit in target type"
    if int(text) < -(2**63):
        return "number too small to fit in target type"
    return None


class _ConfigSetting(click.ParamType):  # type: ignore[type-arg]
    """``KEY=VALUE`` (``package``: ``PACKAGE:KEY=VALUE``), refused in uv's words."""

    name = "config-setting"

    def __init__(self, *, package: bool = False) -> None:
        self.package = package

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from accord.model.config_settings import parse_entry, parse_package_entry

        if not isinstance(value, str):
            return value
        try:
            return parse_package_entry(value) if self.package else parse_entry(value)
        except ValueError as exc:
            long = next((o for o in param.opts if o.startswith("--")), "") if param else ""
            metavar = param.metavar if isinstance(param, click.Option) else "VALUE"
            message = f"invalid value '{value}' for '{long} <{metavar}>': {exc}"
            raise InvalidValue(message, ctx=ctx) from None


def _metavar(decls: Sequence[str]) -> str:
    long = next((d for d in decls if d.startswith("--")), decls[0])
    return long.lstrip("-").replace("-", "_").upper()


def flag(*decls: str, help: str | None = None, hidden: bool = False) -> Decorator[Any]:
    return click.option(*decls, is_flag=True, default=False, help=help, hidden=hidden)


def value(
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
    value(
        "--color",
        "color",
        choices=("auto", "always", "never"),
        metavar="COLOR_CHOICE",
        help="Colour on a terminal: auto (unless NO_COLOR), always, never.",
    ),
    flag("--system-certs", "--native-tls", "system_certs", help="The platform's certificates."),
    flag("--offline", help="Never use the network (ACCORD_OFFLINE, UV_OFFLINE)."),
    value("--allow-insecure-host", multiple=True, help="Not supported."),
    flag(
        "--no-progress",
        help="Hide all progress outputs (a spinner, download bars and counters on a terminal).",
    ),
    value("--directory", help="Change to this directory first (UV_WORKING_DIR)."),
    value("--project", help="Find the project from this directory (UV_PROJECT)."),
    value("--config-file", help="Read settings from this uv.toml only (UV_CONFIG_FILE)."),
    flag("--no-config", help="Read no uv.toml, nor the settings in [tool.uv] (UV_NO_CONFIG)."),
    flag("-n", "--no-cache", help="Use a temporary cache, removed afterwards (UV_NO_CACHE)."),
    value("--cache-dir", help="The cache directory (ACCORD_CACHE_DIR, UV_CACHE_DIR)."),
    flag("--managed-python", help="Not supported: accord uses installed interpreters only."),
    flag("--no-managed-python", help="Use interpreters not managed by uv (always true)."),
    flag("--no-python-downloads", help="Never download Python (accord never does)."),
    value(
        "--python-preference",
        choices=("only-managed", "managed", "system", "only-system"),
        hidden=True,
    ),
    flag("--preview", hidden=True),
    flag("--no-preview", hidden=True),
]

LOCK_OPTIONS: list[Decorator[Any]] = [
    value("--index", "index", multiple=True, help="An index before the default (UV_INDEX)."),
    value(
        "--default-index",
        help="The default index (ACCORD_INDEX_URL, UV_DEFAULT_INDEX, UV_INDEX_URL).",
    ),
    value("-i", "--index-url", help="The default index (deprecated spelling)."),
    value(
        "--extra-index-url",
        "extra_index_url",
        multiple=True,
        help="An index before the default (UV_EXTRA_INDEX_URL).",
    ),
    value(
        "-f",
        "--find-links",
        multiple=True,
        help="A directory of distributions, or an HTML page of links (UV_FIND_LINKS).",
    ),
    flag("--no-index", help="Use no index: only local sources (UV_NO_INDEX)."),
    value(
        "--index-strategy",
        choices=("first-index", "unsafe-first-match", "unsafe-best-match"),
        help="first-index (the default), unsafe-first-match or unsafe-best-match "
        "(UV_INDEX_STRATEGY).",
    ),
    value("--keyring-provider", choices=("disabled", "subprocess"), help="Only disabled."),
    flag("-U", "--upgrade", help="Ignore the lock's versions."),
    flag("--no-upgrade", hidden=True),
    value("-P", "--upgrade-package", multiple=True, help="Let this package move."),
    value("--upgrade-group", multiple=True, help="Not supported."),
    value(
        "--resolution",
        choices=RESOLUTION_MODES,
        help="highest, lowest or lowest-direct (ACCORD_RESOLUTION, UV_RESOLUTION).",
    ),
    value(
        "--prerelease",
        choices=PRERELEASE_MODES,
        help="When pre-releases are candidates (ACCORD_PRERELEASE, UV_PRERELEASE).",
    ),
    flag("--pre", hidden=True),
    value(
        "--prerelease-package",
        multiple=True,
        help="The prerelease mode of one package (PACKAGE=MODE; repeatable).",
    ),
    value(
        "--fork-strategy",
        choices=("fewest", "requires-python"),
        help="requires-python (split by Python) or fewest (UV_FORK_STRATEGY).",
    ),
    value(
        "--exclude-newer",
        help="Only files uploaded before this (ACCORD_EXCLUDE_NEWER, UV_EXCLUDE_NEWER).",
    ),
    value("--exclude-newer-package", multiple=True, help="Not supported."),
    flag("--no-sources", help="Resolve without tool.uv.sources (UV_NO_SOURCES)."),
    value(
        "--no-sources-package",
        multiple=True,
        help="Resolve this package without tool.uv.sources (UV_NO_SOURCES_PACKAGE).",
    ),
    value(
        "-C",
        "--config-setting",
        "--config-settings",
        "config_setting",
        multiple=True,
        type=_ConfigSetting(),
        help="KEY=VALUE for the PEP 517 build backend (repeatable).",
    ),
    value(
        "--config-settings-package",
        multiple=True,
        type=_ConfigSetting(package=True),
        help="PACKAGE:KEY=VALUE for one package's builds (repeatable).",
    ),
    flag("--no-build-isolation", help="Build with the target's own packages."),
    flag("--build-isolation", hidden=True),
    value("--no-build-isolation-package", multiple=True, help="Not supported."),
    flag("--no-build", help="Never build a package from an sdist (UV_NO_BUILD)."),
    flag("--build", hidden=True),
    value("--no-build-package", multiple=True, help="Never build this package from an sdist."),
    flag("--no-binary", help="Never install a pre-built wheel (UV_NO_BINARY)."),
    flag("--binary", hidden=True),
    value("--no-binary-package", multiple=True, help="Never install this package's wheels."),
    flag("--require-build-hashes", help="Not supported."),
    flag("--no-require-build-hashes", help="Do not require build hashes (the default)."),
    value(
        "--link-mode",
        choices=("clone", "copy", "hardlink", "symlink"),
        help="Only hardlink (accord copies where links fail).",
    ),
    flag("--refresh", help="Revalidate every cached index page."),
    flag("--no-refresh", hidden=True),
    value("--refresh-package", multiple=True, help="Revalidate (accord: every page)."),
    value("-p", "--python", help="Interpreter: a version, a path, or a name (UV_PYTHON)."),
]

EXTRAS_AND_GROUPS: list[Decorator[Any]] = [
    value("--extra", multiple=True, help="Include an extra (repeatable, comma lists)."),
    flag("--all-extras", help="Include every extra."),
    flag("--no-all-extras", hidden=True),
    value("--no-extra", multiple=True, help="Not supported."),
    flag("--dev", hidden=True),
    flag("--no-dev", help="Exclude the `dev` group (UV_NO_DEV)."),
    flag("--only-dev", help="Only the `dev` group."),
    value("--group", multiple=True, help="Include a dependency group."),
    value("--no-group", multiple=True, help="Exclude a dependency group (UV_NO_GROUP)."),
    flag("--no-default-groups", help="Ignore tool.uv.default-groups (UV_NO_DEFAULT_GROUPS)."),
    value("--only-group", multiple=True, help="Only this group, no project dependencies."),
    flag("--all-groups", help="Include every dependency group."),
    flag("--no-editable", help="Not supported."),
    flag("--editable", hidden=True),
]
"""The selection options `run`, `sync` and `export` share."""

SELECTION_OPTIONS: list[Decorator[Any]] = [
    *EXTRAS_AND_GROUPS,
    value("--no-editable-package", multiple=True, help="Not supported."),
    flag("--active", help="Sync the environment VIRTUAL_ENV names, not the project's."),
    flag("--no-active", help="Use the project environment whatever VIRTUAL_ENV says."),
    flag("--locked", help="Fail unless uv.lock is up to date (UV_LOCKED)."),
    flag("--no-locked", hidden=True),
    flag("--frozen", help="Use uv.lock as it is, without checking it (UV_FROZEN)."),
    flag("--no-frozen", hidden=True),
    flag("--all-packages", help="Install every workspace member."),
    value("--package", help="Run in the context of this workspace member."),
    value("--python-platform", help="Not supported."),
    flag("--dry-plan", help="Print the plan; change nothing."),
    value(
        "--format",
        "output_format",
        choices=("text", "json"),
        metavar="FORMAT",
        help="Plan output format (with --dry-plan).",
    ),
]

INSTALL_OPTIONS: list[Decorator[Any]] = [
    flag("--reinstall", help="Reinstall every package."),
    flag("--no-reinstall", hidden=True),
    value("--reinstall-package", multiple=True, help="Reinstall this package."),
    flag("--verify", help="Hash every installed file against its RECORD; repair what differs."),
    flag("--compile-bytecode", help="Compile to bytecode after installing (UV_COMPILE_BYTECODE)."),
    flag("--no-compile-bytecode", hidden=True),
]
