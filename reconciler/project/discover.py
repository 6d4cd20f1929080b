"""Discover stage: find the project (pyproject.toml upward) and its workspace root.

Reads pyproject.toml files only. Follows uv: the nearest pyproject.toml upward decides;
``tool.uv.managed = false`` means no project; a project's workspace root is the first
ancestor pyproject.toml if that declares ``[tool.uv.workspace]`` whose members include it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name

from accord.model.target import BareEnvironment, Project, Target
from accord.model.toml import caused
from accord.reconciler.errors import ProjectInvalid, ProjectNotFound
from accord.reconciler.fsutil import user_display

__all__ = [
    "discover_target",
    "find_pyproject",
    "member_directories",
    "not_utf8",
    "read_pyproject",
    "schema_error",
    "select_environment",
    "toml_table",
]


_PARSED: dict[tuple[str, int, int, int], tuple[dict[str, Any], str]] = {}
"""Each file parsed once per run: keyed by path, inode, size and modification time, so a file
changed during the run (``accord add``) is read again. The values are shared: read-only."""


def read_pyproject(path: Path, *, check: bool = False) -> dict[str, Any]:
    """Parse a pyproject.toml; errors name the file, line and column and show the line.

    ``check``: also hold it to the schema uv requires of a project's file (``[project]``,
    ``[dependency-groups]``, ``[tool.uv]``; ``model.pyproject``), as uv does before anything
    else. A dependency's own pyproject.toml (read for its build system) is not checked.
    The same file is parsed once per run (the answer is shared: never modify it).
    """
    try:
        status = os.stat(path)
    except OSError:
        key = None
    else:
        key = (os.path.abspath(path), status.st_ino, status.st_size, status.st_mtime_ns)
        if key in _PARSED:
            data, text = _PARSED[key]
            if check:
                _check_schema(path, text, data)
            return data
    data, text = _parse_pyproject(path)
    if key is not None:
        _PARSED[key] = (data, text)
    if check:
        _check_schema(path, text, data)
    return data


def _parse_pyproject(path: Path) -> tuple[dict[str, Any], str]:
    from accord.model.toml import TomlSyntaxError, loads

    try:
        text = path.read_bytes().decode("utf-8")
        data = loads(text)
    except TomlSyntaxError as exc:
        raise ProjectInvalid(
            exc.report(user_display(path)), path=path, line=exc.line, column=exc.column
        ) from exc
    except UnicodeDecodeError as exc:
        raise not_utf8(path) from exc
    except OSError as exc:
        raise ProjectInvalid(f"Failed to read `{path}`: {exc.strerror or exc}", path=path) from exc
    return data, text


def _check_schema(path: Path, text: str, data: dict[str, Any]) -> None:
    from accord.model.pyproject import PyprojectInvalid, check_pyproject

    try:
        check_pyproject(data)
    except PyprojectInvalid as exc:
        if not exc.located:
            raise ProjectInvalid(
                caused(
                    f"Failed to parse: {user_display(path)}",
                    *((exc.within,) if exc.within else ()),
                    exc.detail,
                ),
                hint=exc.hint,
                path=path,
            ) from exc
        raise schema_error(path, text, exc.path, exc.detail, at_key=exc.at_key) from exc


def schema_error(
    path: Path, text: str, keys: tuple[str | int, ...], detail: str, *, at_key: bool = False
) -> ProjectInvalid:
    """``ProjectInvalid`` for a value at ``keys`` in ``path`` (whose text is ``text``): the
    line, column and caret where it is written, as uv shows a syntax error."""
    from accord.model.toml import block
    from accord.model.toml_spans import locate

    head = f"Failed to parse: {user_display(path)}"
    found = locate(text, keys, key=at_key)
    if found is None:
        return ProjectInvalid(caused(head, detail), path=path)
    return ProjectInvalid(
        caused(head, block(found.line, found.column, found.source_line, detail, width=found.width)),
        path=path,
        line=found.line,
        column=found.column,
    )


def not_utf8(path: Path) -> ProjectInvalid:
    """uv's error for a file whose bytes are not UTF-8 (the path absolute, as uv names it)."""
    return ProjectInvalid(
        f"failed to read from file `{os.path.abspath(path)}`: stream did not contain valid UTF-8",
        path=path,
    )


def find_pyproject(start: Path) -> Path | None:
    """The nearest pyproject.toml in ``start`` or its ancestors."""
    for directory in (start, *start.parents):
        candidate = directory / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


def toml_table(data: Mapping[str, Any], *keys: str) -> dict[str, Any]:
    """The table at ``keys`` (``tomltoml_table(data, "tool", "uv")``); ``{}`` when any level is
    missing or is not a table, so malformed input never crashes a reader."""
    current: Any = data
    for key in keys:
        current = current.get(key) if isinstance(current, Mapping) else None
    return current if isinstance(current, dict) else {}


def _is_member(root: Path, workspace: Mapping[str, Any], directory: Path) -> bool:
    """Path-glob semantics, as ``reconciler.project.workspace.member_directories`` lists members
    (``*`` does not cross ``/``)."""
    target = directory.resolve()

    def matched(patterns: Any) -> bool:
        return any(target in {p.resolve() for p in root.glob(str(g))} for g in patterns or ())

    return matched(workspace.get("members")) and not matched(workspace.get("exclude"))


def _workspace_root(directory: Path, data: Mapping[str, Any]) -> tuple[Path, list[Path]]:
    """The workspace root for a project at ``directory`` and the pyprojects that decided it."""
    if toml_table(data, "tool", "uv", "workspace") or "workspace" in toml_table(data, "tool", "uv"):
        return directory, []
    above = find_pyproject(directory.parent) if directory.parent != directory else None
    if above is None:
        return directory, []
    parent_data = read_pyproject(above, check=True)
    workspace = toml_table(parent_data, "tool", "uv", "workspace")
    if "workspace" in toml_table(parent_data, "tool", "uv") and _is_member(
        above.parent, workspace, directory
    ):
        return above.parent, [above]
    return directory, []


def _requires_python(data: Mapping[str, Any], path: Path) -> SpecifierSet | None:
    raw = toml_table(data, "project").get("requires-python")
    if raw is None:
        return None
    try:
        return SpecifierSet(str(raw))
    except InvalidSpecifier as exc:
        raise ProjectInvalid(
            f"`{path}` has an invalid `project.requires-python`: {raw!r}", path=path
        ) from exc


def _project_environment(root: Path) -> Path:
    configured = os.environ.get("ACCORD_PROJECT_ENVIRONMENT") or os.environ.get(
        "UV_PROJECT_ENVIRONMENT"
    )
    if configured:
        return root / configured if not os.path.isabs(configured) else Path(configured)
    return root / ".venv"


def select_environment(project: Project, active: bool | None, cwd: Path) -> Project:
    """The project with the environment uv's ``--active`` selects: the one ``VIRTUAL_ENV``
    names (relative to the working directory), when it is set, over the project's own
    (``UV_PROJECT_ENVIRONMENT`` or ``<root>/.venv``); without ``--active``, the project's."""
    virtual_env = os.environ.get("VIRTUAL_ENV")
    if not active or not virtual_env:
        return project
    selected = cwd / virtual_env
    if os.path.realpath(selected) != os.path.realpath(project.venv):
        from accord.reconciler.console import debug

        debug(
            "Using active virtual environment `%s` instead of project environment `%s`",
            user_display(selected),
            user_display(Path(project.venv)),
        )
    return attrs.evolve(project, venv=selected)


def member_directories(root: Path, data: Mapping[str, Any]) -> list[Path]:
    """The member directories of the workspace rooted at ``root`` (the root itself first
    when it is a project), following ``members`` globs and ``exclude``."""
    uv = toml_table(data, "tool", "uv")
    workspace = toml_table(uv, "workspace") if "workspace" in uv else None
    directories = [root] if "project" in data else []
    if workspace is None:
        return directories or [root]
    excluded: set[Path] = set()
    for pattern in workspace.get("exclude", []):
        excluded.update(p.resolve() for p in root.glob(str(pattern)))
    for pattern in workspace.get("members", []):
        for path in sorted(root.glob(str(pattern))):
            if not path.is_dir() or path.resolve() in excluded or path.resolve() == root.resolve():
                continue
            if not (path / "pyproject.toml").is_file():
                relative = os.path.relpath(path, root)
                raise ProjectInvalid(
                    f"Workspace member `{relative}` is missing a `pyproject.toml`",
                    path=root / "pyproject.toml",
                )
            directories.append(path)
    return directories


def discover_target(project_dir: Path, *, no_project: bool = False) -> Target:
    """The project containing ``project_dir``, or a BareEnvironment when there is none."""
    project_dir = Path(os.path.abspath(project_dir))
    if no_project:
        return BareEnvironment(directory=project_dir, reason="--no-project")
    pyproject = find_pyproject(project_dir)
    if pyproject is None:
        return BareEnvironment(directory=project_dir, reason="no pyproject.toml found")
    data = read_pyproject(pyproject, check=True)
    uv = toml_table(data, "tool", "uv")
    if uv.get("managed") is False:
        return BareEnvironment(
            directory=project_dir, reason=f"`tool.uv.managed = false` in {pyproject}"
        )
    directory = pyproject.parent
    project_table = toml_table(data, "project")
    name = project_table.get("name") if "project" in data else None
    if "project" in data and not isinstance(name, str):
        raise ProjectInvalid(
            f"Failed to parse `{pyproject}`: `[project]` must have a `name`", path=pyproject
        )
    root, decided_by = _workspace_root(directory, data)
    strict = toml_table(data, "tool", "accord").get("strict", False)
    if not isinstance(strict, bool):
        raise ProjectInvalid(
            f"`{pyproject}`: `tool.accord.strict` must be true or false, not {strict!r}",
            path=pyproject,
        )
    default_groups = uv.get("default-groups")
    package = uv.get("package")
    members_python = _members_python(root, directory, data if root == directory else None)
    return Project(
        root=root,
        directory=directory,
        name=canonicalize_name(name) if isinstance(name, str) else None,
        requires_python=_requires_python(data, pyproject),
        default_groups=(
            tuple(canonicalize_name(str(g)) for g in default_groups)
            if isinstance(default_groups, list)
            else None
        ),
        all_default_groups=default_groups == "all",
        has_build_system="build-system" in data,
        package=package if isinstance(package, bool) else None,
        is_workspace_root=root == directory,
        strict=strict,
        pyprojects=(pyproject, *decided_by),
        members_python=members_python,
        venv=_project_environment(root),
        lock_path=root / "uv.lock",
    )


def _members_python(
    root: Path, directory: Path, root_data: Mapping[str, Any] | None
) -> tuple[tuple[str, SpecifierSet], ...]:
    """The other workspace members' ``requires-python``: uv takes an interpreter only when it
    satisfies every member's (``… (from workspace member `b`'s `project.requires-python`)``)."""
    data = root_data if root_data is not None else read_pyproject(root / "pyproject.toml")
    if "workspace" not in toml_table(data, "tool", "uv"):
        return ()
    found: list[tuple[str, SpecifierSet]] = []
    for member in member_directories(root, data):
        if member.resolve() == directory.resolve():
            continue
        pyproject = member / "pyproject.toml"
        member_data = read_pyproject(pyproject)
        name = toml_table(member_data, "project").get("name")
        specifier = _requires_python(member_data, pyproject)
        if isinstance(name, str) and specifier is not None:
            found.append((str(canonicalize_name(name)), specifier))
    return tuple(found)


def require_project(target: Target) -> Project:
    """The project, or a clear error for commands that need one (``accord sync``)."""
    if isinstance(target, Project):
        return target
    raise ProjectNotFound(
        f"No project found in `{target.directory}` or any parent directory ({target.reason})",
        hint="run accord inside a directory with a pyproject.toml, or pass --project",
    )
