"""Solver's rounds keep what resolvelib recomputes: the unsatisfied criteria and the next one to
pin. Every resolver case (`data/resolver_cases.json`, real wheels on 127.0.0.1) is resolved
again with a Solver that, each round, checks its kept set against every criterion checked
afresh and its choice against resolvelib's `min` over them; the lock must not change either."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import pytest
from resolvelib.resolvers import Resolution
from resolvelib.structs import State

from accord.reconciler.errors import NoSolution
from accord.reconciler.lock.resolve import forks
from accord.reconciler.lock.resolve.requirements import Candidate, Req
from accord.reconciler.lock.resolve.solver import Solver
from fixtures.index import IndexServer
from tests.reconciler.test_resolver_cases import PARAMS, accord_lock_text, resolver_index

__all__ = ["resolver_index"]  # the module's index fixture, shared


class _CheckedSolver(Solver):
    rounds: ClassVar[list[str]] = []
    """The name chosen in each round checked, across every solver made."""

    def _choose(
        self,
        state: State[Req, Candidate, str],
        unsatisfied: set[str],
        added: list[str] | None,
    ) -> str:
        afresh = {
            key
            for key, criterion in state.criteria.items()
            # resolvelib's own check, not Solver's remembered answers
            if not Resolution._is_current_pin_satisfying(self, key, criterion)
        }
        assert unsatisfied == afresh
        name = super()._choose(state, unsatisfied, added)
        assert name == min(afresh, key=self._get_preference)
        self.rounds.append(name)
        return name


@pytest.mark.parametrize("case", PARAMS)
def test_solver_rounds_match_resolvelibs_recomputation(
    case: dict[str, Any],
    tmp_path: Path,
    resolver_index: IndexServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    plain = accord_lock_text(tmp_path / "plain", resolver_index, case)
    monkeypatch.setattr(forks, "Solver", _CheckedSolver)
    _CheckedSolver.rounds.clear()
    checked = accord_lock_text(tmp_path / "checked", resolver_index, case)
    assert _CheckedSolver.rounds, "no round was checked"
    if isinstance(plain, NoSolution):
        assert isinstance(checked, NoSolution)
        assert checked.message == plain.message
    else:
        assert checked == plain
