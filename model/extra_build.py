"""``tool.uv.extra-build-dependencies`` and ``extra-build-variables`` as uv 0.13.8 reads them
(pure).

Both are tables of package names: ``extra-build-dependencies = { pkg = ["dep>=1", { requirement
= "other", match-runtime = false }] }`` adds requirements to ``pkg``'s build environment, and
``extra-build-variables = { pkg = { NAME = "value" } }`` sets variables in the environment of
its build hooks. Across configuration files a package's requirements are joined (the
higher-precedence file's first) and its variables united (the higher-precedence file's value
wins), as observed side by side with uv. uv records both in the dist's ``uv_build.json``
(``BuildInfo``: ``extra_build_requires``, each requirement in uv's wire form, and
``extra_build_variables``, sorted); nothing goes into ``uv.lock``. ``match-runtime = true``
(pin to the version the runtime resolution picked) and requirements naming a URL or path are
refused: accord does not do them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

import attrs
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, Specifier
from packaging.utils import InvalidName, NormalizedName, canonicalize_name

from accord.model.markers import render_marker

__all__ = [
    "ExtraBuild",
    "ExtraBuildRequire",
    "ExtraBuildSettings",
    "read_extra_build_dependencies",
    "read_extra_build_variables",
]

_HEAD = re.compile(r"^\s*[A-Za-z0-9._-]+\s*(?:\[[^\]]*\])?\s*(.*)$", re.DOTALL)


def _specifier_text(text: str) -> str:
    """The specifiers as written (uv keeps their order; packaging sorts them), each spelled
    as packaging spells it."""
    match = _HEAD.match(text.partition(";")[0])
    rest = match.group(1).strip() if match else ""
    if rest.startswith("(") and rest.endswith(")"):
        rest = rest[1:-1]
    parts = [part.strip() for part in rest.split(",") if part.strip()]
    return ",".join(str(Specifier(part)) for part in parts)


@attrs.frozen
class ExtraBuildRequire:
    """One extra build requirement: its PEP 508 text and its ``uv_build.json`` entry."""

    text: str
    wire: str
    """uv's serde form (``{"requirement":{...},"match_runtime":false}``), compact JSON."""

    @classmethod
    def parse(cls, key: str, text: str) -> ExtraBuildRequire:
        try:
            requirement = Requirement(text)
        except InvalidRequirement as exc:
            raise ValueError(f"`{key}`: invalid requirement `{text}`: {exc}") from None
        if requirement.url:
            raise ValueError(
                f"`{key}`: `{text}` names a URL; accord supports only registry requirements in "
                "extra build dependencies"
            )
        try:
            specifier = _specifier_text(text)
        except InvalidSpecifier as exc:
            raise ValueError(f"`{key}`: invalid requirement `{text}`: {exc}") from None
        wire: dict[str, object] = {"name": canonicalize_name(requirement.name)}
        extras = [canonicalize_name(extra) for extra in _extras_in_order(text)]
        if extras:
            wire["extras"] = extras
        marker = render_marker(requirement.marker) if requirement.marker is not None else ""
        if marker:
            wire["marker"] = marker
        if specifier:
            wire["specifier"] = specifier
        wire["index"] = None
        wire["conflict"] = None
        entry = {"requirement": wire, "match_runtime": False}
        return cls(str(requirement), json.dumps(entry, separators=(",", ":")))

    @property
    def requirement(self) -> Requirement:
        return Requirement(self.text)


def _extras_in_order(text: str) -> list[str]:
    match = re.match(r"^\s*[A-Za-z0-9._-]+\s*\[([^\]]*)\]", text)
    if not match:
        return []
    return [extra.strip() for extra in match.group(1).split(",") if extra.strip()]


@attrs.frozen
class ExtraBuild:
    """What one package's build gets beyond its own requirements and uv's environment."""

    requires: tuple[ExtraBuildRequire, ...] = ()
    variables: tuple[tuple[str, str], ...] = ()
    """Sorted by name (uv keeps them in a ``BTreeMap``)."""

    @property
    def is_empty(self) -> bool:
        return not self.requires and not self.variables

    def merge(self, other: ExtraBuild) -> ExtraBuild:
        """This side's requirements then ``other``'s; this side's value of a variable wins."""
        variables = dict(other.variables)
        variables.update(self.variables)
        return ExtraBuild((*self.requires, *other.requires), tuple(sorted(variables.items())))

    def requirements(self) -> list[Requirement]:
        return [require.requirement for require in self.requires]

    def build_info_json(self) -> str:
        """The ``extra_build_requires`` and ``extra_build_variables`` members of uv's
        ``BuildInfo`` (each left out when empty), compact, without the braces."""
        members = []
        if self.requires:
            entries = ",".join(require.wire for require in self.requires)
            members.append(f'"extra_build_requires":[{entries}]')
        if self.variables:
            text = json.dumps(dict(self.variables), separators=(",", ":"), ensure_ascii=False)
            members.append(f'"extra_build_variables":{text}')
        return ",".join(members)


@attrs.frozen
class ExtraBuildSettings:
    """Each package's ``ExtraBuild``, sorted by name."""

    packages: tuple[tuple[NormalizedName, ExtraBuild], ...] = ()

    def merge(self, other: ExtraBuildSettings) -> ExtraBuildSettings:
        packages = dict(self.packages)
        for name, extra in other.packages:
            packages[name] = packages[name].merge(extra) if name in packages else extra
        return ExtraBuildSettings(tuple(sorted(packages.items())))

    def for_package(self, name: str | None) -> ExtraBuild:
        if name is not None:
            wanted = canonicalize_name(name)
            for package, extra in self.packages:
                if package == wanted:
                    return extra
        return ExtraBuild()


def _package_tables(key: str, value: object) -> Iterable[tuple[NormalizedName, str, object]]:
    if not isinstance(value, dict):
        raise ValueError(f"`{key}` must be a table of package names")
    for package, item in value.items():
        try:
            name = canonicalize_name(package, validate=True)
        except InvalidName:
            raise ValueError(f"`{key}`: `{package}` is not a valid package name") from None
        yield name, f"{key}.{package}", item


def read_extra_build_dependencies(key: str, value: object) -> ExtraBuildSettings:
    """An ``extra-build-dependencies`` table: package names to lists of requirements (strings,
    or ``{ requirement = "...", match-runtime = false }``). ``ValueError`` naming ``key``."""
    packages: dict[NormalizedName, ExtraBuild] = {}
    for name, where, item in _package_tables(key, value):
        if not isinstance(item, list):
            raise ValueError(f"`{where}` must be a list of requirements")
        requires = []
        for entry in item:
            if isinstance(entry, dict) and set(entry) <= {"requirement", "match-runtime"}:
                if entry.get("match-runtime", False) is not False:
                    raise ValueError(
                        f"`{where}`: `match-runtime = true` is not supported by accord"
                    )
                entry = entry.get("requirement")
            if not isinstance(entry, str):
                raise ValueError(
                    f"`{where}`: each entry must be a requirement string or a table with "
                    "`requirement` and `match-runtime`"
                )
            requires.append(ExtraBuildRequire.parse(where, entry))
        packages[name] = ExtraBuild(requires=tuple(requires))
    return ExtraBuildSettings(tuple(sorted(packages.items())))


def read_extra_build_variables(key: str, value: object) -> ExtraBuildSettings:
    """An ``extra-build-variables`` table: package names to tables of strings."""
    packages: dict[NormalizedName, ExtraBuild] = {}
    for name, where, item in _package_tables(key, value):
        if not isinstance(item, dict) or not all(isinstance(v, str) for v in item.values()):
            raise ValueError(f"`{where}` must be a table of strings")
        packages[name] = ExtraBuild(variables=tuple(sorted(item.items())))
    return ExtraBuildSettings(tuple(sorted(packages.items())))
