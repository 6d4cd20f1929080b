"""uv's environment variables (``UV_*``) and accord's twins (``ACCORD_*``), read into the
options the command line left unset (CLI, slow path).

uv's boolish parsing and its error message; an ``ACCORD_*`` twin, where one exists, is read
first. The fast path reads the same variables for its stamp key (``reconciler.fastpath``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import click

from accord.reconciler.errors import UsageError
from accord.reconciler.fastargs import BOOLISH_FALSE, BOOLISH_TRUE

__all__ = ["apply_environment", "env_flag"]

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


def env_flag(name: str, environ: Mapping[str, str] | None = None) -> bool | None:
    """A boolish variable as uv reads it: None when unset; an unparsable value is an error."""
    value = (os.environ if environ is None else environ).get(name)
    if value is None:
        return None
    if value.lower() in BOOLISH_TRUE:
        return True
    if value.lower() in BOOLISH_FALSE:
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
    _check_network_variables()
    return options


def _check_network_variables() -> None:
    """The network's variables (timeout, retries, proxies) refused now if they are unusable,
    before anything is done, not at the first request (which may come in the middle of an
    apply, for a download)."""
    from accord.reconciler.fetch.network import http_retries, http_timeout
    from accord.reconciler.fetch.proxies import proxies_from

    http_timeout()
    http_retries()
    proxies_from()


def _checked(ctx: click.Context, name: str, value: str) -> Any:
    """A variable's value through the option's own type (choices, integers)."""
    for param in ctx.command.params:
        if param.name == name:
            return param.type_cast_value(ctx, value)
    return value
