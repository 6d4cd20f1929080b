"""Where a key or value sits in TOML text, for errors about what a document *means* (pure).

``tomllib`` gives a dict without positions. When a valid document breaks a schema (an integer
in ``dependencies``, an index without ``url``), the error should point at the spot as uv
does: ``spans(text)`` scans the text once more and maps every key path (``("project",
"dependencies", 0)``; an array-of-tables element is ``("tool", "uv", "index", 0)``) to the
offsets of its key and of its value (for a ``[table]`` or ``[[array]]`` element: its header).
``locate`` turns that into a line, a column and a width, ready for ``model.toml.excerpt``.

The scanner assumes text that ``tomllib`` already accepted; on anything else it stops and
returns what it found so far (the caller then names the file without a position).
"""

from __future__ import annotations

import contextlib
import re
import sys

import attrs

__all__ = ["Position", "Spans", "locate", "spans"]

Path = tuple[str | int, ...]

_BARE = re.compile(r"[A-Za-z0-9_-]+")
_SCALAR_END = re.compile(r"[,\]}\n#]")


@attrs.frozen
class Position:
    """A 1-based line and column (in characters), the width to underline, and the line."""

    line: int
    column: int
    width: int
    source_line: str


@attrs.define
class Spans:
    """Offsets into the text: ``keys[path]`` is where the key is written (its last part for a
    dotted key), ``values[path]`` where the value (or the table's header) is."""

    keys: dict[Path, tuple[int, int]] = attrs.field(factory=dict)
    values: dict[Path, tuple[int, int]] = attrs.field(factory=dict)


class _Stop(Exception):
    """The text is not what the scanner expects: keep what was found."""


def spans(text: str) -> Spans:
    """Every key and value position in ``text`` (a document tomllib accepts)."""
    found = Spans()
    with contextlib.suppress(_Stop, IndexError):
        _Scanner(text, found).document()
    return found


def locate(text: str, path: Path, *, key: bool = False) -> Position | None:
    """The position of the value at ``path`` (``key=True``: of its key), else of the nearest
    enclosing entry that has one; None when nothing on the way is written in ``text``."""
    found = spans(text)
    for length in range(len(path), 0, -1):
        prefix = path[:length]
        table = found.keys if key and length == len(path) else found.values
        span = table.get(prefix) or found.values.get(prefix) or found.keys.get(prefix)
        if span is not None:
            return _position(text, *span)
    return None


def _position(text: str, start: int, end: int) -> Position:
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", start)
    line_end = len(text) if line_end < 0 else line_end
    return Position(
        line=text.count("\n", 0, start) + 1,
        column=start - line_start + 1,
        width=max(1, min(end, line_end) - start),
        source_line=text[line_start:line_end].rstrip("\r"),
    )


class _Scanner:
    def __init__(self, text: str, found: Spans) -> None:
        self.text = text
        self.at = 0
        self.found = found
        self.counts: dict[Path, int] = {}

    # Lexical helpers -----------------------------------------------------------------------

    def skip(self, *, newlines: bool) -> None:
        text = self.text
        while self.at < len(text):
            char = text[self.at]
            if char in " \t" or (newlines and char in "\r\n"):
                self.at += 1
            elif char == "#":
                end = text.find("\n", self.at)
                self.at = len(text) if end < 0 else end
            else:
                return

    def key(self) -> tuple[list[str], int, int]:
        """A dotted key: its parts, and the span of its last part (``self.part_spans``: the
        span of each part)."""
        parts: list[str] = []
        self.part_spans: list[tuple[int, int]] = []
        while True:
            self.skip(newlines=False)
            start = self.at
            char = self.text[self.at]
            if char in "\"'":
                end = self._string_end(self.at)
                parts.append(_decode(self.text[start:end]))
                self.part_spans.append((start, end))
            else:
                bare = _BARE.match(self.text, self.at)
                if bare is None:
                    raise _Stop
                end = bare.end()
                parts.append(bare.group())
            self.part_spans.append((start, end))
            self.at = end
            self.skip(newlines=False)
            if self.at < len(self.text) and self.text[self.at] == ".":
                self.at += 1
                continue
            return parts, start, end

    def _string_end(self, start: int) -> int:
        text = self.text
        for quote in ('"""', "'''"):
            if text.startswith(quote, start):
                end = text.find(quote, start + 3)
                if end < 0:
                    raise _Stop
                while text.startswith(quote[0], end + 3):  # up to two quotes end the content
                    end += 1
                return end + 3
        quote = text[start]
        index = start + 1
        while index < len(text):
            char = text[index]
            if char == "\\" and quote == '"':
                index += 2
                continue
            if char == quote:
                return index + 1
            if char == "\n":
                raise _Stop
            index += 1
        raise _Stop

    # Grammar -------------------------------------------------------------------------------

    def document(self) -> None:
        table: Path = ()
        while True:
            self.skip(newlines=True)
            if self.at >= len(self.text):
                return
            start = self.at
            if self.text.startswith("[[", self.at):
                self.at += 2
                parts, _, _ = self.key()
                if not self.text.startswith("]]", self.at):
                    raise _Stop
                self.at += 2
                array = (*self.resolve(parts[:-1]), parts[-1])
                index = self.counts[array] = self.counts.get(array, -1) + 1
                table = (*array, index)
                self.found.values.setdefault(array, (start, self.at))
                self.found.values[table] = (start, self.at)
                self.header_keys(array)
            elif self.text[self.at] == "[":
                self.at += 1
                parts, _, _ = self.key()
                if self.text[self.at] != "]":
                    raise _Stop
                self.at += 1
                table = self.resolve(parts)
                self.found.values[table] = (start, self.at)
                self.header_keys(table)
            else:
                self.pair(table)

    def header_keys(self, path: Path) -> None:
        """Where each part of a header's key is first written (``tool`` in ``[tool.uv]``)."""
        names = [part for part in path if isinstance(part, str)]
        prefixes = [path[: index + 1] for index, part in enumerate(path) if isinstance(part, str)]
        for prefix, span in zip(prefixes, self.part_spans[: len(names)], strict=False):
            self.found.keys.setdefault(prefix, span)

    def resolve(self, parts: list[str]) -> Path:
        """A header's key path, with the current element of each array of tables on the way
        (``[a.b]`` after ``[[a]]`` is ``("a", <last index>, "b")``)."""
        path: Path = ()
        for part in parts:
            path = (*path, part)
            if path in self.counts:
                path = (*path, self.counts[path])
        return path

    def pair(self, table: Path) -> None:
        parts, start, end = self.key()
        path = (*table, *parts)
        for length, span in zip(  # a dotted key's implicit tables: where each is named
            range(len(table) + 1, len(path)), self.part_spans, strict=False
        ):
            self.found.keys.setdefault(path[:length], span)
        self.found.keys[path] = (start, end)
        if self.text[self.at] != "=":
            raise _Stop
        self.at += 1
        self.skip(newlines=False)
        self.value(path)

    def value(self, path: Path) -> None:
        start = self.at
        char = self.text[self.at]
        if char in "\"'":
            self.at = self._string_end(self.at)
        elif char == "[":
            self.at += 1
            index = 0
            while True:
                self.skip(newlines=True)
                if self.text[self.at] == "]":
                    self.at += 1
                    break
                self.value((*path, index))
                index += 1
                self.skip(newlines=True)
                if self.text[self.at] == ",":
                    self.at += 1
        elif char == "{":
            self.at += 1
            while True:
                self.skip(newlines=True)
                if self.text[self.at] == "}":
                    self.at += 1
                    break
                self.pair(path)
                self.skip(newlines=True)
                if self.text[self.at] == ",":
                    self.at += 1
        else:
            end = _SCALAR_END.search(self.text, self.at)
            stop = len(self.text) if end is None else end.start()
            self.at = start + len(self.text[start:stop].rstrip())
            if self.at == start:
                raise _Stop
        self.found.values[path] = (start, self.at)


def _decode(quoted: str) -> str:
    """A quoted key's name (escapes and all), read by the TOML parser itself."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on 3.10 only
        import tomli as tomllib
    try:
        return str(tomllib.loads(f"k = {quoted}")["k"])
    except (tomllib.TOMLDecodeError, KeyError) as exc:
        raise _Stop from exc
