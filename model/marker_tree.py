"""``MarkerTree``: PEP 508 markers with uv's algebra, for universal resolution and ``uv.lock``.

Part of the pure model stage (STYLE 2.1): no I/O; interpreter facts arrive as a complete marker
environment mapping. A ``MarkerTree`` wraps a node of uv's canonical decision diagram
(``model.marker_algebra``), so equivalent markers compare and hash equal, ``is_false`` and
``is_disjoint`` are exact up to uv's own approximations (``in``/``contains`` are opaque), and
``to_string`` writes the text uv writes (``model.marker_dnf``).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any, ClassVar, TypeAlias

import attrs
from packaging.markers import Marker
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from accord.model import marker_algebra as ma
from accord.model import marker_dnf
from accord.model import marker_ranges as mr
from accord.model import marker_rewrite as mw
from accord.model.marker_lowering import lower_markers
from accord.model.marker_ranges import Release

Bound: TypeAlias = "tuple[Version, bool] | None"
"""A range end: ``(version, inclusive)``, or None for unbounded."""

_WHITESPACE = re.compile(r"[\t\n\r\f\v]")
_parsed: dict[str, int] = {}
_trees: dict[int, MarkerTree] = {}
_python_ranges: dict[tuple[Bound, Bound], MarkerTree] = {}
_simplified: dict[tuple[int, Bound, Bound], MarkerTree] = {}


def _bound(bound: Bound) -> mr.Bound:
    if bound is None:
        return None
    return (Release.of(bound[0]), bound[1])


def _public_bound(bound: mr.Bound) -> Bound:
    if bound is None:
        return None
    return (Version(bound[0].text), bound[1])


@attrs.frozen(slots=True, repr=False)
class MarkerTree:
    """An immutable PEP 508 marker in uv's canonical form.

    Equal functions give equal trees (``==`` and ``hash`` agree with equivalence, as in uv); the
    trees are interned, so ``and``/``or``/``not`` of the same operands return the same object.
    """

    node: int
    """The id of the diagram node (lowest bit: complemented)."""

    TRUE: ClassVar[MarkerTree]
    FALSE: ClassVar[MarkerTree]

    @classmethod
    def of(cls, node: int) -> MarkerTree:
        """The interned tree for a node id."""
        tree = _trees.get(node)
        if tree is None:
            tree = _trees[node] = cls(node)
        return tree

    @classmethod
    def parse(cls, marker: str | Marker | None) -> MarkerTree:
        """Parse marker text the way uv does; None means ``true``.

        Comparisons uv ignores (e.g. ``os_name ~= 'x'``, a non-PEP 440 version) drop out of
        their ``and``/``or``. Raises ``packaging.markers.InvalidMarker`` on a syntax error.
        """
        if marker is None or (isinstance(marker, str) and not marker.strip()):
            return MARKER_TRUE
        text = marker if isinstance(marker, str) else str(marker)
        node = _parsed.get(text)
        if node is None:
            # uv accepts any Unicode whitespace between tokens; packaging only spaces.
            parsed = Marker(_WHITESPACE.sub(" ", text)) if isinstance(marker, str) else marker
            lowered = lower_markers(parsed._markers)
            node = ma.TRUE if lowered is None else lowered
            if node == _never_node():
                node = ma.FALSE  # uv's spelling of a marker that never holds
            _parsed[text] = node
        return cls.of(node)

    @classmethod
    def python_range(cls, lower: Bound, upper: Bound) -> MarkerTree:
        """``python_full_version`` between the two bounds (each with its own inclusivity)."""
        key = (lower, upper)
        known = _python_ranges.get(key)
        if known is None:
            ranges = mr.interval(_bound(lower), _bound(upper))
            known = _python_ranges[key] = cls.of(ma.range_node(ma.PYTHON_FULL_VERSION, ranges))
        return known

    def __and__(self, other: MarkerTree) -> MarkerTree:
        return MarkerTree.of(ma.and_(self.node, other.node))

    def __or__(self, other: MarkerTree) -> MarkerTree:
        return MarkerTree.of(ma.or_(self.node, other.node))

    def __invert__(self) -> MarkerTree:
        return MarkerTree.of(self.node ^ 1)

    def is_true(self) -> bool:
        return self.node == ma.TRUE

    def is_false(self) -> bool:
        return self.node == ma.FALSE

    def is_disjoint(self, other: MarkerTree) -> bool:
        """True when no environment satisfies both markers."""
        return ma.is_disjoint(self.node, other.node)

    def implies(self, other: MarkerTree) -> bool:
        """True when every environment satisfying ``self`` satisfies ``other``."""
        return ma.is_disjoint(self.node, other.node ^ 1)

    def restrict(self, assumption: MarkerTree) -> MarkerTree:
        """A marker equal to ``self`` wherever ``assumption`` holds, simpler where it can be.

        Outside ``assumption`` the result is unspecified (uv's ``MarkerTree::restrict``).
        """
        return MarkerTree.of(mw.restrict(self.node, assumption.node))

    def simplify_python_versions(self, lower: Bound, upper: Bound) -> MarkerTree:
        """Drop Python-version decisions implied by ``requires-python`` (one-way, lossy)."""
        key = (self.node, lower, upper)
        known = _simplified.get(key)
        if known is None:
            node = mw.simplify_python_versions(self.node, _bound(lower), _bound(upper))
            known = _simplified[key] = MarkerTree.of(node)
        return known

    def complexify_python_versions(self, lower: Bound, upper: Bound) -> MarkerTree:
        """Make the marker false outside the ``requires-python`` range."""
        return MarkerTree.of(mw.complexify_python_versions(self.node, _bound(lower), _bound(upper)))

    def simplify_extras_with(self, is_extra: Callable[[str], bool]) -> MarkerTree:
        """Assume ``extra == e`` holds for each ``e`` with ``is_extra(e)``."""
        return MarkerTree.of(mw.restrict_by(self.node, _extra_fixer(is_extra, True)))

    def simplify_not_extras_with(self, is_extra: Callable[[str], bool]) -> MarkerTree:
        """Assume ``extra != e`` holds for each ``e`` with ``is_extra(e)``."""
        return MarkerTree.of(mw.restrict_by(self.node, _extra_fixer(is_extra, False)))

    def with_extras(self, active: Collection[str]) -> MarkerTree:
        """Decide every ``extra`` variable: true for the names in ``active``, false otherwise."""
        chosen = frozenset(active)

        def fix(var: Any) -> bool | None:
            return var[1] in chosen if var[0] == ma.K_EXTRA else None

        return MarkerTree.of(mw.restrict_by(self.node, fix))

    def without_extras(self) -> MarkerTree:
        """The marker with every ``extra`` decision taken as satisfiable (uv's)."""
        return MarkerTree.of(mw.without_extras(self.node))

    def only_extras(self) -> MarkerTree:
        """The marker with every non-``extra`` decision taken as satisfiable (uv's)."""
        return MarkerTree.of(mw.only_extras(self.node))

    def python_bounds(self) -> tuple[Bound, Bound]:
        """The lowest lower and highest upper ``python_full_version`` bound over paths to true.

        ``(None, None)`` when the marker does not constrain Python (or is constant).
        """
        if self.node <= ma.FALSE:
            return (None, None)
        span = mr.bounding(_python_union(self.node))
        if span is None:
            return (None, None)
        return (_public_bound(span[0]), _public_bound(span[1]))

    def python_projection(self) -> MarkerTree:
        """The Python versions for which some values of the other variables make the marker
        true (every other variable quantified out): a ``python_full_version`` marker."""
        if self.node <= ma.FALSE:
            return self
        return MarkerTree.of(ma.range_node(ma.PYTHON_FULL_VERSION, _python_union(self.node)))

    def evaluate(self, env: Mapping[str, str], extras: Collection[str] = ()) -> bool:
        """Evaluate in a complete marker environment, as uv evaluates the diagram."""
        active = {str(canonicalize_name(e)) for e in extras}
        return _evaluate(self.node, env, active)

    def to_string(self) -> str | None:
        """uv's rendering; None for ``true`` and ``python_version < '0'`` for ``false``."""
        return marker_dnf.render(self.node)

    def to_marker(self) -> Marker | None:
        """A packaging ``Marker`` with the same meaning; None for ``true``."""
        text = self.to_string()
        return None if text is None else Marker(text)

    def __str__(self) -> str:
        return self.to_string() or ""

    def __repr__(self) -> str:
        if self.node == ma.TRUE:
            return "MarkerTree(true)"
        if self.node == ma.FALSE:
            return "MarkerTree(false)"
        return f"MarkerTree({self.to_string()!r})"


@functools.cache
def _never_node() -> int:
    """The node of ``python_full_version < '0'``: how uv writes ``false`` (no Python is
    older than 0, so it is read back as ``false``)."""
    lowered = lower_markers(Marker("python_full_version < '0'")._markers)
    assert lowered is not None
    return lowered


MARKER_TRUE = MarkerTree.of(ma.TRUE)
MarkerTree.TRUE = MARKER_TRUE
MarkerTree.FALSE = MarkerTree.of(ma.FALSE)


def _extra_fixer(is_extra: Callable[[str], bool], value: bool) -> Callable[[Any], bool | None]:
    def fix(var: Any) -> bool | None:
        if var[0] == ma.K_EXTRA and is_extra(var[1]):
            return value
        return None

    return fix


def _python_union(i: int) -> mr.Ranges:
    """The ``python_full_version`` ranges of the paths from node ``i`` to true, joined."""
    found: list[mr.Ranges] = []
    _collect_python(i, mr.FULL, found, set())
    total: mr.Ranges = mr.EMPTY
    for ranges in found:
        total = mr.union(total, ranges)
    return total


def _collect_python(i: int, ranges: mr.Ranges, found: list[mr.Ranges], seen: set[Any]) -> None:
    # The same (node, range) pair contributes the same ranges however it is reached.
    key = (i, ranges)
    if key in seen:
        return
    seen.add(key)
    if i == ma.TRUE:
        found.append(ranges)
        return
    if i == ma.FALSE:
        return
    var = ma.node(i)[0]
    if var == ma.PYTHON_FULL_VERSION:
        for lo, hi, child in ma.range_edges(i):
            _collect_python(child, ((lo, hi),), found, seen)
    else:
        for child in ma.children(i):
            _collect_python(child, ranges, found, seen)


def _version_key(text: str) -> tuple[float, ...]:
    """A key ordering ``text`` against release-only bounds as PEP 440 orders it."""
    try:
        version = Version(text)
    except InvalidVersion:
        return (0,)
    key: list[float] = list(Release(version.release))
    if version.pre is not None or (version.dev is not None and version.post is None):
        key[-1] -= 0.5  # a pre-release sorts after every lower release, before its own
    elif version.post is not None or version.local is not None:
        key.append(-0.5)  # after the release, before any longer release
    return tuple(key)


def _evaluate(i: int, env: Mapping[str, str], extras: set[str]) -> bool:
    while i > ma.FALSE:
        var = ma.node(i)[0]
        kind = var[0]
        if kind == ma.K_VERSION or kind == ma.K_STRING:
            if kind == ma.K_VERSION:
                value: Any = _version_key(env[ma.VERSION_KEYS[var[1]]])
            else:
                value = env[ma.STRING_KEYS[var[1]]]
            for lo, hi, child in ma.range_edges(i):
                if mr.contains(((lo, hi),), value):
                    i = child
                    break
            else:
                return False
            continue
        high, low = ma.bool_edges(i)
        if kind == ma.K_IN:
            hit = env[ma.STRING_KEYS[var[1]]] in var[2]
        elif kind == ma.K_CONTAINS:
            hit = var[2] in env[ma.STRING_KEYS[var[1]]]
        elif kind == ma.K_EXTRA:
            hit = var[1] in extras
        else:
            hit = var[1] == 0 and var[2] in extras
        i = high if hit else low
    return i == ma.TRUE


def same_markers(recorded: Sequence[Marker], declared: Sequence[MarkerTree]) -> bool:
    """Whether markers a lock records (``supported-markers``, ``required-markers``) are the
    ``declared`` environments, one by one, as functions: the text of either may differ (its
    quotes, its order of clauses)."""
    return len(recorded) == len(declared) and all(
        MarkerTree.parse(marker) == tree for marker, tree in zip(recorded, declared, strict=True)
    )
