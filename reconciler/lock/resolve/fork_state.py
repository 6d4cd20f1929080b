"""Lock stage, resolution: what a fork takes from the resolution it splits from.

uv forks by cloning its solver state at the fork point. A fork here starts with a copy of
its parent's conflict counts (``ConflictCounts``), the decisions made so far (``Recorder``),
and where the parent's resolution stood (``Resumable``: its states and its provider's
``Bookkeeping``), to go on from (``solver.Solver.resume``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import attrs
from packaging.utils import NormalizedName
from packaging.version import Version
from resolvelib import BaseReporter  # this module is only imported to resolve
from resolvelib.structs import State

from accord.model.marker_tree import MarkerTree
from accord.reconciler.lock.resolve.requirements import Candidate, Req

if TYPE_CHECKING:
    from accord.reconciler.errors import PackageNotFound

__all__ = [
    "Bookkeeping",
    "ConflictCounts",
    "KeepsBooks",
    "Recorder",
    "Resumable",
    "ResumeAbandoned",
]

CONFLICT_THRESHOLD = 5
"""uv's ``CONFLICT_THRESHOLD``: rejections before a package's priority changes."""

_EARLY, _LATE, _UNSPECIFIED = 0, 1, 2


class Recorder(BaseReporter):  # type: ignore[type-arg]
    """A resolvelib reporter that remembers the pins at the end of each round: the decisions
    made before a ``ForkNeeded`` interrupts the next round."""

    def __init__(self) -> None:
        self._ended: Any = None

    def ending_round(self, index: int, state: Any) -> None:
        # Kept, not copied (a copy a round made this quadratic): the state a round ends with
        # changes only when the next round pins in place, and the pin comes after the
        # requirements that can interrupt that round with a ``ForkNeeded``.
        self._ended = state

    @property
    def mapping(self) -> dict[str, Candidate]:
        """The pins at the end of the last round that ended."""
        return {} if self._ended is None else dict(self._ended.mapping)


class ConflictCounts:
    """uv's ``ConflictTracker`` and the priority classes it decided, by package name; a fork
    starts with a copy of its parent's (uv clones the solver state)."""

    def __init__(self) -> None:
        self.culprit: Counter[str] = Counter()
        self.affected: Counter[str] = Counter()
        self.classes: dict[str, int] = {}
        """Package name → ``_EARLY`` or ``_LATE`` once its conflicts reached the threshold."""

    def copy(self) -> ConflictCounts:
        copied = ConflictCounts()
        copied.culprit.update(self.culprit)
        copied.affected.update(self.affected)
        copied.classes.update(self.classes)
        return copied

    def priority_class(self, package: str) -> int:
        """Where ``package`` goes among equals: early, late, or neither yet."""
        return self.classes.get(package, _UNSPECIFIED)

    def record(self, affected: str, culprit: str) -> bool:
        """One rejection of a version of ``affected`` (uv's ``record_conflict``); True when
        ``culprit`` just reached the threshold and is to be decided again, later."""
        self.culprit[culprit] += 1
        self.affected[affected] += 1
        if self.affected[affected] == CONFLICT_THRESHOLD and affected not in self.classes:
            self.classes[affected] = _EARLY
        if self.culprit[culprit] == CONFLICT_THRESHOLD and culprit not in self.classes:
            self.classes[culprit] = _LATE
            return True
        return False


@attrs.frozen
class Bookkeeping:
    """What a provider noted during a resolution (``Provider.bookkeeping``), each a copy of
    its own: the order packages were first required in (a preference), where each was
    needed, what each version tried required (the lock's edges), why versions were no
    candidates, and the packages no index has."""

    order: Mapping[str, int]
    needed_in: Mapping[str, MarkerTree]
    requirements_of: Mapping[tuple[str, Version], tuple[Req, ...]]
    excluded: Mapping[NormalizedName, frozenset[str]]
    missing: Mapping[NormalizedName, PackageNotFound]


class KeepsBooks:
    """What a provider notes during a resolution (its ``Provider.__init__`` makes them), and
    hands to a fork that goes on from it (``Bookkeeping``)."""

    _order: dict[str, int]
    _needed_in: dict[str, MarkerTree]
    requirements_of: dict[tuple[str, Version], tuple[Req, ...]]
    excluded: dict[NormalizedName, set[str]]
    missing: dict[NormalizedName, PackageNotFound]

    def bookkeeping(self) -> Bookkeeping:
        """These notes so far, for a fork that goes on from this resolution."""
        return Bookkeeping(
            dict(self._order),
            dict(self._needed_in),
            dict(self.requirements_of),
            {name: frozenset(why) for name, why in self.excluded.items()},
            dict(self.missing),
        )

    def take_over(self, notes: Bookkeeping) -> None:
        """Go on from a parent fork's ``notes`` (``bookkeeping``)."""
        self._order.update(notes.order)
        self._needed_in.update(notes.needed_in)
        self.requirements_of.update(notes.requirements_of)
        for name, why in notes.excluded.items():
            self.excluded[name].update(why)
        self.missing.update(notes.missing)


class ResumeAbandoned(Exception):
    """A fork resumed from its parent's state cannot go on from it (``Solver.resume``)."""


class Resumable:
    """Where a resolution stood at a fork point: its states (``copy`` gives a fork states of
    its own, as resolvelib changes a state it goes back past) and its provider's bookkeeping."""

    def __init__(self, states: list[State[Req, Candidate, str]], bookkeeping: Bookkeeping) -> None:
        self.states = states
        self.bookkeeping = bookkeeping

    def copy(self) -> Resumable:
        return Resumable(
            [
                State(s.mapping.copy(), s.criteria.copy(), s.backtrack_causes[:])
                for s in self.states
            ],
            self.bookkeeping,
        )
