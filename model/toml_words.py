"""uv 0.13.8's words for a TOML syntax error that ``tomllib`` found (pure).

``tomllib`` words an error by its parser's state ("Unclosed array" for a missing comma) and puts
it where it stopped; uv's parser (toml 0.9, TOML 1.1) names the mistake and puts it where the
mistake starts: an unquoted value is one token up to the next delimiter, spaces included, so
``[1 2]`` is the value ``1 2`` that "must be quoted". ``describe`` gives uv's words, offset and
width for tomllib's message; the wording was observed side by side with uv on the toml-test
suite's invalid documents (a message it does not know keeps tomllib's words).
"""

from __future__ import annotations

import re
import sys

__all__ = ["describe"]

_ATOM_END = re.compile(r"[,\]}\[{=#\n\"']")
_DATE = re.compile(r"\d{4}-[0-9T:.+Z-]*")
_KEY_PART = r"""(?:[A-Za-z0-9_-]+|"[^"\n]*"|'[^'\n]*')"""
_KEY = re.compile(rf"\s*({_KEY_PART}(?:\s*\.\s*{_KEY_PART})*)")
_UNQUOTED = "string values must be quoted, expected literal string"
_ESCAPES = '`b`, `e`, `f`, `n`, `r`, `\\`, `"`, `x`, `u`, `U`'


def _atom(text: str, start: int) -> tuple[int, int]:
    """The unquoted value toml reads from ``start``: up to the next delimiter, without the
    white space before it."""
    end = _ATOM_END.search(text, start)
    stop = len(text) if end is None else end.start()
    return start, max(1, len(text[start:stop].rstrip()))


def _value_start(text: str, offset: int) -> int:
    """Where the unquoted value that holds ``offset`` starts (back over atom characters and the
    spaces inside it, to the delimiter before it)."""
    index = offset
    while index > 0 and text[index - 1] not in ",[{=\n\"'":
        index -= 1
    while index < offset and text[index] in " \t":
        index += 1
    return index


def describe(text: str, raw: str, offset: int) -> tuple[str, int, int]:
    """uv's words for tomllib's message ``raw`` raised at ``offset``; the offset and width of
    the mistake."""
    at_end = offset >= len(text)
    char = text[offset] if not at_end else ""
    line_start = text.rfind("\n", 0, offset) + 1
    before = text[line_start:offset].rstrip(" \t")
    if raw in ("Unclosed array", "Unclosed inline table") and not at_end and char not in "\r\n#":
        previous = before[-1:] if before else ""
        if previous and previous not in "\"']}":
            # An unquoted value with a space in it: toml reads the two as one value.
            found = _ATOM_END.search(text, offset)
            if raw == "Unclosed inline table" and found is not None and found.group() == "=":
                return "extra assignment between key-value pairs, expected `,`", found.start(), 1
            return (_UNQUOTED, *_atom(text, _value_start(text, offset)))
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
            return _unclosed_at_end(text, _UNQUOTED), offset, 1
        if char in "\r\n#":
            return _UNQUOTED, offset, 1
        if char == "=":
            return "extra `=`, expected nothing", offset, 1
        return (_UNQUOTED, *_atom(text, offset))
    if raw == "Expected '=' after a key in a key/value pair":
        if char not in " \t=\r\n" and not at_end and text[offset - 1 : offset].strip():
            return "invalid unquoted key, expected letters, numbers, `-`, `_`", offset, 1
        return "key with no value, expected `=`", offset, 1
    if raw == "Invalid statement" or raw == "Invalid initial character for a key part":
        if at_end:
            return _unclosed_at_end(text, "unquoted keys cannot be empty"), offset, 1
        if char == "}":
            return "extra comma in inline table, expected key", offset - 1, 1
        if char in "\r\n#" and raw != "Invalid statement":
            return (
                "unclosed inline table, expected `}` on the same line "
                "(accord reads TOML 1.0, where an inline table cannot span lines)",
                offset,
                1,
            )
        if raw == "Invalid statement" or char in "=.":
            return "unquoted keys cannot be empty, expected letters, numbers, `-`, `_`", offset, 1
        return "invalid unquoted key, expected letters, numbers, `-`, `_`", offset, 1
    if raw == "Expected newline or end of document after a statement":
        date = _DATE.match(text, text.rfind(" ", line_start, offset) + 1)
        if date and date.end() >= offset:
            return "invalid date or time", date.start(), len(date.group())
        if before and before[-1] not in "\"']}" and text[offset - 1 : offset] not in " \t":
            start = _value_start(text, offset)
            return (_UNQUOTED, *_atom(text, start))
        return "unexpected key or value, expected newline, `#`", offset, 1
    if raw in ("Cannot overwrite a value", "Cannot redefine namespace") or raw.startswith(
        ("Cannot declare ", "Cannot mutate immutable namespace", "Cannot redefine namespace")
    ):
        return _conflict(text, raw, line_start)
    if raw.startswith("Duplicate inline table key "):
        key = raw[len("Duplicate inline table key ") :].strip("'\"")
        at = text[line_start:offset].rfind(key)
        start = line_start + at if at >= 0 else offset
        return "duplicate key", start, len(key) if at >= 0 else 1
    if raw in ("Illegal character '\\n'", "Found invalid character '\\n'", "Unterminated string"):
        return _unterminated(text, offset)
    if raw.startswith(("Illegal character ", "Found invalid character ")):
        return _invalid_in_string(text, offset)
    if raw in ('Expected "\'"', "Expected '\"'"):
        quote = raw[-2]
        kind = "basic" if quote == '"' else "literal"
        return f"invalid {kind} string, expected `{quote}`", offset, 1
    if raw == "Expected ']' at the end of a table declaration":
        return "unclosed table, expected `]`", offset, 1
    if raw == "Expected ']]' at the end of an array declaration":
        if char == "]":
            return "unclosed array table, expected `]`", offset + 1, 1
        return "unclosed array table, expected `]]`", offset, 1
    if raw == "Unescaped '\\' in a string":
        return f"missing escaped value, expected {_ESCAPES}", offset - 1, 1
    if raw in ("Invalid hex value", "Escaped character is not a Unicode scalar value"):
        start = text.rfind("\\", line_start, offset) + 2
        return "too few unicode value digits, expected unicode hexadecimal value", start, 1
    if raw == "Invalid date or datetime":
        return "invalid date or time", offset, 1
    return raw, offset, 1


def _unterminated(text: str, offset: int) -> tuple[str, int, int]:
    """A string whose closing quote never comes: what kind, from its opening quote."""
    if text.count('"""', 0, offset) % 2:
        return 'invalid multi-line basic string, expected `"`', offset, 1
    if text.count("'''", 0, offset) % 2:
        return "invalid multi-line literal string, expected `'`", offset, 1
    line_start = text.rfind("\n", 0, max(offset - 1, 0)) + 1
    segment = text[line_start:offset]
    if segment.rfind("'") > segment.rfind('"'):
        return "invalid literal string, expected `'`", offset, 1
    return 'invalid basic string, expected `"`', offset, 1


def _invalid_in_string(text: str, offset: int) -> tuple[str, int, int]:
    """A control character inside a string."""
    line_start = text.rfind("\n", 0, offset) + 1
    segment = text[line_start:offset]
    if segment.rfind("'") > segment.rfind('"'):
        return "invalid literal string, expected non-single-quote visible characters", offset, 1
    return (
        "invalid basic string, expected non-double-quote visible characters, `\\`",
        offset,
        1,
    )


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
    """A key or table defined twice: uv says ``duplicate key`` under its name."""
    line_end = text.find("\n", line_start)
    line = text[line_start : len(text) if line_end < 0 else line_end]
    header = re.match(r"(\s*)(\[\[?)\s*", line)
    body_start = header.end() if header else 0
    key = _KEY.match(line, body_start)
    if key is None:
        return "duplicate key", line_start, 1
    name = key.group(1)
    return "duplicate key", line_start + key.start(1), len(name)
