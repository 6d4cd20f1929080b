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

import heapq
import itertools
from collections.abc import Iterable, Sequence
from typing import Any

from resolvelib.resolvers import (
    Criterion,
    RequirementInformation,
    RequirementsConflicted,
    Resolution,
    ResolutionImpossible,
    ResolutionTooDeep,
)
from resolvelib.structs import State, build_iter_view

from accord.reconciler.lock.resolve.attempt import Changes, PinExcluded
from accord.reconciler.lock.resolve.fork_state import (
    ConflictCounts,
    Recorder,
    Resumable,
    ResumeAbandoned,
)
from accord.reconciler.lock.resolve.provider import Provider
from accord.reconciler.lock.resolve.requirements import ROOT, Candidate, Req, name_of

__all__ = ["Solver"]


def _was_cause(name: str, backtrack_causes: Sequence[Any]) -> bool:
    """Whether a requirement on ``name`` is among the causes of the last backjump."""
    return any(cause.requirement.name == name for cause in backtrack_causes)


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
        self._touched: list[str] = []
        """The criteria the last ``_updated_criteria`` added to, by identifier."""
        self._heap: list[
            tuple[tuple[bool, bool, int, bool, int, str], int, Criterion[Req, Candidate]]
        ] = []
        """``_choose``'s heap: (preference, push order, the criterion it was computed for)."""
        self._generation: tuple[int, frozenset[str]] = (0, frozenset())
        self._pushes = itertools.count()
        self._optimism: tuple[int, int] | None = None
        """The round optimistic backjumping started at, and the rounds it may take."""
        self._changed: dict[str, bool] | None = None
        """After a pin made in place: each criterion it changed → whether it existed before."""
        self._floor: tuple[int, State[Req, Candidate, str]] | None = None
        """A resumed fork: the index and state of its parent's last ended round."""

    def resolve(self, requirements: Iterable[Req], max_rounds: int) -> State[Req, Candidate, str]:
        """resolvelib's rounds (``Resolution.resolve``: same choices, same backjumps), keeping
        the set of criteria the pins leave unsatisfied from one round to the next.

        resolvelib checks every criterion twice a round, so a lock of a few hundred packages
        spends most of its time there (345k checks for 838 rounds at 334 packages); a pin made
        in place changes only the criteria its dependencies added to and its own, so only
        those are checked again. Any other change of the state (a backjump, an undo, a
        rollback, information removed) checks them all again."""
        if self._states:
            raise RuntimeError("already resolved")
        self._r.starting()
        # A dict, not resolvelib's OrderedDict: both pop the last pin first, and every round
        # copies the pins (an OrderedDict copies several times slower).
        self._states = [State(mapping={}, criteria={}, backtrack_causes=[])]
        for requirement in requirements:
            try:
                self._add_to_criteria(self.state.criteria, requirement, parent=None)
            except RequirementsConflicted as e:
                raise ResolutionImpossible(e.criterion.information) from e
        self._push_new_state()
        return self._rounds(max_rounds)

    def resumable(self) -> Resumable | None:
        """Where this resolution stood when its provider raised ``ForkNeeded`` (the states of
        the rounds it ended, the one it was in on top), for a fork to go on from; None when
        resolvelib had saved states for optimistic backjumping (a fork solves afresh)."""
        if self._save_states is not None or len(self._states) < 2:
            return None
        return Resumable(self._states, self._provider.bookkeeping())

    def resume(self, resumable: Resumable, max_rounds: int) -> State[Req, Candidate, str]:
        """Go on from where a parent fork stood (uv's fork clones the solver state): its
        decisions kept, the criteria it left unpinned asked again of this fork's provider (its
        Python range, preferences and the versions decided before the fork, first). Raises
        ``ResumeAbandoned`` when the fork would undo a decision of the parent's, or a
        criterion has no candidate left here: it is solved afresh then, as before resuming
        was possible, so that the decisions made under the parent's provider never come back."""
        if self._states:
            raise RuntimeError("already resolved")
        self._r.starting()
        self._provider.take_over(resumable.bookkeeping)
        self._states = resumable.states
        top = self.state
        for key, criterion in list(top.criteria.items()):
            if key in top.mapping:
                continue
            requirements = [information.requirement for information in criterion.information]
            matches = self._provider.matches(key, requirements, criterion.incompatibilities)
            candidates = build_iter_view(matches)
            if not candidates:
                raise ResumeAbandoned(f"no version of {key} is a candidate there")
            top.criteria[key] = Criterion(
                candidates, criterion.information, criterion.incompatibilities
            )
        # The fork's rounds pin above this state; going back to it gives the criteria as
        # this fork's provider sees them, going back past it undoes a parent's decision.
        self._push_new_state()
        self._floor = (len(self._states) - 2, top)
        self._r.ending_round(index=-1, state=self.state)
        return self._rounds(max_rounds)

    def _check_floor(self) -> None:
        """A resumed fork must not go back past the state its parent's last round ended with:
        the states under it were built by the parent's provider."""
        if self._floor is None:
            return
        index, state = self._floor
        if len(self._states) <= index or self._states[index] is not state:
            raise ResumeAbandoned("it undoes a decision made before the fork point")

    def _rounds(self, max_rounds: int) -> State[Req, Candidate, str]:
        tracked: State[Req, Candidate, str] | None = None
        unsatisfied: set[str] = set()
        added: list[str] | None = None
        for index in range(max_rounds):
            self._r.starting_round(index=index)
            if self._optimism_spent(index, max_rounds):
                self._rollback_states()
                self._check_floor()
                continue
            state = self._states[-1]
            if state is not tracked:
                unsatisfied = {
                    key
                    for key, criterion in state.criteria.items()
                    if not self._is_current_pin_satisfying(key, criterion)
                }
                tracked = state
                added = None
            if not unsatisfied:
                self._r.ending(state=state)
                return state
            name = self._choose(state, unsatisfied, added)
            added = []
            self._changed = None
            failure = self._attempt_to_pin_criterion(name)
            if failure:
                self._after_failure(failure)
            elif self._states[-1] is state and self._changed is not None:
                # Pinned in place: was each criterion it changed satisfied, and is it now?
                newly: set[str] = set()
                for key, existed in self._changed.items():
                    if self._is_current_pin_satisfying(key, state.criteria[key]):
                        unsatisfied.discard(key)
                        continue
                    if existed and key not in unsatisfied:
                        newly.add(key)
                    unsatisfied.add(key)
                    added.append(key)
                if newly:
                    self._remove_information_from_criteria(state.criteria, newly)
                    tracked = None
                self._push_new_state()
                if tracked is not None:
                    tracked = self._states[-1]
            else:
                # A decision undone: resolvelib's rule over the state gone back to.
                satisfied = set(state.criteria) - unsatisfied
                newly = {
                    key
                    for key, criterion in self.state.criteria.items()
                    if key in satisfied and not self._is_current_pin_satisfying(key, criterion)
                }
                self._remove_information_from_criteria(self.state.criteria, newly)
                self._push_new_state()
                tracked = None
            self._check_floor()
            self._r.ending_round(index=index, state=self.state)
        raise ResolutionTooDeep(max_rounds)

    def _choose(
        self,
        state: State[Req, Candidate, str],
        unsatisfied: set[str],
        added: list[str] | None,
    ) -> str:
        """The unsatisfied criterion to pin next: the one of least preference, as resolvelib's
        ``min`` over them all finds it, from a heap kept across rounds. The criteria ``added``
        (or changed) since the last round are pushed; entries for a criterion since replaced
        or satisfied are dropped when they come up. A change in what a preference depends on
        besides the criterion (conflict classes, backtrack causes) or in the state builds it
        again (``added`` None)."""
        causes = frozenset(cause.requirement.name for cause in state.backtrack_causes)
        generation = (len(self.counts.classes), causes)
        criteria = state.criteria
        heap = self._heap
        if added is None or generation != self._generation:
            self._generation = generation
            heap = self._heap = [
                (self._get_preference(key), next(self._pushes), criteria[key])
                for key in unsatisfied
            ]
            heapq.heapify(heap)
        else:
            for key in added:
                heapq.heappush(heap, (self._get_preference(key), next(self._pushes), criteria[key]))
        while True:
            preference, _, criterion = heap[0]
            name = preference[-1]
            if name in unsatisfied and criteria.get(name) is criterion:
                return name
            heapq.heappop(heap)

    def _optimism_spent(self, index: int, max_rounds: int) -> bool:
        """resolvelib's limit on optimistic backjumping: once states were saved for it, a
        tenth of the rounds left may go by before the saved states come back."""
        if not self._optimistic_backjumping_ratio or self._save_states is None:
            return False
        if self._optimism is None:
            cutoff = int((max_rounds - index) * self._optimistic_backjumping_ratio)
            self._optimism = (index, cutoff)
            return cutoff <= 0
        start, cutoff = self._optimism
        return index - start >= cutoff

    def _after_failure(self, failure: list[Criterion[Req, Candidate]]) -> None:
        """No candidate of the chosen criterion could be pinned: backjump as resolvelib does
        (optimistically first, its saved states restored when that fails)."""
        causes = self._extract_causes(failure)
        self._r.resolving_conflicts(causes=causes)
        try:
            success = self._backjump(causes)
        except ResolutionImpossible:
            if not (self._optimistic_backjumping_ratio and self._save_states):
                raise
            failed_optimistic = True
        else:
            failed_optimistic = bool(
                not success and self._optimistic_backjumping_ratio and self._save_states
            )
        if failed_optimistic and self._save_states:
            self._rollback_states()
            return
        self.state.backtrack_causes[:] = causes
        if not success:
            raise ResolutionImpossible(self.state.backtrack_causes)

    def _add_to_criteria(
        self,
        criteria: dict[str, Criterion[Req, Candidate]],
        requirement: Req,
        parent: Candidate | None,
    ) -> None:
        """resolvelib's, asking the provider with plain lists (``Provider.matches``) where
        resolvelib builds two mappings over every criterion and chains iterators for the one
        identifier it asks about: the same requirements, in the same order, and the same
        candidates known not to work."""
        self._r.adding_requirement(requirement=requirement, parent=parent)
        identifier = requirement.identifier
        criterion = criteria.get(identifier)
        added = RequirementInformation(requirement, parent)
        if criterion is None:
            incompatibilities: list[Candidate] = []
            information = [added]
        else:
            incompatibilities = list(criterion.incompatibilities)
            information = list(criterion.information)
            information.append(added)
        requirements = [known.requirement for known in information]
        matches = self._provider.matches(identifier, requirements, incompatibilities)
        criterion = Criterion(build_iter_view(matches), information, incompatibilities)
        if not criterion.candidates:
            raise RequirementsConflicted(criterion)
        criteria[identifier] = criterion

    def _is_current_pin_satisfying(self, name: str, criterion: Criterion[Req, Candidate]) -> bool:
        # Asked for every criterion twice a round (hundreds of thousands of times for a few
        # hundred packages): the state list read directly, not through resolvelib's property.
        pin = self._states[-1].mapping.get(name)
        if pin is None:
            return False
        known = self._satisfying.get(name)
        if known is not None and known[0] is criterion and known[1] is pin:
            return known[2]
        # resolvelib's rule, read off the criterion's information without its generators.
        satisfied_by = self._provider.is_satisfied_by
        satisfying = all(
            satisfied_by(information.requirement, pin) for information in criterion.information
        )
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
        conflicts = self.counts.priority_class(package)
        cause = bool(causes) and _was_cause(package, causes)
        return (remote, unpinned, conflicts, not cause, order, name)

    def _updated_criteria(
        self, candidate: Candidate, *, keep_pins: bool
    ) -> dict[str, Criterion[Req, Candidate]]:
        criteria = Changes(self.state.criteria)
        mapping = self.state.mapping
        self._touched = touched = []
        for requirement in self._p.get_dependencies(candidate=candidate):
            self._add_to_criteria(criteria, requirement, parent=candidate)
            identifier = requirement.identifier
            touched.append(identifier)
            if not keep_pins:
                continue
            pin = mapping.get(identifier)
            if pin is not None and not self._p.is_satisfied_by(requirement, pin):
                raise PinExcluded(identifier, criteria[identifier])
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
                except PinExcluded as e:
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
                before = self.state.criteria
                self._changed = {key: key in before for key in self._touched}
                self._changed.setdefault(name, True)
                before.update(criteria)
                # The newly pinned candidate goes last: backjumping reads the last pin.
                self.state.mapping.pop(name, None)
                self.state.mapping[name] = candidate
                return []
            if not excluded_by_pin:
                return causes
        return causes
