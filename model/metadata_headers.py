"""The header fields of core metadata (``METADATA``, ``PKG-INFO``), read as the standard
library's ``email.parser.Parser().parsestr(text, headersonly=True)`` reads them (pure).

The email package costs ~10 ms to import (sockets, calendars, encoded words) on every
resolution, for what is a list of ``Name: value`` lines. This reads the same fields, with the
same values, under the parser's default compat32 policy: the headers end at the first line
that is neither a field nor a continuation (an empty line ends them too); a continuation line
is kept in its field's value, line end and indentation included; a leading ``From `` line
and fields with an empty name are dropped.
"""

from __future__ import annotations

import re

__all__ = ["header_fields"]

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")
_HEADER = re.compile(r"From |[\041-\071\073-\176]*:|[\t ]")
"""email.feedparser's headerRE: a field, a continuation, or a Unix ``From `` line."""


_BLOCK = re.compile(r"(?:(?:From |[\041-\071\073-\176]*:|[\t ])[^\n]*\n)*")
"""Header lines only, each ended by ``\n``: a block the line by line reading would read to its
end."""
_WANTED: dict[frozenset[str], re.Pattern[str]] = {}


def header_fields(text: str, only: frozenset[str] | None = None) -> dict[str, list[str]]:
    """Each field's values in order, by its name in lower case, each value stripped as
    ``str(value).strip()`` strips what ``Message.get_all`` returns; with ``only`` (names in
    lower case), just those fields (the others are still read, to find where the headers
    end)."""
    if only is not None:
        found = _only(text, only)
        if found is not None:
            return found
    fields: dict[str, list[str]] = {}
    name = ""  # the open field's name in lower case ("": none, or one not kept)
    value: list[str] = []
    for match in _LINE.finditer(text):
        line = match.group()
        if line[0] in " \t":  # a continuation (of no field, before the first: dropped)
            if name:
                value.append(line)
            continue
        if not _HEADER.match(line):
            break
        if name:
            _close(fields, name, value)
            name = ""
        if line.startswith("From "):
            continue  # the Unix from line, or a stray one (a defect the parser drops)
        colon = line.find(":")
        if colon == 0:
            continue  # no field name: dropped, as the parser does
        lower = line[:colon].lower()
        if only is None or lower in only:
            name, value = lower, [line[colon + 1 :]]
    if name:
        _close(fields, name, value)
    return fields


def _only(text: str, only: frozenset[str]) -> dict[str, list[str]] | None:
    """``header_fields(text, only)`` in two regular expressions, for the usual metadata: header
    lines ended by ``\n`` up to the first empty line (or the end). None for anything else (a
    ``\r``, a line that ends the headers early), which is read line by line. Most of a file's
    header lines are fields not asked for (classifiers, and in older metadata a description of
    thousands of continuation lines); these are no longer looked at one by one."""
    end = text.find("\n\n")
    block = text if end < 0 else text[: end + 1]
    if not block.endswith("\n"):
        block += "\n"
    if "\r" in block or _BLOCK.fullmatch(block) is None:
        return None
    wanted = _WANTED.get(only)
    if wanted is None:
        names = "|".join(re.escape(name) for name in sorted(only))
        wanted = _WANTED[only] = re.compile(
            rf"^({names}):([^\n]*(?:\n[\t ][^\n]*)*)", re.MULTILINE | re.IGNORECASE | re.ASCII
        )
    fields: dict[str, list[str]] = {}
    for match in wanted.finditer(block):
        fields.setdefault(match.group(1).lower(), []).append(match.group(2).strip())
    return fields


def _close(fields: dict[str, list[str]], name: str, value: list[str]) -> None:
    """Add the field ``name`` whose lines (the first without its name and colon) are
    ``value``: the parser's value (the first line's leading blanks and the last line end
    dropped) stripped is the lines joined and stripped."""
    fields.setdefault(name, []).append("".join(value).strip())
