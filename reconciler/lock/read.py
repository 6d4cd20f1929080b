"""Reading ``uv.lock`` into ``model.lock.Lock`` (lock stage; reads one file).

The TOML is parsed with the standard library (``tomllib``, or ``tomli`` before 3.11), checked
for ``version``/``revision``, then structured by a cattrs converter into private raw classes
that mirror the file, and finally turned into model values. Errors name the file, the
``$.package[3].version`` path and, where it can be found, the line.
"""

from __future__ import annotations

import contextlib
import functools
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
from packaging.markers import InvalidMarker, Marker
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import (
    InvalidWheelFilename,
    NormalizedName,
    canonicalize_name,
    parse_wheel_filename,
)
from packaging.version import InvalidVersion, Version

from accord.model.lock import (
    Artifact,
    ConflictItem,
    Dependency,
    Groups,
    Lock,
    LockedPackage,
    LockOptions,
    LockRequirement,
    Source,
    SourceKind,
)
from accord.reconciler.errors import LockfileInvalid

if TYPE_CHECKING:
    import cattrs

__all__ = [
    "HASH_DIGITS",
    "SUPPORTED_REVISION",
    "parse_lock",
    "parse_lock_cached",
    "read_existing_lock",
    "read_lock",
    "read_lock_text",
]

SUPPORTED_REVISION = 5
"""The newest revision accord reads (what uv 0.13 writes)."""


# Raw classes: the file's shape, before it becomes model values --------------------------


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


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected a string, got {value!r}")
    return value


# What a lock may say. Values from a lock become cache paths (a hash names a cache entry),
# URLs that are fetched and file names that are written: each is checked before it is used.
HASH_DIGITS = {"md5": 32, "sha256": 64, "sha384": 96, "sha512": 128, "blake2b": 128}
"""The digest algorithms uv records and the number of hex digits of each."""
_HEX = re.compile(r"[0-9a-fA-F]+")
_URL_SCHEMES = frozenset({"http", "https", "file"})
_GIT_SCHEMES = frozenset({"http", "https", "file", "ssh", "git"})


class _BadValue(ValueError):
    """A value of the lock that is well-typed but unsafe or malformed; ``value`` is the text
    as the file writes it, so the error can point at it."""

    def __init__(self, where: str, value: str, problem: str) -> None:
        super().__init__(f"{where}: {problem}")
        self.where = where
        self.value = value
        self.problem = problem


def _check_hash(value: str, where: str) -> None:
    algorithm, colon, digest = value.partition(":")
    if not colon or algorithm not in HASH_DIGITS:
        known = ", ".join(f"`{name}`" for name in HASH_DIGITS)
        raise _BadValue(
            where, value, f"`{value}` is not `<algorithm>:<hex digest>` with one of {known}"
        )
    wanted = HASH_DIGITS[algorithm]
    if len(digest) != wanted or not _HEX.fullmatch(digest):
        raise _BadValue(
            where,
            value,
            f"invalid {algorithm} digest `{digest}` (expected {wanted} hexadecimal characters)",
        )


def _check_url(value: str, where: str, schemes: frozenset[str] = _URL_SCHEMES) -> None:
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError as exc:
        raise _BadValue(where, value, f"`{value}` is not a valid URL ({exc})") from exc
    scheme = parts.scheme.split("+", 1)[-1] if "+" in parts.scheme else parts.scheme
    if scheme not in schemes or (scheme != "file" and not parts.hostname):
        raise _BadValue(where, value, f"`{value}` is not a valid URL")
    if any(char.isspace() or ord(char) < 0x20 for char in value):
        raise _BadValue(where, value, f"`{value}` is not a valid URL (it holds white space)")


def _check_file_name(value: str, where: str) -> None:
    if not value or "/" in value or "\\" in value or value in (".", "..") or "\0" in value:
        raise _BadValue(where, value, f"`{value}` is not a file name")


def _check_relative_path(value: str, where: str) -> None:
    if (
        "\0" in value
        or any(part == ".." for part in re.split(r"[\\/]", value))
        or value.startswith(("/", "\\"))
    ):
        raise _BadValue(where, value, f"`{value}` must be a path inside the index directory")


def _check_artifact(artifact: Artifact, where: str) -> None:
    if artifact.hash is not None:
        _check_hash(artifact.hash, f"{where}.hash")
    if artifact.url is not None:
        _check_url(artifact.url, f"{where}.url")
    if artifact.filename is not None:
        _check_file_name(artifact.filename, f"{where}.filename")
    if artifact.path is not None:
        _check_relative_path(artifact.path, f"{where}.path")
    if artifact.size is not None and (isinstance(artifact.size, bool) or artifact.size < 0):
        raise _BadValue(f"{where}.size", str(artifact.size), "a size must be a whole number >= 0")


def _check_source(source: Source, where: str) -> None:
    location = source.location
    if source.kind is SourceKind.URL:
        _check_url(location, where)
    elif source.kind is SourceKind.GIT:
        _check_url(location, where, _GIT_SCHEMES)
    elif source.kind is SourceKind.REGISTRY and "://" in location:
        _check_url(location, where)
    if "\0" in location:
        raise _BadValue(where, location, "a source location cannot hold a NUL character")


@functools.cache
def _converter() -> cattrs.Converter:
    import cattrs  # slow path only
    from cattrs.gen import make_dict_structure_fn, override

    converter = cattrs.Converter(detailed_validation=True, forbid_extra_keys=False)
    converter.register_structure_hook(Version, lambda value, _: Version(_text(value)))
    converter.register_structure_hook(SpecifierSet, lambda value, _: SpecifierSet(_text(value)))
    converter.register_structure_hook(Marker, lambda value, _: Marker(_text(value)))
    converter.register_structure_hook(
        NormalizedName, lambda value, _: canonicalize_name(_text(value))
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


# Model values ------------------------------------------------------------------------------


def _groups(
    raw: dict[str, list[Dependency]],
) -> tuple[tuple[NormalizedName, tuple[Dependency, ...]], ...]:
    return tuple(sorted((canonicalize_name(name), tuple(edges)) for name, edges in raw.items()))


def _manifest_groups(
    raw: dict[str, list[dict[str, Any]]],
) -> tuple[tuple[NormalizedName, tuple[Dependency, ...]], ...]:
    """Manifest groups hold requirements, not edges: each names a unique package."""
    groups = []
    for name, requirements in raw.items():
        edges = []
        for number, requirement in enumerate(requirements):
            where = f"$.manifest.dependency-groups[{name!r}][{number}]"
            if not isinstance(requirement, dict) or not isinstance(requirement.get("name"), str):
                raise ValueError(f"{where}: expected a table with a `name`, got {requirement!r}")
            marker = requirement.get("marker")
            try:
                edges.append(
                    Dependency(
                        name=canonicalize_name(requirement["name"]),
                        extras=tuple(
                            canonicalize_name(_text(e)) for e in requirement.get("extras", ())
                        ),
                        marker=Marker(_text(marker)) if marker else None,
                    )
                )
            except (ValueError, InvalidMarker) as exc:
                raise ValueError(f"{where}: {exc}") from exc
        groups.append((canonicalize_name(name), tuple(edges)))
    return tuple(sorted(groups))


_REQUIREMENT_SOURCES = tuple(kind for kind in SourceKind if kind is not SourceKind.REGISTRY)


def _requirement(value: Any, where: str) -> LockRequirement:
    """One requirement table (§6 of the format): ``{ name, extras, groups, marker, ... }``."""
    if not isinstance(value, dict) or not isinstance(value.get("name"), str):
        raise ValueError(f"{where}: expected a table with a `name`, got {value!r}")
    try:
        kinds = [kind for kind in _REQUIREMENT_SOURCES if kind.value in value]
        if len(kinds) > 1:
            raise ValueError(f"expected at most one source, got {sorted(value)}")
        source = None
        if kinds:
            subdirectory = value.get("subdirectory")
            source = Source(
                kinds[0],
                _text(value[kinds[0].value]),
                None if subdirectory is None else _text(subdirectory),
            )
        marker = value.get("marker")
        index = value.get("index")
        return LockRequirement(
            name=canonicalize_name(value["name"]),
            extras=tuple(canonicalize_name(_text(e)) for e in value.get("extras", ())),
            groups=tuple(canonicalize_name(_text(g)) for g in value.get("groups", ())),
            marker=Marker(_text(marker)) if marker is not None else None,
            specifier=SpecifierSet(_text(value.get("specifier", ""))),
            index=None if index is None else _text(index),
            source=source,
        )
    except (ValueError, InvalidMarker, InvalidSpecifier) as exc:
        raise ValueError(f"{where}: {exc}") from exc


def _requirements(raw: list[dict[str, Any]], where: str) -> tuple[LockRequirement, ...]:
    return tuple(_requirement(value, f"{where}[{n}]") for n, value in enumerate(raw))


def _requirement_groups(raw: dict[str, list[dict[str, Any]]], where: str) -> Groups:
    return tuple(
        sorted(
            (
                (canonicalize_name(name), _requirements(values, f"{where}[{name!r}]"))
                for name, values in raw.items()
            ),
            key=lambda group: group[0],
        )
    )


def _specifier_groups(
    raw: dict[str, SpecifierSet],
) -> tuple[tuple[NormalizedName, SpecifierSet], ...]:
    return tuple(
        sorted(((canonicalize_name(k), v) for k, v in raw.items()), key=lambda item: item[0])
    )


def _timestamp_or_false(value: Any, where: str) -> str | bool:
    if isinstance(value, str) or value is False:
        return value
    # TODO(accord#lock-write): the rev 3 `{ timestamp, span }` form keeps only its timestamp.
    if isinstance(value, dict) and isinstance(value.get("timestamp"), str):
        return str(value["timestamp"])
    raise ValueError(f"{where}: expected a timestamp or `false`, got {value!r}")


def _options(raw: _RawOptions | None) -> LockOptions:
    if raw is None:
        return LockOptions()
    return LockOptions(
        resolution_mode=raw.resolution_mode,
        prerelease_mode=raw.prerelease_mode,
        fork_strategy=raw.fork_strategy,
        exclude_newer=raw.exclude_newer,
        exclude_newer_span=raw.exclude_newer_span,
        prerelease_package=tuple(
            (canonicalize_name(k), v) for k, v in raw.prerelease_package.items()
        ),
        exclude_newer_package=tuple(
            (canonicalize_name(k), _timestamp_or_false(v, f"$.options.exclude-newer-package.{k}"))
            for k, v in raw.exclude_newer_package.items()
        ),
    )


def _package(raw: _RawPackage, index: int) -> LockedPackage:
    _check_source(raw.source, f"$.package[{index}].source")
    if raw.sdist is not None:
        _check_artifact(raw.sdist, f"$.package[{index}].sdist")
    for number, artifact in enumerate(raw.wheels):
        _check_artifact(artifact, f"$.package[{index}].wheels[{number}]")
    for wheel in raw.wheels:
        try:
            _, wheel_version, _, _ = parse_wheel_filename(wheel.name)
        except InvalidWheelFilename as exc:
            raise ValueError(f"$.package[{index}].wheels: {exc}") from exc
        # Compared as versions, not strings (uv: 8.5.1 == 8.5.1.0); local segments are ignored.
        if raw.version is not None and Version(wheel_version.public) != Version(raw.version.public):
            raise ValueError(
                f"$.package[{index}]: the entry for package `{raw.name}` ({raw.version}) has "
                f"wheel `{wheel.name}` with inconsistent version ({wheel_version})"
            )
    if raw.version is None and raw.source.kind is SourceKind.REGISTRY:
        raise ValueError(f"$.package[{index}]: `{raw.name}` from a registry has no version")
    metadata = raw.metadata or _RawMetadata()
    return LockedPackage(
        name=raw.name,
        version=raw.version,
        source=raw.source,
        resolution_markers=tuple(raw.resolution_markers),
        dependencies=tuple(raw.dependencies),
        optional_dependencies=_groups(raw.optional_dependencies),
        dev_dependencies=_groups(raw.dev_dependencies),
        sdist=raw.sdist,
        wheels=tuple(raw.wheels),
        provides_extras=tuple(canonicalize_name(e) for e in metadata.provides_extras),
        declared_groups=tuple(sorted(canonicalize_name(g) for g in metadata.requires_dev)),
        requires_dist=(
            None
            if raw.metadata is None
            else _requirements(metadata.requires_dist, f"$.package[{index}].metadata.requires-dist")
        ),
        requires_dev=_requirement_groups(
            metadata.requires_dev, f"$.package[{index}].metadata.requires-dev"
        ),
        default_groups=None if raw.default_groups is None else tuple(raw.default_groups),
        group_requires_python=_specifier_groups(raw.group_requires_python),
    )


def _legacy_aliases(document: dict[str, Any]) -> dict[str, Any]:
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


_FILE_KEYS = {"extras": "extra"}
"""Attribute names whose key in the file is not just the kebab-case spelling."""


def _file_keys(problem: str) -> str:
    """cattrs names attributes (``@ $.requires_python``); name the file's keys instead."""
    message, at, json_path = problem.rpartition(" @ ")
    if not at:
        return problem
    json_path = re.sub(
        r"(?<=\.)([a-z]+(?:_[a-z]+)*)\b",
        lambda match: _FILE_KEYS.get(match[1], match[1].replace("_", "-")),
        json_path,
    )
    return f"{message}{at}{json_path}"


def _locate(text: str, json_path: str) -> int | None:
    """The line of ``$.package[N].key`` (or of the N-th package, or of a top-level ``$.key``)
    in the TOML text, if found."""
    lines = text.splitlines()
    top_level = re.fullmatch(r"\$\.([\w-]+)", json_path)
    if top_level:
        for number, line in enumerate(lines, start=1):
            if line.startswith("["):
                break
            if line.split("=", 1)[0].strip() == top_level.group(1):
                return number
    match = re.match(r"\$\.package\[(\d+)\](?:\.([\w-]+))?", json_path)
    if not match:
        return None
    wanted = int(match.group(1))
    seen = -1
    for number, line in enumerate(lines, start=1):
        if line.strip() in ("[[package]]", "[[distribution]]"):
            seen += 1
            if seen == wanted:
                key = match.group(2)
                if key is None:
                    return number
                key = key.replace("_", "-")
                for offset, inner in enumerate(lines[number:], start=number + 1):
                    if inner.startswith(("[[package]]", "[[distribution]]")):
                        break
                    if inner.split("=", 1)[0].strip() == key:
                        return offset
                return number
    return None


def parse_lock(text: str, path: Path) -> Lock:
    """Parse lock text; ``path`` is only used to name the file in errors."""
    from accord.model.toml import TomlSyntaxError, loads

    try:
        document = loads(text)
    except TomlSyntaxError as exc:
        raise LockfileInvalid(
            exc.report(f"`{path}`"),
            hint="fix the file, or delete it to have it written anew",
            path=path,
            line=exc.line,
            column=exc.column,
        ) from exc

    version = document.get("version")
    if version != 1:
        raise LockfileInvalid(
            f"The lockfile at `{path}` uses an unsupported schema version "
            f"({'no version' if version is None else f'v{version}'}, but only v1 is supported)",
            hint="this lock was written by a newer tool; update accord",
            path=path,
        )
    revision = document.get("revision", 0)
    if not isinstance(revision, int) or revision > SUPPORTED_REVISION:
        raise LockfileInvalid(
            f"The lockfile at `{path}` has revision {revision!r}; accord reads revisions 0 to "
            f"{SUPPORTED_REVISION}",
            hint="this lock was written by a newer uv; update accord",
            path=path,
        )

    import cattrs  # slow path only

    try:
        raw = _converter().structure(_legacy_aliases(document), _RawLock)
        packages = tuple(_package(package, n) for n, package in enumerate(raw.package))
        manifest = raw.manifest or _RawManifest()
        manifest_groups = _manifest_groups(manifest.dependency_groups)
        manifest_group_requirements = _requirement_groups(
            manifest.dependency_groups, "$.manifest.dependency-groups"
        )
        manifest_requirements = _requirements(manifest.requirements, "$.manifest.requirements")
        constraints = _requirements(manifest.constraints, "$.manifest.constraints")
        overrides = _requirements(manifest.overrides, "$.manifest.overrides")
        build_constraints = _requirements(
            manifest.build_constraints, "$.manifest.build-constraints"
        )
    except _BadValue as exc:
        raise _invalid_value(path, text, exc) from exc
    except cattrs.BaseValidationError as exc:
        problems = cattrs.transform_error(exc, path="$")
        first = _file_keys(problems[0] if problems else str(exc))
        line = _locate(text, first.split(":", 1)[0].split(" @ ")[-1].strip())
        raise _invalid(path, first, line) from exc
    except (ValueError, InvalidVersion, InvalidSpecifier, InvalidMarker) as exc:
        message = str(exc)
        line = _locate(text, message.split(":", 1)[0])
        raise _invalid(path, message, line) from exc

    return Lock(
        version=raw.version,
        revision=raw.revision,
        requires_python=raw.requires_python,
        packages=packages,
        resolution_markers=tuple(raw.resolution_markers),
        members=tuple(manifest.members),
        manifest_groups=manifest_groups,
        manifest_group_requirements=manifest_group_requirements,
        manifest_requirements=manifest_requirements,
        constraints=constraints,
        overrides=overrides,
        build_constraints=build_constraints,
        options=_options(raw.options),
        supported_markers=tuple(raw.supported_markers),
        required_markers=tuple(raw.required_markers),
        conflicts=tuple(tuple(items) for items in raw.conflicts),
        excludes=tuple(manifest.excludes),
        manifest_default_groups=(
            None if manifest.default_groups is None else tuple(manifest.default_groups)
        ),
        manifest_group_requires_python=_specifier_groups(manifest.group_requires_python),
    )


def _invalid(path: Path, problem: str, line: int | None) -> LockfileInvalid:
    where = f" at line {line}" if line else ""
    return LockfileInvalid(
        f"The lockfile at `{path}` is invalid{where}: {problem}",
        hint="fix the entry, or delete the lock to have it written anew",
        path=path,
        line=line,
    )


def _invalid_value(path: Path, text: str, exc: _BadValue) -> LockfileInvalid:
    """Point at the bad value itself: the first line of its package (or of the file) that
    writes it as a TOML string."""
    from accord.model.toml import excerpt

    lines = text.split("\n")
    first = 0
    package = re.match(r"\$\.package\[(\d+)\]", exc.where)
    if package:
        line = _locate(text, f"$.package[{package.group(1)}]")
        first = (line or 1) - 1
    quoted = '"' + exc.value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    for number in range(first, len(lines)):
        column = lines[number].find(quoted)
        if column >= 0:
            shown = excerpt(number + 1, column + 1, lines[number], width=len(quoted))
            return LockfileInvalid(
                f"The lockfile at `{path}` is invalid at line {number + 1}, column {column + 1}: "
                f"{exc.problem} @ {exc.where}\n{shown}",
                hint="fix the entry, or delete the lock to have it written anew",
                path=path,
                line=number + 1,
                column=column + 1,
            )
    return _invalid(path, f"{exc.problem} @ {exc.where}", first + 1 if package else None)


def read_lock_text(path: Path) -> str | None:
    """The text of the lock at ``path``; None when there is no file.

    Anything else that stops it being read (a directory, a permission error, bytes that are
    not UTF-8) is a LockfileInvalid naming the file, so no caller mistakes an unreadable lock
    for a missing one and writes over it.
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except IsADirectoryError as exc:
        raise LockfileInvalid(
            f"Failed to read `{path}`: it is a directory, not a lockfile",
            hint="move the directory away; accord will not replace it",
            path=path,
        ) from exc
    except OSError as exc:
        raise LockfileInvalid(f"Failed to read `{path}`: {exc.strerror or exc}", path=path) from exc
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise LockfileInvalid(
            f"The lockfile at `{path}` is not UTF-8 text: byte 0x{data[exc.start]:02x} at "
            f"line {line}, column {column} is not valid UTF-8",
            hint="fix the file, or delete it to have it written anew",
            path=path,
            line=line,
            column=column,
        ) from exc


def read_lock(path: Path) -> Lock:
    """Read and parse ``path``; every failure is a LockfileInvalid naming the file."""
    text = read_lock_text(path)
    if text is None:
        raise LockfileInvalid(f"Failed to read `{path}`: No such file or directory", path=path)
    return parse_lock(text, path)


def read_existing_lock(path: Path) -> tuple[str | None, Lock | None]:
    """The lock at ``path`` as text and as a value; ``(None, None)`` when there is none.

    A lock that exists but cannot be read or parsed raises LockfileInvalid (exit 2): uv stops
    there and leaves the file alone, and so must every caller; such a lock is never replaced.
    """
    text = read_lock_text(path)
    if text is None:
        return None, None
    return text, parse_lock_cached(text, path)


_PARSED_FORMAT = 2
"""Bumped whenever parsing changes what it accepts (2: values are validated), so a lock a
laxer accord parsed and cached is parsed again."""


def parse_lock_cached(text: str, path: Path) -> Lock:
    """``parse_lock``, remembered in the cache by the text's digest and accord's version.

    A slow-path run usually meets the same lock as the last one; unpickling its parsed form
    skips importing cattrs and structuring every package (~35 ms on the bench set). Any
    problem with a cached entry just means parsing again.
    """
    import hashlib
    import pickle

    from accord.reconciler import __version__
    from accord.reconciler.cachedir import cache_root
    from accord.reconciler.fsutil import write_atomic

    digest = hashlib.sha256(f"{__version__}\0{_PARSED_FORMAT}\0{text}".encode()).hexdigest()
    entry = cache_root() / "parsed-locks" / f"{digest}.pickle"
    try:
        with entry.open("rb") as stream:
            cached = pickle.load(stream)
        if isinstance(cached, Lock):
            return cached
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, TypeError):
        pass
    lock = parse_lock(text, path)
    with contextlib.suppress(OSError):
        write_atomic(entry, pickle.dumps(lock, protocol=pickle.HIGHEST_PROTOCOL))
    return lock
