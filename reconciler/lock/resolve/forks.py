"""Lock stage, resolution: the fork driver of a universal resolution (uv's ``solve`` loop).

Forks are a stack. When the provider raises ``ForkNeeded``, the resolution stops and one new
fork per split is pushed, carrying what uv's solver state carries at the fork point: the
versions decided so far, with their requirements as they were added, and the forking
candidate's own requirements in that split. A new fork goes on from the parent's state, the
criteria still open asked again of its own provider (``solver.Solver.resume``); where it
would undo a decision made before the fork point, it is solved afresh instead, from the root,
with the versions decided so far tried first. Sibling forks are solved highest Python bound
first; after each fork every chosen version becomes a preference, marked with the fork's
environment, so the next forks agree where they can (``resolver/mod.rs``,
``candidate_selector.rs``).
"""

from __future__ import annotations

import datetime
import functools
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

import attrs
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version

from accord.model.marker_tree import MarkerTree
from accord.model.python_range import specifier_range
from accord.model.uv_settings import BinaryPolicy, Dependencies
from accord.reconciler.console import debug
from accord.reconciler.errors import NoSolution
from accord.reconciler.lock.resolve.fork_state import (
    ConflictCounts,
    Recorder,
    Resumable,
    ResumeAbandoned,
)
from accord.reconciler.lock.resolve.metadata import MetadataStore
from accord.reconciler.lock.resolve.provider import Provider
from accord.reconciler.lock.resolve.requirements import Candidate, LocalPackage, Req
from accord.reconciler.lock.resolve.selected import SelectedSources
from accord.reconciler.lock.resolve.solver import Solver
from accord.reconciler.lock.resolve.splits import ForkNeeded, ForkSplit, fork_order

if TYPE_CHECKING:
    from accord.model.dependency_metadata import StaticMetadata
    from accord.reconciler.fetch.index import DistMetadata, IndexClient, IndexFile

__all__ = ["ForkResult", "resolve_forks"]

_MAX_FORKS = 400
"""A guard against a resolution that forks without end (uv has none; real sets stay far
below: the largest seen forks a few dozen times)."""


@attrs.frozen
class ForkResult:
    """One solved fork: its environment, the chosen candidates, and what each required."""

    env: MarkerTree
    pins: Mapping[str, Candidate]
    requirements: Mapping[tuple[str, Version], tuple[Req, ...]]


@attrs.frozen
class _Pending:
    env: MarkerTree
    inherited: Mapping[str, tuple[Version, MarkerTree]]
    fixed: Mapping[tuple[str, Version], tuple[Req, ...]]
    left_out: frozenset[str] = frozenset()
    """Root identifiers this fork leaves out (conflicting extras and groups of others)."""
    counts: ConflictCounts | None = None
    """The conflict counts at the fork point (uv's fork clones its parent's)."""
    resumable: Resumable | None = None
    """Where the parent's resolution stood at the fork point, to go on from."""


def _explain(exc: Exception, provider: Provider) -> NoSolution:
    causes = getattr(exc, "causes", None) or []
    lines = []
    for cause in causes:
        requirement: Req = cause.requirement
        parent = cause.parent
        who = f"{parent.name}=={parent.version}" if isinstance(parent, Candidate) else "the project"
        if isinstance(parent, Candidate) and provider.is_project(parent.name):
            who = "the project"
        lines.append(f"{who} requires {requirement.describe()}")
    unique = sorted(set(lines))
    where = ""
    if not provider.env.is_true():
        where = f" (in the split where `{provider.env.to_string()}`)"
    if not unique:
        return NoSolution(f"No solution found when resolving dependencies{where}: {exc}")
    names = sorted({cause.requirement.name for cause in causes})
    notes = sorted(note for name in names for note in provider.excluded.get(name, ()))
    message = (
        f"No solution found when resolving dependencies{where}: "
        + "; ".join(unique)
        + f", and no version of {', '.join(names)} satisfies all of these."
    )
    if notes:
        message += " (" + "; ".join(notes) + ")"
    return NoSolution(message, hint="loosen one of these requirements")


def _cached(client: IndexClient, wanted: list[Requirement]) -> bool:
    """Whether the roots' pages are all in the cache, fresh: then the resolution likely needs
    no request, and fetches ahead only once one is made (``MetadataStore``)."""
    from accord.reconciler.fetch.project_pages import pages_fresh

    if client.offline:
        return True
    if client.refresh or client.flat is not None or client.strategy != "first-index":
        return False
    names = {canonicalize_name(r.name) for r in wanted}
    return pages_fresh(client.indexes, client.cache_dir / "http", names)


def resolve_forks(
    roots: Sequence[Req],
    client: IndexClient,
    *,
    requires_python: SpecifierSet,
    initial_forks: Sequence[MarkerTree],
    preferences: Mapping[NormalizedName, Sequence[tuple[MarkerTree, Version]]],
    local: Mapping[NormalizedName, LocalPackage],
    root: Mapping[NormalizedName | None, Sequence[Requirement]],
    sdist_metadata: Callable[[IndexFile], bytes] | None,
    pinned: Mapping[NormalizedName, IndexClient] | None,
    forking: bool = True,
    allowed_yanks: frozenset[tuple[NormalizedName, Version]] = frozenset(),
    prerelease: str = "if-necessary-or-explicit",
    prerelease_package: Mapping[NormalizedName, str] | None = None,
    cutoff: Callable[[NormalizedName], datetime.datetime | None] | None = None,
    constraints: Dependencies | None = None,
    overrides: Dependencies | None = None,
    lowest: frozenset[NormalizedName] | None = None,
    resolution: str | None = None,
    required: Sequence[MarkerTree] = (),
    fork_strategy: str | None = None,
    binaries: BinaryPolicy | None = None,
    excludes: frozenset[NormalizedName] = frozenset(),
    split_roots: Callable[[MarkerTree], Sequence[tuple[MarkerTree, frozenset[str]]]] | None = None,
    dependency_metadata: Sequence[StaticMetadata] = (),
    selected: SelectedSources | None = None,
) -> tuple[list[ForkResult], dict[tuple[NormalizedName, Version], DistMetadata]]:
    """Solve every fork: the results in the order they completed (uv's lock order), and the
    metadata of every registry version chosen.

    ``split_roots``: the forks an initial fork splits into over the roots (``tool.uv.conflicts``),
    in the order uv pushes them, each with the root identifiers it leaves out.
    ``selected``: the names whose source is chosen by marker; each fork takes the sources
    that apply in it."""
    import resolvelib  # slow path only

    selected = selected or SelectedSources()
    python_marker = MarkerTree.python_range(*specifier_range(requires_python))

    store = MetadataStore(
        sdist_metadata,
        MarkerTree.python_range(*specifier_range(requires_python)),
        dependency_metadata,
    )
    # The roots' pages, and those of the local packages' dependencies, are needed first.
    wanted = [r for requirements in root.values() for r in requirements]
    wanted += [r for package in local.values() for r in package.metadata.requires_dist]
    # pinned ones come from their own index
    local_names = set(local) | set(pinned or {}) | selected.names
    wanted = [r for r in wanted if canonicalize_name(r.name) not in local_names and not r.url]
    if not _cached(client, wanted):
        store.speculate()
    store.prefetch(wanted, client)
    prefs: dict[NormalizedName, list[tuple[MarkerTree, Version]]] = defaultdict(list)
    for name, entries in preferences.items():
        prefs[name].extend(entries)
    starts = [_Pending(env, {}, {}) for env in reversed(initial_forks or [MarkerTree.TRUE])]
    # uv sorts the initial forks like sibling forks; the stack pops the last first.
    # uv solves lower Python bounds first under `fewest` or `lowest`, higher ones otherwise.
    lower_python_first = resolution == "lowest" or fork_strategy == "fewest"
    starts.sort(key=lambda p: fork_order(ForkSplit(p.env, None)), reverse=lower_python_first)
    if split_roots is not None:
        starts = [
            _Pending(env, {}, {}, left_out) for p in starts for env, left_out in split_roots(p.env)
        ]
    stack = list(starts)
    results: list[ForkResult] = []
    metadata: dict[tuple[NormalizedName, Version], DistMetadata] = {}
    forks_made = 0
    try:
        while stack:
            pending = stack.pop()
            sources = selected.in_fork(pending.env & python_marker)
            provider_for = functools.partial(
                Provider,
                client,
                requires_python=requires_python,
                env=pending.env,
                preferences=prefs,
                inherited=pending.inherited,
                fixed=pending.fixed,
                local={**local, **sources.local},
                root=root,
                pinned={**(pinned or {}), **sources.pinned},
                selected=selected.names,
                conflicting=sources.conflicting,
                store=store,
                allowed_yanks=allowed_yanks,
                prerelease=prerelease,
                prerelease_package=prerelease_package,
                cutoff=cutoff,
                constraints=constraints,
                overrides=overrides,
                lowest=lowest,
                lower_python_first=lower_python_first,
                python_forks=fork_strategy != "fewest",
                binaries=binaries,
                excludes=excludes,
                required=required,
            )
            provider = provider_for()
            recorder = Recorder()
            solver = Solver(provider, recorder, pending.counts)
            wanted_roots = [r for r in roots if r.identifier not in pending.left_out]
            try:
                if pending.resumable is None:
                    state = solver.resolve(wanted_roots, max_rounds=20_000)
                else:
                    try:
                        solver.counts = solver.counts.copy()  # kept for a fresh start
                        state = solver.resume(pending.resumable, max_rounds=20_000)
                        debug("Solved split (markers: %s) from the fork point", pending.env)
                    except (ResumeAbandoned, resolvelib.ResolutionError) as exc:
                        # Solved afresh: the versions decided before the fork point go first.
                        why = exc if isinstance(exc, ResumeAbandoned) else "no solution there"
                        debug(
                            "Solving split (markers: %s) again from the root: %s",
                            pending.env,
                            why,
                        )
                        provider, recorder = provider_for(), Recorder()
                        solver = Solver(provider, recorder, pending.counts)
                        state = solver.resolve(wanted_roots, max_rounds=20_000)
            except ForkNeeded as fork:
                if not forking:
                    raise NoSolution(
                        f"No solution found: {fork.candidate.name} needs a split resolution"
                    ) from None
                forks_made += len(fork.splits)
                if forks_made > _MAX_FORKS:
                    raise NoSolution(
                        "No solution found: the resolution split into more than "
                        f"{_MAX_FORKS} environments"
                    ) from None
                inherited = dict(pending.inherited)
                for identifier, candidate in recorder.mapping.items():
                    before = pending.inherited.get(identifier)
                    env = before[1] if before and before[0] == candidate.version else pending.env
                    inherited[identifier] = (candidate.version, env)
                key = (fork.candidate.identifier, fork.candidate.version)
                # The forking version is decided in every new fork too (uv forks the solver
                # state after choosing it): each fork tries it first.
                marker_fork = all(split.requirements is not None for split in fork.splits)
                if marker_fork and fork.candidate.identifier not in inherited:
                    inherited[fork.candidate.identifier] = (fork.candidate.version, pending.env)
                resumable = solver.resumable()
                for at, split in enumerate(fork.splits):
                    fixed = dict(pending.fixed)
                    if split.requirements is not None:
                        fixed[key] = split.requirements
                    # The fork solved first takes the parent's states, the others copies.
                    last = at == len(fork.splits) - 1
                    own = resumable if resumable is None or last else resumable.copy()
                    stack.append(
                        _Pending(
                            split.env,
                            inherited,
                            fixed,
                            pending.left_out,
                            solver.counts.copy(),
                            own,
                        )
                    )
                continue
            except resolvelib.ResolutionImpossible as exc:
                from accord.reconciler.lock.resolve.explain import explain_conflict

                explained = explain_conflict(exc, provider, requires_python)
                raise (explained or _explain(exc, provider)) from exc
            except resolvelib.ResolutionTooDeep as exc:
                raise NoSolution("No solution found: the resolution took too many steps") from exc
            pins = dict(state.mapping)
            results.append(ForkResult(pending.env, pins, dict(provider.requirements_of)))
            for candidate in pins.values():
                if candidate.extra is None and candidate.group is None:
                    # Not for lowest-direct (uv: a name direct in one fork may be transitive
                    # in another).
                    if resolution != "lowest-direct":
                        prefs[candidate.name].append((pending.env, candidate.version))
                    if not provider.is_local(candidate.name) and not candidate.name.startswith(":"):
                        key = (candidate.name, candidate.version)
                        if key not in metadata:
                            metadata[key] = provider.metadata(candidate)
    finally:
        store.close()
    return results, metadata
