"""Marker algebra for a universal lock (pure).

A universal lock serves every platform, so markers are not evaluated against one
interpreter: they are *restricted*. ``restrict(marker, extra=..., requires_python=...)``
substitutes what is known (which extra is active; that the Python version lies in the
project's ``requires-python`` range) and simplifies what is left: the answer is ``ALWAYS``,
``NEVER`` or a smaller ``Marker``.

This walks packaging's parsed marker tree (``Marker._markers``: atoms are 3-tuples, nested
lists are parenthesised groups, "and"/"or" strings join them), which has kept that shape
across packaging releases.
"""

from __future__ import annotations

import enum
import functools
from typing import Any

from packaging.markers import Marker
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

__all__ = [
    "ALWAYS",
    "NEVER",
    "Truth",
    "canonical_marker",
    "conjoin",
    "python_points",
    "restrict",
]


class Truth(enum.Enum):
    ALWAYS = "always"
    NEVER = "never"


ALWAYS = Truth.ALWAYS
NEVER = Truth.NEVER

_PYTHON_VARIABLES = ("python_version", "python_full_version")
# Python versions a lock may have to serve: enough points to decide any comparison against
# a version that appears in real markers (3.0 … 3.39, with micro releases 0, 1 and 99).
_POINTS = tuple(f"3.{minor}.{micro}" for minor in range(40) for micro in (0, 1, 99))


def python_points(requires_python: SpecifierSet) -> tuple[str, ...]:
    """Sample full versions inside ``requires_python`` (used to decide python atoms)."""
    return _points(str(requires_python))


@functools.lru_cache(maxsize=64)
def _points(requires_python: str) -> tuple[str, ...]:
    # Memoised: a resolution asks this hundreds of times for the same range.
    specifier = SpecifierSet(requires_python)
    # An exact pin (``==3.11.7``: an environment for one interpreter) is its own sample.
    exact = tuple(s.version for s in specifier if s.operator == "==" and "*" not in s.version)
    candidates = sorted(set(_POINTS + exact), key=lambda point: tuple(map(int, point.split("."))))
    return tuple(point for point in candidates if specifier.contains(point, prereleases=True))


@functools.lru_cache(maxsize=4096)
def _python_atom_truth(text: str, points: tuple[str, ...]) -> Truth | None:
    """ALWAYS/NEVER when the python comparison ``text`` is decided over ``points``."""
    marker = Marker(text)
    results = {
        marker.evaluate({"python_version": ".".join(p.split(".")[:2]), "python_full_version": p})
        for p in points
    }
    if results == {True}:
        return ALWAYS
    if results == {False}:
        return NEVER
    return None


Node = Any  # an atom tuple, "and"/"or", a nested list, or a Truth


def _atom_truth(atom: tuple[Any, Any, Any], extra: str | None, points: tuple[str, ...]) -> Node:
    left, op, right = atom
    variable = left.value if type(left).__name__ == "Variable" else right.value
    if variable == "extra":
        if extra is None:
            return atom
        wanted = canonicalize_name(right.value if type(left).__name__ == "Variable" else left.value)
        outcome = Marker(f'extra {op.value} "{wanted}"').evaluate({"extra": extra})
        return ALWAYS if outcome else NEVER
    if variable in _PYTHON_VARIABLES and points:
        text = f"{left.serialize()} {op.serialize()} {right.serialize()}"
        truth = _python_atom_truth(text, points)
        if truth is not None:
            return truth
    return atom


def _simplify(nodes: list[Any], extra: str | None, points: tuple[str, ...]) -> Node:
    """Simplify one level: a list of operands joined by "and"/"or" (and binds tighter)."""
    # Split into or-groups of and-terms, as packaging's grammar does.
    groups: list[list[Node]] = [[]]
    for node in nodes:
        if node == "or":
            groups.append([])
        elif node == "and":
            continue
        elif isinstance(node, list):
            groups[-1].append(_simplify(node, extra, points))
        else:
            groups[-1].append(_atom_truth(node, extra, points))
    alternatives: list[Node] = []
    for terms in groups:
        if any(term is NEVER for term in terms):
            continue
        remaining = [term for term in terms if term is not ALWAYS]
        if not remaining:
            return ALWAYS
        alternatives.append(remaining)
    if not alternatives:
        return NEVER
    return alternatives


# uv writes these platform_system comparisons as the equivalent sys_platform ones.
_EQUIVALENT = {
    ("platform_system", "Windows"): ("sys_platform", "win32"),
    ("platform_system", "Linux"): ("sys_platform", "linux"),
    ("platform_system", "Darwin"): ("sys_platform", "darwin"),
}


def _render_atom(atom: tuple[Any, Any, Any]) -> str:
    left, op, right = atom
    if type(left).__name__ == "Variable" and op.value in ("==", "!="):
        equivalent = _EQUIVALENT.get((left.value, right.value))
        if equivalent is not None:
            return f'{equivalent[0]} {op.value} "{equivalent[1]}"'
    return " ".join(part.serialize() for part in atom)


def _render(node: Node) -> str:
    """Render a simplified structure (list of and-term lists) back to marker text."""
    if isinstance(node, tuple):
        return _render_atom(node)
    alternatives = node
    rendered = []
    for terms in alternatives:
        parts = []
        for term in terms:
            text = _render(term)
            # A nested alternative inside an and-term needs parentheses.
            if isinstance(term, list) and (len(term) > 1):
                text = f"({text})"
            elif isinstance(term, list) and len(term) == 1 and len(term[0]) > 1:
                text = f"({text})" if len(terms) > 1 else text
            parts.append(text)
        rendered.append(" and ".join(parts))
    return " or ".join(rendered)


def restrict(
    marker: Marker | None, *, extra: str | None, requires_python: SpecifierSet
) -> Marker | Truth:
    """What is left of ``marker`` once the active ``extra`` (None: leave extra atoms
    alone; "" for none active) and the ``requires_python`` range are known."""
    if marker is None:
        return ALWAYS
    points = python_points(requires_python)
    simplified = _simplify(list(marker._markers), extra, points)
    if isinstance(simplified, Truth):
        return simplified
    return Marker(_render(simplified))


def conjoin(first: Marker | None, second: Marker | None) -> Marker | None:
    """``first and second`` (None is true)."""
    if first is None:
        return second
    if second is None:
        return first
    return Marker(f"({first}) and ({second})")


def canonical_marker(marker: Marker | None) -> str | None:
    """A spelling-independent form: ``python_version`` atoms become ``python_full_version``
    ones (as uv writes them), quotes and spacing follow packaging. Equivalent spellings
    of one condition compare equal."""
    if marker is None:
        return None
    return str(Marker(_full_version(list(marker._markers))))


def _full_version(nodes: list[Any]) -> str:
    parts = []
    for node in nodes:
        if isinstance(node, str):
            parts.append(node)
        elif isinstance(node, list):
            # Parentheses matter only around an "or" group (and binds tighter).
            inner = _full_version(node)
            parts.append(f"({inner})" if "or" in node else inner)
        else:
            parts.append(_atom_full_version(node))
    return " ".join(parts)


def _atom_full_version(atom: tuple[Any, Any, Any]) -> str:
    left, op, right = atom
    if type(left).__name__ == "Variable" and left.value == "python_version":
        version, operator = right.value, op.value
        # python_version is major.minor: `< 3.11` means full version < 3.11; `== 3.10`
        # means 3.10.*; `<= 3.10` means < 3.11; `> 3.10` means >= 3.11.
        if operator in ("<", ">="):
            return f'python_full_version {operator} "{version}"'
        if operator in ("==", "!="):
            return f'python_full_version {operator} "{version}.*"'
        if operator in ("<=", ">") and version.count(".") == 1:
            major, minor = version.split(".")
            bumped = f"{major}.{int(minor) + 1}"
            return f'python_full_version {"<" if operator == "<=" else ">="} "{bumped}"'
    return " ".join(part.serialize() for part in atom)
