"""``uv add``'s edit of ``[[tool.uv.index]]`` and of the sources that pin a package to an
index, as uv 0.13.8 makes them (pure).

``uv add --index``/``--default-index`` (and ``UV_INDEX``/``UV_DEFAULT_INDEX``) write each
index given into ``[[tool.uv.index]]`` (``add_index``): a table naming the same index, or
another default one for a default index, or the same location, is reused (its name, URL and
``default`` updated in place, keeping what surrounds each value; ``format`` dropped when the
location changed), the tables it replaces go, and the table moves above the other index
tables (toml_edit positions: the smallest of theirs, the others shifted down) or, when there
were none, to the position numbered by the count of the document's top-level keys. The
indexes are added last to first, so the first given ends on top (the default one last). A
single named index also pins every package added to it:
``[tool.uv.sources] name = { index = "..." }``.

Where the tables land follows toml_edit's order (``model.toml_tables``).
"""

from __future__ import annotations

import posixpath
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

import attrs
from packaging.utils import NormalizedName, canonicalize_name

from accord.model.toml import loads as toml_loads
from accord.model.toml_array import string_repr
from accord.model.toml_tables import TableNode, TableTree, key_values

__all__ = ["GivenIndex", "MalformedSources", "add_indexes", "index_location", "written_url"]


class MalformedSources(ValueError):
    """``tool.uv.index`` or ``tool.uv.sources`` is not a table uv can edit."""


@attrs.frozen
class GivenIndex:
    """One index given to ``add``: its name (``--index name=URL``), the URL as written to the
    file, its location (to compare with the tables already there) and whether it is the
    default one."""

    name: str | None
    url: str
    location: str
    default: bool = False


def _is_url(text: str) -> bool:
    scheme = urlsplit(text).scheme
    return len(scheme) > 1 and "://" in text


def index_location(text: str, root: str) -> str:
    """Where an index URL or path points, compared as uv compares them (credentials, case of
    the host and a trailing slash ignored; a relative path taken from ``root``)."""
    if _is_url(text) and not text.startswith("file:"):
        parts = urlsplit(text)
        host = (parts.hostname or "").lower()
        port = f":{parts.port}" if parts.port else ""
        return f"{parts.scheme.lower()}://{host}{port}{parts.path.removesuffix('/')}?{parts.query}"
    path = unquote(urlsplit(text).path) if text.startswith("file:") else text
    return "path:" + posixpath.normpath(posixpath.join(root, path))


def written_url(text: str, *, cwd: str, root: str) -> str:
    """The URL uv writes for an index given as ``text``: without credentials, the scheme and
    host in lower case; a path given relative, relative to the project's ``root``."""
    if _is_url(text) and not text.startswith("file:"):
        parts = urlsplit(text)
        host = (parts.hostname or "").lower()
        if ":" in host:
            host = f"[{host}]"
        port = f":{parts.port}" if parts.port else ""
        return urlunsplit(
            (parts.scheme.lower(), host + port, parts.path or "/", parts.query, parts.fragment)
        )
    if text.startswith("file:"):
        return posixpath.normpath(unquote(urlsplit(text).path))
    if posixpath.isabs(text):
        return posixpath.normpath(text)
    absolute = posixpath.normpath(posixpath.join(cwd, text))
    return posixpath.relpath(absolute, root)


def _values(node: TableNode) -> dict[str, Any]:
    assert node.chunk is not None
    data: Any = toml_loads(node.chunk)
    while isinstance(data, dict) and "tool" in data:
        data = data["tool"]["uv"]["index"][0]
    return data if isinstance(data, dict) else {}


def _value_span(chunk: str, start: int, end: int, key: str) -> tuple[int, int]:
    """Where the value of ``key`` is in its key/value (``start``..``end`` of the chunk)."""
    line_start = chunk.rfind("\n", start, end - 1) + 1 if "\n" in chunk[start : end - 1] else start
    line = chunk[line_start:end]
    equals = line.index("=")
    begin = equals + 1
    while line[begin] in " \t":
        begin += 1
    finish = begin
    if line[begin] in "\"'":
        quote = line[begin]
        finish = begin + 1
        while finish < len(line) and line[finish] != quote:
            finish += 2 if line[finish] == "\\" and quote == '"' else 1
        finish += 1
    else:
        while finish < len(line) and line[finish] not in " \t#\r\n":
            finish += 1
    return line_start + begin, line_start + finish


def _set(node: TableNode, key: str, value: str) -> None:
    """``key = value`` in the table: the value replaced where the key is (what surrounds it
    kept), or a new line at the end."""
    assert node.chunk is not None
    chunk = node.chunk
    for found, start, end in key_values(chunk):
        if found == key:
            begin, finish = _value_span(chunk, start, end, key)
            node.chunk = chunk[:begin] + value + chunk[finish:]
            return
    if chunk and not chunk.endswith("\n"):
        chunk += "\n"
    node.chunk = f"{chunk}{key} = {value}\n"


def _remove(node: TableNode, key: str) -> None:
    assert node.chunk is not None
    for found, start, end in reversed(key_values(node.chunk)):
        if found == key:
            node.chunk = node.chunk[:start] + node.chunk[end:]


def _uv(tree: TableTree, data: dict[str, Any]) -> TableNode:
    tool = data.get("tool")
    uv = tool.get("uv") if isinstance(tool, dict) else None
    node = tree.root.children.get("tool")
    uv_node = node.children.get("uv") if isinstance(node, TableNode) else None
    if tool is not None and not isinstance(node, TableNode):
        raise MalformedSources("`tool` is not written as a table")
    if uv is not None and not isinstance(uv_node, TableNode):
        raise MalformedSources("`tool.uv` is not written as a table")
    return tree.root.table("tool").table("uv")


def _matches(values: dict[str, Any], index: GivenIndex, root: str) -> bool:
    if index.name is not None and values.get("name") == index.name:
        return True
    if index.default and values.get("default") is True:
        return True
    url = values.get("url")
    return isinstance(url, str) and index_location(url, root) == index.location


def _add_index(uv: TableNode, index: GivenIndex, root: str, size: int) -> None:
    existing = uv.children.setdefault("index", [])
    if not isinstance(existing, list):
        raise MalformedSources("`tool.uv.index` is not an array of tables")
    found = next((node for node in existing if _matches(_values(node), index, root)), None)
    table = (
        attrs.evolve(found)
        if found is not None
        else TableNode(chunk="[[tool.uv.index]]\n", default_decor=True)
    )
    values = _values(table) if found is not None else {}
    if index.name is not None and values.get("name") != index.name:
        _set(table, "name", string_repr(index.name))
    old_url = values.get("url")
    if old_url != index.url:
        _set(table, "url", string_repr(index.url))
    if index.default and values.get("default") is not True:
        _set(table, "default", "true")
    if not isinstance(old_url, str) or index_location(old_url, root) != index.location:
        _remove(table, "format")
    existing[:] = [node for node in existing if not _matches(_values(node), index, root)]
    positions = [node.position for node in existing if node.position is not None]
    if positions:
        table.position = min(positions)
        for node in existing:
            if node.position is not None:
                node.position += 1
    else:
        table.position = size
    existing.append(table)


def _pin(uv: TableNode, names: list[NormalizedName], index_name: str) -> None:
    sources = uv.table("sources")
    if sources.chunk is None:
        sources.chunk, sources.default_decor = "[tool.uv.sources]\n", True
    for name in names:
        for key, start, end in reversed(key_values(sources.chunk)):
            if canonicalize_name(key) == name:
                sources.chunk = sources.chunk[:start] + sources.chunk[end:]
        _set(sources, name, f"{{ index = {string_repr(index_name)} }}")


def add_indexes(
    before: str,
    after: str,
    indexes: list[GivenIndex],
    pinned: list[NormalizedName],
    *,
    root: str,
) -> str:
    """The document ``after`` (``before`` with the dependencies added) with each index
    written, and, when a single named index was given, the ``pinned`` packages' sources.

    Raises ``MalformedSources`` for a document uv would refuse to edit."""
    if not indexes:
        return after
    tree = TableTree.parse(after, unchanged=before)
    data = toml_loads(after)
    root_keys = set(data)
    uv = _uv(tree, data)
    uv_data = data.get("tool", {}).get("uv", {})
    if "sources" in uv_data and not isinstance(uv.children.get("sources"), TableNode):
        raise MalformedSources("`tool.uv.sources` is not written as a table")
    if "index" in uv_data and not isinstance(uv.children.get("index"), list):
        raise MalformedSources("`tool.uv.index` is not an array of tables")
    if len(indexes) == 1 and indexes[0].name is not None and pinned:
        _pin(uv, pinned, indexes[0].name)
        root_keys.add("tool")  # uv counts the top-level keys after the sources are written
    ordered = [i for i in indexes if not i.default] + [i for i in indexes if i.default]
    for index in reversed(ordered):
        _add_index(uv, index, root, len(root_keys))
        root_keys.add("tool")
    return tree.render()
