"""Lock stage, resolution: which candidates of one identifier a fork tries, in which order
(uv's ``candidate_selector.rs``; pure).

The versions that match every requirement and are available; uv's ``prerelease`` mode decides
whether pre-releases are among them. Then the version decided before the fork point comes
first, then the preferences (the lock's, and earlier forks'), then the rest, newest first
(lowest first in a ``lowest`` resolution). The version tables these questions are asked of
(``tables.version_table``) and their answers are kept for every fork of a resolution.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence

from packaging.specifiers import SpecifierSet
from packaging.version import Version

from accord.model.marker_tree import MarkerTree
from accord.reconciler.lock.resolve.availability import ForkRow, PythonRefusal
from accord.reconciler.lock.resolve.requirements import Candidate, Req

__all__ = [
    "CandidateTable",
    "Matches",
    "matching_candidates",
    "preference_order",
    "preferred_first",
]


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


class Matches:
    """The candidates a set of requirements on one identifier admits, in the order the
    prerelease mode gives them, and why versions that match were still no candidates.
    Kept by the table and shared: never changed."""

    __slots__ = ("_by_version", "candidates", "reasons")

    def __init__(self, candidates: list[Candidate], reasons: frozenset[str]) -> None:
        self.candidates = candidates
        self.reasons = reasons
        self._by_version: dict[Version, Candidate] | None = None

    def by_version(self) -> dict[Version, Candidate]:
        if self._by_version is None:
            self._by_version = {c.version: c for c in self.candidates}
        return self._by_version


_FACTS: dict[int, tuple[SpecifierSet, int, bool]] = {}
"""By the identity of a ``SpecifierSet``: the set itself (kept alive, so that its id is not
given to another), its token, and whether one of its specifiers names a pre-release."""
_MOST_FACTS = 100_000
_NEXT_TOKEN = itertools.count()


def _facts(specifier: SpecifierSet) -> tuple[SpecifierSet, int, bool]:
    known = _FACTS.get(id(specifier))
    if known is None:
        if len(_FACTS) >= _MOST_FACTS:
            _FACTS.clear()
        # ``Specifier.prereleases`` parses the specifier's version on every call.
        explicit = any(spec.prereleases for spec in specifier)
        known = _FACTS[id(specifier)] = (specifier, next(_NEXT_TOKEN), explicit)
    return known


def specifier_key(specifiers: Iterable[SpecifierSet]) -> frozenset[int]:
    """A memo key for a set of specifier sets, by identity: hashing a ``SpecifierSet`` hashes
    each of its specifiers in Python, and every fork asks again with the same objects (the
    requirements parsed once per lock). Each object seen gets a number of its own, never given
    twice (a memo started afresh only stops matching old keys)."""
    return frozenset([_facts(specifier)[1] for specifier in specifiers])


def _key_and_explicit(reqs: Sequence[Req]) -> tuple[frozenset[int], bool]:
    """``specifier_key`` of the requirements' specifiers, and whether one of them names a
    pre-release (uv's explicit pre-release request), in one pass."""
    tokens = []
    explicit = False
    for req in reqs:
        _, token, named = _facts(req.specifier)
        tokens.append(token)
        explicit = explicit or named
    return frozenset(tokens), explicit


class CandidateTable:
    """The versions of one package in one fork Python range (``ForkRow``s, newest first), as
    candidates: each version's candidate for an identifier is built once, and the rows a set
    of specifiers matches are found once. Every fork asks the same questions again, and a
    table can hold thousands of versions."""

    def __init__(self, rows: Sequence[ForkRow]) -> None:
        self.rows = rows
        self._matches: dict[frozenset[int], tuple[tuple[int, ...], frozenset[str]]] = {}
        self._candidates: dict[tuple[str | None, str | None], list[Candidate | None]] = {}
        self._chosen: dict[tuple[object, ...], Matches] = {}
        self._refused: dict[frozenset[int], tuple[Version, ...]] = {}
        self._refusals = any(isinstance(row[3], PythonRefusal) for row in rows)
        """Whether a version is refused for its Requires-Python (most tables: none)."""

    def matching(
        self, specifiers: Collection[SpecifierSet], key: frozenset[int] | None = None
    ) -> tuple[tuple[int, ...], frozenset[str]]:
        """The rows whose version every specifier admits (pre-releases included): the indices
        of those that are candidates, and the reasons of those that are not. ``key``: the
        specifiers' ``specifier_key``, when the caller has it."""
        if key is None:
            key = specifier_key(specifiers)
        found = self._matches.get(key)
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
            found = self._matches[key] = (tuple(indices), frozenset(reasons))
        return found

    def python_refused(self, specifiers: Collection[SpecifierSet]) -> tuple[Version, ...]:
        """The final versions every specifier admits that are no candidates because their
        Requires-Python excludes the whole fork: uv tries each (newest first) and counts it
        as a conflict (``record_conflict``), where accord never offers it."""
        if not self._refusals:
            return ()
        key = specifier_key(specifiers)
        found = self._refused.get(key)
        if found is None:
            found = self._refused[key] = tuple(
                version
                for version, _, _, reason in self.rows
                if isinstance(reason, PythonRefusal)
                and not version.is_prerelease
                and all(spec.contains(version, prereleases=True) for spec in specifiers)
            )
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
) -> Matches:
    """The candidates for ``reqs`` (requirements on one identifier) among the versions of
    ``table`` (newest first; ``lowest``: lowest first), as uv's ``prerelease`` mode admits
    them, and why versions that match were still no candidates. ``excluded``: the versions
    resolvelib has already ruled out. The same question gets the same (shared) answer."""
    tokens, explicit_pre = _key_and_explicit(reqs)
    key = (
        tokens,
        reqs[0].extra,
        reqs[0].group,
        frozenset(excluded),
        lowest,
        prerelease,
    )
    known = table._chosen.get(key)
    if known is not None:
        return known
    name, extra, group = reqs[0].name, reqs[0].extra, reqs[0].group
    indices, reasons = table.matching([req.specifier for req in reqs], tokens)
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
    chosen = _by_prerelease_mode(prerelease, finals, pres, every, explicit_pre)
    found = table._chosen[key] = Matches(chosen, reasons)
    return found


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


def preference_order(
    *,
    inherited: Version | None,
    preferences: Sequence[tuple[MarkerTree, Version]],
    env: MarkerTree,
    lowest: bool,
) -> tuple[Version, ...]:
    """uv's candidate order, the versions that go first: the version decided before the fork
    point (``inherited``), then the ``preferences`` (the lock's and earlier forks', each with
    where it was chosen; those that can hold in the fork ``env`` first, then the newest, or
    with ``lowest`` the lowest); each once."""
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
    return tuple(dict.fromkeys(ranked))


def preferred_first(
    matches: Matches, ranked: Sequence[Version]
) -> tuple[Candidate | None, Sequence[Candidate] | Callable[[], Iterator[Candidate]]]:
    """The candidates of ``matches`` with those of the ``ranked`` versions (from
    ``preference_order``) first, in that order, then the rest as they were: the first one,
    and all of them as resolvelib takes them (a list, or a function that iterates them, so
    that the many a fork never tries are never ordered)."""
    chosen = matches.candidates
    if not ranked or not chosen:
        return (chosen[0] if chosen else None), chosen
    by_version = matches.by_version()
    front = [by_version[v] for v in ranked if v in by_version]
    if not front:
        return chosen[0], chosen
    if len(front) == len(chosen):
        return front[0], front
    taken = {c.version for c in front}

    def ordered() -> Iterator[Candidate]:
        yield from front
        for candidate in chosen:
            if candidate.version not in taken:
                yield candidate

    return front[0], ordered
