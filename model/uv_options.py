"""The shape uv 0.13.8 requires of its settings (a ``uv.toml``, a ``[tool.uv]`` table) (pure).

uv reads every configuration file into one typed struct whose fields are the settings; a key it
does not know, or a value of the wrong type, fails the whole file: a ``uv.toml`` (or the file
``--config-file`` names) stops the command, a pyproject.toml's ``[tool.uv]`` met during settings
discovery is passed over with a warning. ``options_problem(table)`` finds the first such
mistake in document order, as serde meets it, and says it in serde's words (observed side by
side); the caller finds its line and column (``model.toml_spans``).

Only shapes are checked here, for the settings whose words were observed; what a value means
(a date, a requirement) is checked where it is read.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import attrs

from accord.model.pyproject import describe_type

__all__ = ["OPTIONS_FIELDS", "OptionsProblem", "options_problem"]

OPTIONS_FIELDS = (
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
    "index",
    "index-url",
    "extra-index-url",
    "no-index",
    "find-links",
    "index-strategy",
    "keyring-provider",
    "http-proxy",
    "https-proxy",
    "no-proxy",
    "allow-insecure-host",
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
    "audit",
    "pip",
    "cache-keys",
    "override-dependencies",
    "exclude-dependencies",
    "constraint-dependencies",
    "build-constraint-dependencies",
    "environments",
    "required-environments",
    "minimum-libc-version",
    "conflicts",
    "workspace",
    "sources",
    "managed",
    "package",
    "default-groups",
    "dependency-groups",
    "dev-dependencies",
    "build-backend",
)
"""Every key uv 0.13.8 knows in a ``uv.toml`` or ``[tool.uv]``, in the order its message for an
unknown key lists them."""

_BOOLEANS = frozenset(
    {
        "system-certs",
        "native-tls",
        "offline",
        "no-cache",
        "preview",
        "no-index",
        "no-build-isolation",
        "require-build-hashes",
        "compile-bytecode",
        "no-sources",
        "upgrade",
        "reinstall",
        "no-build",
        "no-binary",
    }
)

_STRINGS = {
    "index-url": "a string",
    "cache-dir": "path string",
    "python-install-mirror": "a string",
    "pypy-install-mirror": "a string",
    "python-downloads-json-url": "a string",
}

_STRING_LISTS = frozenset(
    {"extra-index-url", "find-links", "no-proxy", "allow-insecure-host", "upgrade-package"}
)

_NAME_LISTS = frozenset(
    {
        "no-build-isolation-package",
        "no-sources-package",
        "reinstall-package",
        "no-build-package",
        "no-binary-package",
    }
)

_VARIANTS = {
    "python-preference": ("only-managed", "managed", "system", "only-system"),
    "python-downloads": ("auto", "automatic", "manual", "never"),
    "index-strategy": (
        "first-index",
        "unsafe-any-match",
        "unsafe-first-match",
        "unsafe-best-match",
    ),
    "keyring-provider": ("disabled", "subprocess"),
    "resolution": ("highest", "lowest", "lowest-direct"),
    "prerelease": ("disallow", "allow", "if-necessary", "explicit", "if-necessary-or-explicit"),
    "fork-strategy": ("fewest", "requires-python"),
    "link-mode": ("clone", "reflink", "copy", "hardlink", "symlink"),
    "trusted-publishing": ("automatic", "always", "never"),
}
"""uv's values for each setting that takes one of a few words, in the order uv lists them."""

_NONZERO = frozenset({"concurrent-downloads", "concurrent-builds", "concurrent-installs"})

_STRUCTS = {"pip": "PipOptions"}

_NAME = re.compile(r"^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$", re.IGNORECASE)


@attrs.frozen
class OptionsProblem:
    """The first mistake in a settings table: the key path at fault, uv's words, and whether
    the key itself (an unknown one) rather than its value is to blame."""

    path: tuple[str | int, ...]
    detail: str
    at_key: bool = False


def _one_of(value: str, variants: Sequence[str]) -> str:
    """serde's words for a string that names no variant."""
    listed = [f"`{variant}`" for variant in variants]
    if len(listed) == 1:
        expected = listed[0]
    elif len(listed) == 2:
        expected = f"{listed[0]} or {listed[1]}"
    else:
        expected = "one of " + ", ".join(listed)
    return f"unknown variant `{value}`, expected {expected}"


def _invalid(path: tuple[str | int, ...], value: object, expected: str) -> OptionsProblem:
    return OptionsProblem(path, f"invalid type: {describe_type(value)}, expected {expected}")


def _value_problem(key: str, value: object) -> OptionsProblem | None:
    path: tuple[str | int, ...] = (key,)
    if key in _BOOLEANS and not isinstance(value, bool):
        return _invalid(path, value, "a boolean")
    if key in _STRINGS and not isinstance(value, str):
        return _invalid(path, value, _STRINGS[key])
    if key in _VARIANTS:
        if isinstance(value, str):
            if value in _VARIANTS[key]:
                return None
            return OptionsProblem(path, _one_of(value, _VARIANTS[key]))
        return None  # uv's words for another type vary from setting to setting
    if key in _NONZERO:
        if isinstance(value, bool) or not isinstance(value, int):
            return _invalid(path, value, "a nonzero usize")
        if value <= 0:
            return OptionsProblem(
                path, f"invalid value: integer `{value}`, expected a nonzero usize"
            )
    if key in _STRUCTS and not isinstance(value, dict):
        return _invalid(path, value, f"struct {_STRUCTS[key]}")
    if key in _STRING_LISTS or key in _NAME_LISTS:
        return _list_problem(key, value)
    if key == "index":
        return _index_problem(value)
    return None


def _list_problem(key: str, value: object) -> OptionsProblem | None:
    if not isinstance(value, list):
        return _invalid((key,), value, "a sequence")
    for index, item in enumerate(value):
        if not isinstance(item, str):
            return _invalid((key, index), item, "a string")
        if key in _NAME_LISTS and not _NAME.match(item):
            return OptionsProblem(
                (key, index),
                f'Not a valid package or extra name: "{item}". Names must start and end with a '
                "letter or digit and may only contain -, _, ., and alphanumeric characters.",
            )
    return None


def _index_problem(value: object) -> OptionsProblem | None:
    if not isinstance(value, list):
        return _invalid(("index",), value, "a sequence")
    for position, entry in enumerate(value):
        if not isinstance(entry, dict):
            return _invalid(("index", position), entry, "struct IndexWire")
        if "url" not in entry:
            return OptionsProblem(("index", position), "missing field `url`")
    return None


def options_problem(table: Mapping[str, object]) -> OptionsProblem | None:
    """The first key of ``table`` (in document order) that uv does not know or whose value has
    a shape uv refuses; None when uv would read every key."""
    for key, value in table.items():
        if key not in OPTIONS_FIELDS:
            fields = ", ".join(f"`{field}`" for field in OPTIONS_FIELDS)
            return OptionsProblem(
                (key,), f"unknown field `{key}`, expected one of {fields}", at_key=True
            )
        problem = _value_problem(key, value)
        if problem is not None:
            return problem
    return None
