"""TOML text as uv writes it in ``uv.lock`` (lock stage; pure).

Strings as toml_edit's default representation writes them, inline tables and string arrays,
and specifiers and ``requires-python`` in uv's canonical spelling.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from packaging.specifiers import Specifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from accord.model.markers import BOUND_RANK, version_key

__all__ = [
    "inline_table",
    "render_requires_python",
    "render_specifier",
    "string_array",
    "toml_string",
]

# Strings ----------------------------------------------------------------------------------

_PLAIN = re.compile(r'[^"\\\x00-\x1f\x7f]*')
"""Text a basic string holds as it is: no quote, backslash or control character."""


def toml_string(value: str) -> str:
    """A TOML string as toml_edit's default representation writes it (uv uses toml_edit).

    toml_edit prefers a literal string only for text with a backslash that a literal can hold
    (no control characters, no ``'''``, not ending in ``'``); otherwise a basic string with
    ``\\b \\t \\n \\f \\r \\" \\\\`` and ``\\uXXXX`` escapes; text with a newline becomes
    multi-line.
    """
    if _PLAIN.fullmatch(value):
        return f'"{value}"'  # nothing to escape: the common case (names, URLs, hashes)
    multiline = "\n" in value
    can_be_literal = "\\" in value and not value.endswith("'") and "'''" not in value
    if any((ch <= "\x1f" and ch not in "\t\n") or ch == "\x7f" for ch in value):
        can_be_literal = False
    if can_be_literal:
        if multiline:
            return f"'''\n{value}'''"
        return f"'''{value}'''" if "'" in value else f"'{value}'"
    out = []
    for ch in value:
        if ch == "\b":
            out.append("\\b")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\n":
            out.append("\n" if multiline else "\\n")
        elif ch == "\f":
            out.append("\\f")
        elif ch == "\r":
            out.append("\\r")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch <= "\x1f" or ch == "\x7f":
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    body = "".join(out)
    return f'"""\n{body}"""' if multiline else f'"{body}"'


# Specifiers -------------------------------------------------------------------------------


def render_specifier(specifier: SpecifierSet) -> str:
    """A requirement's ``specifier`` as uv writes it: clauses sorted by version, joined by ``,``.

    uv sorts a requirement's specifiers by version (a stable sort); packaging keeps no order, so
    clauses with the same version are ordered by operator.
    """
    clauses = sorted(specifier, key=lambda s: (version_key(s.version), s.operator))
    return ",".join(f"{clause.operator}{_normal_version(clause)}" for clause in clauses)


def _normal_version(clause: Specifier) -> str:
    """The clause's version as uv prints it: normalized (``2021.09.0`` is ``2021.9.0``,
    ``1.0-alpha1`` is ``1.0a1``), a ``.*`` suffix kept; ``===`` compares text, kept as is."""
    text = clause.version
    if clause.operator == "===":
        return text
    base, star = (text[:-2], ".*") if text.endswith(".*") else (text, "")
    try:
        return str(Version(base)) + star
    except InvalidVersion:
        return text


def render_requires_python(specifier: SpecifierSet) -> str:
    """A ``requires-python`` as uv writes it: lower bounds, then upper, joined by ``, ``.

    ``~=X.Y`` becomes ``>=X.Y, <X+1`` and ``~=X.Y.Z`` becomes ``>=X.Y.Z, <X.Y+1``, as uv does.
    """
    clauses: list[tuple[str, str]] = []
    for clause in specifier:
        if clause.operator == "~=":
            release = Version(clause.version).release
            upper = [*release[:-2], release[-2] + 1]
            clauses += [(">=", clause.version), ("<", ".".join(map(str, upper)))]
        else:
            clauses.append((clause.operator, clause.version))
    clauses.sort(key=lambda c: (BOUND_RANK.get(c[0], 1), version_key(c[1]), c[0]))
    return ", ".join(f"{op}{version}" for op, version in dict.fromkeys(clauses))


# Inline values ----------------------------------------------------------------------------


def inline_table(pairs: Iterable[tuple[str, str | None]]) -> str:
    body = ", ".join(f"{key} = {value}" for key, value in pairs if value is not None)
    return f"{{ {body} }}" if body else "{}"


def string_array(values: Iterable[str]) -> str:
    return "[" + ", ".join(toml_string(v) for v in values) + "]"
