"""Lock stage, resolution: where one fork of a universal resolution splits.

The provider raises ``ForkNeeded`` with one ``ForkSplit`` per new fork when a candidate's
requirements on one name differ by disjoint markers (uv's ``ForkedDependencies::fork``), or
when the chosen version needs a newer Python than the fork's lower bound (the
``requires-python`` fork strategy). Sibling forks are ordered as uv orders them. Pure.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs
from packaging.utils import NormalizedName
from packaging.version import Version

from accord.model.marker_tree import MarkerTree
from accord.model.python_range import Bound, PythonRange, lower_gt, specifier_range, split
from accord.reconciler.lock.resolve.requirements import Candidate, Req

__all__ = [
    "ForkNeeded",
    "ForkSplit",
    "fork_order",
    "fork_requirements",
    "python_split",
    "sort_forks",
]


@attrs.frozen
class ForkSplit:
    """One new fork: its environment and, for a marker fork, the forking candidate's
    requirements in it (None for a Python split: the candidate is chosen again there)."""

    env: MarkerTree
    requirements: tuple[Req, ...] | None


class ForkNeeded(Exception):
    """Raised from ``get_dependencies``: the resolution must continue in ``splits``."""

    def __init__(self, candidate: Candidate, splits: Sequence[ForkSplit]) -> None:
        super().__init__(f"fork at {candidate.identifier}=={candidate.version}")
        self.candidate = candidate
        self.splits = tuple(splits)


def _upper_bounded(req: Req) -> bool:
    return specifier_range(req.specifier)[1] is not None


def _python_order(split_: ForkSplit) -> tuple[Any, ...]:
    lower = split_.env.python_bounds()[0]
    return (0, Version("0"), 0) if lower is None else (1, lower[0], 0 if lower[1] else 1)


def fork_order(split_: ForkSplit) -> tuple[Any, ...]:
    """uv's order of sibling forks (ascending; the last is solved first): by the lower
    bound of the fork's Python range, then by how many requirements are upper-bounded."""
    return (_python_order(split_), sum(map(_upper_bounded, split_.requirements or ())))


def sort_forks(splits: Iterable[ForkSplit], *, lower_python_last: bool) -> list[ForkSplit]:
    """Sibling forks in uv's order; ``lower_python_last`` (``resolution = "lowest"``): the
    lower Python bounds solved first, the upper-bound count still ascending."""
    if not lower_python_last:
        return sorted(splits, key=fork_order)
    by_bounds = sorted(splits, key=lambda s: sum(map(_upper_bounded, s.requirements or ())))
    return sorted(by_bounds, key=_python_order, reverse=True)  # stable: ties keep their order


def python_split(
    candidate: Candidate, environment: MarkerTree, python: PythonRange, needs: Bound
) -> ForkNeeded:
    """The fork (``environment``, its Python range ``python``) split where ``candidate``
    needs Python ``needs``: one new fork per part of the range the environment allows."""
    parts = split(python, needs)
    assert parts is not None
    splits = [
        ForkSplit(environment & MarkerTree.python_range(*part), None)
        for part in parts
        if not environment.is_disjoint(MarkerTree.python_range(*part))
    ]
    return ForkNeeded(candidate, splits)


def fork_requirements(
    environment: MarkerTree,
    python: PythonRange,
    python_marker: MarkerTree,
    by_name: Mapping[NormalizedName, list[Req]],
) -> list[tuple[MarkerTree, list[Req]]]:
    """uv's ``ForkedDependencies::fork``: split the fork (``environment``, its Python range
    ``python`` and that range as ``python_marker``) where requirements on one name differ by
    marker; each new fork keeps the requirements that can hold in it."""
    lower = python[0]

    def raises(marker: MarkerTree) -> bool:
        return lower_gt(marker.python_bounds()[0], lower)

    forks: list[tuple[MarkerTree, list[Req]]] = [(environment, [])]
    for name in sorted(by_name):
        deps = by_name[name]
        first = deps[0].marker
        same = all(dep.marker == first for dep in deps)
        if same and not raises(first):
            for dep in deps:
                for env, kept in forks:
                    if not env.is_disjoint(dep.marker):
                        kept.append(dep)
            continue
        for dep in deps:
            if environment.is_disjoint(dep.marker):
                continue
            if dep.marker.is_true():
                for _, kept in forks:
                    kept.append(dep)
                continue
            remaining = dep.marker
            new: list[tuple[MarkerTree, list[Req]]] = []
            for env, kept in forks:
                if env.is_disjoint(remaining):
                    new.append((env, kept))
                    continue
                envs = []
                if not env.is_disjoint(~remaining):
                    envs.append(env & ~remaining)
                envs.append(env & remaining)
                remaining = remaining & ~env
                for fork_env in envs:
                    fork_deps = [d for d in kept if not fork_env.is_disjoint(d.marker)]
                    if not fork_env.is_disjoint(dep.marker):
                        fork_deps.append(dep)
                    if not fork_env.is_disjoint(python_marker):
                        new.append((fork_env, fork_deps))
            forks = new
    return forks
