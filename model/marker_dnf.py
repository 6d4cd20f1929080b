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

from packaging.markers import Marker

from accord.model import marker_algebra as ma
from accord.model import marker_ranges as mr
from accord.model import marker_rewrite as mw
from accord.model.marker_lowering import lower_markers
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
_EXTRA_KIND = (4,)
Clause: TypeAlias = "list[Term]"


_rendered: dict[int, str | None] = {}
_fresh: list[str] = []
_FRESH_MOST = 8192


def fresh_rendered() -> list[str]:
    """The texts rendered since the last call (a warm server's worker tells the server, whose
    next workers then find the same markers' nodes and texts made: ``lock.warm_up.learn``)."""
    fresh = list(_fresh)
    _fresh.clear()
    return fresh


def render(i: int) -> str | None:
    """uv's text for node ``i``; None for ``true``, ``python_version < '0'`` for ``false``.

    uv 0.13.8 writes the shorter of two spellings: the DNF of the diagram in uv's variable
    order (platform strings above Python versions) and the DNF of the same function with the
    Python version on top (``python_full_version == '3.11.*' or (python_full_version >= '3.12'
    and sys_platform != 'emscripten')`` rather than a clause per platform), each simplified as
    uv's ``simplify`` does; the first spelling wins a tie. The chosen DNF is then reduced by
    what the marker means (``_reduce``) and sorted. Observed, not read in uv's source: it
    holds for every marker of 34 real-project locks, uv's integration-test lock markers and
    uv's answers in tests/reconciler/test_marker_rendering_uv.py.
    """
    # Nodes are immutable and interned, so the text of a node id never changes.
    if i in _rendered:
        return _rendered[i]
    text: str | None
    if i == ma.TRUE:
        text = None
    elif i == ma.FALSE:
        text = "python_version < '0'"
    else:
        dnf = _dnf(i)
        other = _dnf(mw.version_first(i))
        if len(_text(_sorted(other))) < len(_text(_sorted(dnf))):
            dnf = other
        _reduce(dnf, i)
        text = _text(_sorted(dnf))
    _rendered[i] = text
    if text is not None and len(_fresh) < _FRESH_MOST:
        _fresh.append(text)
    return text


def _text(dnf: list[Clause]) -> str:
    if len(dnf) == 1:
        return " and ".join(t[3] for t in dnf[0])
    return " or ".join(
        clause[0][3] if len(clause) == 1 else "(" + " and ".join(t[3] for t in clause) + ")"
        for clause in dnf
    )


def to_dnf(i: int) -> list[Clause]:
    """The clauses of node ``i`` as uv writes them (in this variable order)."""
    dnf = _dnf(i)
    if i not in (ma.TRUE, ma.FALSE):
        _reduce(dnf, i)
    return _sorted(dnf)


def _dnf(i: int) -> list[Clause]:
    """uv's ``to_dnf`` before sorting: the paths to ``true``, syntactically simplified."""
    dnf: list[Clause] = []
    _collect(i, dnf, [])
    _simplify(dnf)
    return dnf


def _term_order(term: Term) -> tuple[Any, ...]:
    # Terms of one kind keep their order, but extras go by name, `!=` first (observed).
    if term[0] == _EXTRA_KIND:
        return (term[0], term[2], term[1] == "==")
    return (term[0],)


def _sorted(dnf: list[Clause]) -> list[Clause]:
    clauses = [sorted(clause, key=_term_order) for clause in dnf]
    clauses.sort(key=lambda c: ([t[0] for t in c], [_term_order(t) for t in c]))
    return clauses


def _reduce(dnf: list[Clause], function: int) -> None:
    """uv 0.13.8's reduction of a DNF by its meaning (observed, without the platform
    exclusions): a term goes when the rest of its clause still implies the marker, then a
    clause goes (the last first) when the others imply it. ``(impl == 'cpython' and
    sys_platform != 'win32' and extra == 'a') or (extra == 'a' and extra == 'b')``, not a
    clause per platform."""
    for clause in dnf:
        k = 0
        while k < len(clause):
            rest = clause[:k] + clause[k + 1 :]
            if rest and _implies(_conjunction(rest), function):
                del clause[k]
            else:
                k += 1
    for i in range(len(dnf) - 1, -1, -1):
        others = ma.FALSE
        for j, other in enumerate(dnf):
            if j != i:
                others = ma.plain_or(others, _conjunction(other))
        if _implies(_conjunction(dnf[i]), others):
            del dnf[i]


def _implies(x: int, y: int) -> bool:
    return ma.plain_and(x, y ^ 1) == ma.FALSE


def _conjunction(terms: Clause) -> int:
    node = ma.TRUE
    for term in terms:
        node = ma.plain_and(node, _term_node(term))
    return node


_term_nodes: dict[str, int] = {}


def _term_node(term: Term) -> int:
    """The diagram of one term (in uv's variable order, whatever order it was read from)."""
    node = _term_nodes.get(term[3])
    if node is None:
        lowered = lower_markers(Marker(term[3])._markers)
        node = _term_nodes[term[3]] = ma.TRUE if lowered is None else lowered
    return node


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
            term = (_EXTRA_KIND, op, var[1], f"extra {op} '{var[1]}'")
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
