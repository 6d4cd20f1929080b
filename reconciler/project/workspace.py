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

import attrs
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import InvalidVersion, Version

from accord.model.manifest import DeclaredRequirement, ProjectManifest
from accord.reconciler.errors import ProjectInvalid
from accord.reconciler.project.discover import member_directories, read_pyproject, toml_table
from accord.reconciler.project.sources import lower_sources, relative_to_root

__all__ = [
    "Workspace",
    "group_requires_python",
    "member_directories",
    "read_manifest",
    "read_path_dependency",
    "read_workspace",
]


def _located(pyproject: Path, keys: tuple[str | int, ...], detail: str) -> ProjectInvalid:
    """``ProjectInvalid`` at the line and column where ``keys`` is written (read again: this
    is the error path only)."""
    from accord.reconciler.project.discover import schema_error

    try:
        text = pyproject.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        text = ""
    return schema_error(pyproject, text, keys, detail)


def _requirement(value: object, path: Path, keys: tuple[str | int, ...]) -> Requirement:
    """The requirement string at ``keys`` (an array element) of ``path``."""
    try:
        return DeclaredRequirement(str(value))
    except InvalidRequirement as exc:
        where = ".".join(str(key) for key in keys[:-1])
        raise _located(path, keys, f"invalid requirement `{value}` in `{where}`: {exc}") from exc


def _requirements(values: Any, path: Path, keys: tuple[str | int, ...]) -> tuple[Requirement, ...]:
    if not isinstance(values, list):
        where = ".".join(str(key) for key in keys)
        raise _located(path, keys, f"`{where}` must be an array of requirement strings")
    return tuple(_requirement(value, path, (*keys, index)) for index, value in enumerate(values))


def _groups(data: Mapping[str, Any], path: Path) -> dict[NormalizedName, list[Requirement]]:
    """PEP 735 groups with include-group resolved (cycles are errors)."""
    raw = data.get("dependency-groups", {})
    if not isinstance(raw, dict):
        raise _located(path, ("dependency-groups",), "`[dependency-groups]` must be a table")
    declared = {canonicalize_name(name): (name, entries) for name, entries in raw.items()}
    resolved: dict[NormalizedName, list[Requirement]] = {}

    def expand(name: NormalizedName, trail: tuple[NormalizedName, ...]) -> list[Requirement]:
        if name in resolved:
            return resolved[name]
        if name in trail:
            cycle = " -> ".join((*trail, name))
            spelled = declared[name][0]
            raise _located(
                path,
                ("dependency-groups", spelled),
                f"dependency groups include each other: {cycle}",
            )
        spelled, entries = declared[name]
        if not isinstance(entries, list):
            raise _located(
                path, ("dependency-groups", spelled), f"dependency group `{name}` must be an array"
            )
        requirements: list[Requirement] = []
        for index, entry in enumerate(entries):
            if isinstance(entry, dict) and "include-group" in entry:
                included = canonicalize_name(str(entry["include-group"]))
                if included not in declared:
                    raise _located(
                        path,
                        ("dependency-groups", spelled, index, "include-group"),
                        f"dependency group `{name}` includes unknown group `{included}`",
                    )
                requirements.extend(expand(included, (*trail, name)))
            elif isinstance(entry, dict):
                raise _located(
                    path,
                    ("dependency-groups", spelled, index),
                    f"dependency group `{name}` contains an entry that is neither a requirement "
                    "nor an `include-group` table",
                )
            else:
                requirements.append(
                    _requirement(entry, path, ("dependency-groups", spelled, index))
                )
        resolved[name] = requirements
        return requirements

    for name in declared:
        expand(name, ())
    return resolved


def _groups_and_dev(
    data: Mapping[str, Any], pyproject: Path
) -> dict[NormalizedName, list[Requirement]]:
    """``[dependency-groups]`` with ``[tool.uv] dev-dependencies`` merged into ``dev`` (as uv
    does, for a project and for a workspace root without one)."""
    groups = _groups(data, pyproject)
    legacy_dev = toml_table(data, "tool", "uv").get("dev-dependencies")
    if legacy_dev:
        dev = canonicalize_name("dev")
        groups[dev] = [
            *groups.get(dev, []),
            *_requirements(legacy_dev, pyproject, ("tool", "uv", "dev-dependencies")),
        ]
    return groups


def _default_groups(data: Mapping[str, Any]) -> tuple[NormalizedName, ...] | None:
    """``tool.uv.default-groups`` when it is a list (``"all"`` and absence: None)."""
    value = toml_table(data, "tool", "uv").get("default-groups")
    if not isinstance(value, list):
        return None
    return tuple(canonicalize_name(str(name)) for name in value)


def group_requires_python(
    data: Mapping[str, Any], path: Path
) -> list[tuple[NormalizedName, SpecifierSet]]:
    """``[tool.uv.dependency-groups]``: each group's ``requires-python`` (uv's only key)."""
    table = toml_table(data, "tool", "uv").get("dependency-groups", {})
    keys = ("tool", "uv", "dependency-groups")
    if not isinstance(table, dict):
        raise _located(path, keys, "`tool.uv.dependency-groups` must be a table")
    found = []
    for name, settings in table.items():
        if not isinstance(settings, dict) or set(settings) - {"requires-python"}:
            raise _located(
                path,
                (*keys, name),
                f"`tool.uv.dependency-groups.{name}` may only set `requires-python`",
            )
        if "requires-python" not in settings:
            continue
        try:
            specifier = SpecifierSet(str(settings["requires-python"]))
        except ValueError as exc:
            raise _located(
                path,
                (*keys, name, "requires-python"),
                f"invalid `requires-python` for dependency group `{name}`",
            ) from exc
        found.append((canonicalize_name(name), specifier))
    return sorted(found, key=lambda item: item[0])


def _with_python(requirement: Requirement, specifier: SpecifierSet) -> Requirement:
    """``requirement`` that applies only on the Pythons ``specifier`` allows (uv turns a
    group's requires-python into a marker on each of its requirements)."""
    from accord.model.marker_tree import MarkerTree
    from accord.model.python_range import specifier_range

    python = MarkerTree.python_range(*specifier_range(specifier)).to_string()
    if python is None:
        return requirement
    own = requirement.marker
    marker = python if own is None else f"({own}) and ({python})"
    text = str(requirement).split(";", 1)[0].strip()
    return Requirement(f"{text}; {marker}")


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
    groups = _groups_and_dev(data, pyproject)
    dynamic = project.get("dynamic", [])
    group_python = group_requires_python(data, pyproject)
    for group, specifier in group_python:
        if group in groups:
            groups[group] = [_with_python(r, specifier) for r in groups[group]]
    return ProjectManifest(
        name=canonicalize_name(project["name"]),
        version=version,
        requires_python=requires_python,
        dependencies=_requirements(
            project.get("dependencies", []), pyproject, ("project", "dependencies")
        ),
        optional_dependencies=tuple(
            sorted(
                (
                    canonicalize_name(extra),
                    _requirements(values, pyproject, ("project", "optional-dependencies", extra)),
                )
                for extra, values in optional.items()
            )
        ),
        dependency_groups=tuple(sorted((name, tuple(reqs)) for name, reqs in groups.items())),
        declared_extras=tuple(dict.fromkeys(canonicalize_name(extra) for extra in optional)),
        group_requires_python=tuple(group_python),
        default_groups=_default_groups(data),
        is_package=is_package,
        directory=directory,
        dynamic=tuple(str(field) for field in dynamic) if isinstance(dynamic, list) else (),
    )


@attrs.frozen
class Workspace:
    """A workspace's declared inputs: one manifest per member, and a virtual root's groups."""

    root: Path
    members: tuple[ProjectManifest, ...]
    root_groups: tuple[tuple[NormalizedName, tuple[Requirement, ...]], ...] = ()
    """A virtual root's (no ``[project]``) dependency groups."""
    is_virtual_root: bool = False
    root_data: dict[str, Any] = attrs.field(factory=dict, eq=False)
    root_manifest: ProjectManifest | None = None
    """A virtual root's groups with the root's ``[tool.uv.sources]`` lowered (as a manifest
    named ``:root``): what the lock records of them, and their sources chosen by marker."""

    def member(self, name: str) -> ProjectManifest | None:
        for manifest in self.members:
            if manifest.name == name:
                return manifest
        return None


def read_path_dependency(directory: Path, root: Path, location: str) -> ProjectManifest:
    """The declared inputs of the path dependency at ``directory`` (``location`` as the lock
    writes it), with its own ``[tool.uv.sources]`` lowered, paths relative to the workspace
    ``root``, as uv lowers them. A source naming a workspace member or an index, or sources
    chosen by marker, are refused: uv would look for the dependency's own workspace or index,
    or fork on its sources, which accord does not."""
    from accord.reconciler.errors import BuildNotSupported

    pyproject = directory / "pyproject.toml"
    manifest = read_manifest(pyproject, is_package=True, directory=location)
    data = read_pyproject(pyproject)
    own = toml_table(data, "tool", "uv").get("sources", {})
    if not isinstance(own, dict) or not own:
        return manifest
    for name, value in own.items():
        entries = value if isinstance(value, list) else [value]
        for entry in entries:
            if isinstance(entry, dict) and ("workspace" in entry or "index" in entry):
                kind = "its workspace" if "workspace" in entry else "an index of its own"
                raise BuildNotSupported(
                    f"`{manifest.name}` at `{location}` takes `{name}` from {kind} "
                    "(`tool.uv.sources`), which accord cannot lock yet",
                    hint="lock with uv, or make it a member of this workspace",
                )
    lowered = lower_sources(own, directory, root, {}, {}, pyproject)
    if lowered.selected:
        raise BuildNotSupported(
            f"`{manifest.name}` at `{location}` takes `{lowered.selected[0][0]}` from sources "
            "chosen by marker (`tool.uv.sources`), which accord cannot lock yet",
            hint="lock with uv, or give it one source without a marker",
        )
    return attrs.evolve(manifest, sources=lowered.sources)


def _is_package(data: Mapping[str, Any], *, required: bool = False) -> bool:
    """Built and installed rather than virtual: ``tool.uv.package`` when set, else with a
    ``[build-system]``, or (uv's rule) when another member names it as a ``workspace``
    source (it is then built with setuptools' legacy backend)."""
    package = toml_table(data, "tool", "uv").get("package")
    return package if isinstance(package, bool) else "build-system" in data or required


def _required_members(
    root_data: Mapping[str, Any], datas: Mapping[Path, Mapping[str, Any]]
) -> set[NormalizedName]:
    """The members another one names as a ``{ workspace = true }`` source, as uv collects them
    (from the sources alone, whether or not a dependency uses them; not a member's own)."""
    required: set[NormalizedName] = set()
    for data in (root_data, *datas.values()):
        project = data.get("project")
        own = project.get("name") if isinstance(project, dict) else None
        sources = toml_table(data, "tool", "uv").get("sources", {})
        for name, entries in sources.items() if isinstance(sources, dict) else ():
            listed = entries if isinstance(entries, list) else [entries]
            named = canonicalize_name(name)
            if any(isinstance(e, dict) and e.get("workspace") is True for e in listed) and (
                own is None or canonicalize_name(str(own)) != named
            ):
                required.add(named)
    return required


def read_workspace(root: Path) -> Workspace:
    """Every member's manifest, with ``[tool.uv.sources]`` lowered (the root's sources apply
    to all members; a member's own win), paths relative to the root."""
    root_pyproject = root / "pyproject.toml"
    root_data = read_pyproject(root_pyproject, check=True)
    directories = member_directories(root, root_data)
    datas = {
        directory: read_pyproject(directory / "pyproject.toml", check=True)
        for directory in directories
    }
    members: dict[NormalizedName, tuple[Path, bool]] = {}
    required = _required_members(root_data, datas)
    packaged: dict[Path, bool] = {}  # by member directory: whether it is built and installed
    for directory, data in datas.items():
        project = data.get("project")
        name = canonicalize_name(str(project.get("name", ""))) if isinstance(project, dict) else ""
        packaged[directory] = _is_package(data, required=name in required)
        if isinstance(project, dict) and isinstance(project.get("name"), str):
            members[canonicalize_name(project["name"])] = (directory, packaged[directory])
    indexes = {
        str(entry["name"]): str(entry["url"])
        for entry in toml_table(root_data, "tool", "uv").get("index", [])
        if isinstance(entry, dict) and "name" in entry and "url" in entry
    }
    root_sources = toml_table(root_data, "tool", "uv").get("sources", {})
    manifests = []
    for directory, data in datas.items():
        if "project" not in data:
            continue
        pyproject = directory / "pyproject.toml"
        merged = {**(root_sources if isinstance(root_sources, dict) else {})}
        own = toml_table(data, "tool", "uv").get("sources", {})
        merged.update(own if isinstance(own, dict) else {})
        member_indexes = {
            **indexes,
            **{
                str(e["name"]): str(e["url"])
                for e in toml_table(data, "tool", "uv").get("index", [])
                if isinstance(e, dict) and "name" in e and "url" in e
            },
        }
        lowered = lower_sources(merged, directory, root, members, member_indexes, pyproject)
        manifest = read_manifest(
            pyproject,
            is_package=packaged[directory],
            directory=relative_to_root(directory, root) if directory != root else ".",
        )
        manifests.append(
            attrs.evolve(
                manifest,
                sources=lowered.sources,
                index_pins=lowered.index_pins,
                selected_sources=lowered.selected,
            )
        )
    root_groups: tuple[tuple[NormalizedName, tuple[Requirement, ...]], ...] = ()
    root_manifest = None
    if "project" not in root_data:
        root_groups = tuple(
            sorted((g, tuple(r)) for g, r in _groups_and_dev(root_data, root_pyproject).items())
        )
        lowered = lower_sources(
            root_sources if isinstance(root_sources, dict) else {},
            root,
            root,
            members,
            indexes,
            root_pyproject,
        )
        root_manifest = ProjectManifest(
            name=NormalizedName(":root"),
            version=None,
            requires_python=SpecifierSet(),
            dependency_groups=root_groups,
            sources=lowered.sources,
            index_pins=lowered.index_pins,
            selected_sources=lowered.selected,
        )
    return Workspace(
        root=root,
        members=tuple(sorted(manifests, key=lambda m: m.name)),
        root_groups=root_groups,
        is_virtual_root="project" not in root_data,
        root_data=root_data,
        root_manifest=root_manifest,
    )
