"""The shape of ``uv.lock`` before it becomes model values (lock stage; pure, no I/O).

Raw classes mirror the file's tables; one cattrs converter, built on first use,
structures a parsed document into them (kebab-case keys, packaging's types from their text).
``legacy_aliases`` first renames the older spellings uv still reads.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

import attrs
from packaging.markers import Marker
from packaging.specifiers import SpecifierSet
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version

from accord.model.lock import Artifact, ConflictItem, Dependency, Source, SourceKind

if TYPE_CHECKING:
    import cattrs

__all__ = ["as_text", "legacy_aliases", "lock_converter"]

# The raw classes are read by ``reconciler.lock.read`` alone. They keep their private names:
# cattrs puts a class's name in its errors (``expected _RawPackage @ $.package[0]``), and
# those are the messages users see.


@attrs.frozen(kw_only=True)
class _RawMetadata:
    requires_dist: list[dict[str, Any]] = attrs.field(factory=list)
    provides_extras: list[str] = attrs.field(factory=list)
    requires_dev: dict[str, list[dict[str, Any]]] = attrs.field(factory=dict)


@attrs.frozen(kw_only=True)
class _RawPackage:
    name: NormalizedName
    version: Version | None = None
    source: Source
    resolution_markers: list[Marker] = attrs.field(factory=list)
    dependencies: list[Dependency] = attrs.field(factory=list)
    optional_dependencies: dict[str, list[Dependency]] = attrs.field(factory=dict)
    dev_dependencies: dict[str, list[Dependency]] = attrs.field(factory=dict)
    sdist: Artifact | None = None
    wheels: list[Artifact] = attrs.field(factory=list)
    metadata: _RawMetadata | None = None
    default_groups: list[NormalizedName] | None = None
    group_requires_python: dict[str, SpecifierSet] = attrs.field(factory=dict)


@attrs.frozen(kw_only=True)
class _RawManifest:
    members: list[NormalizedName] = attrs.field(factory=list)
    requirements: list[dict[str, Any]] = attrs.field(factory=list)
    constraints: list[dict[str, Any]] = attrs.field(factory=list)
    overrides: list[dict[str, Any]] = attrs.field(factory=list)
    excludes: list[NormalizedName] = attrs.field(factory=list)
    build_constraints: list[dict[str, Any]] = attrs.field(factory=list)
    default_groups: list[NormalizedName] | None = None
    dependency_groups: dict[str, list[dict[str, Any]]] = attrs.field(factory=dict)
    group_requires_python: dict[str, SpecifierSet] = attrs.field(factory=dict)
    dependency_metadata: list[dict[str, Any]] = attrs.field(factory=list)


@attrs.frozen(kw_only=True)
class _RawOptions:
    resolution_mode: str | None = None
    prerelease_mode: str | None = None
    fork_strategy: str | None = None
    exclude_newer: str | None = None
    exclude_newer_span: str | None = None
    prerelease_package: dict[str, str] = attrs.field(factory=dict)
    exclude_newer_package: dict[str, Any] = attrs.field(factory=dict)


@attrs.frozen(kw_only=True)
class _RawLock:
    version: int
    revision: int = 0
    requires_python: SpecifierSet = attrs.field(factory=SpecifierSet)
    resolution_markers: list[Marker] = attrs.field(factory=list)
    supported_markers: list[Marker] = attrs.field(factory=list)
    required_markers: list[Marker] = attrs.field(factory=list)
    conflicts: list[list[ConflictItem]] = attrs.field(factory=list)
    options: _RawOptions | None = None
    manifest: _RawManifest | None = None
    package: list[_RawPackage] = attrs.field(factory=list)


def _structure_source(value: Any, _: Any) -> Source:
    if not isinstance(value, dict):
        raise ValueError(f"expected a table like {{ registry = ... }}, got {value!r}")
    kinds = [kind for kind in SourceKind if kind.value in value]
    if len(kinds) != 1:
        raise ValueError(f"expected exactly one source kind, got {sorted(value)}")
    kind = kinds[0]
    location = value[kind.value]
    if not isinstance(location, str):
        raise ValueError(f"source location must be a string, got {location!r}")
    subdirectory = value.get("subdirectory")
    return Source(kind, location, subdirectory if isinstance(subdirectory, str) else None)


def as_text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected a string, got {value!r}")
    return value


@functools.cache
def lock_converter() -> cattrs.Converter:
    import cattrs  # slow path only
    from cattrs.gen import make_dict_structure_fn, override

    converter = cattrs.Converter(detailed_validation=True, forbid_extra_keys=False)
    converter.register_structure_hook(Version, lambda value, _: Version(as_text(value)))
    converter.register_structure_hook(SpecifierSet, lambda value, _: SpecifierSet(as_text(value)))
    converter.register_structure_hook(Marker, lambda value, _: Marker(as_text(value)))
    converter.register_structure_hook(
        NormalizedName, lambda value, _: canonicalize_name(as_text(value))
    )
    converter.register_structure_hook(Source, _structure_source)

    def kebab(cls: type[Any], **extra: Any) -> None:
        overrides: dict[str, Any] = {
            field.name: override(rename=field.name.replace("_", "-"))
            for field in attrs.fields(cls)
            if "_" in field.name
        }
        overrides.update(extra)
        converter.register_structure_hook(cls, make_dict_structure_fn(cls, converter, **overrides))

    kebab(Artifact)
    kebab(Dependency, extras=override(rename="extra"))
    kebab(_RawMetadata)
    kebab(_RawPackage)
    kebab(_RawManifest)
    kebab(_RawOptions)
    kebab(ConflictItem)
    kebab(_RawLock)
    return converter


def legacy_aliases(document: dict[str, Any]) -> dict[str, Any]:
    """uv reads older spellings: ``distribution`` for ``package``, ``dependency-groups`` for
    ``dev-dependencies`` and ``requires-dev``, ``upload_time`` for ``upload-time``."""
    if "distribution" in document and "package" not in document:
        document["package"] = document.pop("distribution")
    packages = document.get("package")
    # Anything of the wrong shape is left as it is, for cattrs to report with its path.
    for package in packages if isinstance(packages, list) else ():
        if not isinstance(package, dict):
            continue
        if "dependency-groups" in package:
            package.setdefault("dev-dependencies", package.pop("dependency-groups"))
        metadata = package.get("metadata")
        if isinstance(metadata, dict) and "dependency-groups" in metadata:
            metadata.setdefault("requires-dev", metadata.pop("dependency-groups"))
        wheels = package.get("wheels")
        for artifact in (package.get("sdist"), *(wheels if isinstance(wheels, list) else ())):
            if isinstance(artifact, dict) and "upload_time" in artifact:
                artifact.setdefault("upload-time", artifact.pop("upload_time"))
    return document
