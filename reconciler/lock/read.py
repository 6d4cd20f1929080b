"""Reading ``uv.lock`` into ``model.lock.Lock`` (lock stage; reads one file).

The TOML is parsed with the standard library (``tomllib``, or ``tomli`` before 3.11), checked
for ``version``/``revision``, then structured by a cattrs converter into raw classes that
mirror the file (``reconciler.lock.raw``), checked (``reconciler.lock.checks``) and finally
turned into model values. Errors name the file, the ``$.package[3].version`` path and, where
it can be found, the line (``reconciler.lock.problems``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

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
    Dependency,
    Groups,
    Lock,
    LockedPackage,
    LockOptions,
    LockRequirement,
    Source,
    SourceKind,
)
from accord.model.pep440_words import specifiers_words, version_words
from accord.model.pyproject import describe_type
from accord.model.toml import caused
from accord.reconciler.errors import LockfileInvalid
from accord.reconciler.lock.checks import BadValue, check_artifact, check_source
from accord.reconciler.lock.problems import (
    UNPARSEABLE,
    file_keys,
    invalid,
    invalid_value,
    locate,
)
from accord.reconciler.lock.raw import (
    _RawLock,
    _RawManifest,
    _RawMetadata,
    _RawOptions,
    _RawPackage,
    as_text,
    legacy_aliases,
    lock_converter,
)
from accord.reconciler.lock.text import read_lock_text

__all__ = [
    "SUPPORTED_REVISION",
    "parse_lock",
    "read_lock",
    "read_lock_text",
]

SUPPORTED_REVISION = 5
"""The newest revision accord reads (what uv 0.13 writes)."""


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
                            canonicalize_name(as_text(e)) for e in requirement.get("extras", ())
                        ),
                        marker=Marker(as_text(marker)) if marker else None,
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
                as_text(value[kinds[0].value]),
                None if subdirectory is None else as_text(subdirectory),
            )
        marker = value.get("marker")
        index = value.get("index")
        return LockRequirement(
            name=canonicalize_name(value["name"]),
            extras=tuple(canonicalize_name(as_text(e)) for e in value.get("extras", ())),
            groups=tuple(canonicalize_name(as_text(g)) for g in value.get("groups", ())),
            marker=Marker(as_text(marker)) if marker is not None else None,
            specifier=SpecifierSet(as_text(value.get("specifier", ""))),
            index=None if index is None else as_text(index),
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
    check_source(raw.source, f"$.package[{index}].source")
    # A flat registry given absolute (`find-links = ["/srv/wheels"]`) names its files so too.
    absolute = raw.source.kind is SourceKind.REGISTRY and raw.source.location.startswith("/")
    if raw.sdist is not None:
        check_artifact(raw.sdist, f"$.package[{index}].sdist", absolute_ok=absolute)
    for number, artifact in enumerate(raw.wheels):
        check_artifact(artifact, f"$.package[{index}].wheels[{number}]", absolute_ok=absolute)
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


def parse_lock(text: str, path: Path) -> Lock:
    """Parse lock text; ``path`` is only used to name the file in errors."""
    from accord.model.toml import TomlSyntaxError, loads

    try:
        document = loads(text)
    except TomlSyntaxError as exc:
        raise LockfileInvalid(
            caused(UNPARSEABLE, exc.block()), path=path, line=exc.line, column=exc.column
        ) from exc

    version = document.get("version")
    if version is None or isinstance(version, bool) or not isinstance(version, int):
        detail = (
            "missing field `version`"
            if version is None
            else f"invalid type: {describe_type(version)}, expected u32"
        )
        raise _unreadable(path, text, ("version",) if version is not None else (), detail)
    if version != 1:
        raise LockfileInvalid(
            f"The lockfile at `uv.lock` uses an unsupported schema version (v{version}, but only "
            "v1 is supported). Downgrade to a compatible uv version, or remove the `uv.lock` "
            "prior to running `uv lock` or `uv sync`.",
            path=path,
        )
    revision = document.get("revision", 0)
    if isinstance(revision, bool) or not isinstance(revision, int):
        detail = f"invalid type: {describe_type(revision)}, expected u32"
        raise _unreadable(path, text, ("revision",), detail)
    if revision > SUPPORTED_REVISION:
        raise LockfileInvalid(
            f"The lockfile at `{path}` has revision {revision!r}; accord reads revisions 0 to "
            f"{SUPPORTED_REVISION}",
            hint="this lock was written by a newer uv; update accord",
            path=path,
        )
    requires_python = document.get("requires-python")
    if isinstance(requires_python, str):
        try:
            SpecifierSet(requires_python)
        except InvalidSpecifier as exc:
            detail = specifiers_words(requires_python)
            raise _unreadable(path, text, ("requires-python",), detail) from exc
    packages = document.get("package")
    for index, package in enumerate(packages if isinstance(packages, list) else ()):
        version_text = package.get("version") if isinstance(package, dict) else None
        if isinstance(version_text, str):
            try:
                Version(version_text)
            except InvalidVersion as exc:
                # uv points at the package's table, not at the value.
                detail = version_words(version_text)
                raise _unreadable(path, text, ("package", index), detail) from exc

    import cattrs  # slow path only

    from accord.model.dependency_metadata import read_dependency_metadata

    try:
        raw = lock_converter().structure(legacy_aliases(document), _RawLock)
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
        dependency_metadata = read_dependency_metadata(
            manifest.dependency_metadata, "manifest.dependency-metadata"
        )
    except BadValue as exc:
        raise invalid_value(path, text, exc) from exc
    except cattrs.BaseValidationError as exc:
        problems = cattrs.transform_error(exc, path="$")
        first = file_keys(problems[0] if problems else str(exc))
        line = locate(text, first.split(":", 1)[0].split(" @ ")[-1].strip())
        raise invalid(path, first, line, text) from exc
    except (ValueError, InvalidVersion, InvalidSpecifier, InvalidMarker) as exc:
        message = str(exc)
        line = locate(text, message.split(":", 1)[0])
        raise invalid(path, message, line, text) from exc

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
        dependency_metadata=dependency_metadata,
    )


def _unreadable(path: Path, text: str, keys: tuple[str | int, ...], detail: str) -> LockfileInvalid:
    """uv's error for a lock whose value at ``keys`` it cannot read (``()``: the document, as
    for a missing field, shown at its first character)."""
    from accord.model.toml import block
    from accord.model.toml_spans import locate as position

    found = position(text, keys) if keys else None
    if found is None:
        first = text.split("\n", 1)[0]
        return LockfileInvalid(caused(UNPARSEABLE, block(1, 1, first, detail)), path=path, line=1)
    return LockfileInvalid(
        caused(
            UNPARSEABLE,
            block(found.line, found.column, found.source_line, detail, width=found.width),
        ),
        path=path,
        line=found.line,
        column=found.column,
    )


def read_lock(path: Path) -> Lock:
    """Read and parse ``path``; every failure is a LockfileInvalid naming the file."""
    text = read_lock_text(path)
    if text is None:
        raise LockfileInvalid(f"Failed to read `{path}`: No such file or directory", path=path)
    return parse_lock(text, path)
