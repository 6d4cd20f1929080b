"""The marker decision diagram: hash-consed nodes and the operations on them.

Part of the pure model stage (STYLE 2.1): no I/O. This is a port of the algorithm in uv's
``uv-pep508/src/marker/algebra.rs``: a reduced, ordered decision diagram with complement edges.
A node id is an ``int`` whose lowest bit marks a complemented reference; ``TRUE`` is 0 and
``FALSE`` is 1. Nodes live in a process-wide table so that equal functions get equal ids, which
is what lets callers compare markers with ``==`` and lets every operation be memoised by id.

A variable is a tuple whose natural order is uv's variable order (``Variable`` in algebra.rs,
``CanonicalMarkerValueString`` in lowering.rs): string keys, then version keys, then ``in``,
``contains``, ``extra`` and list variables. Version and string variables branch on disjoint
ranges that cover their whole domain; the others are boolean with ``(high, low)`` children.

The rewrites built on these operations (restricting, dropping extras, the Python-range
simplifications, reordering for rendering) are in ``model.marker_rewrite``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, TypeAlias

from accord.model import marker_ranges as mr

TRUE = 0
FALSE = 1

# Variable kinds, in uv's order.
K_STRING, K_VERSION, K_IN, K_CONTAINS, K_EXTRA, K_LIST = range(6)
STRING_KEYS = (
    "os_name",
    "sys_platform",
    "platform_system",
    "platform_machine",
    "platform_python_implementation",
    "platform_release",
    "platform_version",
    "implementation_name",
)
VERSION_KEYS = ("implementation_version", "python_full_version")
PYTHON_FULL_VERSION = (K_VERSION, 1)
K_VERSION_FIRST = -1
"""A version variable ordered above the string ones. Only ``version_first`` builds such nodes,
to render a marker from the other variable order (see ``marker_dnf.render``)."""
# os_name, sys_platform and platform_system take part in the exclusion pairs; uv orders them
# first so that a conflict can only ever show at the top of a diagram.
_LAST_CONFLICTING = 2

Var: TypeAlias = "tuple[Any, ...]"
RangeEdge: TypeAlias = "tuple[mr.Bound, mr.Bound, int]"
Edges: TypeAlias = "tuple[Any, ...]"
Node: TypeAlias = "tuple[Var, Edges]"

_nodes: list[Node] = [((), ())]
_unique: dict[Node, int] = {}
_and_cache: dict[tuple[int, int], int] = {}
_plain_and_cache: dict[tuple[int, int], int] = {}
_disjoint_cache: dict[tuple[int, int], bool] = {}
_exclusions: list[int] = []


def node(i: int) -> Node:
    """The variable and (uncomplemented) edges of node ``i``; ``i`` must not be terminal."""
    return _nodes[i >> 1]


def is_range_var(var: Var) -> bool:
    return bool(var[0] <= K_VERSION)


def create(var: Var, edges: Edges) -> int:
    """The canonical id for a node, applying uv's two reduction rules."""
    if var[0] <= K_VERSION:
        first = edges[0][2]
        flipped = first & 1
        if flipped:
            edges = tuple([(lo, hi, c ^ 1) for lo, hi, c in edges])
            first ^= 1
        if all(e[2] == first for e in edges):
            return int(first ^ flipped)
        # uv's `Edges::map` can leave two adjacent edges with the same child (e.g. after
        # `a and (b or c)` collapses two branches), so equal functions could get different
        # nodes. Merging them keeps the diagram canonical; rendering is unaffected because
        # `to_dnf` groups edges by child anyway.
        for k in range(1, len(edges)):
            if edges[k][2] == edges[k - 1][2]:
                merged = [edges[0]]
                for edge in edges[1:]:
                    if edge[2] == merged[-1][2]:
                        merged[-1] = (merged[-1][0], edge[1], edge[2])
                    else:
                        merged.append(edge)
                edges = tuple(merged)
                break
    else:
        high, low = edges
        flipped = high & 1
        if flipped:
            high ^= 1
            low ^= 1
            edges = (high, low)
        if high == low:
            return int(high ^ flipped)
    key = (var, edges)
    index = _unique.get(key)
    if index is None:
        index = len(_nodes)
        _nodes.append(key)
        _unique[key] = index
    return int((index << 1) | flipped)


def children(i: int) -> Iterator[int]:
    """The children of node ``i`` as absolute ids (complement of ``i`` applied)."""
    var, edges = _nodes[i >> 1]
    c = i & 1
    if var[0] <= K_VERSION:
        for edge in edges:
            yield edge[2] ^ c
    else:
        yield edges[0] ^ c
        yield edges[1] ^ c


def range_edges(i: int) -> list[tuple[mr.Bound, mr.Bound, int]]:
    """The ``(lower, upper, child)`` edges of a range node, children as absolute ids."""
    c = i & 1
    return [(lo, hi, child ^ c) for lo, hi, child in _nodes[i >> 1][1]]


def bool_edges(i: int) -> tuple[int, int]:
    """The ``(high, low)`` children of a boolean node as absolute ids."""
    high, low = _nodes[i >> 1][1]
    c = i & 1
    return high ^ c, low ^ c


def from_range(ranges: mr.Ranges) -> Edges:
    """Edges mapping ``ranges`` to true and the rest of the domain to false, sorted."""
    edges = [(lo, hi, TRUE) for lo, hi in ranges]
    edges += [(lo, hi, FALSE) for lo, hi in mr.complement(ranges)]
    edges.sort(key=lambda e: _LowerKey(e[0]))
    return tuple(edges)


class _LowerKey:
    __slots__ = ("b",)

    def __init__(self, b: mr.Bound) -> None:
        self.b = b

    def __lt__(self, other: _LowerKey) -> bool:
        return mr.lower_lt(self.b, other.b)


def range_node(var: Var, ranges: mr.Ranges) -> int:
    return create(var, from_range(ranges))


def bool_node(var: Var, high_is_true: bool) -> int:
    return create(var, (TRUE, FALSE) if high_is_true else (FALSE, TRUE))


def map_children(i: int, f: Callable[[int], int]) -> int:
    """Node ``i`` rebuilt with ``f`` applied to each of its children (as absolute ids)."""
    var, edges = _nodes[i >> 1]
    c = i & 1
    if var[0] <= K_VERSION:
        return create(var, tuple([(lo, hi, f(child ^ c)) for lo, hi, child in edges]))
    return create(var, (f(edges[0] ^ c), f(edges[1] ^ c)))


def _touches(hi: mr.Bound, lo: mr.Bound) -> bool:
    return hi is not None and lo is not None and hi[0] == lo[0] and hi[1] != lo[1]


def merge_edges(x: int, y: int, f: Callable[[int, int], int]) -> Edges:
    """Merge the edges of two nodes on the same variable, combining overlapping children
    with ``f`` (the edges of a new node on that variable, for ``create``)."""
    var, xe = _nodes[x >> 1]
    ye = _nodes[y >> 1][1]
    xc, yc = x & 1, y & 1
    if var[0] > K_VERSION:
        return (f(xe[0] ^ xc, ye[0] ^ yc), f(xe[1] ^ xc, ye[1] ^ yc))
    out: list[RangeEdge] = []
    i = j = 0
    lower_lt, upper_lt = mr.lower_lt, mr.upper_lt
    while i < len(xe) and j < len(ye):
        xlo, xhi, xchild = xe[i]
        ylo, yhi, ychild = ye[j]
        lo = ylo if lower_lt(xlo, ylo) else xlo
        hi = xhi if upper_lt(xhi, yhi) else yhi
        if not mr.segment_empty(lo, hi):
            result = f(xchild ^ xc, ychild ^ yc)
            if out and out[-1][2] == result and _touches(out[-1][1], lo):
                out[-1] = (out[-1][0], hi, result)
            else:
                out.append((lo, hi, result))
        if upper_lt(xhi, yhi):
            i += 1
        else:
            j += 1
    return tuple(out)


def _pairs(x: int, y: int) -> Iterator[tuple[int, int]]:
    """The pairs of children of two same-variable nodes whose edges overlap."""
    var, xe = _nodes[x >> 1]
    ye = _nodes[y >> 1][1]
    xc, yc = x & 1, y & 1
    if var[0] > K_VERSION:
        yield xe[0] ^ xc, ye[0] ^ yc
        yield xe[1] ^ xc, ye[1] ^ yc
        return
    i = j = 0
    while i < len(xe) and j < len(ye):
        xlo, xhi, xchild = xe[i]
        ylo, yhi, ychild = ye[j]
        lo = ylo if mr.lower_lt(xlo, ylo) else xlo
        hi = xhi if mr.upper_lt(xhi, yhi) else yhi
        if not mr.segment_empty(lo, hi):
            yield xchild ^ xc, ychild ^ yc
        if mr.upper_lt(xhi, yhi):
            i += 1
        else:
            j += 1


def _conflicting(var: Var) -> bool:
    return bool(var[0] == K_STRING and var[1] <= _LAST_CONFLICTING)


def and_(x: int, y: int) -> int:
    """Conjunction, with uv's known-incompatible platform pairs mapped to false."""
    return _and(x, y, True)


def or_(x: int, y: int) -> int:
    return _and(x ^ 1, y ^ 1, True) ^ 1


def _and(x: int, y: int, check: bool) -> int:
    if x == TRUE:
        return y
    if y == TRUE or x == y:
        return x
    if x == FALSE or y == FALSE or x ^ 1 == y:
        return FALSE
    cache = _and_cache if check else _plain_and_cache
    key = (x, y)
    result = cache.get(key)
    if result is not None:
        return result
    xv = _nodes[x >> 1][0]
    yv = _nodes[y >> 1][0]
    if xv < yv:
        result = map_children(x, lambda c: _and(c, y, check))
    elif xv > yv:
        result = map_children(y, lambda c: _and(c, x, check))
    else:
        result = create(xv, merge_edges(x, y, lambda a, b: _and(a, b, check)))
    # Only the top of a diagram can hold the platform variables (they come first in the
    # order), so this is the one place a known-impossible combination can appear.
    if check and _conflicting(xv) and _conflicting(yv) and _disjointness(result, exclusions() ^ 1):
        result = FALSE
    cache[key] = result
    return result


def is_disjoint(x: int, y: int) -> bool:
    """Whether no environment satisfies both ``x`` and ``y`` (uv's ``is_disjoint``)."""
    if x == FALSE or y == FALSE:
        return True
    if TRUE in (x, y) or x == y:
        return False
    if x ^ 1 == y:
        return True
    if _conflicting(_nodes[x >> 1][0]) and _conflicting(_nodes[y >> 1][0]):
        return and_(x, y) == FALSE
    return _disjointness(x, y)


def _disjointness(x: int, y: int) -> bool:
    if x == FALSE or y == FALSE:
        return True
    if TRUE in (x, y) or x == y:
        return False
    if x ^ 1 == y:
        return True
    key = (x, y)
    cached = _disjoint_cache.get(key)
    if cached is not None:
        return cached
    xv = _nodes[x >> 1][0]
    yv = _nodes[y >> 1][0]
    if xv < yv:
        result = all(_disjointness(c, y) for c in children(x))
    elif xv > yv:
        result = all(_disjointness(c, x) for c in children(y))
    else:
        result = all(_disjointness(a, b) for a, b in _pairs(x, y))
    _disjoint_cache[key] = result
    return result


def exclusions() -> int:
    """The disjunction of platform pairs uv knows never hold together (algebra.rs)."""
    if _exclusions:
        return _exclusions[0]

    def eq(key: str, value: str) -> int:
        return range_node((K_STRING, STRING_KEYS.index(key)), mr.singleton(value))

    os_nt, os_posix = eq("os_name", "nt"), eq("os_name", "posix")
    sys = {
        v: eq("sys_platform", v)
        for v in (
            "aix",
            "android",
            "emscripten",
            "ios",
            "linux",
            "darwin",
            "win32",
            "cygwin",
            "wasi",
        )
    }
    pairs = [
        (os_nt, sys["linux"]),
        (os_nt, sys["darwin"]),
        (os_nt, sys["ios"]),
        (os_posix, sys["win32"]),
    ]
    for system in ("FreeBSD", "NetBSD", "OpenBSD", "SunOS", "iOS", "iPadOS"):
        ps = eq("platform_system", system)
        for platform, sp in sys.items():
            if platform == "ios" and system in ("iOS", "iPadOS"):
                continue
            pairs.append((ps, sp))
    tree = FALSE
    for a, b in pairs:
        tree = _and(tree ^ 1, _and(a, b, False) ^ 1, False) ^ 1
    _exclusions.append(tree)
    return tree


def plain_and(x: int, y: int) -> int:
    """Conjunction without uv's platform exclusions (for diagrams built only to render)."""
    return _and(x, y, False)


def plain_or(x: int, y: int) -> int:
    """Disjunction without uv's platform exclusions (see ``plain_and``)."""
    return _and(x ^ 1, y ^ 1, False) ^ 1
