"""Where ``accord add``/``remove`` edit a pyproject.toml or a script's metadata (text in, text out).

The document is parsed with tomlkit, which keeps every byte it does not touch: comments,
ordering, quoting, blank lines. This module finds (or creates, as uv creates them) the array an
edit goes to, ``project.dependencies``, ``project.optional-dependencies.<extra>``,
``dependency-groups.<group>`` or the legacy ``tool.uv.dev-dependencies``, and hands its text
to ``model.edit``, which rewrites it as uv does; the new array replaces the old one in place.
No I/O: the command (``reconciler.run.edit``) reads and writes the files.

It lives in the shell only because tomlkit is a heavy import the pure ``model`` may not load
(STYLE 2.1); it is still a pure function of its arguments.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Any

import attrs
from packaging.requirements import Requirement
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version

from accord.model.edit import (
    AmbiguousRequirement,
    ArrayEdit,
    BoundKind,
    add_requirement,
    find_requirements,
    remove_requirement,
    set_bound,
)
from accord.model.toml_array import parse_array
from accord.reconciler.errors import AccordError, ProjectInvalid

if TYPE_CHECKING:
    from tomlkit.container import Container
    from tomlkit.toml_document import TOMLDocument

__all__ = [
    "DependencyKind",
    "DependencyNotFound",
    "DependencyPlace",
    "EditedDependency",
    "add_dependencies",
    "remove_dependencies",
    "set_bounds",
]

_DEV = canonicalize_name("dev")


class DependencyKind(enum.Enum):
    PRODUCTION = "production"
    OPTIONAL = "optional"
    GROUP = "group"
    DEV = "dev"
    """``--dev``: ``dependency-groups.dev``, or the legacy ``tool.uv.dev-dependencies``."""


@attrs.frozen
class DependencyPlace:
    """Which array: the kind, and the extra or group it names."""

    kind: DependencyKind
    name: NormalizedName | None = None

    def table_name(self) -> str:
        """uv's words for the place (``toml_table_name``)."""
        if self.kind is DependencyKind.PRODUCTION:
            return "`project.dependencies`"
        if self.kind is DependencyKind.OPTIONAL:
            return f"`project.optional-dependencies.{self.name}`"
        if self.kind is DependencyKind.GROUP:
            return f"`dependency-groups.{self.name}`"
        return "`tool.uv.dev-dependencies` or `tool.uv.dependency-groups.dev`"


@attrs.frozen(kw_only=True)
class EditedDependency:
    """One requirement ``add_dependencies`` wrote, and where (for the bounds written later)."""

    place: DependencyPlace
    requirement: Requirement
    edit: ArrayEdit


class DependencyNotFound(AccordError):
    """``remove`` of a package the place does not list (uv's words and hints)."""

    def __init__(self, name: NormalizedName, place: DependencyPlace, hints: list[str]) -> None:
        # uv leaves a blank line between the error and its hints.
        super().__init__(
            f"The dependency `{name}` could not be found in {place.table_name()}"
            + ("\n" if hints else ""),
            hint="\nhint: ".join(hints) or None,
        )


def _parse(text: str) -> TOMLDocument:
    import tomlkit  # slow path only
    from tomlkit.exceptions import ParseError

    try:
        return tomlkit.parse(text)
    except ParseError as exc:
        raise ProjectInvalid(f"Failed to parse the TOML to edit: {exc}") from exc


def _value(text: str) -> Any:
    """A tomlkit item for a value's text, which must render back to exactly that text."""
    import tomlkit  # slow path only

    item = tomlkit.parse(f"v = {text}\n")["v"]
    if item.as_string() != text:  # tomlkit would write something else: a bug to catch here
        raise AssertionError(f"tomlkit does not round-trip {text!r}: {item.as_string()!r}")
    return item


def _table(container: Any, key: str) -> Any | None:
    """``container[key]`` when it is a table (or inline table), None when absent."""
    from tomlkit.items import InlineTable, Table

    if key not in container:
        return None
    found = container[key]
    if not isinstance(found, (Table, InlineTable)) and not hasattr(found, "keys"):
        raise ProjectInvalid(f"Dependencies in `{key}` are malformed: not a table")
    return found


def _named_key(table: Any, name: NormalizedName) -> str | None:
    """The key of ``table`` that normalizes to ``name`` (``Dev`` for ``dev``), if any."""
    for key in table:
        if canonicalize_name(str(key)) == name:
            return str(key)
    return None


def _array_text(container: Any, key: str) -> str:
    from tomlkit.items import Array

    value = container[key]
    if not isinstance(value, Array):
        raise ProjectInvalid("Dependencies in `pyproject.toml` are malformed")
    text: str = value.as_string()
    return text


@attrs.define
class _Document:
    """A parsed document and the edits made to it (PEP 723 scripts: the root is the project)."""

    doc: TOMLDocument
    script: bool

    def project(self, *, create: bool) -> Any:
        if self.script:
            return self.doc
        project = _table(self.doc, "project")
        if project is None and create:
            raise ProjectInvalid(
                "Project is missing a `[project]` table; add a `[project]` table to use "
                "production dependencies, or run `accord add --dev` instead"
            )
        return project

    def dev_legacy(self) -> Any | None:
        tool = _table(self.doc, "tool")
        uv = _table(tool, "uv") if tool is not None else None
        if uv is None or "dev-dependencies" not in uv:
            return None
        return uv

    # -- finding --------------------------------------------------------------------------

    def locate(self, place: DependencyPlace) -> tuple[Any, str] | None:
        """The container and key of the place's array, when it exists."""
        if place.kind is DependencyKind.PRODUCTION:
            project = self.project(create=False)
            if project is None or "dependencies" not in project:
                return None
            return project, "dependencies"
        if place.kind is DependencyKind.OPTIONAL:
            project = self.project(create=False)
            table = _table(project, "optional-dependencies") if project is not None else None
            key = _named_key(table, place.name) if table is not None and place.name else None
            return (table, key) if key is not None else None
        if place.kind is DependencyKind.GROUP:
            table = _table(self.doc, "dependency-groups")
            key = _named_key(table, place.name) if table is not None and place.name else None
            return (table, key) if key is not None else None
        uv = self.dev_legacy()
        return (uv, "dev-dependencies") if uv is not None else None

    def found_in(self, name: NormalizedName) -> list[DependencyPlace]:
        """uv's ``find_dependency``: every place that lists ``name``, in uv's order."""
        places: list[DependencyPlace] = []
        project = self.project(create=False)
        if project is not None:
            places.append(DependencyPlace(DependencyKind.PRODUCTION))
            extras = _table(project, "optional-dependencies")
            for key in extras or ():
                places.append(DependencyPlace(DependencyKind.OPTIONAL, canonicalize_name(key)))
        groups = _table(self.doc, "dependency-groups")
        for key in groups or ():
            places.append(DependencyPlace(DependencyKind.GROUP, canonicalize_name(key)))
        if self.dev_legacy() is not None:
            places.append(DependencyPlace(DependencyKind.DEV))
        found: list[DependencyPlace] = []
        for place in places:
            located = self.locate(place)
            if located is None:
                continue
            try:
                layout = parse_array(_array_text(*located))
            except (ValueError, ProjectInvalid):
                continue
            if find_requirements(layout, name):
                found.append(place)
        return found

    # -- creating, as uv creates ------------------------------------------------------------

    def create(self, place: DependencyPlace) -> tuple[Any, str]:
        import tomlkit  # slow path only

        if place.kind is DependencyKind.PRODUCTION:
            project = self.project(create=True)
            project.append("dependencies", tomlkit.array())
            return project, "dependencies"
        assert place.name is not None
        if place.kind is DependencyKind.OPTIONAL:
            project = self.project(create=True)
            table = _table(project, "optional-dependencies")
            if table is None:
                table = self._new_subtable(project, "optional-dependencies")
            table.append(str(place.name), tomlkit.array())
            return table, str(place.name)
        table = _table(self.doc, "dependency-groups")
        if table is None:
            table = tomlkit.table()
            self.doc.append("dependency-groups", table)
            table = self.doc["dependency-groups"]
        keys = [str(key) for key in table]
        name = str(place.name)
        if keys == sorted(keys) and any(key > name for key in keys):
            # uv sorts the groups again when they were sorted: the new one goes in order.
            before = next(key for key in keys if key > name)
            # tomlkit has no public "insert before": its container's own insert keeps the
            # comments and blank lines around the keys where they were.
            container: Container = table.value if hasattr(table, "value") else table
            index = container._map[tomlkit.key(before)]
            assert isinstance(index, int)  # a group is one key, not an array of tables
            container._insert_at(index, name, tomlkit.array())
        else:
            table.append(name, tomlkit.array())
        return table, name

    def _new_subtable(self, project: Any, key: str) -> Any:
        """A new ``[project.<key>]`` right after the ``[project]`` key/values, as uv puts it:
        a blank line before it, and the blank lines that ended ``[project]`` after it."""
        import tomlkit  # slow path only
        from tomlkit.items import Whitespace

        body = project.value.body
        moved: list[Whitespace] = []
        while body and isinstance(body[-1][1], Whitespace):
            moved.insert(0, body.pop()[1])
        table = tomlkit.table()
        table.trivia.indent = "\n"
        project.append(key, table)
        created = project[key]
        for whitespace in moved:
            created.value.body.append((None, whitespace))
        return created

    def replace(self, container: Any, key: str, text: str) -> None:
        from tomlkit.items import InlineTable

        if isinstance(container, InlineTable):
            self._replace_in_inline(container, key, text)
            return
        container[key] = _value(text)

    def _replace_in_inline(self, table: Any, key: str, text: str) -> None:
        """uv formats an inline table it edits (``InlineTable::fmt``): ``{ k = v, k2 = v2 }``."""
        from tomlkit.items import Null, Whitespace

        parts = []
        for entry_key, entry in table.value.body:
            if entry_key is None or isinstance(entry, (Whitespace, Null)):
                continue
            value = text if entry_key.key == key else entry.as_string()
            parts.append(f" {entry_key.as_string().strip()} = {value}")
        rendered = "{" + ",".join(parts) + " }"
        parent, parent_key = self._parent_of(table)
        parent[parent_key] = _value(rendered)

    def _parent_of(self, table: Any) -> tuple[Any, str]:
        project = self.project(create=False)
        for container in (project, self.doc):
            if container is None:
                continue
            for key in container:
                if container[key] is table:
                    return container, str(key)
        raise AssertionError("an inline table without a parent")

    def text(self) -> str:
        import tomlkit  # slow path only

        return tomlkit.dumps(self.doc)


def _dev_place(document: _Document, name: NormalizedName) -> DependencyPlace:
    """uv's choice for ``--dev`` (and ``--group dev``): where the package already is, else
    ``dependency-groups.dev`` unless only ``tool.uv.dev-dependencies`` exists."""
    group_dev = DependencyPlace(DependencyKind.GROUP, _DEV)
    legacy = DependencyPlace(DependencyKind.DEV)
    found = document.found_in(name)
    if group_dev in found:
        return group_dev
    if legacy in found:
        return legacy
    has_legacy = document.dev_legacy() is not None
    return legacy if has_legacy and document.locate(group_dev) is None else group_dev


def add_dependencies(
    text: str,
    requirements: list[tuple[Requirement, str]],
    place: DependencyPlace,
    *,
    script: bool = False,
    raw: bool = False,
) -> tuple[str, list[EditedDependency]]:
    """``uv add``'s edits, without bounds: each (requirement, as typed) added to the place or,
    when the place already lists the package with the same marker, merged into it.

    Raises ``ProjectInvalid`` for a document uv would not edit, and ``UsageError`` for an
    ambiguous update."""
    document = _Document(_parse(text), script)
    edits: list[EditedDependency] = []
    for requirement, typed in requirements:
        target = place
        if script:
            target = DependencyPlace(DependencyKind.PRODUCTION)
        elif place.kind is DependencyKind.DEV or (
            place.kind is DependencyKind.GROUP and place.name == _DEV
        ):
            target = _dev_place(document, canonicalize_name(requirement.name))
        located = document.locate(target) or document.create(target)
        try:
            array, edit = add_requirement(
                _array_text(*located), requirement, raw_text=typed if raw else None
            )
        except AmbiguousRequirement as exc:
            raise ProjectInvalid(str(exc)) from exc
        document.replace(*located, array)
        for index, earlier in enumerate(edits):
            # A value inserted before an earlier edit's shifts it down, as uv keeps count.
            if (
                earlier.place == target
                and edit.kind.value == "add"
                and earlier.edit.index >= edit.index
            ):
                edits[index] = attrs.evolve(
                    earlier, edit=attrs.evolve(earlier.edit, index=earlier.edit.index + 1)
                )
        edits.append(EditedDependency(place=target, requirement=requirement, edit=edit))
    return document.text(), edits


def set_bounds(
    text: str,
    edits: list[EditedDependency],
    versions: dict[NormalizedName, Version],
    kind: BoundKind,
    *,
    script: bool = False,
) -> str:
    """The bound for each requirement ``add_dependencies`` added without a specifier, from
    the smallest version the lock holds for it (uv's ``set_dependency_bound``)."""
    document = _Document(_parse(text), script)
    for edited in edits:
        requirement = edited.requirement
        if edited.edit.kind.value != "add" or requirement.url or len(requirement.specifier):
            continue
        version = versions.get(canonicalize_name(requirement.name))
        if version is None:
            continue
        located = document.locate(edited.place)
        assert located is not None  # add_dependencies created it
        document.replace(
            *located, set_bound(_array_text(*located), edited.edit.index, version, kind)
        )
    return document.text()


def remove_dependencies(
    text: str, names: list[NormalizedName], place: DependencyPlace, *, script: bool = False
) -> str:
    """``uv remove``'s edits: every value naming each package goes from the place (``--dev``:
    from ``tool.uv.dev-dependencies`` and ``dependency-groups.dev``). Raises
    ``DependencyNotFound`` (nothing is written then) for a package the place does not list."""
    document = _Document(_parse(text), script)
    if script:
        place = DependencyPlace(DependencyKind.PRODUCTION)
    dev = place.kind is DependencyKind.DEV or (
        place.kind is DependencyKind.GROUP and place.name == _DEV
    )
    places = (
        [DependencyPlace(DependencyKind.DEV), DependencyPlace(DependencyKind.GROUP, _DEV)]
        if dev
        else [place]
    )
    for name in names:
        removed = 0
        for target in places:
            located = document.locate(target)
            if located is None:
                continue
            array, count = remove_requirement(_array_text(*located), name)
            if count:
                document.replace(*located, array)
                removed += count
        if not removed:
            shown = (
                DependencyPlace(DependencyKind.DEV)
                if dev and place.kind is DependencyKind.DEV
                else place
            )
            raise DependencyNotFound(
                name, shown, [_hint(name, found) for found in document.found_in(name)]
            )
    return document.text()


def _hint(name: NormalizedName, place: DependencyPlace) -> str:
    if place.kind is DependencyKind.PRODUCTION:
        return f"`{name}` is a production dependency"
    if place.kind is DependencyKind.DEV:
        return f"`{name}` is a development dependency (try: `accord remove {name} --dev`)"
    if place.kind is DependencyKind.OPTIONAL:
        return (
            f"`{name}` is an optional dependency "
            f"(try: `accord remove {name} --optional {place.name}`)"
        )
    return (
        f"`{name}` is in the `{place.name}` group "
        f"(try: `accord remove {name} --group {place.name}`)"
    )
