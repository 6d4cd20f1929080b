"""The requirement part of a Requires-Dist line (before any marker) read without packaging's
tokenizer, for the plain shapes nearly every line has (pure).

``name``, ``name[extra, ...]``, each followed by nothing, by specifiers (``>=1.0,<2``), or by
specifiers in parentheses (``(>=1.0)``), with spaces or tabs between. The result is the
``Requirement`` packaging's parser makes of the same text; anything else (a URL, a stray
character, an invalid version) is left to that parser, which says what is wrong as it always
did. packaging's tokenizer was about two thirds of the time of reading a wheel's metadata.
"""

from __future__ import annotations

import re

from packaging.requirements import Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet

__all__ = ["plain_requirement"]

_NAME = r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?"
_SPEC = r"(?:===|==|!=|~=|<=|>=|<|>)[ \t]*[A-Za-z0-9.*+!_-]+"
_SPECS = rf"{_SPEC}(?:[ \t]*,[ \t]*{_SPEC})*"
_PLAIN = re.compile(
    rf"[ \t]*({_NAME})[ \t]*(?:\[[ \t]*({_NAME}(?:[ \t]*,[ \t]*{_NAME})*)[ \t]*\])?[ \t]*"
    rf"(?:\([ \t]*({_SPECS})[ \t]*\)|({_SPECS}))?[ \t]*"
)
_COMMA = re.compile(r"[ \t]*,[ \t]*")

_SPECIFIERS: dict[str, SpecifierSet] = {}
"""Specifier sets by text: many lines share one (``>=1.0``). Never changed once made."""
_SPECIFIERS_MOST = 8192


def plain_requirement(head: str) -> Requirement | None:
    """``Requirement(head)`` for a plain ``head`` (no marker, no URL); None for any other."""
    match = _PLAIN.fullmatch(head)
    if match is None:
        return None
    name, extras, in_parentheses, bare = match.groups()
    text = in_parentheses or bare or ""
    specifier = _SPECIFIERS.get(text)
    if specifier is None:
        try:
            specifier = SpecifierSet(text)
        except InvalidSpecifier:
            return None
        if len(_SPECIFIERS) < _SPECIFIERS_MOST:
            _SPECIFIERS[text] = specifier
    requirement = Requirement.__new__(Requirement)
    requirement.name = name
    requirement.url = None
    requirement.extras = set(_COMMA.split(extras)) if extras else set()
    requirement.specifier = specifier
    requirement.marker = None
    return requirement
