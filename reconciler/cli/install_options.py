"""``--no-install-*``/``--only-install-*`` of ``sync`` and ``add``, with their variables,
checked into an ``InstallFilter`` (CLI, slow path).

uv's rules: each no/only pair is read from the command line, or, when neither of the pair is
given there, from ``UV_NO_INSTALL_*``/``UV_ONLY_INSTALL_*``; the two of a pair conflict.
``--no-install-package``/``--only-install-package`` have no variable. ``sync --script``
refuses the ``--no-install-*`` flags (and ignores the others); ``add`` refuses every one of
them with ``--frozen`` or ``--no-sync``. Two of these given on the command line are refused
before, by clap's rules (``reconciler.cli.clap_rules``); here, those a variable brings in.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import click
from packaging.utils import InvalidName, NormalizedName, canonicalize_name

from accord.model.install_filter import InstallFilter
from accord.reconciler.cli.variables import env_flag
from accord.reconciler.errors import UsageError

__all__ = ["install_filter"]

_KINDS = ("project", "workspace", "local")
_LISTS = (
    ("no_install_package", "--no-install-package <NO_INSTALL_PACKAGE>"),
    ("only_install_package", "--only-install-package <ONLY_INSTALL_PACKAGE>"),
)


def _names(values: Sequence[str], shown: str) -> frozenset[NormalizedName]:
    names = set()
    for value in values:
        try:
            names.add(canonicalize_name(value, validate=True))
        except InvalidName:
            raise UsageError(
                f"invalid value '{value}' for '{shown}': Not a valid package or extra name: "
                f'"{value}". Names must start and end with a letter or digit and may only '
                "contain -, _, ., and alphanumeric characters."
            ) from None
    return frozenset(names)


def _flags(options: dict[str, Any]) -> dict[str, str]:
    """The pair flags that are on, each with how uv names it in a conflict."""
    enabled: dict[str, str] = {}
    for kind in _KINDS:
        no, only = f"no_install_{kind}", f"only_install_{kind}"
        variables = {no: f"UV_NO_INSTALL_{kind.upper()}", only: f"UV_ONLY_INSTALL_{kind.upper()}"}
        from_env = {name: env_flag(variable) for name, variable in variables.items()}
        if options.get(no) or options.get(only):
            for name in (no, only):
                if options.get(name):
                    enabled[name] = f"`--{name.replace('_', '-')}`"
            continue
        if from_env[no] and from_env[only]:
            raise UsageError(
                f"the argument `{variables[no]}` (environment variable) cannot be used with "
                f"`{variables[only]}` (environment variable)"
            )
        for name, on in from_env.items():
            if on:
                enabled[name] = f"`{variables[name]}` (environment variable)"
    return enabled


def _check_add(ctx: click.Context, options: dict[str, Any], enabled: dict[str, str]) -> None:
    """``uv add``: no install option with ``--frozen`` or ``--no-sync`` (flag or variable)."""
    given = dict(enabled)
    for name, _shown in _LISTS:
        if options.get(name):
            given[name] = f"`--{name.replace('_', '-')}`"
    for other, variable in (("frozen", "UV_FROZEN"), ("no_sync", "UV_NO_SYNC")):
        spelling = f"--{other.replace('_', '-')}"
        from_cli = options.get(other) and ctx.get_parameter_source(other) is (
            click.core.ParameterSource.COMMANDLINE
        )
        from_env = not from_cli and bool(env_flag(variable))
        if not (from_cli or from_env):
            continue
        # (Two flags were refused by clap's rules: here one of the two is a variable.)
        shown = next(iter(given.values()), None)
        if shown is not None:
            other_shown = f"`{spelling}`" if from_cli else f"`{variable}` (environment variable)"
            raise UsageError(f"the argument {shown} cannot be used with {other_shown}")


def install_filter(
    ctx: click.Context, options: dict[str, Any], *, script: bool = False
) -> InstallFilter:
    """The install filter the options (and variables) ask for; raises ``UsageError`` for two
    options that conflict, as uv does (the project it speaks of is filled in later)."""
    (no, no_shown), (only, only_shown) = _LISTS
    no_packages = _names(options.get(no) or (), no_shown)
    only_packages = _names(options.get(only) or (), only_shown)
    enabled = _flags(options)
    if ctx.info_name == "add":
        _check_add(ctx, options, enabled)
    if script:
        for kind in _KINDS:
            shown = enabled.get(f"no_install_{kind}")
            if shown is None:
                continue
            raise UsageError(f"the argument {shown} cannot be used with `--script`")
        return InstallFilter()  # uv syncs a script's environment whole
    return InstallFilter(
        no_project="no_install_project" in enabled,
        only_project="only_install_project" in enabled,
        no_workspace="no_install_workspace" in enabled,
        only_workspace="only_install_workspace" in enabled,
        no_local="no_install_local" in enabled,
        only_local="only_install_local" in enabled,
        no_packages=no_packages,
        only_packages=only_packages,
    )
