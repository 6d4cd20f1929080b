"""Which ``[tool.uv]`` settings accord honours, and what it says about the others (pure).

accord never drops a setting silently: a key it honours is read where it applies; a key that
changes what a lock would contain and that accord does not honour yet stops a resolution
(the lock accord would write would not be the one uv writes); a uv key that does not change
the lock is reported as not used; a key uv does not know is reported as unknown (uv itself
says nothing, but a misspelt setting should not pass unnoticed).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs
from packaging.markers import Marker
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import NormalizedName, canonicalize_name

if TYPE_CHECKING:
    from accord.model.marker_tree import MarkerTree

__all__ = [
    "FORK_STRATEGIES",
    "HONOURED",
    "NOT_USED",
    "PRERELEASE_MODES",
    "RESOLUTION_MODES",
    "UNHONOURED_RESOLUTION",
    "BinaryPolicy",
    "Dependencies",
    "SettingInvalid",
    "SettingsReport",
    "apply_overrides",
    "by_name",
    "check_uv_settings",
    "read_binary_policy",
    "read_dependencies",
    "read_environments",
    "read_excludes",
    "read_fork_strategy",
    "read_prerelease_package",
    "read_resolution_mode",
    "recorded_prerelease",
    "top_level_extra",
]

HONOURED = frozenset(
    {
        "build-constraint-dependencies",
        "cache-keys",
        "config-settings",
        "config-settings-package",
        "conflicts",
        "constraint-dependencies",
        "default-groups",
        "dependency-groups",
        "dependency-metadata",
        "environments",
        "dev-dependencies",
        "exclude-dependencies",
        "exclude-newer",
        "exclude-newer-package",
        "extra-build-dependencies",
        "extra-build-variables",
        "extra-index-url",
        "find-links",
        "fork-strategy",
        "index",
        "index-strategy",
        "index-url",
        "managed",
        "no-binary",
        "no-binary-package",
        "no-build",
        "no-build-package",
        "no-build-isolation",
        "no-build-isolation-package",
        "no-index",
        "no-sources",
        "no-sources-package",
        "override-dependencies",
        "package",
        "prerelease",
        "prerelease-package",
        "required-environments",
        "resolution",
        "sources",
        "workspace",
    }
)
"""Read and acted on (see docs/configuration.md)."""

UNHONOURED_RESOLUTION = frozenset(
    {
        "minimum-libc-version",
    }
)
"""uv settings that change the resolution or the lock; accord refuses to resolve with them."""

NOT_USED = frozenset(
    {
        "add-bounds",
        "allow-insecure-host",
        "audit",
        "build-backend",
        "cache-dir",
        "check-url",
        "compile-bytecode",
        "concurrent-builds",
        "concurrent-downloads",
        "concurrent-installs",
        "graalpy-install-mirror",
        "http-proxy",
        "https-proxy",
        "keyring-provider",
        "link-mode",
        "native-tls",
        "no-cache",
        "no-proxy",
        "offline",
        "pip",
        "preview",
        "preview-features",
        "publish-url",
        "pypy-install-mirror",
        "pyodide-install-mirror",
        "python-downloads",
        "python-downloads-json-url",
        "python-install-mirror",
        "python-preference",
        "reinstall",
        "reinstall-package",
        "require-build-hashes",
        "required-version",
        "system-certs",
        "torch-backend",
        "trusted-publishing",
        "upgrade",
        "upgrade-package",
    }
)
"""uv settings that do not change the lock; accord does not act on them and says so."""


RESOLUTION_MODES = ("highest", "lowest", "lowest-direct")
"""uv's ``resolution`` values; the first is the default."""

PRERELEASE_MODES = ("disallow", "allow", "if-necessary", "explicit", "if-necessary-or-explicit")
"""uv's ``prerelease`` values; the last is the default."""


@attrs.frozen
class SettingsReport:
    """The keys of one ``[tool.uv]`` table, by what accord does with them (sorted)."""

    unhonoured: tuple[str, ...] = ()
    not_used: tuple[str, ...] = ()
    unknown: tuple[str, ...] = ()

    def warnings(self, where: str, prefix: str = "tool.uv.") -> list[str]:
        """One line per key, naming the file; ``prefix`` is how its keys are spelt there
        (empty for a ``uv.toml``, whose keys are at the top level)."""
        lines = [
            f"`{prefix}{key}` in `{where}` is not used by accord (it does not change the lock)"
            for key in self.not_used
        ]
        lines += [f"Unknown setting `{prefix}{key}` in `{where}`, ignored" for key in self.unknown]
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


class SettingInvalid(ValueError):
    """A ``[tool.uv]`` value accord cannot read; the message names the key."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint


FORK_STRATEGIES = ("requires-python", "fewest")
"""uv's ``fork-strategy`` values; the first is the default."""


def read_fork_strategy(value: object) -> str | None:
    """``tool.uv.fork-strategy``: None for uv's default (``requires-python``)."""
    if value is None or value == FORK_STRATEGIES[0]:
        return None
    if value not in FORK_STRATEGIES:
        choices = ", ".join(f"`{mode}`" for mode in FORK_STRATEGIES)
        raise SettingInvalid(f"`tool.uv.fork-strategy` must be one of {choices}, not {value!r}")
    return str(value)


def read_resolution_mode(value: object) -> str | None:
    """``tool.uv.resolution``: None for uv's default (``highest``)."""
    if value is None or value == RESOLUTION_MODES[0]:
        return None
    if value not in RESOLUTION_MODES:
        choices = ", ".join(f"`{mode}`" for mode in RESOLUTION_MODES)
        raise SettingInvalid(f"`tool.uv.resolution` must be one of {choices}, not {value!r}")
    return str(value)


Dependencies = dict[NormalizedName, list[Requirement]]
"""Requirements by the name they constrain or override, in declared order."""


def read_dependencies(key: str, value: object) -> tuple[Requirement, ...]:
    """``constraint-dependencies``, ``override-dependencies`` or
    ``build-constraint-dependencies``: a list of PEP 508 strings naming registry packages."""
    if value is None:
        return ()
    if not isinstance(value, list):
        raise SettingInvalid(f"`tool.uv.{key}` must be a list of requirement strings")
    requirements = []
    for entry in value:
        if isinstance(entry, dict):
            raise SettingInvalid(
                f"`tool.uv.{key}`: per-package entries ({{ package = ..., dependencies = ... }}) "
                "are not supported by accord yet"
            )
        if not isinstance(entry, str):
            raise SettingInvalid(f"`tool.uv.{key}` must be a list of requirement strings")
        try:
            requirement = Requirement(entry)
        except InvalidRequirement as exc:
            raise SettingInvalid(f"`tool.uv.{key}`: {entry!r} is not a requirement: {exc}") from exc
        if requirement.url is not None:
            raise SettingInvalid(
                f"`tool.uv.{key}`: {entry!r} names a URL; accord supports version specifiers "
                "and markers here, not direct references"
            )
        requirements.append(requirement)
    return tuple(requirements)


def by_name(requirements: Sequence[Requirement]) -> Dependencies:
    """Requirements grouped by normalized name, in declared order."""
    grouped: Dependencies = {}
    for requirement in requirements:
        grouped.setdefault(canonicalize_name(requirement.name), []).append(requirement)
    return grouped


def top_level_extra(marker: Marker | None) -> str | None:
    """The extra of an ``extra == "x"`` clause that a marker's top-level conjunction holds
    (uv's ``MarkerTree::top_level_extra``), or None."""
    if marker is None:
        return None
    items = marker._markers  # packaging's parsed form: clauses, "and"/"or", nested lists
    if "or" in items:
        return None
    for item in items:
        if isinstance(item, tuple):
            left, op, right = item
            names = (str(left.value), str(right.value))
            if op.value == "==" and "extra" in (left.value, right.value):
                return names[1] if left.value == "extra" else names[0]
    return None


def apply_overrides(
    requirements: Sequence[Requirement], overrides: Dependencies
) -> list[Requirement]:
    """uv's ``Overrides::apply``: a requirement on an overridden name is replaced by the
    overrides; when it was optional (a top-level ``extra == "x"``), each override is made
    optional for the same extra."""
    if not overrides:
        return list(requirements)
    result: list[Requirement] = []
    for requirement in requirements:
        replacements = overrides.get(canonicalize_name(requirement.name))
        if replacements is None:
            result.append(requirement)
            continue
        extra = top_level_extra(requirement.marker)
        if extra is None:
            result += replacements
            continue
        for override in replacements:
            clause = f'extra == "{extra}"'
            marker = clause if override.marker is None else f"{clause} and ({override.marker})"
            result.append(Requirement(f"{_without_marker(override)}; {marker}"))
    return result


def _without_marker(requirement: Requirement) -> str:
    extras = f"[{','.join(sorted(requirement.extras))}]" if requirement.extras else ""
    return f"{requirement.name}{extras}{requirement.specifier}"


def read_environments(key: str, value: object) -> tuple[MarkerTree, ...]:
    """``environments`` (or ``required-environments``): a marker or a list of markers.
    ``environments`` must be pairwise disjoint (uv's rule; the error says how to fix it)."""
    from packaging.markers import InvalidMarker

    from accord.model.marker_tree import MarkerTree

    if value is None:
        return ()
    entries = [value] if isinstance(value, str) else value
    if not isinstance(entries, list) or not all(isinstance(e, str) for e in entries):
        raise SettingInvalid(f"`tool.uv.{key}` must be a marker or a list of markers")
    trees = []
    for entry in entries:
        try:
            trees.append(MarkerTree.parse(Marker(entry)))
        except InvalidMarker as exc:
            raise SettingInvalid(f"`tool.uv.{key}`: {entry!r} is not a marker: {exc}") from exc
    if key == "environments":
        for index, first in enumerate(trees):
            for second in trees[index + 1 :]:
                if not first.is_disjoint(second):
                    fixed = (second & ~first).to_string()
                    raise SettingInvalid(
                        "Supported environments must be disjoint, but the following markers "
                        f"overlap: `{first}` and `{second}`",
                        f"replace `{second}` with `{fixed}`",
                    )
    return tuple(trees)


@attrs.frozen
class BinaryPolicy:
    """``no-binary``/``no-binary-package`` and ``no-build``/``no-build-package``: which
    packages may not come from a wheel, and which may not be built from an sdist."""

    no_binary_all: bool = False
    no_binary: frozenset[NormalizedName] = frozenset()
    no_build_all: bool = False
    no_build: frozenset[NormalizedName] = frozenset()

    def wheels_allowed(self, name: NormalizedName) -> bool:
        return not (self.no_binary_all or name in self.no_binary)

    def builds_allowed(self, name: NormalizedName) -> bool:
        return not (self.no_build_all or name in self.no_build)

    @property
    def is_default(self) -> bool:
        return self == BinaryPolicy()

    def with_flags(
        self,
        *,
        no_binary: bool = False,
        no_binary_packages: Iterable[NormalizedName] = (),
        no_build: bool = False,
        no_build_packages: Iterable[NormalizedName] = (),
    ) -> BinaryPolicy:
        """These settings and the command line's (``--no-binary`` and the rest) together."""
        return BinaryPolicy(
            no_binary_all=self.no_binary_all or no_binary,
            no_binary=self.no_binary | frozenset(no_binary_packages),
            no_build_all=self.no_build_all or no_build,
            no_build=self.no_build | frozenset(no_build_packages),
        )


def read_binary_policy(table: Mapping[str, Any]) -> BinaryPolicy:
    """The four keys of a ``[tool.uv]`` table; raises SettingInvalid naming a bad one."""
    flags = {}
    for key in ("no-binary", "no-build"):
        value = table.get(key, False)
        if not isinstance(value, bool):
            raise SettingInvalid(f"`tool.uv.{key}` must be true or false, not {value!r}")
        flags[key] = value
    names = {}
    for key in ("no-binary-package", "no-build-package"):
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise SettingInvalid(f"`tool.uv.{key}` must be a list of package names")
        names[key] = frozenset(canonicalize_name(v) for v in value)
    return BinaryPolicy(
        no_binary_all=flags["no-binary"],
        no_binary=names["no-binary-package"],
        no_build_all=flags["no-build"],
        no_build=names["no-build-package"],
    )


def read_excludes(value: object) -> tuple[NormalizedName, ...]:
    """``tool.uv.exclude-dependencies``: package names never resolved nor installed."""
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise SettingInvalid("`tool.uv.exclude-dependencies` must be a list of package names")
    return tuple(dict.fromkeys(canonicalize_name(v) for v in value))


def recorded_prerelease(mode: str | None) -> str | None:
    """The ``prerelease-mode`` uv 0.13.8 writes in ``[options]`` for ``mode``: none for its
    default, and none for ``if-necessary`` either (observed side by side)."""
    return None if mode in (None, "if-necessary") else mode


def read_prerelease_package(
    value: object, given: Sequence[str] = ()
) -> tuple[tuple[NormalizedName, str], ...]:
    """``tool.uv.prerelease-package`` (a table of package to mode) with the
    ``--prerelease-package NAME=MODE`` values over it, package by package: sorted by name,
    ``if-necessary-or-explicit`` spelled ``if-necessary`` (uv 0.13.8 records it so, and
    resolves it so)."""
    if value is None:
        value = {}
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise SettingInvalid("`tool.uv.prerelease-package` must be a table of package = mode")
    modes = {canonicalize_name(k): v for k, v in value.items()}
    for entry in given:
        name, sep, mode = entry.partition("=")
        if not sep or not name.strip():
            raise SettingInvalid(f"`--prerelease-package` takes `PACKAGE=MODE`, not {entry!r}")
        modes[canonicalize_name(name.strip())] = mode.strip()
    for name, mode in modes.items():
        if mode not in PRERELEASE_MODES:
            raise SettingInvalid(
                f"the prerelease mode of `{name}` must be one of "
                + ", ".join(f"`{m}`" for m in PRERELEASE_MODES)
                + f", not {mode!r}"
            )
    alias = {"if-necessary-or-explicit": "if-necessary"}
    return tuple(sorted((name, alias.get(mode, mode)) for name, mode in modes.items()))
