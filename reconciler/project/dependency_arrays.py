"""The dependency arrays of a pyproject.toml or a script's metadata, found and replaced
through tomlkit (text in, text out).

The document is parsed with tomlkit, which keeps every byte it does not touch: comments,
ordering, quoting, blank lines. ``DependencyDocument`` finds (or creates, as uv creates them)
the array a place names, ``project.dependencies``, ``project.optional-dependencies.<extra>``,
``dependency-groups.<group>`` or the legacy ``tool.uv.dev-dependencies``, gives its text, and
puts a rewritten array in its place. What the rewrite is belongs to ``model.edit``; which
place each ``add``/``remove`` edits, to ``reconciler.project.edit``.

It lives in the shell only because tomlkit is a heavy import the pure ``model`` may not load
(STYLE 2.1); it is still a pure function of its arguments.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Any

import attrs
from packaging.utils import NormalizedName, canonicalize_name

from accord.model.edit import find_requirements
from accord.model.toml_array import parse_array
from accord.reconciler.errors import ProjectInvalid

if TYPE_CHECKING:
    from tomlkit.container import Container
    from tomlkit.toml_document import TOMLDocument

__all__ = ["DependencyDocument", "DependencyKind", "DependencyPlace", "array_text"]


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


def _parse(text: str) -> TOMLDocument:
    """The document, or ``ProjectInvalid`` with tomlkit's account of the syntax error."""
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


def array_text(container: Any, key: str) -> str:
    """The text of the dependency array at ``container[key]``, from ``[`` to ``]``."""
    from tomlkit.items import Array

    value = container[key]
    if not isinstance(value, Array):
        raise ProjectInvalid("Dependencies in `pyproject.toml` are malformed")
    text: str = value.as_string()
    return text


@attrs.define
class DependencyDocument:
    """A parsed document and the edits made to it (PEP 723 scripts: the root is the project)."""

    doc: TOMLDocument
    script: bool

    @classmethod
    def parse(cls, text: str, *, script: bool) -> DependencyDocument:
        """Parse ``text``; raises ``ProjectInvalid`` for a document tomlkit cannot read."""
        return cls(_parse(text), script)

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
                layout = parse_array(array_text(*located))
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
