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


def header_fields(text: str) -> dict[str, list[str]]:
    """Each field's values in order, by its name in lower case, each value stripped as
    ``str(value).strip()`` strips what ``Message.get_all`` returns."""
    lines: list[str] = []
    for match in _LINE.finditer(text):
        line = match.group()
        if not _HEADER.match(line):
            break
        lines.append(line)
    fields: dict[str, list[str]] = {}
    name = ""
    value: list[str] = []

    def close() -> None:
        first, rest = value[0].split(":", 1)[1], value[1:]
        text = (first.lstrip(" \t") + "".join(rest)).rstrip("\r\n")
        fields.setdefault(name.lower(), []).append(text.strip())

    for line in lines:
        if line[0] in " \t":
            if name:
                value.append(line)
            continue
        if name:
            close()
            name, value = "", []
        if line.startswith("From "):
            continue  # the Unix from line, or a stray one (a defect the parser drops)
        colon = line.find(":")
        if colon == 0:
            continue  # no field name: dropped, as the parser does
        name, value = line[:colon], [line]
    if name:
        close()
    return fields
