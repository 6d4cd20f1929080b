"""``tool.uv.dependency-metadata``: static metadata given for a package, used instead of
building or fetching it (pure).

uv 0.13.8 (``uv-distribution-types/src/dependency_metadata.rs``, observed side by side):
each entry names a package, optionally a version, and its ``requires-dist``,
``requires-python`` and ``provides-extras``. For a version of that package the resolver
takes the entry of that exact version, else the entry without a version, else the package's
own metadata. The lock records every entry under ``[[manifest.dependency-metadata]]``, as a
set (sorted by name, then version, duplicates once), spelt as uv displays them: names and
extras normalized, a requirement as ``name[extras]specifiers ; marker`` (the specifiers in
the order given, joined by ``,``; the marker in uv's canonical form), ``requires-python``
joined by ``, ``. A lock whose set differs is out of date.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import attrs
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, Specifier
from packaging.utils import InvalidName, NormalizedName, canonicalize_name
from packaging.version import InvalidVersion, Version

from accord.model.markers import render_marker
from accord.model.uv_settings import SettingInvalid

__all__ = [
    "DependencyMetadataInvalid",
    "StaticMetadata",
    "find_static_metadata",
    "read_dependency_metadata",
]

_NAME = re.compile(r"^\s*[A-Za-z0-9][A-Za-z0-9._-]*")
_KEYS = frozenset({"name", "version", "requires-dist", "requires-python", "provides-extras"})


class DependencyMetadataInvalid(SettingInvalid):
    """An entry accord cannot read; the message says which and why."""


@attrs.frozen(kw_only=True)
class StaticMetadata:
    """One entry, in uv's spelling (equal entries compare equal however they were written)."""

    name: NormalizedName
    version: Version | None = None
    """None: the entry applies to any version without an entry of its own."""
    requires_dist: tuple[str, ...] = ()
    """Requirements as uv writes them in the lock."""
    requires_python: str | None = None
    provides_extras: tuple[NormalizedName, ...] = ()

    @property
    def requirements(self) -> tuple[Requirement, ...]:
        return tuple(Requirement(text) for text in self.requires_dist)

    @property
    def sort_key(self) -> tuple[object, ...]:
        """uv's order (a ``BTreeSet``): by name, no version first, then version."""
        version = (0, Version("0")) if self.version is None else (1, self.version)
        rest = (self.requires_dist, self.requires_python or "", self.provides_extras)
        return (self.name, version, rest)


def _specifiers(text: str) -> str:
    """The specifiers of a PEP 508 string in the order written (packaging sorts them; uv
    keeps them), each in its normal spelling, joined by ``,``."""
    head = text.split(";", 1)[0].split("@", 1)[0]
    head = head.split("]", 1)[1] if "]" in head else _NAME.sub("", head, count=1)
    head = head.strip().removeprefix("(").removesuffix(")")
    return ",".join(str(Specifier(part.strip())) for part in head.split(",") if part.strip())


def _requirement(text: str) -> str:
    requirement = Requirement(text)
    extras = [canonicalize_name(extra) for extra in requirement.extras]
    ordered = re.search(r"\[([^\]]*)\]", text.split(";", 1)[0])
    if ordered is not None:  # packaging keeps extras in a set; uv in the order written
        written = [canonicalize_name(e.strip()) for e in ordered.group(1).split(",") if e.strip()]
        extras = list(dict.fromkeys(written))
    rendered = canonicalize_name(requirement.name) + (f"[{','.join(extras)}]" if extras else "")
    if requirement.url is not None:
        rendered += f" @ {requirement.url}"
    else:
        rendered += _specifiers(text)
    marker = render_marker(requirement.marker) if requirement.marker is not None else ""
    return f"{rendered} ; {marker}" if marker else rendered


def _string_list(entry: dict[str, object], key: str, where: str) -> list[str]:
    value = entry.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise DependencyMetadataInvalid(f"{where}: `{key}` must be a list of strings")
    return list(value)


def _entry(entry: object, where: str) -> StaticMetadata:
    if not isinstance(entry, dict):
        raise DependencyMetadataInvalid(f"{where} must be a table")
    unknown = sorted(set(entry) - _KEYS)
    if unknown:
        raise DependencyMetadataInvalid(f"{where}: unknown field `{unknown[0]}`")
    name, version, python = entry.get("name"), entry.get("version"), entry.get("requires-python")
    if not isinstance(name, str):
        raise DependencyMetadataInvalid(f"{where}: `name` must be a package name")
    try:
        return StaticMetadata(
            name=canonicalize_name(name, validate=True),
            version=None if version is None else Version(str(version)),
            requires_dist=tuple(
                _requirement(text) for text in _string_list(entry, "requires-dist", where)
            ),
            requires_python=(
                None
                if python is None
                else ", ".join(str(Specifier(p.strip())) for p in str(python).split(","))
            ),
            provides_extras=tuple(
                canonicalize_name(extra, validate=True)
                for extra in _string_list(entry, "provides-extras", where)
            ),
        )
    except (InvalidName, InvalidVersion, InvalidRequirement, InvalidSpecifier) as exc:
        raise DependencyMetadataInvalid(f"{where}: {exc}") from exc


def read_dependency_metadata(value: object, key: str) -> tuple[StaticMetadata, ...]:
    """The entries of ``value`` (a list of tables), in the order given; ``key`` names the
    list in messages. Raises DependencyMetadataInvalid."""
    if value is None:
        return ()
    if not isinstance(value, list):
        raise DependencyMetadataInvalid(f"`{key}` must be a list of tables")
    return tuple(_entry(entry, f"`{key}[{number}]`") for number, entry in enumerate(value))


def find_static_metadata(
    entries: Sequence[StaticMetadata], name: NormalizedName, version: Version
) -> StaticMetadata | None:
    """The entry uv uses for ``name==version``: the first of that exact version, else the
    first without a version (uv's ``DependencyMetadata::get``)."""
    named = [entry for entry in entries if entry.name == name]
    exact = next((entry for entry in named if entry.version == version), None)
    return exact or next((entry for entry in named if entry.version is None), None)
