"""Apply stage: perform exactly the plan it is given, and nothing else.

Order, for crash safety and "nothing is lost":
1. prepare every wheel in the cache (download in parallel, verify sha256, unpack once):
   a bad download fails here, before the environment is touched;
2. create or recreate the environment;
3. removals, then replacements (old files stashed by rename, new version installed, stash
   dropped on success or moved back on failure), then installs. Each dist's RECORD is written
   last, so an interrupted install is seen as broken and repaired by the next run.
The caller holds the environment's file lock and writes the stamp afterwards.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable, Collection
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Protocol

import attrs

from accord.model.desired import ArtifactKind, DesiredDist
from accord.model.lock import SourceKind
from accord.model.plan import (
    Create,
    Install,
    Plan,
    Recreate,
    ReinstallRequested,
    Remove,
    Replace,
)
from accord.model.render import build_label
from accord.reconciler.console import builds_done
from accord.reconciler.errors import BuildNotSupported
from accord.reconciler.fetch.artifacts import (
    PreparedWheel,
    fetch_archive,
    prepare_wheels,
    unpack_wheel,
)
from accord.reconciler.install.guard import PlannedWheel, check_installs
from accord.reconciler.install.kept import kept_dist_info
from accord.reconciler.install.links import link_package_files
from accord.reconciler.install.observe import find_site_packages
from accord.reconciler.install.removal import remove_dist, stash_dist
from accord.reconciler.install.venv import create_venv, remove_venv
from accord.reconciler.install.wheel import (
    InstallTarget,
    install_tree,
)
from accord.reconciler.interpreters.layout import site_packages_path
from accord.reconciler.progress import progress
from accord.reconciler.threads import quiet

__all__ = ["Applied", "apply_plan", "remove_interrupted_stashes"]

_STASH_PREFIX = ".accord-stash-"


@attrs.frozen
class Applied:
    """What an apply did, for the summary (uv's ``Prepared N packages in …``)."""

    prepared: int = 0
    """Wheels downloaded or built by this apply (not found unpacked in the cache)."""
    prepare_seconds: float = 0.0
    trees: tuple[Path, ...] = ()
    """The unpacked wheel of every dist installed, in the plan's order."""
    linked: bool = False
    """The package files of a fresh environment went in with one ``cp -al`` of ``trees``."""
    built_versions: tuple[tuple[str, str], ...] = ()
    """(name, version) of each dist whose version the lock leaves dynamic, as built."""


class Builder(Protocol):
    """Builds what cannot be installed from a wheel (``build.builder.ProjectBuilder``)."""

    def build_tree(self, dist: DesiredDist) -> Path: ...

    def build_git(self, dist: DesiredDist) -> Path: ...

    def build_sdist(
        self,
        sdist: Path,
        sha256: str,
        label: str | None = None,
        *,
        name: str | None = None,
        subdirectory: str | None = None,
    ) -> Path: ...


def _prepare_builds(
    actions: list[Install | Replace], cache: Path, builder: Builder | None, offline: bool = False
) -> dict[str, PreparedWheel]:
    """Build every sdist and source tree the plan installs, before anything changes."""
    prepared: dict[str, PreparedWheel] = {}
    for action in actions:
        before = builds_done()
        prepared[action.dist.name] = _prepare_build(action.dist, cache, builder, offline)
        if builds_done() > before:  # built now: uv counts it prepared, same wheel or not
            prepared[action.dist.name] = attrs.evolve(prepared[action.dist.name], fresh=True)
    return prepared


def _prepare_build(
    dist: DesiredDist, cache: Path, builder: Builder | None, offline: bool
) -> PreparedWheel:
    """The wheel a build of ``dist`` gives (kept ones included), unpacked in the cache."""
    if builder is not None and dist.source.kind is SourceKind.GIT:
        return unpack_wheel(builder.build_git(dist), cache)
    if builder is None or (dist.kind is ArtifactKind.SDIST and dist.artifact is None):
        what = "an sdist" if dist.kind is ArtifactKind.SDIST else f"`{dist.source}`"
        raise BuildNotSupported(
            f"`{dist.name}=={dist.display_version}` would have to be built from {what}, "
            "which accord cannot do here",
            hint="git sources are not supported yet" if dist.artifact is None else None,
        )
    if dist.kind is ArtifactKind.SDIST:
        assert dist.artifact is not None
        sha256, sdist = fetch_archive(dist.artifact, cache, offline=offline)
        within = dist.source.subdirectory if dist.source.kind is SourceKind.URL else None
        wheel = builder.build_sdist(
            sdist, sha256, build_label(dist), name=dist.name, subdirectory=within
        )
    else:
        wheel = builder.build_tree(dist)
    return unpack_wheel(wheel, cache)


def _built_version(tree: Path) -> str:
    """The version of the unpacked wheel at ``tree``, from its ``name-version.dist-info``."""
    dist_info = next(entry for entry in os.listdir(tree) if entry.endswith(".dist-info"))
    return dist_info.removesuffix(".dist-info").rpartition("-")[2]


def _direct_url(dist: DesiredDist) -> dict[str, object] | None:
    """PEP 610 data for dists that do not come from a registry, as uv 0.13.8 writes it: its
    keys in uv's order (``wheel.py`` keeps it), an archive's ``archive_info`` empty (uv records
    no hash there), a directory's ``editable`` either way, and the ``subdirectory`` of a
    ``url`` or git source."""
    from accord.model.plan import source_subdirectory

    found = _direct_url_info(dist)
    within = source_subdirectory(dist.source)
    if found is not None and within is not None:
        found["subdirectory"] = within
    return found


def _direct_url_info(dist: DesiredDist) -> dict[str, object] | None:
    if dist.source.kind in (SourceKind.URL, SourceKind.PATH) and dist.artifact is not None:
        url = dist.source.location if dist.source.kind is SourceKind.URL else dist.artifact.url
        return {"url": url, "archive_info": {}}
    if dist.source.kind is SourceKind.GIT:
        from accord.model.plan import git_query, git_repository

        location = dist.source.location
        query = git_query(location)
        requested = next((query[k] for k in ("tag", "branch", "rev") if k in query), None)
        vcs: dict[str, object] = {"vcs": "git", "commit_id": location.rpartition("#")[2]}
        if requested:
            vcs["requested_revision"] = requested
        return {"url": git_repository(location), "vcs_info": vcs}
    if dist.kind is ArtifactKind.SOURCE_TREE and dist.directory_url is not None:
        return {"url": dist.directory_url, "dir_info": {"editable": dist.editable}}
    return None


def _extra_files(dist: DesiredDist) -> dict[str, bytes]:
    """Per-environment dist-info records: accord's build digest, and uv's freshness records
    for local trees and archives (so the two tools agree the install is current), computed
    when the dist was located."""
    from accord.reconciler.install.observe import BUILD_DIGEST_FILE

    files = dict(dist.uv_records)
    if dist.build_digest is not None:
        files[BUILD_DIGEST_FILE] = dist.build_digest.encode() + b"\n"
    return files


def _target(venv: Path, plan: Plan) -> InstallTarget:
    site = find_site_packages(venv)
    if site is None:
        site = venv / site_packages_path(plan.desired.interpreter)
        site.mkdir(parents=True, exist_ok=True)
    return InstallTarget(venv=venv, site_packages=site, python=venv / "bin" / "python")


def _replace(
    target: InstallTarget, action: Replace, prepared: PreparedWheel, stash_root: Path
) -> None:
    stash = Path(tempfile.mkdtemp(prefix=f"{action.name}-", dir=stash_root))
    moved = stash_dist(target.site_packages, action.installed.dist_info, stash)
    try:
        install_tree(
            prepared.tree,
            target,
            name=action.name,
            direct_url=_direct_url(action.dist),
            extra_files=_extra_files(action.dist),
        )
    except BaseException:
        # Roll back: install_tree removed its own files; put the old version back.
        for original, stashed in reversed(moved):
            original.parent.mkdir(parents=True, exist_ok=True)
            os.replace(stashed, original)
        raise
    finally:
        shutil.rmtree(stash, ignore_errors=True)


def remove_interrupted_stashes(venv: Path) -> None:
    """Delete the stashes (``.accord-stash-*``) an interrupted replacement left in ``venv``.

    A stash only ever holds the old files of a replacement in progress; the caller holds the
    environment's lock, so none of them belongs to a running apply."""
    try:
        entries = os.listdir(venv)
    except OSError:
        return
    for entry in entries:
        if entry.startswith(_STASH_PREFIX):
            shutil.rmtree(venv / entry, ignore_errors=True)


def _check_installs(plan: Plan, prepared: dict[str, PreparedWheel], venv: Path) -> None:
    """Refuse, before anything changes, wheels that name another package than the lock or
    would write over the environment's own files or another distribution's."""
    fresh = isinstance(plan.environment, Create | Recreate)
    found = None if fresh else find_site_packages(venv)
    site = (
        os.path.relpath(found, venv).replace(os.sep, "/")
        if found is not None
        else site_packages_path(plan.desired.interpreter)
    )
    wheels = [
        PlannedWheel(
            name=action.dist.name,
            version=action.dist.version,
            tree=prepared[action.dist.name].tree,
            replaces=action.installed.dist_info if isinstance(action, Replace) else None,
        )
        for action in plan.actions
        if isinstance(action, Install | Replace)
    ]
    removed = [action.installed.dist_info for action in plan.actions if isinstance(action, Remove)]
    check_installs(wheels, venv, site, fresh=fresh, removed=removed)


def apply_plan(
    plan: Plan,
    venv: Path,
    cache: Path,
    *,
    before_changes: Callable[[], None] | None = None,
    builder: Builder | None = None,
    offline: bool = False,
) -> Applied:
    """Make the environment at ``venv`` what ``plan`` says; raise on the first failure.

    ``before_changes`` runs once every artifact is ready (downloaded, verified, built), just
    before the environment is first touched (the pipeline drops the fast-path stamp there, so
    a failed download or build leaves the environment, stamp included, exactly as it was).
    """
    wanted = [action for action in plan.actions if isinstance(action, Install | Replace)]
    from_wheels = [a for a in wanted if a.dist.kind is ArtifactKind.WHEEL]
    shown = progress()
    shown.counting("Preparing packages...", len(wanted))
    started = time.perf_counter()
    try:
        by_file = prepare_wheels(
            [a.dist.artifact for a in from_wheels if a.dist.artifact], cache, offline=offline
        )
        prepared: dict[str, PreparedWheel] = {
            a.dist.name: by_file[a.dist.artifact.name] for a in from_wheels if a.dist.artifact
        }
        prepared.update(
            _prepare_builds(
                [a for a in wanted if a.dist.kind is not ArtifactKind.WHEEL],
                cache,
                builder,
                offline,
            )
        )
    finally:
        shown.counted()
    prepare_seconds = time.perf_counter() - started
    _check_installs(plan, prepared, venv)
    if before_changes is not None:
        before_changes()

    environment = plan.environment
    remove_interrupted_stashes(venv)
    if isinstance(environment, Recreate):
        remove_venv(venv)
    if isinstance(environment, Create | Recreate):
        create_venv(venv, plan.desired.interpreter, prompt=venv.parent.name)
    target = _target(venv, plan)

    for action in plan.actions:
        if isinstance(action, Remove):
            remove_dist(target.site_packages, action.installed.dist_info)
    replacements = [action for action in plan.actions if isinstance(action, Replace)]
    if replacements:
        stash_root = Path(tempfile.mkdtemp(prefix=_STASH_PREFIX, dir=venv))
        try:
            for action in replacements:
                _replace(target, action, prepared[action.dist.name], stash_root)
        finally:
            shutil.rmtree(stash_root, ignore_errors=True)
    installs = [action for action in plan.actions if isinstance(action, Install)]
    # A fresh environment has nothing to collide with: its package files can be linked in
    # one go, and each install then only writes its dist-info, scripts and data.
    fresh = isinstance(environment, Create | Recreate)
    shown.counting("Installing wheels...", len(installs))
    # What a plain install into a fresh environment kept of its dist-info: linked with the rest.
    kept = {
        action.dist.name: found
        for action in (installs if fresh else [])
        if _direct_url(action.dist) is None and not _extra_files(action.dist)
        if (found := kept_dist_info(prepared[action.dist.name].tree)) is not None
    }
    try:
        prelinked = fresh and link_package_files(
            [prepared[action.dist.name].tree for action in installs],
            target.site_packages,
            also=list(kept.values()),
        )
        _install_all(installs, prepared, target, prelinked=prelinked, kept=set(kept))
    finally:
        shown.counted()
    # uv counts as prepared what it fetched or built now, and (--reinstall implying --refresh)
    # every package reinstalled on request.
    again = {a.name for a in replacements if isinstance(a.reason, ReinstallRequested)}
    return Applied(
        built_versions=tuple(
            (a.name, _built_version(prepared[a.name].tree))
            for a in wanted
            if a.dist.version is None
        ),
        prepared=sum(1 for name, wheel in prepared.items() if wheel.fresh or name in again),
        prepare_seconds=prepare_seconds,
        trees=tuple(prepared[action.dist.name].tree for action in installs),
        linked=prelinked,
    )


def _install_all(
    installs: list[Install],
    prepared: dict[str, PreparedWheel],
    target: InstallTarget,
    *,
    prelinked: bool = False,
    kept: Collection[str] = (),
) -> None:
    """Install dists in parallel threads (link and mkdir release the GIL; files of distinct
    dists are disjoint). Every install finishes or rolls itself back; the first error is
    raised once all have ended, so no thread is left writing behind it."""

    def install(action: Install) -> None:
        install_tree(
            prepared[action.dist.name].tree,
            target,
            name=action.name,
            direct_url=_direct_url(action.dist),
            extra_files=_extra_files(action.dist),
            prelinked=prelinked,
            kept=action.dist.name in kept,
        )
        progress().count()

    if len(installs) <= 1:
        for action in installs:
            install(action)
        return
    with ThreadPoolExecutor(max_workers=min(4, len(installs)), initializer=quiet) as pool:
        futures = [pool.submit(install, action) for action in installs]
    for future in futures:
        future.result()
