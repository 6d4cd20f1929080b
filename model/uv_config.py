"""uv's configuration files as layers of settings, merged as uv merges them (pure).

uv reads its settings from up to three files, highest precedence first: the project's (the
nearest ``uv.toml``, or ``pyproject.toml`` with a ``[tool.uv]`` table, from the workspace root
upward), the user's (``~/.config/uv/uv.toml``) and the system's (``/etc/uv/uv.toml``); or only
the file ``--config-file`` names; or none under ``--no-config``. A ``uv.toml`` holds the keys of
``[tool.uv]`` at its top level.

Not every ``[tool.uv]`` key is a setting. uv 0.13.8 reads the project keys (sources, groups,
the workspace, ``constraint-dependencies``…) from the workspace root's pyproject.toml whatever
the configuration files say (observed side by side: a ``uv.toml`` beside it, ``--config-file``
and ``--no-config`` leave them in force, and the same keys in a ``uv.toml`` change nothing for
a project). Only the other keys come from the layers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import PurePath
from typing import Any

import attrs

__all__ = [
    "PROJECT_KEYS",
    "PYPROJECT_ONLY",
    "ConfigLayer",
    "EffectiveSettings",
    "check_values",
    "disallowed_in_uv_toml",
    "effective_settings",
    "masked_by_uv_toml",
    "merge_layers",
]

PYPROJECT_ONLY = (
    "conflicts",
    "workspace",
    "sources",
    "dev-dependencies",
    "default-groups",
    "dependency-groups",
    "managed",
    "package",
    "build-backend",
    "environments",
    "required-environments",
)
"""Keys uv refuses in a ``uv.toml`` (in the order uv checks them)."""

PROJECT_KEYS = frozenset(
    {
        *PYPROJECT_ONLY,
        "cache-keys",
        "constraint-dependencies",
        "override-dependencies",
        "exclude-dependencies",
        "build-constraint-dependencies",
    }
)
"""Keys read from the workspace root's pyproject.toml only, never from the layers."""

# The order uv 0.13.8 lists the masked fields in (its settings struct's order; observed).
_MASKED_ORDER = (
    "required-version",
    "system-certs",
    "native-tls",
    "offline",
    "no-cache",
    "cache-dir",
    "preview",
    "preview-features",
    "python-preference",
    "python-downloads",
    "concurrent-downloads",
    "concurrent-builds",
    "concurrent-installs",
    "allow-insecure-host",
    "http-proxy",
    "https-proxy",
    "no-proxy",
    "index",
    "index-url",
    "extra-index-url",
    "no-index",
    "find-links",
    "index-strategy",
    "keyring-provider",
    "resolution",
    "prerelease",
    "prerelease-package",
    "fork-strategy",
    "dependency-metadata",
    "config-settings",
    "config-settings-package",
    "no-build-isolation",
    "require-build-hashes",
    "no-build-isolation-package",
    "extra-build-dependencies",
    "extra-build-variables",
    "exclude-newer",
    "exclude-newer-package",
    "link-mode",
    "compile-bytecode",
    "no-sources",
    "no-sources-package",
    "upgrade",
    "upgrade-package",
    "reinstall",
    "reinstall-package",
    "no-build",
    "no-build-package",
    "no-binary",
    "no-binary-package",
    "torch-backend",
    "python-install-mirror",
    "pypy-install-mirror",
    "graalpy-install-mirror",
    "pyodide-install-mirror",
    "python-downloads-json-url",
    "publish-url",
    "trusted-publishing",
    "check-url",
    "add-bounds",
    "pip",
    "cache-keys",
    "override-dependencies",
    "exclude-dependencies",
    "constraint-dependencies",
    "build-constraint-dependencies",
)


@attrs.frozen
class ConfigLayer:
    """One configuration file's settings: a ``uv.toml``'s top level, or a pyproject.toml's
    ``[tool.uv]`` table (``is_pyproject``)."""

    path: PurePath
    table: Mapping[str, Any]
    is_pyproject: bool = False

    def key_name(self, key: str) -> str:
        """How a key is spelt in this file: ``tool.uv.resolution`` or ``resolution``."""
        return f"tool.uv.{key}" if self.is_pyproject else key


@attrs.frozen(kw_only=True)
class EffectiveSettings:
    """The ``[tool.uv]`` table accord acts on: the layers' settings merged, with the project
    keys of the workspace root's own pyproject.toml."""

    table: Mapping[str, Any]
    layers: tuple[ConfigLayer, ...]
    """The layers used, highest precedence first."""

    def origin(self, key: str) -> ConfigLayer | None:
        """The layer that decided ``key`` (the first that sets it), None when none does."""
        for layer in self.layers:
            if key in layer.table:
                return layer
        return None


def disallowed_in_uv_toml(table: Mapping[str, Any]) -> str | None:
    """The first key a ``uv.toml`` may not hold, as uv checks them, or None."""
    return next((key for key in PYPROJECT_ONLY if key in table), None)


def masked_by_uv_toml(tool_uv: Mapping[str, Any]) -> tuple[str, ...]:
    """The ``[tool.uv]`` keys uv says a ``uv.toml`` beside the pyproject.toml masks, in uv's
    order and spelling (uv 0.13.8 writes ``cache_keys``; it lists the dependency keys too,
    although it still reads them from pyproject.toml)."""
    return tuple(
        "cache_keys" if key == "cache-keys" else key for key in _MASKED_ORDER if key in tool_uv
    )


def _combine(first: Any, second: Any) -> Any:
    """uv's ``Combine``: lists are joined (the higher precedence first), tables merged key by
    key (the higher precedence wins a key both hold), anything else is the first."""
    if isinstance(first, list) and isinstance(second, list):
        return [*first, *second]
    if isinstance(first, dict) and isinstance(second, dict):
        merged = dict(second)
        merged.update(first)
        return merged
    return first


def merge_layers(layers: Sequence[ConfigLayer]) -> dict[str, Any]:
    """The settings of ``layers`` (highest precedence first) merged, project keys left out."""
    merged: dict[str, Any] = {}
    for layer in layers:
        for key, value in layer.table.items():
            if key in PROJECT_KEYS:
                continue
            merged[key] = _combine(merged[key], value) if key in merged else value
    return merged


def effective_settings(
    layers: Sequence[ConfigLayer], root_tool_uv: Mapping[str, Any]
) -> EffectiveSettings:
    """The table accord reads its ``[tool.uv]`` settings from: ``layers`` merged (highest
    precedence first) and the project keys of ``root_tool_uv`` (the workspace root's
    ``[tool.uv]``, which is read whatever the layers are)."""
    table = merge_layers(layers)
    table.update({key: value for key, value in root_tool_uv.items() if key in PROJECT_KEYS})
    return EffectiveSettings(table=table, layers=tuple(layers))


def _string(key: str, value: object) -> None:
    if not isinstance(value, str):
        raise ValueError(f"`{key}` must be a string")


def _strings(key: str, value: object) -> None:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"`{key}` must be a list of strings")


def _boolean(key: str, value: object) -> None:
    if not isinstance(value, bool):
        raise ValueError(f"`{key}` must be true or false")


def _indexes(key: str, value: object) -> None:
    if not isinstance(value, list) or not all(
        isinstance(entry, dict) and isinstance(entry.get("url"), str) for entry in value
    ):
        raise ValueError(f"`{key}` must be a list of tables, each with a `url`")


def _choice(key: str, value: object) -> None:
    from accord.model.uv_settings import (
        FORK_STRATEGIES,
        PRERELEASE_MODES,
        RESOLUTION_MODES,
    )

    choices = {
        "resolution": RESOLUTION_MODES,
        "prerelease": PRERELEASE_MODES,
        "fork-strategy": FORK_STRATEGIES,
    }[key]
    if value not in choices:
        expected = ", ".join(f"`{choice}`" for choice in choices)
        raise ValueError(f"unknown variant `{value}` for `{key}`, expected one of {expected}")


def _exclude_newer(key: str, value: object) -> None:
    from accord.model.exclude_newer import ExcludeNewer, ExcludeNewerInvalid

    try:
        if key == "exclude-newer":
            ExcludeNewer.from_settings(value, None)
        else:
            ExcludeNewer.from_settings(None, value)
    except ExcludeNewerInvalid as exc:
        raise ValueError(f"`{key}`: {exc}") from exc


def _config_settings(key: str, value: object) -> None:
    from accord.model.config_settings import read_config_settings, read_package_config_settings

    if key == "config-settings":
        read_config_settings(key, value)
    else:
        read_package_config_settings(key, value)


_CHECKS = {
    "index-url": _string,
    "extra-index-url": _strings,
    "index": _indexes,
    "no-index": _boolean,
    "no-build-isolation": _boolean,
    "no-build-isolation-package": _strings,
    "no-binary": _boolean,
    "no-build": _boolean,
    "no-binary-package": _strings,
    "no-build-package": _strings,
    "resolution": _choice,
    "prerelease": _choice,
    "fork-strategy": _choice,
    "exclude-newer": _exclude_newer,
    "exclude-newer-package": _exclude_newer,
    "config-settings": _config_settings,
    "config-settings-package": _config_settings,
}


def check_values(table: Mapping[str, Any]) -> tuple[str, str] | None:
    """The first setting accord reads whose value in a ``uv.toml`` has the wrong shape, as
    ``(key, message)``; None when all are fine. (A pyproject.toml's ``[tool.uv]`` values are
    checked where they are read.)"""
    for key, check in _CHECKS.items():
        if key in table:
            try:
                check(key, table[key])
            except ValueError as exc:
                return key, str(exc)
    return None
