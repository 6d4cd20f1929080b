"""Lock stage: make sure the project's ``uv.lock`` is current (reads files and the index).

``ensure_lock`` returns the lock to plan from and the lock action. It never writes: a new
lock travels in the plan (``WriteLock``) and is written by apply, so ``--dry-plan`` changes
nothing. Modes follow uv: ``--frozen`` uses the lock as it is (no index access);
``--locked`` fails when the lock would change; the default re-locks when the inputs moved.
``settle_lock`` is that decision for any lock file, given how to tell it stale and how to
resolve it: ``ensure_lock`` and a PEP 723 script's lock (``script.py``) both go through it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TextIO

import attrs
from packaging.utils import NormalizedName

from accord.model.interpreter import Interpreter
from accord.model.lock import Lock, SourceKind
from accord.model.lock_action import KeepLock, LockAction, WriteLock
from accord.model.request import ConfigOptions, IndexOptions, LockMode, LockPolicy
from accord.model.staleness import why_stale
from accord.model.target import Project
from accord.reconciler.errors import (
    LockfileMissing,
    LockStale,
    SettingUnsupported,
)
from accord.reconciler.lock.settings import (
    DependencySettings,
    check_settings,
    default_requires_python,
    exclude_newer_changed,
    read_dependency_settings,
    read_exclude_newer,
    read_no_sources,
    read_prerelease,
)
from accord.reconciler.project.indexes import (
    configured_find_links,
    configured_indexes,
    configured_strategy,
)

if TYPE_CHECKING:
    from packaging.requirements import Requirement

    from accord.model.exclude_newer import ExcludeNewer
    from accord.model.find_links import FlatSource
    from accord.reconciler.project.workspace import Workspace

__all__ = [
    "MetadataBuilder",
    "MetadataBuilders",
    "ensure_lock",
    "load_workspace",
    "refuse_missing_lock",
    "settle_lock",
]


class MetadataBuilder(Protocol):
    """Prepares core metadata: of an sdist (or local archive) the index gives no wheel for,
    and of a path or git dependency whose version or requirements are dynamic
    (``resolve.local.TreeMetadata``). The build stage's ``ProjectBuilder``, handed in by the
    caller (the lock stage sits below the build stage and never imports it)."""

    def sdist_metadata(
        self, url: str, sha256: str | None, filename: str, subdirectory: str | None = None
    ) -> bytes: ...

    def tree_metadata(
        self, tree: Path, name: str, *, editable: bool = False, commit: str | None = None
    ) -> bytes: ...


MetadataBuilders = Callable[[Sequence[str], "tuple[Requirement, ...]", str], MetadataBuilder]
"""``(indexes, build constraints, index strategy) -> MetadataBuilder``: what a resolution
builds with."""


def load_workspace(
    project: Project, interpreter: Interpreter | Callable[[], Interpreter], err: TextIO
) -> Workspace:
    """The workspace's declared inputs (every member); a member without requires-python gets
    the interpreter's ``>=X.Y``, with uv's warning (``interpreter`` may be a call that waits
    for it: only then is it needed)."""
    from accord.reconciler.project.workspace import read_workspace

    workspace = read_workspace(Path(project.root))
    if not any(m.requires_python for m in workspace.members):
        if not isinstance(interpreter, Interpreter):
            interpreter = interpreter()
        default = default_requires_python(interpreter, err)
        root = workspace.root_manifest  # without [project]: the range when there is no member
        workspace = attrs.evolve(
            workspace,
            members=tuple(attrs.evolve(m, requires_python=default) for m in workspace.members),
            root_manifest=root and attrs.evolve(root, requires_python=default),
        )
    return workspace


def _read_existing(path: Path) -> tuple[str | None, Lock | None]:
    """The lock as text and value, ``(None, None)`` when there is none. A lock that exists
    but cannot be read is an error (exit 2), as in uv: never ignored, never replaced."""
    from accord.reconciler.lock.memo import read_existing_lock

    return read_existing_lock(path)


def _stale_error(display: str, why: str, flag: str = "--locked") -> LockStale:
    return LockStale(
        f"The lockfile at `{display}` needs to be updated, but `{flag}` was provided.\n"
        f"  cause: {why}",
        hint="To update the lockfile, run `accord lock`.",
    )


def refuse_missing_lock(display: str, policy: LockPolicy) -> None:
    """Under ``--locked``/``--frozen`` (or ``lock --check``/``--check-exists``), no lock at
    ``display`` is an error naming the flag the user gave, as uv words it."""
    if policy.lock_mode is LockMode.WRITE:
        return
    flag = policy.locked_flag
    if policy.lock_mode is LockMode.FROZEN and flag == "--locked":
        flag = "--frozen"  # the default spelling belongs to --locked
    raise LockfileMissing(
        f"Unable to find lockfile at `{display}`, but `{flag}` was provided. "
        "To create a lockfile, run `accord lock` or `accord sync` without the flag."
    )


def settle_lock(
    existing: Lock | None,
    policy: LockPolicy,
    *,
    display: str,
    why_stale: Callable[[Lock], str | None],
    relock: Callable[[Lock | None], Lock],
    flag: str = "--locked",
    text: str | None = None,
) -> tuple[Lock, LockAction]:
    """The lock to plan from, and what happens to the file named ``display``, which holds
    ``existing`` (None: no lock there; the caller refuses that first where it must).

    ``--frozen`` keeps an existing lock as it is. Otherwise a lock ``why_stale`` finds
    current (None) is kept unless upgrading; else ``relock(existing)`` resolves it again and
    the new lock is written, whose reason is what ``why_stale`` said (or the upgrade asked
    for); one whose text is still ``text`` is kept all the same. Under ``--locked`` (spelled
    ``flag``) the lock is resolved first, as uv does for a project and a script alike, and
    only a changed one fails. Raises ``LockStale`` (carrying the new lock), and whatever
    ``why_stale`` and ``relock`` raise.
    """
    if existing is not None and policy.lock_mode is LockMode.FROZEN:
        return existing, KeepLock("--frozen: used as it is")
    if existing is None:
        why = "missing" if text is None else "unreadable"
    else:
        stale = why_stale(existing)
        upgrading = policy.upgrade or bool(policy.upgrade_packages)
        if stale is None and not upgrading:
            return existing, KeepLock("up to date")
        why = stale or (
            "--upgrade"
            if policy.upgrade
            else "--upgrade-package " + ", ".join(policy.upgrade_packages)
        )
    new = relock(existing)
    from accord.reconciler.lock.write import format_lock

    if text is not None and format_lock(new) == text:
        return existing or new, KeepLock("up to date")
    if policy.lock_mode is LockMode.LOCKED:
        stale_error = _stale_error(display, why, flag)
        stale_error.resolved = len(new.packages)  # uv says it resolved, then refuses
        stale_error.update = WriteLock(reason=why, lock=new)
        raise stale_error
    return new, WriteLock(reason=why, lock=new)


def ensure_lock(
    project: Project,
    interpreter: Interpreter | Callable[[], Interpreter],
    policy: LockPolicy,
    index: IndexOptions,
    config_files: ConfigOptions,
    *,
    builders: MetadataBuilders,
    err: TextIO | None = None,
) -> tuple[Lock, LockAction]:
    """The lock to plan from, and what happens to the file (see the module docstring)."""
    err = sys.stderr if err is None else err
    path = Path(project.lock_path)
    display = os.path.relpath(path) if path.is_relative_to(Path.cwd()) else str(path)
    text, existing = _read_existing(path)
    if existing is None:
        refuse_missing_lock(display, policy)
    elif policy.lock_mode is LockMode.FROZEN:
        return existing, KeepLock("--frozen: used as it is")

    from accord.model.manifest import ProjectManifest, declared_groups, lock_requirement
    from accord.model.uv_settings import recorded_prerelease
    from accord.reconciler.project.config import settings_for

    workspace = load_workspace(project, interpreter, err)
    config = settings_for(workspace.root, config_files)
    no_sources = read_no_sources(workspace, config, policy)
    if no_sources is None or no_sources:
        # uv resolves the declared requirements alone: a package comes from the indexes
        # (workspace members are still members), and the lock records no source.
        def kept(entries: Sequence[tuple[NormalizedName, Any]]) -> tuple[Any, ...]:
            return tuple(e for e in entries if no_sources is not None and e[0] not in no_sources)

        def without(m: ProjectManifest) -> ProjectManifest:
            return attrs.evolve(
                m,
                sources=kept(m.sources),
                index_pins=kept(m.index_pins),
                selected_sources=kept(m.selected_sources),
            )

        root_manifest = workspace.root_manifest
        workspace = attrs.evolve(
            workspace,
            members=tuple(without(m) for m in workspace.members),
            root_manifest=None if root_manifest is None else without(root_manifest),
        )
    refused = check_settings(workspace, config, err)
    prerelease = read_prerelease(workspace, config, policy.prerelease)
    exclude_newer = read_exclude_newer(workspace, config, policy.exclude_newer)
    inputs = read_dependency_settings(workspace, config, policy)
    indexes, explicit = configured_indexes(index, {"tool": {"uv": dict(config.table)}})
    strategy = configured_strategy(index, {"tool": {"uv": dict(config.table)}})
    flat = configured_find_links(index, config.layers, workspace.root)
    made: list[MetadataBuilder] = []

    def builder() -> MetadataBuilder:
        """One builder for the staleness check and the resolution (made when first asked)."""
        if not made:
            made.append(builders(indexes, inputs.build_constraints, strategy))
        return made[0]

    def why_stale_project(existing: Lock) -> str | None:
        if policy.upgrade:
            return "--upgrade"  # re-resolved whatever else moved
        is_workspace = len(workspace.members) > 1 or workspace.is_virtual_root
        stale = why_stale(
            existing,
            workspace.members,
            # find-links sources and the indexes sources pin are indexes a locked package
            # may come from (uv's rule).
            [*indexes, *(source.location for source in flat), *_pinned_indexes(workspace)]
            if explicit or flat
            else (),
            members=[m.name for m in workspace.members] if is_workspace else (),
            root_groups=declared_groups(workspace.root_manifest)
            if workspace.root_manifest is not None
            else [
                (group, [lock_requirement(r) for r in reqs])
                for group, reqs in workspace.root_groups
            ],
        )
        if stale is None:
            from accord.reconciler.lock.trees import why_trees_stale

            members = [m.name for m in workspace.members]
            stale = why_trees_stale(
                existing, workspace.root, members, lambda: builder().tree_metadata
            )
        if stale is None:
            stale = inputs.why_stale(existing)
        if stale is None and existing.options.prerelease_mode != recorded_prerelease(prerelease):
            stale = "the prerelease mode changed"
        if stale is None and exclude_newer_changed(existing, exclude_newer):
            stale = "the exclude-newer limit changed"
        return stale

    def relock(existing: Lock | None) -> Lock:
        if existing is not None and (
            existing.options.resolution_mode,
            existing.options.fork_strategy,
        ) != (inputs.resolution, inputs.fork_strategy):
            # uv ignores a lock resolved in another mode or fork strategy (no preferences, no
            # forks kept).
            existing = None
        if refused is not None:
            # Refused before resolving: the lock accord would write is not the one uv writes.
            where, names = refused
            raise SettingUnsupported(
                f"`{where}` sets {names}, which accord does not support yet; "
                "it changes the lock, so accord will not resolve without it",
                hint="lock with uv (accord runs from a uv.lock that is up to date), "
                "or remove the setting",
                path=where,
            )
        return _resolve(
            workspace,
            indexes,
            policy,
            index,
            existing,
            builder(),
            prerelease,
            exclude_newer,
            inputs,
            err,
            flat,
            strategy,
        )

    return settle_lock(
        existing,
        policy,
        display=display,
        flag=policy.locked_flag,
        text=text,
        why_stale=why_stale_project,
        relock=relock,
    )


def _pinned_indexes(workspace: Workspace) -> list[str]:
    """The index URLs ``[tool.uv.sources]`` pins packages to (chosen by marker or not)."""
    manifests = [*workspace.members]
    if workspace.root_manifest is not None:
        manifests.append(workspace.root_manifest)
    urls = [url for m in manifests for _, url in m.index_pins]
    urls += [
        entry.index
        for m in manifests
        for _, entries in m.selected_sources
        for entry in entries
        if entry.index is not None
    ]
    return urls


def _warner(err: TextIO) -> Callable[[str], None]:
    def warn(line: str) -> None:
        err.write(f"warning: {line}\n")

    return warn


def _resolve(
    workspace: Workspace,
    indexes: Sequence[str],
    policy: LockPolicy,
    index: IndexOptions,
    existing: Lock | None,
    builder: MetadataBuilder,
    prerelease: str | None = None,
    exclude_newer: ExcludeNewer | None = None,
    inputs: DependencySettings | None = None,
    err: TextIO | None = None,
    flat: Sequence[FlatSource] = (),
    strategy: str = "first-index",
) -> Lock:
    from accord.model.git import parse_lock_url
    from accord.reconciler.cachedir import cache_root
    from accord.reconciler.fetch.index import IndexClient
    from accord.reconciler.lock.resolve import resolve_lock

    git_commits: dict[NormalizedName, str] = {}
    git_locked: dict[str, str] = {}
    if existing is not None:
        for package in existing.packages:
            upgraded = policy.upgrade or package.name in policy.upgrade_packages
            if package.source.kind is SourceKind.GIT and not upgraded:
                # A git dependency stays on its locked commit until upgraded (uv's rule).
                commit = parse_lock_url(package.source.location)[1]
                git_commits[package.name] = commit
                # (by repository and reference too: one name may have several git sources)
                git_locked[package.source.location.partition("#")[0]] = commit
    client = IndexClient(
        indexes,
        cache_dir=cache_root(),
        offline=index.offline,
        refresh=index.refresh,
        flat=flat,
        strategy=strategy,
    )
    clients: dict[str, IndexClient] = {}

    def client_for(url: str) -> IndexClient:
        if url not in clients:
            clients[url] = IndexClient(
                [url], cache_dir=cache_root(), offline=index.offline, refresh=index.refresh
            )
        return clients[url]

    pinned: dict[NormalizedName, IndexClient] = {}
    for member in workspace.members:
        for name, url in member.index_pins:
            pinned[name] = client_for(url)
        for _, entries in member.selected_sources:
            for entry in entries:
                if entry.index is not None:
                    client_for(entry.index)
    try:
        return resolve_lock(
            workspace.members,
            client,
            root=workspace.root,
            root_groups=workspace.root_groups,
            root_manifest=workspace.root_manifest,
            virtual_root=workspace.is_virtual_root,
            cache=cache_root(),
            offline=index.offline,
            git_commits=git_commits,
            git_locked=git_locked,
            archive_metadata=builder.sdist_metadata,
            tree_metadata=builder.tree_metadata,
            pinned=pinned,
            source_clients=clients,
            index_url=indexes[-1] if indexes else "",
            existing=existing,
            upgrade=policy.upgrade,
            upgrade_packages=frozenset(policy.upgrade_packages),
            prerelease=prerelease,
            exclude_newer=exclude_newer,
            constraints=inputs.constraints if inputs else (),
            overrides=inputs.overrides if inputs else (),
            build_constraints=inputs.build_constraints if inputs else (),
            resolution=inputs.resolution if inputs else None,
            environments=inputs.environments if inputs else (),
            required_environments=inputs.required_environments if inputs else (),
            fork_strategy=inputs.fork_strategy if inputs else None,
            prerelease_package=dict(inputs.prerelease_package) if inputs else {},
            binaries=inputs.binaries if inputs else None,
            excludes=inputs.excludes if inputs else (),
            conflicts=inputs.conflicts if inputs else (),
            dependency_metadata=inputs.dependency_metadata if inputs else (),
            warn=None if err is None else _warner(err),
            sdist_metadata=lambda file: builder.sdist_metadata(
                file.url, file.sha256, file.filename
            ),
        )
    finally:
        client.close()
        for pinned_client in clients.values():
            pinned_client.close()
