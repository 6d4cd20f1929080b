"""The shape uv requires of a pyproject.toml, checked before anything else (pure).

uv reads ``[project]``, ``[dependency-groups]`` and its own parts of ``[tool.uv]`` into typed
structs, so a wrong type or a bad name stops every command with the file, the line and the
column. ``check_pyproject(document)`` applies the same rules to the parsed dict and raises
``PyprojectInvalid`` carrying the key path at fault, whether the key or the value is to blame,
and uv's words (serde's ``invalid type: integer `1`, expected a string``, uv's own for names,
missing fields and source tables). The caller finds the position (``model.toml_spans``).

Settings that only change resolution (``constraint-dependencies``, ``resolution``…) are
``model.uv_settings``'s business; requirement strings are parsed where they are read.
"""

from __future__ import annotations

import datetime
import itertools
import json
import re
from collections.abc import Mapping, Sequence

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from accord.model.pep440_words import specifiers_words, version_words

__all__ = ["PyprojectInvalid", "check_pyproject", "describe_type"]

Path = tuple[str | int, ...]

# PEP 508 names (uv's PackageName / ExtraName / GroupName accept the same spellings).
_NAME = re.compile(r"^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$", re.IGNORECASE)

_SOURCE_FIELDS = (
    "git",
    "subdirectory",
    "rev",
    "tag",
    "branch",
    "lfs",
    "url",
    "path",
    "editable",
    "package",
    "index",
    "workspace",
    "marker",
    "extra",
    "group",
)
_SOURCE_KINDS = ("git", "url", "path", "index", "workspace")
_SOURCE_BOOLEANS = frozenset({"lfs", "editable", "package", "workspace"})
_INDEX_BOOLEANS = frozenset({"explicit", "default"})
_INDEX_STRINGS = frozenset({"name", "url", "publish-url", "format", "authenticate"})


class PyprojectInvalid(Exception):
    """A pyproject.toml that parses but breaks uv's schema.

    ``path`` is the key path at fault (``("project", "dependencies", 0)``); ``at_key`` says
    whether the key itself is wrong (a bad name) rather than its value; ``detail`` is uv's
    message.
    """

    def __init__(
        self,
        path: Path,
        detail: str,
        *,
        at_key: bool = False,
        located: bool = True,
        hint: str | None = None,
        within: str | None = None,
    ) -> None:
        super().__init__(detail)
        self.path = path
        self.detail = detail
        self.at_key = at_key
        self.located = located
        """False for uv's checks of a whole value after it was read (a ``[tool.uv.sources]``
        list), which name no line."""
        self.hint = hint
        self.within = within
        """What uv says it was doing when it met an unlocated error, shown as a cause of its
        own above ``detail`` (``Failed to parse `tool.uv.sources```)."""


def describe_type(value: object) -> str:
    """serde's words for a TOML value in ``invalid type: …`` messages."""
    if isinstance(value, bool):
        return f"boolean `{str(value).lower()}`"
    if isinstance(value, int):
        return f"integer `{value}`"
    if isinstance(value, float):
        return f"floating point `{value}`"
    if isinstance(value, str):
        return f"string {json.dumps(value, ensure_ascii=False)}"
    if isinstance(value, list):
        return "sequence"
    if isinstance(value, dict):
        return "map"
    if isinstance(value, datetime.date | datetime.time):
        return "datetime"
    return type(value).__name__


def _invalid(path: Path, value: object, expected: str) -> PyprojectInvalid:
    return PyprojectInvalid(path, f"invalid type: {describe_type(value)}, expected {expected}")


def _string(value: object, path: Path) -> str:
    if not isinstance(value, str):
        raise _invalid(path, value, "a string")
    return value


def _boolean(value: object, path: Path) -> None:
    if not isinstance(value, bool):
        raise _invalid(path, value, "a boolean")


def _table(value: object, path: Path) -> Mapping[str, object]:
    if not isinstance(value, dict):
        raise _invalid(path, value, "a map")
    return value


def _strings(value: object, path: Path) -> Sequence[str]:
    if not isinstance(value, list):
        raise _invalid(path, value, "a sequence")
    for index, item in enumerate(value):
        _string(item, (*path, index))
    return value


def _name(value: str, path: Path, *, at_key: bool) -> None:
    if not _NAME.match(value):
        raise PyprojectInvalid(
            path,
            f"Not a valid package or extra name: {json.dumps(value, ensure_ascii=False)}. "
            "Names must start and end with a letter or digit and may only contain -, _, ., "
            "and alphanumeric characters.",
            at_key=at_key,
        )


def check_pyproject(document: Mapping[str, object]) -> None:
    """Raise ``PyprojectInvalid`` where ``document`` breaks what uv requires."""
    if "project" in document:
        _check_project(document["project"])
    if "dependency-groups" in document:
        _check_groups(document["dependency-groups"])
    tool = document.get("tool")
    if isinstance(tool, dict) and "uv" in tool:
        _check_tool_uv(_table(tool["uv"], ("tool", "uv")))


def _check_project(raw: object) -> None:
    where: Path = ("project",)
    project = _table(raw, where)
    if "name" not in project:
        raise PyprojectInvalid(
            where,
            "`pyproject.toml` is using the `[project]` table, but the required `project.name` "
            "field is not set",
        )
    _name(_string(project["name"], (*where, "name")), (*where, "name"), at_key=False)
    dynamic = _strings(project["dynamic"], (*where, "dynamic")) if "dynamic" in project else ()
    if "version" in project:
        version = _string(project["version"], (*where, "version"))
        try:
            Version(version)
        except InvalidVersion as exc:
            raise PyprojectInvalid((*where, "version"), version_words(version)) from exc
    elif "version" not in dynamic:
        raise PyprojectInvalid(
            where,
            "`pyproject.toml` is using the `[project]` table, but the required `project.version` "
            "field is neither set nor present in the `project.dynamic` list",
        )
    if "requires-python" in project:
        specifiers = _string(project["requires-python"], (*where, "requires-python"))
        try:
            SpecifierSet(specifiers)
        except InvalidSpecifier as exc:
            raise PyprojectInvalid(
                (*where, "requires-python"), specifiers_words(specifiers)
            ) from exc
    if "dependencies" in project:
        _strings(project["dependencies"], (*where, "dependencies"))
    if "optional-dependencies" in project:
        extras_path = (*where, "optional-dependencies")
        for extra, requirements in _table(project["optional-dependencies"], extras_path).items():
            _name(extra, (*extras_path, extra), at_key=True)
            _strings(requirements, (*extras_path, extra))


def _check_groups(raw: object) -> None:
    where: Path = ("dependency-groups",)
    for group, entries in _table(raw, where).items():
        path = (*where, group)
        _name(group, path, at_key=True)
        if not isinstance(entries, list):
            raise _invalid(path, entries, "a sequence")
        for index, entry in enumerate(entries):
            if isinstance(entry, str):
                continue
            if not isinstance(entry, dict):
                raise _invalid(
                    (*path, index), entry, "a string or a map with the `include-group` key"
                )
            if "include-group" in entry:
                _string(entry["include-group"], (*path, index, "include-group"))


def _check_tool_uv(uv: Mapping[str, object]) -> None:
    where: Path = ("tool", "uv")
    for flag in ("managed", "package"):
        if flag in uv:
            _boolean(uv[flag], (*where, flag))
    if "default-groups" in uv:
        groups = uv["default-groups"]
        if groups != "all" and not (
            isinstance(groups, list) and all(isinstance(g, str) for g in groups)
        ):
            raise _invalid(
                (*where, "default-groups"), groups, 'the string "all" or a list of strings'
            )
    if "dev-dependencies" in uv:
        _strings(uv["dev-dependencies"], (*where, "dev-dependencies"))
    if "workspace" in uv:
        workspace = _table(uv["workspace"], (*where, "workspace"))
        for key in ("members", "exclude"):
            if key in workspace:
                _strings(workspace[key], (*where, "workspace", key))
    if "sources" in uv:
        sources_path = (*where, "sources")
        for name, source in _table(uv["sources"], sources_path).items():
            _name(name, (*sources_path, name), at_key=True)
            _check_sources(source, (*sources_path, name))
    if "index" in uv:
        _check_indexes(uv["index"], (*where, "index"))


def _check_sources(raw: object, path: Path) -> None:
    if isinstance(raw, list):
        for index, entry in enumerate(raw):
            if not isinstance(entry, dict):
                # serde names the struct every source is first read into.
                raise _invalid((*path, index), entry, "struct CatchAll")
            _check_source(entry, (*path, index))
        _check_source_list(raw, path)
        return
    if not isinstance(raw, dict):
        raise _invalid(path, raw, "a single source (as a map) or list of sources")
    _check_source(raw, path)


def _sources_invalid(path: Path, detail: str, hint: str | None = None) -> PyprojectInvalid:
    return PyprojectInvalid(
        path[:3], detail, located=False, hint=hint, within="Failed to parse `tool.uv.sources`"
    )


def _check_source_list(sources: Sequence[Mapping[str, object]], path: Path) -> None:
    """uv's rules for a list of sources: at least one, and each two neighbours for the same
    extra and group selected by disjoint markers (uv compares neighbours only)."""
    if not sources:
        raise _sources_invalid(path, "Must provide at least one source")
    from accord.model.marker_tree import MarkerTree

    for lhs, rhs in itertools.pairwise(sources):
        if _scope(lhs) != _scope(rhs):
            continue
        left = MarkerTree.parse(_marker_text(lhs))
        right = MarkerTree.parse(_marker_text(rhs))
        if left.is_disjoint(right):
            continue
        left_text, right_text = left.to_string(), right.to_string()
        if left_text is None or right_text is None:
            raise _sources_invalid(
                path,
                "When multiple sources are provided, each source must include a platform "
                "marker (e.g., `marker = \"sys_platform == 'linux'\"`)",
            )
        replacement = (~left & right).to_string() or "true"
        raise _sources_invalid(
            path,
            "Source markers must be disjoint, but the following markers overlap: "
            f"`{left_text}` and `{right_text}`.",
            hint=f"replace `{right_text}` with `{replacement}`",
        )


def _marker_text(source: Mapping[str, object]) -> str | None:
    marker = source.get("marker")
    return marker if isinstance(marker, str) else None


def _scope(source: Mapping[str, object]) -> tuple[str | None, str | None]:
    """The extra and the group a source is limited to (uv compares normalized names)."""

    def normalized(value: object) -> str | None:
        return re.sub(r"[-_.]+", "-", value).lower() if isinstance(value, str) else None

    return normalized(source.get("extra")), normalized(source.get("group"))


def _check_source(source: Mapping[str, object], path: Path) -> None:
    for field, value in source.items():
        if field not in _SOURCE_FIELDS:
            expected = ", ".join(f"`{name}`" for name in _SOURCE_FIELDS)
            raise PyprojectInvalid(
                (*path, field), f"unknown field `{field}`, expected one of {expected}", at_key=True
            )
        if field in _SOURCE_BOOLEANS:
            _boolean(value, (*path, field))
        else:
            _string(value, (*path, field))
    if isinstance(source.get("marker"), str):
        _check_marker(str(source["marker"]), (*path, "marker"))
    if "extra" in source and "group" in source:
        raise PyprojectInvalid(path, "cannot specify both `extra` and `group`")
    if not any(kind in source for kind in _SOURCE_KINDS):
        raise PyprojectInvalid(
            path, "expected one of `git`, `url`, `path`, `index`, or `workspace`"
        )


def _check_marker(text: str, path: Path) -> None:
    from packaging.markers import InvalidMarker

    from accord.model.marker_tree import MarkerTree

    try:
        MarkerTree.parse(text)
    except InvalidMarker as exc:
        raise PyprojectInvalid(path, f"invalid marker `{text}`: {exc}") from exc


def _check_indexes(raw: object, path: Path) -> None:
    if not isinstance(raw, list):
        raise _invalid(path, raw, "a sequence")
    names: set[str] = set()
    default_seen = False
    for number, entry in enumerate(raw):
        where = (*path, number)
        index = _table(entry, where)
        for field, value in index.items():
            if field in _INDEX_BOOLEANS:
                _boolean(value, (*where, field))
            elif field in _INDEX_STRINGS:
                _string(value, (*where, field))
        if "url" not in index:
            raise PyprojectInvalid(where, "missing field `url`")
        name = index.get("name")
        if isinstance(name, str):
            if name in names:
                raise PyprojectInvalid(path, f"duplicate index name `{name}`")
            names.add(name)
        if index.get("default") is True:
            if default_seen:
                raise PyprojectInvalid(
                    path,
                    "found multiple indexes with `default = true`; only one index may be "
                    "marked as default",
                )
            default_seen = True
