"""Lock stage, inputs: read a project's declared requirements from pyproject.toml.

PEP 621 ``[project]`` (dependencies, optional-dependencies, requires-python, version),
PEP 735 ``[dependency-groups]`` with ``include-group`` flattened, and uv's legacy
``[tool.uv] dev-dependencies`` (merged into the ``dev`` group, as uv does). Bad requirement
strings are errors naming the file and the table.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import InvalidVersion, Version

from model.manifest import ProjectManifest
from reconciler.discover import read_pyproject
from reconciler.errors import ProjectInvalid

__all__ = ["read_manifest"]


def _requirements(values: Any, path: Path, where: str) -> tuple[Requirement, ...]:
    if not isinstance(values, list):
        raise ProjectInvalid(
            f"`{path}`: `{where}` must be an array of requirement strings", path=path
        )
    parsed = []
    for value in values:
        try:
            parsed.append(Requirement(str(value)))
        except InvalidRequirement as exc:
            raise ProjectInvalid(
                f"`{path}`: invalid requirement `{value}` in `{where}`: {exc}", path=path
            ) from exc
    return tuple(parsed)


def _groups(data: Mapping[str, Any], path: Path) -> dict[NormalizedName, list[Requirement]]:
    """PEP 735 groups with include-group resolved (cycles are errors)."""
    raw = data.get("dependency-groups", {})
    if not isinstance(raw, dict):
        raise ProjectInvalid(f"`{path}`: `[dependency-groups]` must be a table", path=path)
    declared = {canonicalize_name(name): entries for name, entries in raw.items()}
    resolved: dict[NormalizedName, list[Requirement]] = {}

    def expand(name: NormalizedName, trail: tuple[NormalizedName, ...]) -> list[Requirement]:
        if name in resolved:
            return resolved[name]
        if name in trail:
            cycle = " -> ".join((*trail, name))
            raise ProjectInvalid(
                f"`{path}`: dependency groups include each other: {cycle}", path=path
            )
        if name not in declared:
            raise ProjectInvalid(
                f"`{path}`: dependency group `{trail[-1]}` includes unknown group `{name}`",
                path=path,
            )
        entries = declared[name]
        if not isinstance(entries, list):
            raise ProjectInvalid(f"`{path}`: dependency group `{name}` must be an array", path=path)
        requirements: list[Requirement] = []
        for entry in entries:
            if isinstance(entry, dict) and "include-group" in entry:
                requirements.extend(
                    expand(canonicalize_name(str(entry["include-group"])), (*trail, name))
                )
            else:
                requirements.extend(_requirements([entry], path, f"dependency-groups.{name}"))
        resolved[name] = requirements
        return requirements

    for name in declared:
        expand(name, ())
    return resolved


def read_manifest(pyproject: Path, *, is_package: bool, directory: str = ".") -> ProjectManifest:
    """The declared inputs of the project whose pyproject.toml is ``pyproject``."""
    data = read_pyproject(pyproject)
    project = data.get("project", {})
    if not isinstance(project, dict) or not isinstance(project.get("name"), str):
        raise ProjectInvalid(
            f"Failed to parse `{pyproject}`: `[project]` must have a `name`", path=pyproject
        )
    version = None
    if "version" in project:
        try:
            version = Version(str(project["version"]))
        except InvalidVersion as exc:
            raise ProjectInvalid(
                f"`{pyproject}`: invalid `project.version` {project['version']!r}", path=pyproject
            ) from exc
    try:
        requires_python = SpecifierSet(str(project.get("requires-python", "")))
    except ValueError as exc:
        raise ProjectInvalid(
            f"`{pyproject}`: invalid `project.requires-python`", path=pyproject
        ) from exc
    optional = project.get("optional-dependencies", {})
    if not isinstance(optional, dict):
        raise ProjectInvalid(
            f"`{pyproject}`: `project.optional-dependencies` must be a table", path=pyproject
        )
    groups = _groups(data, pyproject)
    tool_uv = data.get("tool", {}).get("uv", {}) if isinstance(data.get("tool"), dict) else {}
    legacy_dev = tool_uv.get("dev-dependencies") if isinstance(tool_uv, dict) else None
    if legacy_dev:
        dev = canonicalize_name("dev")
        groups[dev] = [
            *groups.get(dev, []),
            *_requirements(legacy_dev, pyproject, "tool.uv.dev-dependencies"),
        ]
    return ProjectManifest(
        name=canonicalize_name(project["name"]),
        version=version,
        requires_python=requires_python,
        dependencies=_requirements(
            project.get("dependencies", []), pyproject, "project.dependencies"
        ),
        optional_dependencies=tuple(
            sorted(
                (
                    canonicalize_name(extra),
                    _requirements(values, pyproject, f"project.optional-dependencies.{extra}"),
                )
                for extra, values in optional.items()
            )
        ),
        dependency_groups=tuple(sorted((name, tuple(reqs)) for name, reqs in groups.items())),
        is_package=is_package,
        directory=directory,
    )
