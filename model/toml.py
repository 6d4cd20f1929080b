"""TOML text to a dict, with a syntax error's position and words as data (pure: text in, dict out).

The standard library's ``tomllib`` (``tomli`` before Python 3.11) puts the position at the
end of its message, ``(at line 3, column 5)``, and words some errors by the parser state rather
than by the mistake: a missing comma in an array is "Unclosed array", a bare word where a value
belongs is "Invalid value". ``loads`` turns that into what uv 0.13 (toml_edit) says for the same
text, a position that points at the mistake (the key of a duplicate, not the end of its line),
and the line itself, so callers can show it with a caret under the spot (``excerpt``).
"""

from __future__ import annotations

import re
import sys
from typing import Any

__all__ = ["CAUSE", "TomlSyntaxError", "block", "caused", "excerpt", "loads"]

_POSITION = re.compile(r"\s*\((?:at line (\d+), column (\d+)|at end of document)\)$")


class TomlSyntaxError(Exception):
    """Invalid TOML.

    ``detail`` says what is wrong in uv's words; ``line`` and ``column`` (1-based, in characters)
    point at the mistake and ``width`` says how many characters it spans; ``source_line`` is that
    line's text. Position fields are None only when the parser gave none.
    """

    def __init__(
        self,
        detail: str,
        *,
        line: int | None = None,
        column: int | None = None,
        width: int = 1,
        source_line: str | None = None,
        parser_message: str = "",
    ) -> None:
        where = f" (at line {line}, column {column})" if line is not None else ""
        super().__init__(detail + where)
        self.detail = detail
        self.line = line
        self.column = column
        self.width = width
        self.source_line = source_line
        self.parser_message = parser_message
        """What tomllib said, unchanged."""

    @property
    def message(self) -> str:
        """``detail`` with its position, ``… (at line 3, column 5)``."""
        return str(self)

    def block(self) -> str:
        """What uv prints for this error (toml's report): ``TOML parse error at line L, column
        C``, the line with a caret under the mistake, then ``detail``."""
        if self.line is None or self.column is None or self.source_line is None:
            return self.detail
        return block(self.line, self.column, self.source_line, self.detail, width=self.width)

    def report(self, subject: str) -> str:
        """uv's error for a file that does not parse: ``Failed to parse: {subject}`` with the
        block as its cause."""
        return caused(f"Failed to parse: {subject}", self.block())


def block(line: int, column: int, source_line: str, detail: str, *, width: int = 1) -> str:
    """toml's report of a mistake at ``line``/``column`` (1-based, in characters) spanning
    ``width`` characters, as uv shows it::

        TOML parse error at line 4, column 21
          |
        4 | dependencies = ["a" "b"]
          |                     ^
        missing comma between array elements, expected `,`
    """
    shown = excerpt(line, column, source_line, width=width)
    return f"TOML parse error at line {line}, column {column}\n{shown}\n{detail}"


def excerpt(line: int, column: int, source_line: str, *, width: int = 1) -> str:
    """``source_line`` (line ``line``) under a gutter, with ``^`` from ``column`` for ``width``.

    The caret is placed by counting characters, as toml does: a tab or a wide character counts
    one, so the caret stands where a terminal that shows each as one cell would put it."""
    gutter = " " * len(str(line))
    text = source_line.rstrip("\r\n")
    return f"{gutter} |\n{line} | {text}\n{gutter} | {' ' * (column - 1)}{'^' * max(1, width)}"


CAUSE = "  cause: "
"""How uv introduces each error an error was caused by, on a line of its own."""


def caused(head: str, *causes: str) -> str:
    """``head`` with each of ``causes`` under it, as uv chains errors: ``  cause: `` before a
    cause's first line, its further lines indented to line up with it (a blank line stays
    blank)."""
    lines = [head]
    indent = " " * len(CAUSE)
    for cause in causes:
        first, *rest = cause.rstrip("\n").split("\n")
        lines.append(CAUSE + first.strip())
        lines += [indent + line if line.strip() else "" for line in rest]
    return "\n".join(lines)


def loads(text: str) -> dict[str, Any]:
    """Parse ``text``; raises TomlSyntaxError."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on 3.10 only
        import tomli as tomllib
    try:
        document: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _syntax_error(text, str(exc)) from exc
    return document


def _syntax_error(text: str, parser_message: str) -> TomlSyntaxError:
    found = _POSITION.search(parser_message)
    if found is None:
        return TomlSyntaxError(parser_message, parser_message=parser_message)
    raw = parser_message[: found.start()]
    if found.group(1) is None:
        offset = len(text)
    else:
        line_start = _line_offsets(text)[int(found.group(1)) - 1]
        offset = min(line_start + int(found.group(2)) - 1, len(text))
    from accord.model.toml_words import describe

    detail, offset, width = describe(text, raw, offset)
    end = len(text.rstrip("\r\n"))
    if offset >= end:
        # At the end of the document: point just after its last line, as uv does.
        offset = end
    line_number = text.count("\n", 0, offset) + 1
    line_start = text.rfind("\n", 0, offset) + 1
    line_end = text.find("\n", offset)
    source_line = text[line_start : len(text) if line_end < 0 else line_end]
    return TomlSyntaxError(
        detail,
        line=line_number,
        column=offset - line_start + 1,
        width=width,
        source_line=source_line,
        parser_message=parser_message,
    )


def _line_offsets(text: str) -> list[int]:
    offsets = [0]
    offsets.extend(index + 1 for index, char in enumerate(text) if char == "\n")
    return offsets
