"""Interval sets over versions and strings, the edge labels of the marker decision diagram.

Part of the pure model stage (STYLE 2.1): no I/O, only the standard library and packaging.
It mirrors the ``version_ranges::Ranges`` operations uv's marker algebra relies on
(``uv-pep508/src/marker/algebra.rs``): a range set is a sorted tuple of disjoint, non-touching
segments; a segment is a ``(lower, upper)`` pair of bounds, where a bound is ``None``
(unbounded) or ``(value, inclusive)``.

Marker versions are release-only (uv drops pre, post, dev, local and epoch before building the
diagram), so a version is stored as a :class:`Release`: a tuple of its release numbers with
trailing zeros trimmed, which compares like the PEP 440 version in C, plus the text uv would
print for it (``3.0`` stays ``3.0`` where uv keeps the untrimmed version).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeAlias

from packaging.version import Version

Bound: TypeAlias = "tuple[Any, bool] | None"
Segment: TypeAlias = "tuple[Bound, Bound]"
Ranges: TypeAlias = "tuple[Segment, ...]"

FULL: Ranges = ((None, None),)
EMPTY: Ranges = ()


class Release(tuple[int, ...]):
    """A release-only version: trimmed release numbers for comparison, and its display text."""

    text: str

    def __new__(cls, numbers: Iterable[int], text: str | None = None) -> Release:
        nums = tuple(numbers)
        trimmed = nums
        while len(trimmed) > 1 and trimmed[-1] == 0:
            trimmed = trimmed[:-1]
        if not trimmed:
            trimmed = (0,)
        self = super().__new__(cls, trimmed)
        self.text = text if text is not None else ".".join(map(str, nums or (0,)))
        return self

    @property
    def full(self) -> tuple[int, ...]:
        """The untrimmed release numbers (``3.0`` gives ``(3, 0)``)."""
        return tuple(int(part) for part in self.text.split("."))

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return f"Release({self.text!r})"

    @classmethod
    def of(cls, version: Version) -> Release:
        """The release-only part of ``version`` (uv's ``Version::only_release``)."""
        return cls(version.release)

    def trimmed(self) -> Release:
        """uv's ``only_release_trimmed``: the same value printed without trailing zeros."""
        return Release(self)


def lower_lt(a: Bound, b: Bound) -> bool:
    """Whether lower bound ``a`` starts strictly before lower bound ``b``."""
    if a is None:
        return b is not None
    if b is None:
        return False
    if a[0] == b[0]:
        return a[1] and not b[1]
    return bool(a[0] < b[0])


def upper_lt(a: Bound, b: Bound) -> bool:
    """Whether upper bound ``a`` ends strictly before upper bound ``b``."""
    if a is None:
        return False
    if b is None:
        return True
    if a[0] == b[0]:
        return not a[1] and b[1]
    return bool(a[0] < b[0])


def segment_empty(lo: Bound, hi: Bound) -> bool:
    if lo is None or hi is None:
        return False
    if lo[0] == hi[0]:
        return not (lo[1] and hi[1])
    return bool(lo[0] > hi[0])


def _gap(hi: Bound, lo: Bound) -> bool:
    """Whether a segment ending at ``hi`` and one starting at ``lo`` leave a gap between them."""
    if hi is None or lo is None:
        return False
    if hi[0] == lo[0]:
        return not hi[1] and not lo[1]
    return bool(hi[0] < lo[0])


def intersect_segments(a: Segment, b: Segment) -> Segment | None:
    lo = b[0] if lower_lt(a[0], b[0]) else a[0]
    hi = a[1] if upper_lt(a[1], b[1]) else b[1]
    return None if segment_empty(lo, hi) else (lo, hi)


def from_segments(segments: Iterable[Segment]) -> Ranges:
    """Normalise arbitrary segments into a range set (sorted, merged, non-empty)."""
    items = [s for s in segments if not segment_empty(*s)]
    if not items:
        return EMPTY
    items.sort(key=_SortKey)
    out: list[Segment] = [items[0]]
    for lo, hi in items[1:]:
        plo, phi = out[-1]
        if _gap(phi, lo):
            out.append((lo, hi))
        else:
            out[-1] = (plo, hi if upper_lt(phi, hi) else phi)
    return tuple(out)


class _SortKey:
    """Sorts segments by their lower bound."""

    __slots__ = ("lo",)

    def __init__(self, segment: Segment) -> None:
        self.lo = segment[0]

    def __lt__(self, other: _SortKey) -> bool:
        return lower_lt(self.lo, other.lo)


def singleton(value: Any) -> Ranges:
    return (((value, True), (value, True)),)


def interval(lo: Bound, hi: Bound) -> Ranges:
    return EMPTY if segment_empty(lo, hi) else ((lo, hi),)


def complement(ranges: Ranges) -> Ranges:
    if not ranges:
        return FULL
    out: list[Segment] = []
    prev: Bound = None
    first = True
    for lo, hi in ranges:
        if lo is not None:
            out.append((prev if not first else None, (lo[0], not lo[1])))
        first = False
        if hi is None:
            return tuple(out)
        prev = (hi[0], not hi[1])
    out.append((prev, None))
    return tuple(out)


def intersection(a: Ranges, b: Ranges) -> Ranges:
    out: list[Segment] = []
    i = j = 0
    while i < len(a) and j < len(b):
        seg = intersect_segments(a[i], b[j])
        if seg is not None:
            out.append(seg)
        if upper_lt(a[i][1], b[j][1]):
            i += 1
        else:
            j += 1
    return tuple(out)


def union(a: Ranges, b: Ranges) -> Ranges:
    if not a:
        return b
    if not b:
        return a
    return from_segments(a + b)


def is_disjoint(a: Ranges, b: Ranges) -> bool:
    return not intersection(a, b)


def contains(ranges: Ranges, value: Any) -> bool:
    for lo, hi in ranges:
        if lo is not None and (value < lo[0] or (value == lo[0] and not lo[1])):
            return False
        if hi is None or value < hi[0] or (value == hi[0] and hi[1]):
            return True
    return False


def bounding(ranges: Ranges) -> Segment | None:
    if not ranges:
        return None
    return (ranges[0][0], ranges[-1][1])
