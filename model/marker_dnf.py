"""Rendering a marker decision diagram as text, byte-for-byte as uv does.

Part of the pure model stage (STYLE 2.1): no I/O. A port of uv's ``to_dnf``
(``uv-pep508/src/marker/simplify.rs``): collect every path to ``true`` as a conjunction, write
range edges as ``!=`` runs, ``.*`` stars or bound pairs, drop terms and clauses that the other
clauses make redundant, then sort terms and clauses by uv's expression-kind order. The text of
``uv.lock`` markers depends on every step, so each follows uv exactly.
"""

from __future__ import annotations

import itertools
from typing import Any, TypeAlias

from accord.model import marker_algebra as ma
from accord.model import marker_ranges as mr
from accord.model import marker_rewrite as mw
from accord.model.marker_ranges import Release

# uv sorts the terms of a clause by ``MarkerExpressionKind``: version keys, then string keys in
# the order of the (non-canonical) ``MarkerValueString`` enum, then list keys, then ``extra``.
_STRING_KIND = {
    key: i
    for i, key in enumerate(
        (
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
_LIST_NAMES = ("extras", "dependency_groups")
_NEGATE = {
    "==": "!=",
    "!=": "==",
    "<": ">=",
    ">=": "<",
    "<=": ">",
    ">": "<=",
    "==*": "!=*",
    "!=*": "==*",
    "in": "not in",
    "not in": "in",
    "contains": "not contains",
    "not contains": "contains",
}

# A term: (kind, operator, value, text); the first three decide equality and negation.
Term: TypeAlias = "tuple[tuple[int, ...], str, Any, str]"
Clause: TypeAlias = "list[Term]"


_rendered: dict[int, str | None] = {}


def render(i: int) -> str | None:
    """uv's text for node ``i``; None for ``true``, ``python_version < '0'`` for ``false``.

    uv 0.13.8 writes the shorter of two spellings: the DNF of the diagram in uv's variable
    order (platform strings above Python versions) and the DNF of the same function with the
    Python version on top (``python_full_version == '3.11.*' or (python_full_version >= '3.12'
    and sys_platform != 'emscripten')`` rather than a clause per platform). Observed, not read
    in uv's source: it holds for every marker of 34 real-project locks and uv's answers in
    tests/reconciler/test_marker_rendering_uv.py; the first spelling wins a tie.
    """
    # Nodes are immutable and interned, so the text of a node id never changes.
    if i in _rendered:
        return _rendered[i]
    text = _render(i)
    if text is not None:
        other = _render(mw.version_first(i))
        if other is not None and len(other) < len(text):
            text = other
    _rendered[i] = text
    return text


def _render(i: int) -> str | None:
    if i == ma.TRUE:
        return None
    if i == ma.FALSE:
        return "python_version < '0'"
    dnf = to_dnf(i)
    if len(dnf) == 1:
        return " and ".join(t[3] for t in dnf[0])
    return " or ".join(
        clause[0][3] if len(clause) == 1 else "(" + " and ".join(t[3] for t in clause) + ")"
        for clause in dnf
    )


def to_dnf(i: int) -> list[Clause]:
    dnf: list[Clause] = []
    _collect(i, dnf, [])
    _simplify(dnf)
    for clause in dnf:
        clause.sort(key=lambda t: t[0])
    dnf.sort(key=lambda c: [t[0] for t in c])
    return dnf


def _version_term(key: str, op: str, version: Release) -> Term:
    kind = (0, 0 if key == "implementation_version" else 1)
    if op in ("==*", "!=*"):
        text = f"{key} {op[:2]} '{version.text}.*'"
    else:
        text = f"{key} {op} '{version.text}'"
    return (kind, op, tuple(version), text)


def _string_term(key: str, op: str, value: str) -> Term:
    if op == "contains":
        text = f"'{value}' in {key}"
    elif op == "not contains":
        text = f"'{value}' not in {key}"
    elif op in ("in", "not in"):
        text = f"{key} {op} '{value}'"
    else:
        text = f"{key} {op} '{value}'"
    return ((2, _STRING_KIND[key]), op, value, text)


def _collect_edges(i: int) -> dict[int, mr.Ranges]:
    """Edges grouped by child, in order of first appearance, each a union of ranges."""
    paths: dict[int, mr.Ranges] = {}
    for lo, hi, child in ma.range_edges(i):
        seg: mr.Ranges = ((lo, hi),)
        prev = paths.get(child)
        paths[child] = seg if prev is None else mr.union(prev, seg)
    return paths


def _collect(i: int, dnf: list[Clause], path: list[Term]) -> None:
    if i == ma.FALSE:
        return
    if i == ma.TRUE:
        if path:
            dnf.append(list(path))
        return
    var = ma.node(i)[0]
    kind = var[0]
    if kind in (ma.K_VERSION, ma.K_STRING, ma.K_VERSION_FIRST):
        is_version = kind != ma.K_STRING
        key = (ma.VERSION_KEYS if is_version else ma.STRING_KEYS)[var[1]]
        for child, ranges in _collect_edges(i).items():
            mark = len(path)
            excluded = _range_inequality(ranges)
            if excluded is not None:
                for value in excluded:
                    path.append(
                        _version_term(key, "!=", value)
                        if is_version
                        else _string_term(key, "!=", value)
                    )
                _collect(child, dnf, path)
                del path[mark:]
                continue
            if is_version:
                star = _star_range(ranges)
                if star is not None:
                    path.append(_version_term(key, "!=*", star))
                    _collect(child, dnf, path)
                    del path[mark:]
                    continue
            for lo, hi in ranges:
                if is_version:
                    path.extend(_version_terms(key, lo, hi))
                else:
                    path.extend(_string_terms(key, lo, hi))
                _collect(child, dnf, path)
                del path[mark:]
        return
    high, low = ma.bool_edges(i)
    for value, child in ((True, high), (False, low)):
        if kind == ma.K_IN or kind == ma.K_CONTAINS:
            key = ma.STRING_KEYS[var[1]]
            op = "in" if kind == ma.K_IN else "contains"
            term = _string_term(key, op if value else "not " + op, var[2])
        elif kind == ma.K_EXTRA:
            op = "==" if value else "!="
            term = ((4,), op, var[1], f"extra {op} '{var[1]}'")
        else:
            list_key = var[1] if var[1] < 2 else var[2]
            op = "in" if value else "not in"
            text = f"'{var[-1]}' {op} {_LIST_NAMES[list_key]}"
            term = ((3, list_key), op, var[1:], text)
        path.append(term)
        _collect(child, dnf, path)
        path.pop()


def _range_inequality(ranges: mr.Ranges) -> list[Any] | None:
    """The values excluded from the full line, when ``ranges`` is exactly that (``!=`` runs)."""
    if not ranges or ranges[0][0] is not None or ranges[-1][1] is not None:
        return None
    excluded = []
    for (_, end), (start, _) in itertools.pairwise(ranges):
        if end is None or start is None or end[1] or start[1] or end[0] != start[0]:
            return None
        excluded.append(end[0])
    return excluded


def _star_range(ranges: mr.Ranges) -> Release | None:
    """``v`` when ``ranges`` is ``python_full_version != 'v.*'``."""
    if len(ranges) != 2:
        return None
    (lo1, hi1), (lo2, hi2) = ranges
    if lo1 is not None or hi2 is not None or hi1 is None or lo2 is None:
        return None
    if hi1[1] or not lo2[1]:
        return None
    v1: Release = hi1[0]
    v2: Release = lo2[0]
    if len(v1) == 1 and v2.full == (v1[0], 1):
        return Release((v1[0], 0))
    if len(v1) == 2 and v2.full == (v1[0], v1[1] + 1):
        return v1
    return None


def _version_terms(key: str, lo: mr.Bound, hi: mr.Bound) -> list[Term]:
    """uv's ``VersionSpecifier::from_release_only_bounds``."""
    if lo is not None and hi is not None:
        if lo[1] and hi[1] and lo[0] == hi[0]:
            return [_version_term(key, "==", lo[0])]
        if lo[1] and not hi[1]:
            v1: Release = lo[0]
            v2 = tuple(hi[0])
            if len(v1) == 1 and v2 == (v1[0], 1):
                return [_version_term(key, "==*", Release((v1[0], 0)))]
            if len(v1) == 2 and v2 == (v1[0], v1[1] + 1):
                return [_version_term(key, "==*", Release(v1))]
    terms = []
    if lo is not None:
        terms.append(_version_term(key, ">=" if lo[1] else ">", lo[0]))
    if hi is not None:
        terms.append(_version_term(key, "<=" if hi[1] else "<", hi[0]))
    return terms


def _string_terms(key: str, lo: mr.Bound, hi: mr.Bound) -> list[Term]:
    """uv's ``MarkerOperator::from_bounds``."""
    if lo is not None and hi is not None and lo[0] == hi[0]:
        if lo[1] and hi[1]:
            return [_string_term(key, "==", lo[0])]
        if not lo[1] and not hi[1]:
            return [_string_term(key, "!=", lo[0])]
    terms = []
    if lo is not None:
        terms.append(_string_term(key, ">=" if lo[1] else ">", lo[0]))
    if hi is not None:
        terms.append(_string_term(key, "<=" if hi[1] else "<", hi[0]))
    return terms


def _same(a: Term, b: Term) -> bool:
    return a[0] == b[0] and a[1] == b[1] and a[2] == b[2]


def _is_negation(a: Term, b: Term) -> bool:
    return a[0] == b[0] and a[2] == b[2] and _NEGATE.get(a[1]) == b[1]


def _simplify(dnf: list[Clause]) -> None:
    """uv's ``simplify``, repeated until nothing changes."""
    while True:
        before = [list(clause) for clause in dnf]
        _simplify_once(dnf)
        if dnf == before:
            return


def _simplify_once(dnf: list[Clause]) -> None:
    """uv's ``simplify``: drop redundant terms, then clauses that another clause covers."""
    for i in range(len(dnf)):
        clause = dnf[i]
        redundant: list[int] = []
        for skipped, skipped_term in enumerate(clause):
            for j, other in enumerate(dnf):
                if i == j:
                    continue
                if all(_redundant_with(t, skipped_term, clause, redundant) for t in other):
                    redundant.append(skipped)
                    break
        for index in sorted(redundant, reverse=True):
            del dnf[i][index]

    redundant_clauses: list[int] = []
    for i, clause in enumerate(dnf):
        for j, other in enumerate(dnf):
            if i == j or j in redundant_clauses:
                continue
            if all(any(_same(t, c) for c in clause) for t in other):
                redundant_clauses.append(i)
                break
    for i in reversed(redundant_clauses):
        del dnf[i]


def _redundant_with(term: Term, skipped: Term, clause: Clause, removed: list[int]) -> bool:
    if _same(term, skipped):
        return False
    if _is_negation(term, skipped):
        return True
    for position, candidate in enumerate(clause):
        if _same(candidate, term):
            return position not in removed
    return False
