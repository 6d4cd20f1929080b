"""Lock stage, resolution: which candidates of one identifier a fork tries, in which order
(uv's ``candidate_selector.rs``; pure).

The versions that match every requirement and are available; uv's ``prerelease`` mode decides
whether pre-releases are among them. Then the version decided before the fork point comes
first, then the preferences (the lock's, and earlier forks'), then the rest, newest first
(lowest first in a ``lowest`` resolution).
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING

from packaging.specifiers import SpecifierSet
from packaging.version import Version

from accord.model.marker_tree import MarkerTree
from accord.reconciler.lock.resolve.requirements import Candidate, Req

if TYPE_CHECKING:
    from accord.reconciler.lock.resolve.availability import ForkRow

__all__ = ["CandidateTable", "matching_candidates", "preferred_first"]


@functools.total_ordering
class _Descending:
    """A version ordered backwards (uv prefers the lowest preference in a lowest mode)."""

    def __init__(self, version: Version) -> None:
        self.version = version

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Descending) and self.version == other.version

    def __lt__(self, other: _Descending) -> bool:
        return self.version > other.version

    def __hash__(self) -> int:
        return hash(self.version)


class CandidateTable:
    """The versions of one package in one fork Python range (``ForkRow``s, newest first), as
    candidates: each version's candidate for an identifier is built once, and the rows a set
    of specifiers matches are found once. Every fork asks the same questions again, and a
    table can hold thousands of versions."""

    def __init__(self, rows: Sequence[ForkRow]) -> None:
        self.rows = rows
        self._matches: dict[frozenset[SpecifierSet], tuple[tuple[int, ...], frozenset[str]]] = {}
        self._candidates: dict[tuple[str | None, str | None], list[Candidate | None]] = {}

    def matching(
        self, specifiers: frozenset[SpecifierSet]
    ) -> tuple[tuple[int, ...], frozenset[str]]:
        """The rows whose version every specifier admits (pre-releases included): the indices
        of those that are candidates, and the reasons of those that are not."""
        found = self._matches.get(specifiers)
        if found is None:
            reasons: set[str] = set()
            indices: list[int] = []
            for index, (version, _, _, reason) in enumerate(self.rows):
                if not all(spec.contains(version, prereleases=True) for spec in specifiers):
                    continue
                if reason is not None:
                    reasons.add(reason)
                    continue
                indices.append(index)
            found = self._matches[specifiers] = (tuple(indices), frozenset(reasons))
        return found

    def candidates(self, req: Req) -> list[Candidate | None]:
        """The candidates of ``req``'s identifier, by row (None: not built yet)."""
        key = (req.extra, req.group)
        built = self._candidates.get(key)
        if built is None:
            built = self._candidates[key] = [None] * len(self.rows)
        return built


def matching_candidates(
    table: CandidateTable,
    reqs: Sequence[Req],
    excluded: Collection[Version],
    *,
    lowest: bool,
    prerelease: str,
) -> tuple[list[Candidate], set[str]]:
    """The candidates for ``reqs`` (requirements on one identifier) among the versions of
    ``table`` (newest first; ``lowest``: lowest first), as uv's ``prerelease`` mode admits
    them, and why versions that match were still no candidates. ``excluded``: the versions
    resolvelib has already ruled out."""
    name, extra, group = reqs[0].name, reqs[0].extra, reqs[0].group
    explicit_pre = any(spec.prereleases for req in reqs for spec in req.specifier)
    indices, reasons = table.matching(frozenset(req.specifier for req in reqs))
    built = table.candidates(reqs[0])
    rows = table.rows
    finals: list[Candidate] = []
    pres: list[Candidate] = []
    every: list[Candidate] = []
    for index in indices:
        candidate = built[index]
        if candidate is None:
            version, usable, needs, _ = rows[index]
            candidate = built[index] = Candidate(name, version, extra, usable, group, needs)
        if candidate.version in excluded:
            continue
        (pres if candidate.version.is_prerelease else finals).append(candidate)
        every.append(candidate)
    if lowest:
        finals.reverse()
        pres.reverse()
        every.reverse()
    return _by_prerelease_mode(prerelease, finals, pres, every, explicit_pre), set(reasons)


def _by_prerelease_mode(
    mode: str,
    finals: list[Candidate],
    pres: list[Candidate],
    every: list[Candidate],
    explicit: bool,
) -> list[Candidate]:
    """uv's ``prerelease`` modes; the default takes pre-releases when a requirement asks
    for one, or when nothing else fits."""
    if mode == "allow":
        return every
    if mode == "disallow":
        return finals
    if mode == "if-necessary":
        return finals or pres
    if mode == "explicit":
        return finals + pres if explicit else finals
    return finals + pres if explicit else (finals or pres)


def preferred_first(
    chosen: list[Candidate],
    *,
    inherited: Version | None,
    preferences: Sequence[tuple[MarkerTree, Version]],
    env: MarkerTree,
    lowest: bool,
) -> list[Candidate]:
    """uv's candidate order: the version decided before the fork point (``inherited``), then
    the ``preferences`` (the lock's and earlier forks', each with where it was chosen; those
    that can hold in the fork ``env`` first), then the newest (``lowest``: the lowest)."""
    ranked: list[Version] = []
    if inherited is not None:
        ranked.append(inherited)
    if len(preferences) == 1:
        ranked.append(preferences[0][1])
    elif preferences:
        ordered = sorted(
            preferences,
            key=lambda e: (not e[0].is_disjoint(env), _Descending(e[1]) if lowest else e[1]),
            reverse=True,
        )
        ranked += [version for _, version in ordered]
    if not ranked:
        return chosen
    rank: dict[Version, int] = {}
    for version in ranked:
        rank.setdefault(version, len(rank))
    return sorted(chosen, key=lambda c: rank.get(c.version, len(rank)))
