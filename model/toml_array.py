"""One TOML array's text, split and rewritten as ``toml_edit`` and uv do (pure: text in, text out).

An array's text, from ``[`` to ``]``, is split the way ``toml_edit`` (uv's TOML library) splits
it: into values, each with the whitespace and comments before (``prefix``) and after
(``suffix``) it, plus what follows the last comma (``trailing``). ``render_array`` writes it
back byte for byte, and ``reformat_multiline`` is uv's ``reformat_array_multiline``: one value
a line, the first value's indentation, a trailing comma, every comment kept on its line. What
goes in the array is ``model.edit``'s business.
"""

from __future__ import annotations

import attrs

from accord.model.toml import loads as toml_loads

__all__ = [
    "ArrayItem",
    "ArrayLayout",
    "parse_array",
    "reformat_multiline",
    "render_array",
    "split_lines",
    "string_repr",
    "string_values",
]


@attrs.frozen
class ArrayItem:
    """One value of an array, with its decoration as ``toml_edit`` splits it."""

    prefix: str
    """Whitespace, newlines and comments between the previous comma (or ``[``) and the value."""
    value: str
    """The value's own text, as written (a quoted string, an inline table, ...)."""
    suffix: str
    """Whitespace and comments between the value and its comma (or ``]``)."""


@attrs.frozen
class ArrayLayout:
    items: tuple[ArrayItem, ...]
    trailing: str
    """What follows the last comma (empty when the last value has no comma after it)."""
    trailing_comma: bool


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def expect(self, char: str) -> None:
        if self.peek() != char:
            raise ValueError(f"expected {char!r} at offset {self.pos} of {self.text!r}")
        self.pos += 1

    def blank(self) -> str:
        """toml_edit's ``ws_comment_newline``: spaces, tabs, newlines and comments."""
        start = self.pos
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if char in " \t\r\n":
                self.pos += 1
            elif char == "#":
                end = self.text.find("\n", self.pos)
                self.pos = len(self.text) if end < 0 else end
            else:
                break
        return self.text[start : self.pos]

    def value(self) -> str:
        start = self.pos
        self._skip_value()
        return self.text[start : self.pos]

    def _skip_value(self) -> None:
        text = self.text
        for quote in ('"""', "'''"):
            if text.startswith(quote, self.pos):
                end = self.pos + 3
                while True:
                    found = text.find(quote, end)
                    if found < 0:
                        raise ValueError("unterminated string")
                    if quote == '"""' and _escaped(text, found):
                        end = found + 1
                        continue
                    self.pos = found + 3
                    while text.startswith(quote[0], self.pos):  # up to two quotes in content
                        self.pos += 1
                    return
        char = self.peek()
        if char == '"':
            end = self.pos + 1
            while True:
                found = text.find('"', end)
                if found < 0:
                    raise ValueError("unterminated string")
                if _escaped(text, found):
                    end = found + 1
                    continue
                self.pos = found + 1
                return
        if char == "'":
            found = text.find("'", self.pos + 1)
            if found < 0:
                raise ValueError("unterminated string")
            self.pos = found + 1
            return
        if char in "[{":
            closing = "]" if char == "[" else "}"
            self.pos += 1
            while True:
                self.blank()
                if self.peek() == closing:
                    self.pos += 1
                    return
                if self.peek() == ",":
                    self.pos += 1
                    continue
                if self.peek() == "":
                    raise ValueError("unterminated array or table")
                if char == "{":
                    # key = value: a key is a bare or quoted word, possibly dotted
                    while self.peek() not in ("=", ""):
                        if self.peek() in "\"'":
                            self._skip_value()
                        else:
                            self.pos += 1
                    self.expect("=")
                    self.blank()
                self._skip_value()
        # a scalar: up to the next delimiter
        while self.pos < len(text) and text[self.pos] not in ",]}# \t\r\n":
            self.pos += 1


def _escaped(text: str, index: int) -> bool:
    backslashes = 0
    while index - 1 - backslashes >= 0 and text[index - 1 - backslashes] == "\\":
        backslashes += 1
    return backslashes % 2 == 1


def parse_array(text: str) -> ArrayLayout:
    """Split an array's text (``[`` to ``]``, as a valid TOML document holds it) as
    ``toml_edit`` does. Raises ``ValueError`` on text that is not one array."""
    scanner = _Scanner(text)
    scanner.expect("[")
    items: list[ArrayItem] = []
    trailing = ""
    trailing_comma = False
    while True:
        prefix = scanner.blank()
        if scanner.peek() == "]":
            trailing = prefix
            break
        value = scanner.value()
        suffix = scanner.blank()
        items.append(ArrayItem(prefix, value, suffix))
        if scanner.peek() == ",":
            scanner.pos += 1
            trailing_comma = True
            continue
        trailing_comma = False
        break
    scanner.expect("]")
    if scanner.pos != len(text):
        raise ValueError(f"text after the array: {text[scanner.pos :]!r}")
    return ArrayLayout(tuple(items), trailing, trailing_comma)


def render_array(layout: ArrayLayout) -> str:
    """The array's text again: ``parse_array`` and ``render_array`` round-trip exactly."""
    parts = ["["]
    for position, item in enumerate(layout.items):
        if position:
            parts.append(",")
        parts.append(item.prefix + item.value + item.suffix)
    if layout.trailing_comma and layout.items:
        parts.append(",")
    parts.append(layout.trailing + "]")
    return "".join(parts)


def string_values(layout: ArrayLayout) -> list[str | None]:
    """Each value decoded when it is a string (a requirement), else None (an include-group)."""
    values: list[str | None] = []
    for item in layout.items:
        if item.value[:1] in ('"', "'"):
            decoded = toml_loads("v = " + item.value)["v"]
            values.append(decoded if isinstance(decoded, str) else None)
        else:
            values.append(None)
    return values


def string_repr(value: str) -> str:
    """A new string value as toml_edit writes it: basic, or literal when that needs no escape."""
    if ('"' in value or "\\" in value) and "'" not in value and "\n" not in value:
        return f"'{value}'"
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


# --- uv's reformat_array_multiline ------------------------------------------------------------


def split_lines(text: str) -> list[str]:
    """Rust's ``str::lines``: split on ``\\n`` (dropping a ``\\r`` before it), no final empty."""
    if not text:
        return []
    parts = text.split("\n")
    if parts[-1] == "":
        parts.pop()
    return [part.removesuffix("\r") for part in parts]


@attrs.frozen
class _Comment:
    text: str
    own_line: bool
    leading_whitespace: str


def _comments(decor: str) -> list[_Comment]:
    found: list[_Comment] = []
    previous_empty = previous_comment = False
    for line in split_lines(decor):
        if "#" in line:
            before, comment = line.split("#", 1)
            own_line = previous_empty or previous_comment
            leading = before[len(before.rstrip()) :]
            found.append(_Comment("#" + comment.rstrip(), own_line, "" if own_line else leading))
            previous_empty = not line.strip()
            previous_comment = True
        else:
            previous_empty = not line.strip()
            previous_comment = False
    return found


def reformat_multiline(layout: ArrayLayout) -> ArrayLayout:
    """One value a line, indented as the first one is (4 spaces by default), comments kept,
    and a trailing comma."""
    items = list(layout.items)
    trailing = layout.trailing
    # Without a trailing comma, the comments after the last value are in its suffix; once a
    # comma follows the value they belong after it.
    if not layout.trailing_comma and items and "#" in items[-1].suffix:
        last = items[-1]
        trailing = last.suffix + trailing
        items[-1] = attrs.evolve(last, suffix="")
    indentation: str | None = None
    if items:
        lines = split_lines(items[0].prefix)
        last_line = lines[-1] if lines else ""
        last_line = last_line.split("#", 1)[0]
        indentation = last_line or None
    newline_indent = "\n" + (indentation if indentation is not None else "    ")
    formatted: list[ArrayItem] = []
    for item in items:
        prefix = ""
        for comment in _comments(item.prefix) + _comments(item.suffix):
            prefix += newline_indent if comment.own_line else comment.leading_whitespace
            prefix += comment.text
        formatted.append(ArrayItem(prefix + newline_indent, item.value, ""))
    rendered_trailing = ""
    for comment in _comments(trailing):
        rendered_trailing += newline_indent if comment.own_line else comment.leading_whitespace
        rendered_trailing += comment.text
    if rendered_trailing or formatted:
        rendered_trailing += "\n"
    return ArrayLayout(tuple(formatted), rendered_trailing, True)
