"""Which ``[tool.uv]`` settings accord honours, and what it says about the others (pure).

accord never drops a setting silently: a key it honours is read where it applies; a key that
changes what a lock would contain and that accord does not honour yet stops a resolution
(the lock accord would write would not be the one uv writes); a uv key that does not change
the lock is reported as not used; a key uv does not know is reported as unknown (uv itself
says nothing, but a misspelt setting should not pass unnoticed).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import attrs

__all__ = [
    "HONOURED",
    "NOT_USED",
    "PRERELEASE_MODES",
    "UNHONOURED_RESOLUTION",
    "SettingsReport",
    "check_uv_settings",
]

HONOURED = frozenset(
    {
        "cache-keys",
        "default-groups",
        "dev-dependencies",
        "exclude-newer",
        "exclude-newer-package",
        "index",
        "managed",
        "no-build-isolation",
        "no-build-isolation-package",
        "package",
        "prerelease",
        "sources",
        "workspace",
    }
)
"""Read and acted on (see docs/configuration.md)."""

UNHONOURED_RESOLUTION = frozenset(
    {
        "build-constraint-dependencies",
        "config-settings",
        "config-settings-package",
        "conflicts",
        "constraint-dependencies",
        "dependency-groups",
        "dependency-metadata",
        "environments",
        "extra-build-dependencies",
        "extra-build-variables",
        "extra-index-url",
        "find-links",
        "fork-strategy",
        "index-strategy",
        "index-url",
        "no-binary",
        "no-binary-package",
        "no-build",
        "no-build-package",
        "no-index",
        "no-sources",
        "override-dependencies",
        "required-environments",
        "resolution",
    }
)
"""uv settings that change the resolution or the lock; accord refuses to resolve with them."""

NOT_USED = frozenset(
    {
        "add-bounds",
        "allow-insecure-host",
        "build-backend",
        "cache-dir",
        "check-url",
        "compile-bytecode",
        "concurrent-builds",
        "concurrent-downloads",
        "concurrent-installs",
        "keyring-provider",
        "link-mode",
        "native-tls",
        "no-cache",
        "offline",
        "pip",
        "preview",
        "publish-url",
        "pypy-install-mirror",
        "python-downloads",
        "python-downloads-json-url",
        "python-install-mirror",
        "python-preference",
        "reinstall",
        "reinstall-package",
        "required-version",
        "torch-backend",
        "trusted-publishing",
        "upgrade",
        "upgrade-package",
    }
)
"""uv settings that do not change the lock; accord does not act on them and says so."""


PRERELEASE_MODES = ("disallow", "allow", "if-necessary", "explicit", "if-necessary-or-explicit")
"""uv's ``prerelease`` values; the last is the default."""


@attrs.frozen
class SettingsReport:
    """The keys of one ``[tool.uv]`` table, by what accord does with them (sorted)."""

    unhonoured: tuple[str, ...] = ()
    not_used: tuple[str, ...] = ()
    unknown: tuple[str, ...] = ()

    def warnings(self, where: str) -> list[str]:
        lines = [
            f"`tool.uv.{key}` in `{where}` is not used by accord (it does not change the lock)"
            for key in self.not_used
        ]
        lines += [f"Unknown setting `tool.uv.{key}` in `{where}`, ignored" for key in self.unknown]
        return lines


def check_uv_settings(table: Mapping[str, Any], honoured: Iterable[str] = ()) -> SettingsReport:
    """Sort the keys of a ``[tool.uv]`` table; ``honoured`` adds keys the caller handles."""
    extra = frozenset(honoured)
    unhonoured, not_used, unknown = [], [], []
    for key in sorted(table):
        if key in HONOURED or key in extra:
            continue
        if key in UNHONOURED_RESOLUTION:
            unhonoured.append(key)
        elif key in NOT_USED:
            not_used.append(key)
        else:
            unknown.append(key)
    return SettingsReport(tuple(unhonoured), tuple(not_used), tuple(unknown))
