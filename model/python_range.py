"""Python version ranges as uv's universal resolver handles them (pure).

A range is a pair of bounds ``(lower, upper)``; a bound is ``(version, inclusive)`` or None
for unbounded. uv decides whether a distribution's ``Requires-Python`` fits a fork by its
*lower* bound only (``requires_python.rs``: a file is compatible when the fork's lower bound
is at or above the file's), and splits a fork's range at such a lower bound when the newest
version needs a newer Python (the ``requires-python`` fork strategy).
"""

from __future__ import annotations

from packaging.specifiers import SpecifierSet
from packaging.version import InvalidVersion, Version

__all__ = [
    "Bound",
    "PythonRange",
    "intersect",
    "is_empty",
    "lower_bound",
    "lower_gt",
    "lower_key",
    "max_lower",
    "min_upper",
    "specifier_range",
    "split",
]

Bound = tuple[Version, bool] | None
"""(version, inclusive); None is unbounded."""
PythonRange = tuple[Bound, Bound]


def _release(text: str) -> Version | None:
    try:
        return Version(text.removesuffix(".*"))
    except InvalidVersion:
        return None


def lower_key(bound: Bound) -> tuple[int, Version, int]:
    # Unbounded sorts first; at one version an inclusive lower bound is below an exclusive one.
    if bound is None:
        return (0, Version("0"), 0)
    return (1, bound[0], 0 if bound[1] else 1)


def _upper_key(bound: Bound) -> tuple[int, Version, int]:
    # Unbounded sorts last; at one version an exclusive upper bound is below an inclusive one.
    if bound is None:
        return (1, Version("0"), 0)
    return (0, bound[0], 1 if bound[1] else 0)


def lower_gt(first: Bound, second: Bound) -> bool:
    """``first`` is a strictly higher lower bound than ``second``."""
    return lower_key(first) > lower_key(second)


def max_lower(first: Bound, second: Bound) -> Bound:
    return first if lower_key(first) >= lower_key(second) else second


def min_upper(first: Bound, second: Bound) -> Bound:
    return first if _upper_key(first) <= _upper_key(second) else second


def _next_release(version: Version) -> Version:
    release = list(version.release)
    release[-1] += 1
    return Version(".".join(map(str, release)))


def specifier_range(specifier: SpecifierSet) -> PythonRange:
    """The bounding range of a ``Requires-Python`` specifier set (uv's ``RequiresPython``)."""
    lower: Bound = None
    upper: Bound = None
    for clause in specifier:
        version = _release(clause.version)
        if version is None:
            continue
        op = clause.operator
        wildcard = clause.version.endswith(".*")
        clause_lower: Bound = None
        clause_upper: Bound = None
        if op == ">=":
            clause_lower = (version, True)
        elif op == ">":
            clause_lower = (version, False)
        elif op in ("==", "==="):
            clause_lower = (version, True)
            clause_upper = (_next_release(version), False) if wildcard else (version, True)
        elif op == "~=":
            clause_lower = (version, True)
            release = version.release[:-1] or version.release
            clause_upper = (_next_release(Version(".".join(map(str, release)))), False)
        elif op == "<":
            clause_upper = (version, False)
        elif op == "<=":
            clause_upper = (version, True)
        lower = max_lower(lower, clause_lower)
        upper = min_upper(upper, clause_upper)
    return lower, upper


def lower_bound(specifier: SpecifierSet) -> Bound:
    """uv's lower bound of a ``Requires-Python``: the highest ``>=``/``>``/``==``/``~=``."""
    return specifier_range(specifier)[0]


def intersect(first: PythonRange, second: PythonRange) -> PythonRange:
    return max_lower(first[0], second[0]), min_upper(first[1], second[1])


def is_empty(range_: PythonRange) -> bool:
    lower, upper = range_
    if lower is None or upper is None:
        return False
    if lower[0] != upper[0]:
        return lower[0] > upper[0]
    return not (lower[1] and upper[1])


def split(range_: PythonRange, at: Bound) -> tuple[PythonRange, PythonRange] | None:
    """``range_`` cut at the lower bound ``at`` into ``[lower, at)`` and ``[at, upper)``;
    None when either part would be empty (uv's ``PythonRequirement::split``)."""
    if at is None:
        return None
    below: PythonRange = (range_[0], (at[0], not at[1]))
    above: PythonRange = (at, range_[1])
    if is_empty(below) or is_empty(above) or not lower_gt(at, range_[0]):
        return None
    return below, above
