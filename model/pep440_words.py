"""uv's words for a version or a version specifier that does not parse (pure).

packaging says ``Invalid version: 'not a version'``; uv 0.13.8 (its ``uv-pep440`` crate) says
what it expected where, and for a list of specifiers shows the list with a caret under the one
at fault. ``version_words`` and ``specifiers_words`` give uv's message for text packaging
refuses (facts read from uv's source and checked side by side; written anew here).
"""

from __future__ import annotations

import re

from packaging.version import InvalidVersion, Version

__all__ = ["specifiers_words", "version_words"]

_OPERATORS = ("~=", "==", "!=", "<=", ">=", "<", ">", "===")

# A PEP 440 version at the start of the text (packaging's pattern, unanchored at the end).
_VERSION_PREFIX = re.compile(
    r"""
    v?
    (?:[0-9]+!)?
    [0-9]+(?:\.[0-9]+)*
    (?:[-_.]?(?:alpha|a|beta|b|preview|pre|c|rc)[-_.]?[0-9]*)?
    (?:-[0-9]+|[-_.]?(?:post|rev|r)[-_.]?[0-9]*)?
    (?:[-_.]?dev[-_.]?[0-9]*)?
    (?:\+[a-z0-9]+(?:[-_.][a-z0-9]+)*)?
    """,
    re.VERBOSE | re.IGNORECASE,
)


def version_words(text: str, *, wildcard: bool = False) -> str:
    """uv's message for ``text``, a version packaging refuses (``wildcard``: a trailing
    ``.*`` is allowed, as in a specifier); empty when it is a version after all."""
    body = text.strip()
    if re.match(r"v?[0-9]+!(?![0-9])", body, re.IGNORECASE):
        return (
            "expected version to have a non-empty release component after an epoch, but no "
            "ASCII digits after the epoch were found"
        )
    if not re.match(r"v?[0-9]", body, re.IGNORECASE):
        return "expected version to start with a number, but no leading ASCII digits were found"
    found = _VERSION_PREFIX.match(body)
    if found is None:  # pragma: no cover - the first check guarantees a match
        return "expected version to start with a number, but no leading ASCII digits were found"
    parsed, remaining = found.group(), body[found.end() :]
    if not remaining or (remaining == ".*" and wildcard):
        return ""
    if remaining.startswith(".*"):
        if remaining == ".*":
            return "wildcards are not allowed in a version"
        return "wildcards in versions must be at the end"
    if remaining.startswith("+") and not re.match(r"\+[a-z0-9]", remaining, re.IGNORECASE):
        return (
            "found a `+` indicating the start of a local component in a version, but did not "
            "find any alphanumeric ASCII segment following the `+`"
        )
    try:
        shown = str(Version(parsed))
    except InvalidVersion:  # pragma: no cover - the pattern only matches versions
        shown = parsed
    return f"after parsing `{shown}`, found `{remaining}`, which is not part of a valid version"


def _specifier_words(part: str) -> str | None:
    """uv's message for one specifier (``>=3.11``), or None when uv reads it."""
    body = part.lstrip()
    operator = re.match(r"[=!~<>]*", body)
    assert operator is not None
    if not operator.group():
        version = body.split()[0] if body.split() else ""
        words = "Unexpected end of version specifier, expected operator"
        try:
            return f"{words}. Did you mean `=={Version(version)}`?"
        except InvalidVersion:
            return words
    if operator.group() not in _OPERATORS:
        listed = " ".join(_OPERATORS)
        return f'no such comparison operator "{operator.group()}", must be one of {listed}'
    rest = body[operator.end() :].lstrip()
    version = rest.split()[0] if rest.split() else ""
    if not version:
        return "Unexpected end of version specifier, expected version"
    wildcard = version.endswith(".*") and not version_words(version, wildcard=True)
    if wildcard and operator.group() not in ("==", "!="):
        return f"Operator {operator.group()} cannot be used with a wildcard version specifier"
    words = version_words(version, wildcard=operator.group() in ("==", "!="))
    if words:
        return words
    trailing = rest[len(version) :].strip()
    if trailing:
        return f"Trailing `{trailing}` is not allowed"
    if operator.group() == "~=" and "." not in version.split("+")[0].split("!")[-1]:
        return "The ~= operator requires at least two segments in the release version"
    return None


def specifiers_words(text: str) -> str:
    """uv's message for ``text``, a comma-separated list of specifiers packaging refuses: the
    first specifier at fault, then the list with a caret under it."""
    start = 0
    for part in text.split(","):
        words = _specifier_words(part)
        if words is not None:
            carets = "^" * len(part)
            return f"Failed to parse version: {words}:\n{text}\n{' ' * start}{carets}"
        start += len(part) + 1
    return f"Failed to parse version: {text}"
