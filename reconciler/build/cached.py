"""Cached environments (apply stage, build side): one way to sync an environment kept in
accord's cache from requirements that no project lock holds.

``sync_cached_environment`` resolves a pseudo-project for one interpreter (unless the caller
has a lock already), desires it, and, holding the caller's guard, observes the environment's
directory, diffs and applies. Build environments (``environments.py``: wheels only, a ready
marker) and the run stage's ``--with`` layers, PEP 723 script and ``--isolated`` environments
(``reconciler/run/cached.py``: a stored lock, ``--dry-plan``, printing, the base's ``.pth``)
differ only in what they pass. It lives in the build stage so both may call it (the build
stage sits below the run stage and never imports it). Touches the index and the cache.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING

import attrs
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version

from accord.model.interpreter import Interpreter
from accord.model.lock import Lock, Source
from accord.model.manifest import ProjectManifest

if TYPE_CHECKING:
    from accord.model.desired import DesiredEnvironment
    from accord.model.lock_action import LockAction
    from accord.model.plan import Plan
    from accord.reconciler.fetch.index import IndexClient
    from accord.reconciler.install.apply import Builder
    from accord.reconciler.lock.resolve.local import TreeMetadata

__all__ = ["PseudoProject", "sync_cached_environment"]


@attrs.frozen(kw_only=True)
class PseudoProject:
    """What a cached environment holds, as the project the resolver locks for it."""

    name: str
    requirements: tuple[Requirement, ...]
    requires_python: SpecifierSet
    """Pins the one interpreter the environment serves, so the universal resolution drops
    every branch for other Pythons."""
    sources: tuple[tuple[NormalizedName, Source], ...] = ()
    is_script: bool = False
    """Locked in the shape of a PEP 723 script lock (no package for the pseudo-project, local
    sources named by absolute paths), as the run stage's environments are; otherwise locked as
    a project, whose one root package is what the environment selects."""

    def manifest(self) -> ProjectManifest:
        return ProjectManifest(
            name=canonicalize_name(self.name),
            version=None,
            requires_python=self.requires_python,
            dependencies=self.requirements,
            sources=self.sources,
        )


def resolve_pseudo_project(
    project: PseudoProject,
    client: IndexClient,
    cache: Path,
    *,
    index_url: str | None = None,
    preferences: Mapping[NormalizedName, Version] | None = None,
    constraints: Sequence[Requirement] = (),
    tree_metadata: TreeMetadata | None = None,
) -> Lock:
    """The lock of ``project`` from ``client`` (``index_url`` None: the client's first index);
    ``tree_metadata`` prepares the metadata of a local tree whose version is dynamic."""
    from accord.reconciler.lock.resolve import resolve_lock

    script = project.is_script
    return resolve_lock(
        project.manifest(),
        client,
        index_url=client.indexes[0] if index_url is None else index_url,
        preferences=preferences,
        constraints=constraints,
        script=script,
        root=Path("/") if script else None,
        cache=cache if script else None,
        tree_metadata=tree_metadata,
    )


def sync_cached_environment(
    env: Path,
    project: PseudoProject,
    interpreter: Interpreter,
    cache: Path,
    *,
    client_factory: Callable[[], IndexClient],
    index_url: str | None = None,
    preferences: Mapping[NormalizedName, Version] | None = None,
    constraints: Sequence[Requirement] = (),
    lock: Lock | None = None,
    admit: Callable[[DesiredEnvironment], DesiredEnvironment] | None = None,
    guard: Callable[[], AbstractContextManager[object]] = contextlib.nullcontext,
    lock_action: LockAction | None = None,
    lock_name: str | None = None,
    show: Callable[[Plan], None] | None = None,
    before_apply: Callable[[Plan], None] | None = None,
    after_apply: Callable[[Plan, float], None] | None = None,
    builder: Callable[[], Builder] | None = None,
    tree_metadata: TreeMetadata | None = None,
    offline: bool = False,
    finish: Callable[[Lock, Plan], None] | None = None,
    exact: bool = False,
) -> Plan:
    """Make ``env`` hold ``lock`` (resolved from ``project`` when None) on ``interpreter``,
    and nothing else under ``exact``; return the plan it took.

    The caller's differences: ``admit`` checks or completes the desired environment before it
    is planned (the build environment's wheels-only rule; local source trees located);
    ``guard`` is held from observing to ``finish`` (the environment's lock);
    ``lock_action``/``lock_name`` go into the plan as they are; ``show``, when given, is a
    ``--dry-plan``: the plan is shown and nothing is applied or finished. Otherwise
    ``before_apply`` sees the plan; apply runs when the plan changes anything, with the
    builder ``builder`` makes then (for sdists and source trees); ``tree_metadata`` prepares,
    for the resolution, the metadata of a local tree whose version is dynamic;
    ``after_apply`` gets the seconds it took; and ``finish`` (a stored lock, a ready marker)
    runs last. Raises the resolver's, ``desire``'s and apply's errors; a failure leaves
    ``finish`` undone, so the next call repairs the environment.
    """
    import time

    from accord.model.desired import Selection, desire
    from accord.model.plan import diff
    from accord.reconciler.install.apply import apply_plan
    from accord.reconciler.install.observe import observe_environment

    if lock is None:
        with client_factory() as client:
            lock = resolve_pseudo_project(
                project,
                client,
                cache,
                index_url=index_url,
                preferences=preferences,
                constraints=constraints,
                tree_metadata=tree_metadata,
            )
    roots = () if project.is_script else (canonicalize_name(project.name),)
    desired = desire(lock, Selection(roots=roots, default_groups=()), interpreter, exact=exact)
    if admit is not None:
        desired = admit(desired)
    with guard():
        plan = diff(desired, observe_environment(env))
        if lock_action is not None:
            plan = attrs.evolve(plan, lock=lock_action)
        if lock_name is not None:
            plan = attrs.evolve(plan, lock_name=lock_name)
        if show is not None:
            show(plan)
            return plan
        if before_apply is not None:
            before_apply(plan)
        if plan.actions or plan.environment.kind != "keep":
            started = time.perf_counter()
            made = builder() if builder is not None else None
            apply_plan(plan, env, cache, builder=made, offline=offline)
            if after_apply is not None:
                after_apply(plan, time.perf_counter() - started)
        if finish is not None:
            finish(lock, plan)
    return plan
