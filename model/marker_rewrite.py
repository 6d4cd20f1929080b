"""Rewrites of a marker decision diagram: each answers "what is this marker when ..." (pure).

Part of the pure model stage (STYLE 2.1): no I/O. Ports of uv's ``MarkerTree`` operations in
``uv-pep508/src/marker/algebra.rs`` that build a new diagram from an old one: fixing boolean
variables (``restrict_by``), simplifying under an assumption (``restrict``), dropping or
keeping only the extras, assuming or imposing a Python range, and moving the version
variables first for rendering (``version_first``). The diagram itself, its node table and the
boolean operations are in ``model.marker_algebra``.
"""

from __future__ import annotations

from collections.abc import Callable

from accord.model import marker_algebra as ma
from accord.model import marker_ranges as mr
from accord.model.marker_algebra import Var

__all__ = [
    "complexify_python_versions",
    "only_extras",
    "restrict",
    "restrict_by",
    "simplify_python_versions",
    "version_first",
    "without_extras",
]


def restrict_by(i: int, f: Callable[[Var], bool | None]) -> int:
    """Fix the boolean variables for which ``f`` returns a value (uv's ``restrict_by``)."""
    cache: dict[int, int] = {}

    def go(i: int) -> int:
        if i <= ma.FALSE:
            return i
        cached = cache.get(i)
        if cached is not None:
            return cached
        var = ma.node(i)[0]
        value = None if var[0] <= ma.K_VERSION else f(var)
        if value is not None:
            high, low = ma.bool_edges(i)
            result = go(high if value else low)
        else:
            result = ma.map_children(i, go)
        cache[i] = result
        return result

    return go(i)


_restricted: dict[tuple[int, int], int] = {}
"""``restrict``'s answers by node: nodes never change once made, so an answer holds for the
rest of the process, as ``marker_algebra``'s own caches do (a lock asks the same pairs for
every package's edges in every fork: 7% of a 334-package lock, asked afresh each call)."""


def restrict(value: int, assumption: int) -> int:
    """``value`` simplified where ``assumption`` holds (uv's ``MarkerTree::restrict``)."""
    cache = _restricted

    def go(value: int, assumption: int) -> int:
        if assumption == ma.TRUE or value <= ma.FALSE:
            return value
        if assumption == ma.FALSE:
            return ma.FALSE
        if value == assumption:
            return ma.TRUE
        if value == assumption ^ 1:
            return ma.FALSE
        key = (value, assumption)
        cached = cache.get(key)
        if cached is not None:
            return cached
        vv = ma.node(value)[0]
        av = ma.node(assumption)[0]
        if vv < av:
            result = ma.map_children(value, lambda c: go(c, assumption))
        elif vv > av:
            # The value does not branch on this variable: quantify it out of the assumption.
            quantified = ma.FALSE
            for child in ma.children(assumption):
                quantified = ma.or_(quantified, child)
            result = go(value, quantified)
        else:
            fallback: list[int] = []

            def first_pass(v: int, a: int) -> int:
                if a == ma.FALSE:
                    return ma.FALSE
                r = go(v, a)
                if not fallback:
                    fallback.append(r)
                return r

            ma.merge_edges(value, assumption, first_pass)
            if not fallback:
                return ma.FALSE
            # Edges the assumption rules out take the first reachable child, so they merge
            # away instead of restating the assumption.
            result = ma.create(
                vv,
                ma.merge_edges(
                    value, assumption, lambda v, a: fallback[0] if a == ma.FALSE else go(v, a)
                ),
            )
        cache[key] = result
        return result

    return go(value, assumption)


_without_extras: dict[int, int] = {}
"""Node ids are canonical and never reused: one answer per node for the whole process (the
lock asks again for every package's context)."""


def without_extras(i: int) -> int:
    """``i`` with every ``extra`` variable quantified out: true where some extras make it
    true (uv's ``without_extras``)."""
    cache = _without_extras

    def go(i: int) -> int:
        if i <= ma.FALSE:
            return i
        cached = cache.get(i)
        if cached is not None:
            return cached
        if ma.node(i)[0][0] == ma.K_EXTRA:
            merged = ma.FALSE
            for child in ma.children(i):
                merged = ma.or_(merged, child)
            result = ma.TRUE if merged == ma.TRUE else go(merged)
        else:
            result = ma.map_children(i, go)
        cache[i] = result
        return result

    return go(i)


def only_extras(i: int) -> int:
    """``i`` with every variable but ``extra`` quantified out (uv's ``only_extras``)."""
    if i <= ma.FALSE:
        return i
    if ma.node(i)[0][0] != ma.K_EXTRA:
        merged = ma.FALSE
        for child in ma.children(i):
            merged = ma.or_(merged, child)
        return ma.TRUE if merged == ma.TRUE else only_extras(merged)
    return ma.map_children(i, only_extras)


_simplified: dict[tuple[mr.Bound, mr.Bound], dict[int, int]] = {}
"""``simplify_python_versions``'s answers, by Python range, then node."""


def simplify_python_versions(i: int, lower: mr.Bound, upper: mr.Bound) -> int:
    """uv's ``simplify_python_versions``: assume Python is within ``[lower, upper]``."""
    if lower is None and upper is None:
        return i
    py_range = mr.interval(lower, upper)
    # Node ids are process-wide (``marker_algebra``): what a node simplifies to under one
    # range holds for the process, and a lock simplifies the same edges and reaches often.
    cache = _simplified.get((lower, upper))
    if cache is None:
        cache = _simplified[(lower, upper)] = {}

    def go(i: int) -> int:
        if i <= ma.FALSE:
            return i
        cached = cache.get(i)
        if cached is not None:
            return cached
        var, edges = ma.node(i)
        if var != ma.PYTHON_FULL_VERSION:
            result = ma.map_children(i, go)
        elif not py_range:
            result = ma.FALSE
        else:
            new = []
            for lo, hi, child in edges:
                overlap = mr.intersect_segments((lo, hi), py_range[0])
                if overlap is not None:
                    new.append((overlap[0], overlap[1], child))
            new[0] = (None, new[0][1], new[0][2])
            new[-1] = (new[-1][0], None, new[-1][2])
            result = ma.create(var, tuple(new)) ^ (i & 1)
        cache[i] = result
        return result

    return go(i)


def complexify_python_versions(i: int, lower: mr.Bound, upper: mr.Bound) -> int:
    """uv's ``complexify_python_versions``: make ``i`` false outside ``[lower, upper]``."""
    if i == ma.FALSE or (lower is None and upper is None):
        return i
    py_range = mr.interval(lower, upper)
    if not py_range:
        return ma.FALSE
    if i == ma.TRUE:
        return ma.range_node(ma.PYTHON_FULL_VERSION, py_range)
    var, edges = ma.node(i)
    if var != ma.PYTHON_FULL_VERSION:
        return ma.map_children(i, lambda c: complexify_python_versions(c, lower, upper))
    new = [e for e in edges if mr.intersect_segments((e[0], e[1]), py_range[0]) is not None]
    exclude = ma.FALSE ^ (i & 1)
    if lower is not None:
        lo, hi, child = new[0]
        if child == exclude:
            new[0] = (None, hi, child)
        else:
            new[0] = (lower, hi, child)
            new.insert(0, (None, (lower[0], not lower[1]), exclude))
    if upper is not None:
        lo, hi, child = new[-1]
        if child == exclude:
            new[-1] = (lo, None, child)
        else:
            new[-1] = (lo, upper, child)
            new.append(((upper[0], not upper[1]), None, exclude))
    return ma.create(var, tuple(new)) ^ (i & 1)


_version_first: dict[int, int] = {}


def version_first(i: int) -> int:
    """The same function as ``i`` in a diagram whose version variables come before the string
    ones (variables of kind ``K_VERSION_FIRST``). For rendering only, so built without the
    platform exclusions: a path ``i`` keeps (uv kept it) is kept here too."""
    if i in (ma.TRUE, ma.FALSE):
        return i
    known = _version_first.get(i)
    if known is not None:
        return known
    var = ma.node(i)[0]
    result = ma.FALSE
    if ma.is_range_var(var):
        moved = (ma.K_VERSION_FIRST, var[1]) if var[0] == ma.K_VERSION else var
        for lo, hi, child in ma.range_edges(i):
            branch = ma.plain_and(ma.range_node(moved, ((lo, hi),)), version_first(child))
            result = ma.plain_or(result, branch)
    else:
        high, low = ma.bool_edges(i)
        result = ma.plain_or(
            ma.plain_and(ma.bool_node(var, True), version_first(high)),
            ma.plain_and(ma.bool_node(var, False), version_first(low)),
        )
    _version_first[i] = result
    return result
