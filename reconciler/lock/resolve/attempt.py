"""Lock stage, resolution: what one attempt to pin a candidate makes (``solver.Solver``).

An attempt adds the candidate's requirements to the criteria they name (``Changes``, over
the state's criteria), and may find that a requirement excludes a version already chosen
(``PinExcluded``), where PubGrub keeps the decision and rejects the candidate.
"""

from __future__ import annotations

from typing import Any

from resolvelib.resolvers import Criterion

from accord.reconciler.lock.resolve.requirements import Candidate, Req

__all__ = ["Changes", "PinExcluded"]


class Changes(dict[str, "Criterion[Req, Candidate]"]):
    """The criteria one attempt to pin makes, read over the state's: resolvelib copies all
    of them for each attempt and writes them all back, a few hundred entries for the few a
    candidate's requirements touch. It holds only those; ``update`` with it writes them."""

    def __init__(self, under: dict[str, Criterion[Req, Candidate]]) -> None:
        super().__init__()
        self.under = under

    def __missing__(self, key: str) -> Criterion[Req, Candidate]:
        return self.under[key]

    def get(self, key: str, default: Any = None) -> Any:
        if dict.__contains__(self, key):
            return dict.__getitem__(self, key)
        return self.under.get(key, default)

    def __contains__(self, key: object) -> bool:
        return dict.__contains__(self, key) or key in self.under

    def __bool__(self) -> bool:
        return bool(len(self) or self.under)


class PinExcluded(Exception):
    """A candidate's requirement excludes the version chosen for ``culprit``."""

    def __init__(self, culprit: str, criterion: Criterion[Req, Candidate]) -> None:
        super().__init__(culprit)
        self.culprit = culprit
        self.criterion = criterion
