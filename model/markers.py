"""uv's spelling of PEP 508 markers in requirement records (pure).

``render_marker`` writes a marker the way uv writes the requirements it records in a lock
(``requires-dist``, ``requires-dev``, manifest entries): single quotes, ``python_version``
as ``python_full_version``, a sorted disjunctive normal form. ``canonical_marker`` uses it to
compare spellings. The marker algebra of universal resolution (disjointness, forks,
simplification) is ``model.marker_tree``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from packaging._parser import Op, Value, Variable
from packaging.markers import Marker
from packaging.version import InvalidVersion, Version

__all__ = [
    "BOUND_RANK",
    "canonical_marker",
    "render_marker",
    "version_key",
]


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
