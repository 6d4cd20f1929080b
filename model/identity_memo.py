"""``IdentityMemo``: answers remembered by the identity of the object asked about.

Part of the pure model stage (STYLE 2.1): no I/O, standard library only. For values whose
objects are made once and asked about many times (a ``SpecifierSet`` or a ``Marker`` parsed
once per lock, a metadata parsed once per bytes), where hashing the object itself costs more
than the answer saves. The memo holds each object beside its answer, so the object's id
cannot be given to another one while the answer is kept; past ``most`` answers it starts
afresh.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Generic, TypeVar

__all__ = ["IdentityMemo"]

_V = TypeVar("_V")


class IdentityMemo(Generic[_V]):
    """Answers by (the identity of an object, an optional hashable part), at most ``most``."""

    __slots__ = ("_known", "_most")

    def __init__(self, most: int) -> None:
        self._known: dict[tuple[int, Hashable], tuple[object, _V]] = {}
        self._most = most

    def get(self, thing: object, part: Hashable = None) -> _V | None:
        """The answer kept for ``thing`` (and ``part``), or None."""
        known = self._known.get((id(thing), part))
        return None if known is None else known[1]

    def put(self, thing: object, answer: _V, part: Hashable = None) -> _V:
        """Keep ``answer`` for ``thing`` (and ``part``), holding ``thing``; answer it."""
        if len(self._known) >= self._most:
            self._known.clear()
        self._known[(id(thing), part)] = (thing, answer)
        return answer
