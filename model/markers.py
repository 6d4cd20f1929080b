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
from collections.abc import Sequence
from typing import Any

from packaging._parser import Op, Value, Variable
from packaging.markers import Marker
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

__all__ = [
    "ALWAYS",
    "BOUND_RANK",
    "NEVER",
    "Truth",
    "canonical_marker",
    "conjoin",
    "python_points",
    "render_marker",
    "restrict",
    "version_key",
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
    """A spelling-independent form (uv's canonical spelling, ``render_marker``): equivalent
    spellings of one condition compare equal."""
    return None if marker is None else render_marker(marker)


def version_key(text: str) -> tuple[int, Version | str]:
    try:
        return (0, Version(text.removesuffix(".*")))
    except InvalidVersion:
        return (1, text)


BOUND_RANK = {">": 0, ">=": 0, "~=": 1, "==": 1, "===": 1, "!=": 2, "<": 3, "<=": 3}


_Clause = tuple[str, str, str, bool]
"""(variable, operator, value, variable_first) of one marker expression."""

_VARIABLE_RANK = {
    name: rank
    for rank, name in enumerate(
        (
            "python_full_version",
            "implementation_version",
            "implementation_name",
            "os_name",
            "platform_machine",
            "platform_python_implementation",
            "platform_release",
            "platform_system",
            "platform_version",
            "sys_platform",
        )
    )
}
_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}


def _python_version_clauses(op: str, value: str) -> list[tuple[str, str]] | None:
    """uv's rewrite of ``python_version <op> X.Y`` as ``python_full_version`` clauses."""
    try:
        release = Version(value).release
    except InvalidVersion:
        return None
    if len(release) != 2 or value.endswith(".*"):
        return None
    major, minor = release
    following = f"{major}.{minor + 1}"
    return {
        "==": [("==", f"{value}.*")],
        "!=": [("!=", f"{value}.*")],
        "<": [("<", value)],
        ">=": [(">=", value)],
        "<=": [("<", following)],
        ">": [(">=", following)],
        "~=": [(">=", value), ("<", f"{major + 1}")],
    }.get(op)


def _atom(item: tuple[Any, Any, Any]) -> list[_Clause]:
    left, op, right = item
    assert isinstance(op, Op)
    if isinstance(left, Variable) and isinstance(right, Value):
        variable, value, variable_first = left.value, right.value, True
        operator = op.value
    elif isinstance(left, Value) and isinstance(right, Variable) and op.value in _FLIP:
        # uv writes `'3.11' > python_version` as `python_full_version < '3.11'`.
        variable, value, variable_first = right.value, left.value, True
        operator = _FLIP[op.value]
    else:  # `'linux' in sys_platform` and the like stay as written
        variable = right.value if isinstance(right, Variable) else left.value
        value = left.value if isinstance(right, Variable) else right.value
        return [(variable, op.value, value, isinstance(left, Variable))]
    if variable == "python_version":
        rewritten = _python_version_clauses(operator, value)
        if rewritten is not None:
            return [("python_full_version", o, v, True) for o, v in rewritten]
    return [(variable, operator, value, variable_first)]


def _dnf(items: Sequence[Any]) -> list[list[_Clause]]:
    """A marker list (packaging's parse tree) as a disjunction of conjunctions."""
    disjuncts: list[list[_Clause]] = []
    current: list[list[_Clause]] = [[]]
    for item in items:
        if item == "or":
            disjuncts += current
            current = [[]]
        elif item == "and":
            continue
        else:
            part = _dnf(item) if isinstance(item, list) else [_atom(item)]
            current = [left + right for left in current for right in part]
    return disjuncts + current


def _clause_key(clause: _Clause) -> tuple[int, int]:
    variable, op, _, _ = clause
    rank = _VARIABLE_RANK.get(variable, len(_VARIABLE_RANK) + (variable == "extra"))
    return (rank, BOUND_RANK.get(op, 1) if rank < 2 else 0)


def _merge_minor_range(clauses: list[_Clause]) -> list[_Clause]:
    """``>= '3.10' and < '3.11'`` is written by uv as ``== '3.10.*'``."""
    for lower in clauses:
        if lower[:2] != ("python_full_version", ">="):
            continue
        release = version_key(lower[2])[1]
        if not isinstance(release, Version) or len(release.release) != 2:
            continue
        major, minor = release.release
        upper = ("python_full_version", "<", f"{major}.{minor + 1}", True)
        if upper in clauses:
            merged = ("python_full_version", "==", f"{major}.{minor}.*", True)
            return [merged if c == lower else c for c in clauses if c != upper]
    return clauses


def _render_clause(clause: _Clause) -> str:
    variable, op, value, variable_first = clause
    # uv always uses single quotes; a value holding one can only be written with double quotes.
    quoted = f'"{value}"' if "'" in value else f"'{value}'"
    return f"{variable} {op} {quoted}" if variable_first else f"{quoted} {op} {variable}"


def render_marker(marker: Marker) -> str:
    """A marker in uv's canonical spelling.

    Single quotes; ``python_version`` rewritten to ``python_full_version`` (``< '3.11'``,
    ``<= '3.10'`` → ``< '3.11'``, ``== '3.10'`` → ``== '3.10.*'``); the expression in
    disjunctive normal form with ``(...)`` around each multi-clause conjunction of a
    disjunction; inside a conjunction, Python version clauses first (lower bound before upper),
    then the other variables alphabetically, ``extra`` last. uv's further simplifications
    (implications between variables, subsumed clauses) are not reproduced.
    """
    disjuncts: list[list[_Clause]] = []
    for conjunction in _dnf(marker._markers):
        clauses = _merge_minor_range(sorted(dict.fromkeys(conjunction), key=_clause_key))
        if clauses not in disjuncts:
            disjuncts.append(clauses)
    disjuncts.sort(key=lambda clauses: _clause_key(clauses[0])[0] if clauses else 0)
    parts = [" and ".join(_render_clause(c) for c in clauses) for clauses in disjuncts]
    if len(parts) == 1:
        return parts[0]
    return " or ".join(
        f"({part})" if len(c) > 1 else part for part, c in zip(parts, disjuncts, strict=True)
    )
