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
_DATE = re.compile(r"\d{4}-[0-9T:.+Z-]*")
_TOKEN = re.compile(r"[^\s,\]}#]+")
_KEY_PART = r"""(?:[A-Za-z0-9_-]+|"[^"\n]*"|'[^'\n]*')"""
_KEY = re.compile(rf"\s*({_KEY_PART}(?:\s*\.\s*{_KEY_PART})*)")


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
    detail, offset, width = _describe(text, raw, offset)
    if offset >= len(text.rstrip()):
        # At the end of the document: point just after the last thing written, as uv does.
        offset = len(text.rstrip())
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


def _describe(text: str, raw: str, offset: int) -> tuple[str, int, int]:
    """uv's words for tomllib's message ``raw`` raised at ``offset``; the offset and width of
    the mistake. Messages this does not know keep tomllib's words."""
    at_end = offset >= len(text)
    char = text[offset] if not at_end else ""
    line_start = text.rfind("\n", 0, offset) + 1
    if raw == "Unclosed array":
        if at_end:
            return "unclosed array, expected `]`", offset, 1
        return "missing comma between array elements, expected `,`", offset, 1
    if raw == "Unclosed inline table":
        if at_end or char in "\r\n#":
            return "unclosed inline table, expected `}`", offset, 1
        return "missing comma between key-value pairs, expected `,`", offset, 1
    if raw == "Invalid value":
        if at_end:
            return _unclosed_at_end(text, "unexpected end of file, expected a value"), offset, 1
        if char in "\r\n#":
            return "missing value, expected a value after `=`", offset, 1
        token = _TOKEN.match(text, offset)
        width = len(token.group()) if token else 1
        if char not in "\"'[{+-0123456789":
            return "string values must be quoted", offset, width
        return "invalid value", offset, width
    if raw == "Expected '=' after a key in a key/value pair":
        return "key with no value, expected `=`", offset, 1
    if raw == "Invalid statement":
        return "expected a key, a `[table]` header or a comment", offset, 1
    if raw == "Invalid initial character for a key part":
        if at_end:
            return _unclosed_at_end(text, "unexpected end of file, expected a key"), offset, 1
        if char == "}":
            return (
                "trailing comma before `}` "
                "(accord reads TOML 1.0, which allows none in an inline table)",
                offset,
                1,
            )
        if char in "\r\n#":
            return (
                "unclosed inline table, expected `}` on the same line "
                "(accord reads TOML 1.0, where an inline table cannot span lines)",
                offset,
                1,
            )
        return "invalid key: unquoted keys use letters, digits, `-` and `_` only", offset, 1
    if raw == "Expected newline or end of document after a statement":
        date = _DATE.match(text, text.rfind(" ", line_start, offset) + 1)
        if date and date.end() >= offset:
            return "invalid date or time", date.start(), len(date.group())
        return "unexpected key or value, expected a newline or `#`", offset, 1
    if raw in ("Cannot overwrite a value", "Cannot redefine namespace") or raw.startswith(
        ("Cannot declare ", "Cannot mutate immutable namespace", "Cannot redefine namespace")
    ):
        return _conflict(text, raw, line_start)
    if raw.startswith("Duplicate inline table key "):
        key = raw[len("Duplicate inline table key ") :].strip("'\"")
        before = text[line_start:offset]
        found = before.rfind(key)
        start = line_start + found if found >= 0 else offset
        return f"duplicate key `{key}`", start, len(key) if found >= 0 else 1
    if raw == "Illegal character '\\n'" or raw == "Found invalid character '\\n'":
        return "unterminated string, expected its closing quote on the same line", offset, 1
    if raw.startswith(("Illegal character ", "Found invalid character ")):
        return f"control character U+{ord(char or ' '):04X} is not allowed here", offset, 1
    if raw == "Unterminated string":
        return "unterminated multi-line string at the end of the file", offset, 1
    if raw in ('Expected "\'"', "Expected '\"'"):
        # Raised at the end of the file when no closing quote follows anywhere: the last quote
        # of the file opened the string, so its line is the one to show.
        quote = raw[-2]
        opened = text.rfind(quote)
        if at_end and opened >= 0:
            line_end = text.find("\n", opened)
            offset = len(text) if line_end < 0 else line_end
        return f"unterminated string, expected `{quote}`", offset, 1
    if raw == "Expected ']' at the end of a table declaration":
        return "unclosed table header, expected `]`", offset, 1
    if raw == "Expected ']]' at the end of an array declaration":
        return "unclosed array-of-tables header, expected `]]`", offset, 1
    if raw == "Unescaped '\\' in a string":
        return "invalid escape sequence in a string", offset, 1
    if raw in ("Invalid hex value", "Escaped character is not a Unicode scalar value"):
        return "invalid unicode escape in a string", offset, 1
    if raw == "Invalid date or datetime":
        return "invalid date or time", offset, 1
    return raw, offset, 1


def _unclosed_at_end(text: str, otherwise: str) -> str:
    """What is left open when the document ends where a value was expected."""
    for closer, words in (
        ("]", "unclosed array, expected `]`"),
        ("}", "unclosed inline table, expected `}`"),
    ):
        try:
            _plain_loads(text.rstrip().rstrip(",") + closer)
        except ValueError:
            continue
        return words
    return otherwise


def _plain_loads(text: str) -> object:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on 3.10 only
        import tomli as tomllib
    return tomllib.loads(text)


def _conflict(text: str, raw: str, line_start: int) -> tuple[str, int, int]:
    """A key or table defined twice: point at its name on the statement's line."""
    line_end = text.find("\n", line_start)
    line = text[line_start : len(text) if line_end < 0 else line_end]
    header = re.match(r"(\s*)(\[\[?)\s*", line)
    body_start = header.end() if header else 0
    key = _KEY.match(line, body_start)
    if key is None:
        return raw, line_start, 1
    name = key.group(1)
    start = line_start + key.start(1)
    if header:
        brackets = header.group(2)
        shown = f"{brackets}{name}{']' * len(brackets)}"
        if raw.startswith("Cannot declare "):
            return f"duplicate table `{shown}`", start, len(name)
        return f"`{shown}` conflicts with a value defined earlier", start, len(name)
    if "." in name:
        return f"`{name}` conflicts with a value defined earlier", start, len(name)
    return f"duplicate key `{name}`", start, len(name)
