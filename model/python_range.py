"""Python version ranges as uv's universal resolver handles them (pure).

A range is a pair of bounds ``(lower, upper)``; a bound is ``(version, inclusive)`` or None
for unbounded. uv decides whether a distribution's ``Requires-Python`` fits a fork by its
*lower* bound only (``requires_python.rs``: a file is compatible when the fork's lower bound
is at or above the file's), and splits a fork's range at such a lower bound when the newest
version needs a newer Python (the ``requires-python`` fork strategy). Whether a wheel's tags
let it serve a range is ``matches_requires_python`` (uv's ``RequiresPython::matches_wheel_tag``).
"""

from __future__ import annotations

from collections.abc import Sequence

from packaging.specifiers import SpecifierSet
from packaging.version import InvalidVersion, Version

from accord.model.identity_memo import IdentityMemo
from accord.model.wheel_tags import LanguageTag, WheelTags

__all__ = [
    "Bound",
    "PythonRange",
    "intersect",
    "is_empty",
    "joined_requires_python",
    "lower_bound",
    "lower_gt",
    "lower_key",
    "matches_requires_python",
    "max_lower",
    "min_upper",
    "specifier_range",
    "split",
    "tightest_bounds",
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


def joined_requires_python(specifiers: Sequence[SpecifierSet]) -> SpecifierSet:
    """Several members' ``requires-python`` as one, as uv writes it: each clause once, and of
    more than one specifier only the tightest bounds (``tightest_bounds``); one as it is."""
    clauses = dict.fromkeys(str(clause) for specifier in specifiers for clause in specifier)
    joined = SpecifierSet(",".join(clauses))
    return SpecifierSet(",".join(tightest_bounds(joined))) if len(specifiers) > 1 else joined


def tightest_bounds(specifier: SpecifierSet) -> list[str]:
    """``specifier``'s clauses without the bounds another makes redundant, as uv writes the
    intersection of several ``requires-python``: the highest lower bound and the lowest upper
    one (``~=X.Y`` is both: ``>=X.Y``, ``<X+1``), and neither where a ``==X.Y.*`` implies it;
    the other clauses (``!=``, exact ``==``) as they are."""
    lower: tuple[Bound, str] = (None, "")
    upper: tuple[Bound, str] = (None, "")
    series: list[tuple[Bound, Bound, str]] = []
    kept: list[str] = []
    for clause in specifier:
        version, op = _release(clause.version), clause.operator
        wildcard = clause.version.endswith(".*")
        if version is None or op in ("!=", "===") or (op == "==" and not wildcard):
            kept.append(str(clause))
            continue
        if op == "==":
            series.append(((version, True), (_next_release(version), False), str(clause)))
            continue
        lowers: list[tuple[Bound, str]] = []
        uppers: list[tuple[Bound, str]] = []
        if op in (">=", ">", "~="):
            lowers.append(((version, op != ">"), f"{'>' if op == '>' else '>='}{clause.version}"))
        if op == "~=":
            ceiling = _next_release(Version(".".join(map(str, version.release[:-1]))))
            uppers.append(((ceiling, False), f"<{ceiling}"))
        elif op in ("<", "<="):
            uppers.append(((version, op == "<="), str(clause)))
        for bound in lowers:
            lower = bound if lower_key(bound[0]) > lower_key(lower[0]) else lower
        for bound in uppers:
            upper = bound if _upper_key(bound[0]) < _upper_key(upper[0]) else upper
    for start, end, text in series:
        if lower_key(start) >= lower_key(lower[0]):
            lower = (None, "")
        if _upper_key(end) <= _upper_key(upper[0]):
            upper = (None, "")
        kept.append(text)
    return [text for text in (lower[1], *kept, upper[1]) if text]


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
    return _excluding(specifier, lower, upper)


def _excluding(specifier: SpecifierSet, lower: Bound, upper: Bound) -> PythonRange:
    """The bounds once the ``!=`` clauses are taken out: uv computes the bounding range of the
    specifiers' ranges, so an excluded version at an inclusive bound makes it exclusive
    (``>=3.9,!=3.9.0`` starts above 3.9) and an excluded ``V.*`` at a bound moves it past
    the series; an exclusion inside the range leaves the bounds as they are."""
    exclusions = [clause for clause in specifier if clause.operator == "!="]
    changed = bool(exclusions)
    while changed:
        changed = False
        for clause in exclusions:
            version = _release(clause.version)
            if version is None:
                continue
            if clause.version.endswith(".*"):
                end = _next_release(version)
                if lower is not None and version <= lower[0] < end:
                    lower, changed = (end, True), True
                if upper is not None and (
                    (upper[0] > version or (upper[0] == version and upper[1]))
                    and (upper[0] < end or (upper[0] == end and not upper[1]))
                ):
                    upper, changed = (version, False), True
                continue
            # The bound keeps the version as its own clause spells it (uv renders
            # ``>=3.9,!=3.9.0`` as above ``'3.9'``).
            if lower is not None and lower == (version, True):
                lower, changed = (lower[0], False), True
            if upper is not None and upper == (version, True):
                upper, changed = (upper[0], False), True
    return lower, upper


_LOWER: IdentityMemo[tuple[Bound]] = IdentityMemo(50_000)


def lower_bound(specifier: SpecifierSet) -> Bound:
    """uv's lower bound of a ``Requires-Python``: the highest ``>=``/``>``/``==``/``~=``.

    Remembered by identity: a lock asks again for every version it tries in every fork, with
    the specifier its metadata parsed once."""
    known = _LOWER.get(specifier)
    if known is None:
        known = _LOWER.put(specifier, (specifier_range(specifier)[0],))
    return known[0]


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


def _major_minor(version: Version) -> Version:
    release = version.release[:2]
    return Version(".".join(map(str, release)))


def matches_requires_python(
    tags: Sequence[str],
    lower: tuple[Version, bool] | None,
    upper: tuple[Version, bool] | None,
) -> bool:
    """False when the wheel's tags say it cannot serve any Python in ``requires-python``.

    ``tags`` are one wheel's tags (see ``WheelTags.parse``); ``lower`` and ``upper`` bound the
    project's ``requires-python`` range as (version, inclusive), None for unbounded (e.g.
    ``==3.10.*`` is ``(3.10, True)``, ``(3.11, False)``). Only major.minor counts: a lower
    bound becomes ``>=X.Y``; an upper bound ``<X.Y.Z`` with Z > 0 becomes ``<=X.Y``.

    A wheel fits when some ABI tag is ``abi3``/``abi3t``; or is ``none`` with a language tag
    that fits (``pyXY`` when X.Y is not above the upper bound, since it is a minimum;
    ``cpXY``/``ppXY``/``graalpyXY``/``pystonXY`` when X.Y is within both bounds; Python 2
    tags never; other tags such as ``py3`` always); or is a CPython, PyPy or GraalPy ABI for a
    Python 3 minor within both bounds (Python 2 never; other ABIs always). A wheel with no
    parsable ABI tag never fits. uv's ``RequiresPython::matches_wheel_tag``.
    """
    wheel = WheelTags.parse(tags)
    floor = None if lower is None else _major_minor(lower[0])
    ceiling: tuple[Version, bool] | None = None
    if upper is not None:
        version, inclusive = upper
        patch = version.release[2] if len(version.release) > 2 else 0
        # `<3.10.1` admits 3.10.0, so it is `<=3.10`; `<3.10.0` is `<3.10`.
        ceiling = (_major_minor(version), inclusive or patch > 0)

    def above_floor(minor: int) -> bool:
        return floor is None or Version(f"3.{minor}") >= floor

    def below_ceiling(minor: int) -> bool:
        if ceiling is None:
            return True
        bound, inclusive = ceiling
        wheel_version = Version(f"3.{minor}")
        return wheel_version <= bound if inclusive else wheel_version < bound

    def language_fits(tag: LanguageTag) -> bool:
        if tag.major == 2 and not (tag.implementation == "cp" and tag.minor is None):
            return False  # Python 2 never (uv's list leaves out `cp2`, a major version alone)
        if tag.major != 3 or tag.minor is None:
            return True  # unknown to the rule (`py3`, `cp3`, `py4`): allowed
        if tag.implementation == "py":
            return below_ceiling(tag.minor)  # `py37` is a minimum, not an exact version
        return above_floor(tag.minor) and below_ceiling(tag.minor)

    for abi in wheel.abi:
        if abi.is_stable_abi:
            return True
        if abi.kind == "none":
            if any(language_fits(tag) for tag in wheel.python):
                return True
            continue
        if abi.kind in ("cpython", "pypy", "graalpy"):
            if abi.python is None or abi.python[0] == 2:
                continue  # Python 2 (and `pypy_73`, which names no Python) never
            if abi.python[0] == 3:
                if above_floor(abi.python[1]) and below_ceiling(abi.python[1]):
                    return True
                continue
        return True  # an ABI the rule does not know (Pyston, a future major): allowed
    return False
