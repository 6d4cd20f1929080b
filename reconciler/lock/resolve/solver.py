"""Lock stage, resolution: resolvelib's search made to decide as uv's PubGrub decides.

resolvelib and PubGrub differ where a candidate's dependencies exclude a version already
chosen. resolvelib pins the candidate anyway and chooses the other package again later;
PubGrub keeps the decision and rejects the candidate, so the next (older) version is tried
(uv: ``add_package_version_dependencies`` returning a conflict). uv also counts those
rejections (``record_conflict``): a package rejected five times is decided earlier from
then on, and a package that caused five rejections is decided later, its decision undone
back to where it was made (``reprioritize_conflicts``). ``Solver`` does the same over
resolvelib's states. When no candidate fits the decisions made, it falls back to
resolvelib's rule (the candidate is pinned and the decisions it excludes are made again),
where PubGrub would learn that the earlier decision cannot stand: the same outcome for one
culprit.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from resolvelib import BaseReporter  # this module is only imported to resolve
from resolvelib.resolvers import Criterion, RequirementsConflicted, Resolution

from accord.reconciler.lock.resolve.provider import Provider, was_cause
from accord.reconciler.lock.resolve.requirements import ROOT, Candidate, Req, name_of

__all__ = ["ConflictCounts", "Recorder", "Solver"]

CONFLICT_THRESHOLD = 5
"""uv's ``CONFLICT_THRESHOLD``: rejections before a package's priority changes."""

_EARLY, _LATE, _UNSPECIFIED = 0, 1, 2


class Recorder(BaseReporter):  # type: ignore[type-arg]
    """A resolvelib reporter that remembers the pins at the end of each round: the decisions
    made before a ``ForkNeeded`` interrupts the next round."""

    def __init__(self) -> None:
        self.mapping: dict[str, Candidate] = {}

    def ending_round(self, index: int, state: Any) -> None:
        self.mapping = dict(state.mapping)


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


class _PinExcluded(Exception):
    """A candidate's requirement excludes the version chosen for ``culprit``."""

    def __init__(self, culprit: str, criterion: Criterion[Req, Candidate]) -> None:
        super().__init__(culprit)
        self.culprit = culprit
        self.criterion = criterion


class Solver(Resolution[Req, Candidate, str]):
    """resolvelib's resolution with uv's decision rules (above), remembering whether each
    pin satisfies its criterion and each criterion's preference parts.

    resolvelib asks for every criterion twice a round, and a fork re-pins the whole graph; a
    criterion is a new object whenever its requirements change, so the answers hold while
    both the criterion and the pin are the same objects."""

    def __init__(
        self, provider: Provider, reporter: Recorder, counts: ConflictCounts | None = None
    ) -> None:
        super().__init__(provider, reporter)
        self._provider = provider
        self._satisfying: dict[str, tuple[Criterion[Req, Candidate], Candidate, bool]] = {}
        self._preferences: dict[
            str, tuple[Criterion[Req, Candidate], tuple[str, bool, bool, int]]
        ] = {}
        self.counts = counts or ConflictCounts()

    def _is_current_pin_satisfying(self, name: str, criterion: Criterion[Req, Candidate]) -> bool:
        # Asked for every criterion twice a round (hundreds of thousands of times for a few
        # hundred packages): the state list read directly, not through resolvelib's property.
        pin = self._states[-1].mapping.get(name)
        if pin is None:
            return False
        known = self._satisfying.get(name)
        if known is not None and known[0] is criterion and known[1] is pin:
            return known[2]
        satisfying = super()._is_current_pin_satisfying(name, criterion)
        self._satisfying[name] = (criterion, pin, satisfying)
        return satisfying

    def _get_preference(self, name: str) -> tuple[bool, bool, int, bool, int, str]:
        # resolvelib asks for the preference of every unpinned criterion each round: what
        # comes from the criterion is kept while it is the same object.
        state = self._states[-1]
        criterion = state.criteria[name]
        known = self._preferences.get(name)
        if known is None or known[0] is not criterion:
            known = (criterion, self._provider.preference_parts(name, criterion.information))
            self._preferences[name] = known
        package, remote, unpinned, order = known[1]
        causes = state.backtrack_causes
        conflicts = self.counts.classes.get(package, _UNSPECIFIED)
        cause = bool(causes) and was_cause(package, causes)
        return (remote, unpinned, conflicts, not cause, order, name)

    def _updated_criteria(
        self, candidate: Candidate, *, keep_pins: bool
    ) -> dict[str, Criterion[Req, Candidate]]:
        criteria = self.state.criteria.copy()
        mapping = self.state.mapping
        for requirement in self._p.get_dependencies(candidate=candidate):
            self._add_to_criteria(criteria, requirement, parent=candidate)
            if not keep_pins:
                continue
            identifier = requirement.identifier
            pin = mapping.get(identifier)
            if pin is not None and not self._p.is_satisfied_by(requirement, pin):
                raise _PinExcluded(identifier, criteria[identifier])
        return criteria

    def _record_conflict(self, affected: str, culprit: str) -> str | None:
        """A rejected candidate of ``affected`` blamed on ``culprit``; the culprit to undo, if
        it just reached the threshold (uv skips a package blamed on itself)."""
        package, blamed = name_of(affected), name_of(culprit)
        if package == blamed:
            return None
        return culprit if self.counts.record(package, blamed) else None

    def _record_python_refusals(
        self, candidate: Candidate, criterion: Criterion[Req, Candidate]
    ) -> None:
        """uv tries every newer version whose Requires-Python excludes the fork, each a
        conflict blaming the package itself (the Python it needs is the other side): five
        make it one decided early."""
        name = candidate.name
        if candidate.group is not None or name == ROOT or self._provider.is_local(name):
            return
        for _ in range(self._provider.python_refusals(candidate, criterion.iter_requirement())):
            self.counts.record(candidate.name, candidate.name)

    def _undo(self, identifier: str) -> bool:
        """Go back to the state before ``identifier`` was pinned (PubGrub's
        ``backtrack_package``); False when it is not pinned."""
        if identifier not in self.state.mapping:
            return False
        index = next(
            (at for at, state in enumerate(self._states) if identifier in state.mapping), 0
        )
        if index == 0:
            return False
        # resolvelib pushes a copy of the state left on top once the attempt returns.
        del self._states[index:]
        return True

    def _attempt_to_pin_criterion(self, name: str) -> list[Criterion[Req, Candidate]]:
        criterion = self.state.criteria[name]
        for keep_pins in (True, False):
            causes: list[Criterion[Req, Candidate]] = []
            excluded_by_pin = False
            for candidate in criterion.candidates:
                try:
                    criteria = self._updated_criteria(candidate, keep_pins=keep_pins)
                except _PinExcluded as e:
                    excluded_by_pin = True
                    causes.append(e.criterion)
                    undo = self._record_conflict(name, e.culprit)
                    if undo is not None and self._undo(undo):
                        return []
                    continue
                except RequirementsConflicted as e:
                    self._r.rejecting_candidate(e.criterion, candidate)
                    causes.append(e.criterion)
                    if not keep_pins:
                        continue  # counted in the first pass already
                    culprit = next(iter(e.criterion.information)).requirement.identifier
                    undo = self._record_conflict(name, culprit)
                    if undo is not None and self._undo(undo):
                        return []
                    continue
                self._r.pinning(candidate=candidate)
                self._record_python_refusals(candidate, criterion)
                self.state.criteria.update(criteria)
                # The newly pinned candidate goes last: backjumping reads the last pin.
                self.state.mapping.pop(name, None)
                self.state.mapping[name] = candidate
                return []
            if not excluded_by_pin:
                return causes
        return causes
