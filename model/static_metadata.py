"""Core metadata an sdist states statically, without running its build backend (pure).

uv reads an sdist's metadata without building when the sdist says it plainly
(``uv-distribution/src/source/mod.rs``, ``StaticMetadata::read``, and
``uv-pypi-types/src/metadata/metadata_resolver.rs``):

1. its ``pyproject.toml`` ``[project]`` table, unless ``dependencies``,
   ``optional-dependencies`` or ``requires-python`` is listed in ``dynamic`` (a dynamic
   ``version`` is fine: an sdist's file name fixes it), and unless ``[tool.poetry]`` is there
   without ``project.dependencies`` (Poetry declares its dependencies elsewhere);
2. else its ``PKG-INFO``, when ``2.2 <= Metadata-Version < 3`` and no ``Dynamic`` field
   names ``Requires-Python``, ``Requires-Dist`` or ``Provides-Extra``;

and in both cases only when the name and version agree with the file name. Each function
here takes one file's contents and the file name's name and version, and returns Core
Metadata bytes (what ``reconciler.fetch.index.parse_metadata`` reads) or None when the file cannot
be relied on; it never raises for what the file says. Reading the archive is the shell's job
(``reconciler.build.sdist_metadata``).
"""

from __future__ import annotations

from typing import Any

from packaging.markers import InvalidMarker, Marker
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import InvalidName, NormalizedName, canonicalize_name
from packaging.version import InvalidVersion, Version

from accord.model.toml import TomlSyntaxError, loads

__all__ = ["metadata_from_pkg_info", "metadata_from_pyproject"]

# Fields whose being dynamic makes the file useless to a resolver.
_DYNAMIC_PYPROJECT = frozenset({"dependencies", "optional-dependencies", "requires-python"})
_DYNAMIC_PKG_INFO = frozenset({"requires-python", "requires-dist", "provides-extra"})


def _matches(
    name: str, version: Version, expected_name: NormalizedName, expected_version: Version
) -> bool:
    """uv's ``validate_metadata``: the same normalized name, and the same version, or the
    same once the metadata's local segment (``+cu121``) is dropped."""
    try:
        if canonicalize_name(name, validate=True) != expected_name:
            return False
    except InvalidName:
        return False
    return expected_version in (version, Version(version.public))


def _string_list(value: object) -> list[str] | None:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        return None
    return value


def _requirements(lines: list[str], extra: NormalizedName | None) -> list[str] | None:
    """The lines as normalized requirements, with ``extra == "x"`` added for an extra;
    None when one is not PEP 508 (uv then falls back to building)."""
    out = []
    for line in lines:
        try:
            requirement = Requirement(line)
            if extra is not None:
                own = f"({requirement.marker}) and " if requirement.marker is not None else ""
                requirement.marker = Marker(f'{own}extra == "{extra}"')
        except (InvalidRequirement, InvalidMarker):
            return None
        out.append(str(requirement))
    return out


def _project_metadata(project: dict[str, Any], version: Version) -> bytes | None:
    name = project.get("name")
    requires_python = project.get("requires-python")
    dependencies = _string_list(project.get("dependencies", []))
    optional = project.get("optional-dependencies", {})
    if not isinstance(name, str) or dependencies is None or not isinstance(optional, dict):
        return None
    lines = [
        "Metadata-Version: 2.3",
        f"Name: {name}",
        f"Version: {version}",
    ]
    if requires_python is not None:
        if not isinstance(requires_python, str):
            return None
        try:
            lines.append(f"Requires-Python: {SpecifierSet(requires_python)}")
        except InvalidSpecifier:
            return None
    requirements = _requirements(dependencies, None)
    if requirements is None:
        return None
    extras: list[NormalizedName] = []
    for key, declared in optional.items():
        members = _string_list(declared)
        try:
            extra = canonicalize_name(key, validate=True)
        except InvalidName:
            return None
        tagged = None if members is None else _requirements(members, extra)
        if tagged is None:
            return None
        extras.append(extra)
        requirements.extend(tagged)
    lines.extend(f"Requires-Dist: {requirement}" for requirement in requirements)
    lines.extend(f"Provides-Extra: {extra}" for extra in extras)
    return ("\n".join(lines) + "\n").encode("utf-8")


def metadata_from_pyproject(text: str, name: NormalizedName, version: Version) -> bytes | None:
    """Core metadata from an sdist's ``pyproject.toml`` text, or None when its ``[project]``
    table is missing, leaves a dependency field dynamic, is Poetry's, is malformed, or names
    another package or version than the sdist's file name (``name``, ``version``).

    The version is ``project.version`` when present, else the file name's (a dynamic version
    is fixed by the file name). Optional dependencies become ``Requires-Dist`` lines with an
    ``extra == "<extra>"`` marker, and their keys ``Provides-Extra`` (normalized, as uv does).
    """
    try:
        document = loads(text)
    except (TomlSyntaxError, UnicodeError):
        return None
    project = document.get("project")
    if not isinstance(project, dict):
        return None
    dynamic = _string_list(project.get("dynamic", []))
    if dynamic is None or _DYNAMIC_PYPROJECT.intersection(dynamic):
        return None
    tool = document.get("tool")
    if "dependencies" not in project and isinstance(tool, dict) and "poetry" in tool:
        return None
    stated = project.get("version")
    if stated is None:
        own_version = version
    elif isinstance(stated, str):
        try:
            own_version = Version(stated)
        except InvalidVersion:
            return None
    else:
        return None
    if not isinstance(project.get("name"), str):
        return None
    if not _matches(project["name"], own_version, name, version):
        return None
    return _project_metadata(project, own_version)


def _metadata_version(text: str) -> tuple[int, int] | None:
    """``2.2`` -> (2, 2), as uv reads ``Metadata-Version`` (two dot-separated u8 numbers)."""
    major, dot, minor = text.partition(".")
    if not dot or not (major.isascii() and major.isdigit() and minor.isascii() and minor.isdigit()):
        return None
    numbers = int(major), int(minor)
    return numbers if max(numbers) < 256 else None


def metadata_from_pkg_info(raw: bytes, name: NormalizedName, version: Version) -> bytes | None:
    """``raw`` itself when an sdist's ``PKG-INFO`` can stand for the built wheel's metadata;
    None when its Metadata-Version is below 2.2 (fields could not be marked dynamic then) or
    3 and above, a ``Dynamic`` field names Requires-Python, Requires-Dist or Provides-Extra
    (compared without regard to case, as core metadata field names are), a field the
    resolver needs is malformed, or the name or version disagrees with the file name.
    A dynamic ``Version`` is fine: the file name fixes it."""
    from accord.model.metadata_headers import header_fields

    fields = header_fields(raw.decode("utf-8", errors="replace"))

    def values(field: str) -> list[str]:
        return fields.get(field.lower(), [])

    metadata_version = values("Metadata-Version")
    numbers = _metadata_version(metadata_version[0]) if metadata_version else None
    if numbers is None or not (2, 2) <= numbers < (3, 0):
        return None
    if any(field.lower() in _DYNAMIC_PKG_INFO for field in values("Dynamic")):
        return None
    names, versions = values("Name"), values("Version")
    if not names or not versions:
        return None
    try:
        own_version = Version(versions[0])
        python = values("Requires-Python")
        if python:
            SpecifierSet(python[0])
    except (InvalidVersion, InvalidSpecifier):
        return None
    if _requirements(values("Requires-Dist"), None) is None:
        return None
    if not _matches(names[0], own_version, name, version):
        return None
    return raw
