"""uv's order of markers: how ``uv.lock`` sorts requirements (and edges) that differ only by
marker.

Part of the pure model stage (STYLE 2.1): no I/O. uv orders a ``MarkerTree`` by its decision
diagram, not by its text (``impl Ord for MarkerTree`` in ``uv-pep508/src/marker/tree.rs``): by
the kind of the top node (true, false, version, string, ``in``, ``contains``, list, extra),
then its variable, then its edges in order, each edge by its range (``version_ranges``'
``Ranges`` order: start bounds, then end bounds) and then its child, recursively. So
``python_full_version >= '3.11' and sys_platform == 'darwin'`` sorts before
``(python_full_version >= '3.11' and sys_platform == 'linux') or …``, though not as text.
"""

from __future__ import annotations

import functools
from typing import Any

from accord.model import marker_algebra as ma
from accord.model import marker_ranges as mr
from accord.model.marker_tree import MarkerTree

__all__ = ["marker_order_key"]

# uv's ``MarkerTreeKind`` order, by accord's variable kinds.
_KIND_RANK = {
    ma.K_VERSION: 2,
    ma.K_STRING: 3,
    ma.K_IN: 4,
    ma.K_CONTAINS: 5,
    ma.K_LIST: 6,
    ma.K_EXTRA: 7,
}


def marker_order_key(tree: MarkerTree) -> tuple[Any, ...]:
    """A key that sorts markers as uv does."""
    return _key(tree.node)


def _start(bound: mr.Bound) -> tuple[Any, ...]:
    # Unbounded first; at one value an inclusive start comes before an exclusive one.
    if bound is None:
        return (0,)
    value, inclusive = bound
    return (1, value, 0 if inclusive else 1)


def _end(bound: mr.Bound) -> tuple[Any, ...]:
    # Unbounded last; at one value an exclusive end comes before an inclusive one.
    if bound is None:
        return (1,)
    value, inclusive = bound
    return (0, value, 1 if inclusive else 0)


@functools.lru_cache(maxsize=4096)
def _key(node: int) -> tuple[Any, ...]:
    if node == ma.TRUE:
        return (0,)
    if node == ma.FALSE:
        return (1,)
    var, _ = ma.node(node)
    rank = _KIND_RANK[var[0]]
    if ma.is_range_var(var):
        # Each edge is one segment: its range compares by start, end, then segment count.
        edges = tuple(
            ((_start(lo), _end(hi), 1), _key(child)) for lo, hi, child in ma.range_edges(node)
        )
        return (rank, var[1:], edges)
    high, low = ma.bool_edges(node)
    return (rank, var[1:], ((True, _key(high)), (False, _key(low))))
