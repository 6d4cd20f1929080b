"""TOML text to a dict, with a syntax error's position as data (pure: text in, dict out).

The standard library's ``tomllib`` (``tomli`` before Python 3.11) puts the position at the
end of its message, ``(at line 3, column 5)``; callers want it as numbers, to name the line
in their own words and files.
"""

from __future__ import annotations

import re
import sys
from typing import Any

__all__ = ["TomlSyntaxError", "loads"]

_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")


class TomlSyntaxError(Exception):
    """Invalid TOML: ``detail`` is the parser's message without its position suffix."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
        position = _POSITION.search(message)
        self.line = int(position.group(1)) if position else None
        self.column = int(position.group(2)) if position else None
        self.detail = message[: position.start()] if position else message


def loads(text: str) -> dict[str, Any]:
    """Parse ``text``; raises TomlSyntaxError."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on 3.10 only
        import tomli as tomllib
    try:
        document: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TomlSyntaxError(str(exc)) from exc
    return document
