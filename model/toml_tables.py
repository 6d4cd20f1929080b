"""A TOML document's tables in the order ``toml_edit`` writes them (pure).

uv edits pyproject.toml with ``toml_edit``, which does not write a document in the order of
its text: every table carries a position (the parser numbers the headers 1, 2, ... in the
order they appear; the root is 0; a table made by an edit has none), and the document is
written table by table, walking the tables as they nest (each table, then its sub-tables in
key order, an array of tables element by element), a table without a position taking the
last one seen, the whole sorted by position (ties kept in walking order). ``uv add`` moves
and adds ``[[tool.uv.index]]`` tables by setting positions, so where they land depends on
that order: this module keeps it.

A document is split into chunks: the root's key/values, then one chunk per header, from the
blank lines and comments above it (toml_edit keeps them with the header) to its last
key/value, and the document's trailing blank lines and comments. ``TableTree`` nests the
chunks as toml_edit nests the tables and writes them back in its order.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import attrs

from accord.model.toml import loads as toml_loads

__all__ = ["Chunk", "TableNode", "TableTree", "key_values", "scan_chunks"]

_LINES = re.compile(r"[^\r\n]*(?:\r\n|\n|\r)|[^\r\n]+$")


@attrs.frozen
class Chunk:
    """One header and its body: ``text`` from the blank lines and comments above the header
    to the end of its last key/value line."""

    path: tuple[str, ...]
    array: bool
    text: str


def _skip_string(line: str, start: int, quote: str) -> int:
    """The index after the single-line string starting at ``start`` (its opening quote)."""
    index = start + 1
    while index < len(line):
        char = line[index]
        if char == "\\" and quote == '"':
            index += 2
            continue
        if char == quote:
            return index + 1
        index += 1
    return index


def _scan_line(line: str, start: int, state: tuple[str | None, int]) -> tuple[str | None, int]:
    """The state after ``line`` from ``start``: (the open multi-line string, bracket depth)."""
    open_string, depth = state
    index = start
    while index < len(line):
        if open_string is not None:
            end = line.find(open_string, index)
            if open_string == '"""':
                # an escaped quote does not close the string
                while end > 0 and _escaped(line, end):
                    end = line.find(open_string, end + 1)
            if end < 0:
                return open_string, depth
            index = end + 3
            while index < len(line) and line[index] == open_string[0]:
                index += 1
            open_string = None
            continue
        char = line[index]
        if char == "#":
            break
        if char in "\"'":
            if line.startswith(char * 3, index):
                open_string = char * 3
                index += 3
                continue
            index = _skip_string(line, index, char)
            continue
        if char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
        index += 1
    return open_string, depth


def _escaped(line: str, index: int) -> bool:
    backslashes = 0
    while index - backslashes - 1 >= 0 and line[index - backslashes - 1] == "\\":
        backslashes += 1
    return backslashes % 2 == 1


def _header(stripped: str) -> tuple[tuple[str, ...], bool]:
    """The path of a header line, and whether it is an array of tables."""
    array = stripped.startswith("[[")
    body = stripped[2:] if array else stripped[1:]
    close = "]]" if array else "]"
    # the key is everything up to the closing bracket outside quotes
    index = 0
    while index < len(body) and not body.startswith(close, index):
        if body[index] in "\"'":
            index = _skip_string(body, index, body[index])
        else:
            index += 1
    data: Any = toml_loads(f"{body[:index]} = 0\n")
    path: list[str] = []
    while isinstance(data, dict):
        (key, data), *_ = data.items()
        path.append(key)
    return tuple(path), array


def scan_chunks(text: str) -> tuple[str, list[Chunk], str]:
    """The document as (root, chunks, trailing): see the module docstring."""
    lines = _LINES.findall(text)
    kinds: list[str] = []  # "trivia", "header", "content"
    headers: dict[int, tuple[tuple[str, ...], bool]] = {}
    state: tuple[str | None, int] = (None, 0)
    for number, line in enumerate(lines):
        if state == (None, 0):
            stripped = line.lstrip(" \t")
            if not stripped.strip() or stripped.startswith("#"):
                kinds.append("trivia")
                continue
            if stripped.startswith("["):
                kinds.append("header")
                headers[number] = _header(stripped.rstrip("\r\n"))
                continue
        kinds.append("content")
        state = _scan_line(line, 0, state)
    content = [n for n, kind in enumerate(kinds) if kind != "trivia"]
    last = content[-1] + 1 if content else 0
    trailing = "".join(lines[last:])
    starts: list[int] = []
    for number in sorted(headers):
        start = number
        while start > 0 and kinds[start - 1] == "trivia":
            start -= 1
        starts.append(start)
    root_end = starts[0] if starts else last
    root = "".join(lines[:root_end])
    chunks: list[Chunk] = []
    for index, (number, start) in enumerate(zip(sorted(headers), starts, strict=True)):
        end = starts[index + 1] if index + 1 < len(starts) else last
        path, array = headers[number]
        chunks.append(Chunk(path, array, "".join(lines[start:end])))
    return root, chunks, trailing


def key_values(chunk: str) -> list[tuple[str, int, int]]:
    """The key/values of a chunk's body: (the first key, start, end) in the chunk's text,
    each from the blank lines and comments above it (toml_edit keeps them with the key) to
    the end of its last line."""
    lines = _LINES.findall(chunk)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    found: list[tuple[str, int, int]] = []
    state: tuple[str | None, int] = (None, 0)
    pending: int | None = None
    seen_header = False
    for number, line in enumerate(lines):
        if state == (None, 0):
            stripped = line.lstrip(" \t")
            if not stripped.strip() or stripped.startswith("#"):
                if pending is None:
                    pending = offsets[number]
                continue
            if not seen_header and stripped.startswith("["):
                seen_header = True
                pending = None
                continue
            start = pending if pending is not None else offsets[number]
            pending = None
            key = _first_key(stripped)
            found.append((key, start, offsets[number + 1]))
        elif found:
            key, start, _ = found[-1]
            found[-1] = (key, start, offsets[number + 1])
        state = _scan_line(line, 0, state)
    return found


def _first_key(stripped: str) -> str:
    index = 0
    while index < len(stripped) and stripped[index] not in "=.":
        if stripped[index] in "\"'":
            index = _skip_string(stripped, index, stripped[index])
        else:
            index += 1
    key: Any = toml_loads(f"{stripped[:index].strip()} = 0\n")
    return str(next(iter(key)))


@attrs.define
class TableNode:
    """A table as toml_edit holds it: its chunk (None: an implicit table, never written),
    its position, and its sub-tables in key order (a list for an array of tables)."""

    chunk: str | None = None
    position: int | None = None
    children: dict[str, TableNode | list[TableNode]] = attrs.Factory(dict)
    default_decor: bool = False
    """A table made by the edit: toml_edit writes a blank line above it (none when it is
    the first thing in the document)."""

    def table(self, key: str) -> TableNode:
        """The sub-table ``key``, made (implicit, without position) when missing."""
        child = self.children.get(key)
        if child is None:
            child = self.children[key] = TableNode()
        if isinstance(child, list):
            raise ValueError(f"`{key}` is an array of tables")
        return child


@attrs.define
class TableTree:
    """A document's tables, nested, with the positions toml_edit gives them."""

    root: TableNode
    root_text: str
    trailing: str

    @classmethod
    def parse(cls, text: str, *, unchanged: str | None = None) -> TableTree:
        """The tree of ``text``. Given ``unchanged`` (the document before an edit that only
        added tables), a table ``unchanged`` did not have gets no position, as toml_edit
        gives none to the tables an edit makes."""
        root_text, chunks, trailing = scan_chunks(text)
        known: dict[tuple[tuple[str, ...], int], int] | None = None
        if unchanged is not None:
            known = _positions(scan_chunks(unchanged)[1])
        root = TableNode(chunk=root_text, position=0)
        seen: dict[tuple[str, ...], int] = {}
        for number, chunk in enumerate(chunks, start=1):
            occurrence = seen.get(chunk.path, 0)
            seen[chunk.path] = occurrence + 1
            position: int | None = number
            if known is not None:
                position = known.get((chunk.path, occurrence))
            parent = root
            for key in chunk.path[:-1]:
                child = parent.children.get(key)
                if child is None:
                    child = parent.children[key] = TableNode()
                parent = child[-1] if isinstance(child, list) else child
            key = chunk.path[-1]
            if chunk.array:
                elements = parent.children.setdefault(key, [])
                if not isinstance(elements, list):
                    raise ValueError(f"`{'.'.join(chunk.path)}` is a table and an array")
                elements.append(TableNode(chunk=chunk.text, position=position))
            else:
                node = parent.table(key)
                node.chunk, node.position = chunk.text, position
        return cls(root, root_text, trailing)

    def walk(self) -> Iterator[TableNode]:
        """Every table in toml_edit's walking order."""

        def visit(node: TableNode) -> Iterator[TableNode]:
            yield node
            for child in node.children.values():
                for element in child if isinstance(child, list) else [child]:
                    yield from visit(element)

        return visit(self.root)

    def render(self) -> str:
        """The document as toml_edit writes it: tables sorted by position (see the module
        docstring)."""
        last = 0
        ordered: list[tuple[int, TableNode]] = []
        for node in self.walk():
            if node.position is not None:
                last = node.position
            ordered.append((last, node))
        ordered.sort(key=lambda pair: pair[0])
        first = not any(kind for kind in _content_lines(self.root_text))
        parts: list[str] = []
        for _, node in ordered:
            if node.chunk is None:
                continue
            text = node.chunk
            if node.default_decor:
                text = ("" if first else "\n") + text
            if node is not self.root:
                first = False
            if parts and not parts[-1].endswith(("\n", "\r")) and parts[-1]:
                parts[-1] += "\n"
            parts.append(text)
        return "".join(parts) + self.trailing


def _content_lines(text: str) -> list[str]:
    return [
        line
        for line in _LINES.findall(text)
        if line.strip() and not line.lstrip(" \t").startswith("#")
    ]


def _positions(chunks: list[Chunk]) -> dict[tuple[tuple[str, ...], int], int]:
    positions: dict[tuple[tuple[str, ...], int], int] = {}
    seen: dict[tuple[str, ...], int] = {}
    for number, chunk in enumerate(chunks, start=1):
        occurrence = seen.get(chunk.path, 0)
        seen[chunk.path] = occurrence + 1
        positions[(chunk.path, occurrence)] = number
    return positions
