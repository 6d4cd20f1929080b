"""``accord add`` and ``accord remove``: edit the declared dependencies, then lock and sync.

As ``uv add``/``uv remove`` (0.13.8): every requirement is parsed and every edit made in memory
first, so a bad requirement or a package ``remove`` cannot find changes nothing. The edited
pyproject.toml (or script) is written, the project is locked through accord's own lock stage
and, for ``add``, each requirement given without a specifier gets a bound from the version the
lock chose (``>=X``; ``--bounds``), after which the lock is made again and the environment
synced through the same plan as ``accord sync``. When locking or syncing after ``add`` fails,
pyproject.toml and uv.lock are put back as they were, as uv puts them back; ``remove`` leaves
its edit in place, as uv does.

Reads and writes the project's pyproject.toml and uv.lock, or a script and its ``.lock``.
"""

from __future__ import annotations

import os
import re
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import attrs
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version

from accord.model.edit import BoundKind, replace_script_block, script_block
from accord.model.lock import Lock
from accord.model.request import LockMode, RunRequest
from accord.model.target import Project
from accord.reconciler.errors import (
    AccordError,
    NoSolution,
    PackageNotFound,
    ProjectNotFound,
    UsageError,
)
from accord.reconciler.project.dependency_arrays import DependencyKind, DependencyPlace
from accord.reconciler.project.edit import (
    EditedDependency,
    add_dependencies,
    remove_dependencies,
    set_bounds,
)

if TYPE_CHECKING:
    from accord.model.index_edit import GivenIndex

__all__ = ["EditRequest", "add", "remove"]

_NAMED_INDEX = re.compile(r"^[A-Za-z0-9_.-]+=(?=.)")

_DEV = canonicalize_name("dev")


@attrs.frozen(kw_only=True)
class EditRequest:
    """What to add or remove, and where (the options of ``add``/``remove``)."""

    packages: tuple[str, ...]
    place: DependencyPlace
    raw: bool = False
    """``--raw``: write each requirement as given, and add no bound."""
    bounds: BoundKind | None = None
    """``--bounds``; None is uv's default (``lower``)."""
    extras: tuple[NormalizedName, ...] = ()
    """``--extra``: extras added to every requirement."""
    no_sync: bool = False
    script: Path | None = None
    indexes: tuple[str, ...] = ()
    """``--index``/``UV_INDEX`` as given (``name=URL`` or a URL or path), to write to the file."""
    default_index: str | None = None
    """``--default-index``/``UV_DEFAULT_INDEX`` as given, to write to the file."""


class _AddFailed(AccordError):
    """Locking or syncing after the edit failed; the files were put back."""

    def __init__(self, cause: AccordError) -> None:
        super().__init__(
            f"Failed to add dependencies\n  cause: {cause.message}",
            hint=(
                "If you want to add the package regardless of the failed resolution, "
                "provide the `--frozen` flag to skip locking and syncing"
            ),
        )
        self.exit_code = cause.exit_code


@attrs.frozen
class _Snapshot:
    """Files as they were before the edit, to put back (None: the file did not exist)."""

    files: tuple[tuple[Path, str | None], ...]

    @classmethod
    def take(cls, *paths: Path) -> _Snapshot:
        return cls(tuple((path, _read(path) if path.is_file() else None) for path in paths))

    def restore(self) -> None:
        from accord.reconciler.fsutil import write_atomic

        for path, text in self.files:
            if text is None:
                path.unlink(missing_ok=True)
            else:
                write_atomic(path, text)


def _read(path: Path) -> str:
    with path.open(encoding="utf-8", newline="") as stream:
        return stream.read()


def _write(path: Path, text: str) -> None:
    from accord.reconciler.fsutil import write_atomic

    write_atomic(path, text)


@attrs.frozen(kw_only=True)
class _Target:
    """The file to edit: a project's pyproject.toml, or a script (its block is the TOML)."""

    path: Path
    lock_path: Path
    script: bool
    project: Project | None = None

    def toml(self, text: str) -> str:
        if not self.script:
            return text
        block = script_block(text)
        if block is None:
            raise UsageError(
                f"`{self.path}` has no `# /// script` metadata block",
                hint="accord adds to an existing block only; add `# /// script` and `# ///` lines",
            )
        return block.toml

    def with_toml(self, text: str, toml: str) -> str:
        if not self.script:
            return toml
        block = script_block(text)
        assert block is not None  # toml() checked
        return replace_script_block(text, block, toml)


def _target(request: RunRequest, edit: EditRequest) -> _Target:
    if edit.script is not None:
        from accord.reconciler.lock.script import script_lock_path

        if not edit.script.is_file():
            raise UsageError(f"Failed to read from file `{edit.script}`: No such file or directory")
        return _Target(path=edit.script, lock_path=script_lock_path(edit.script), script=True)
    from accord.model.target import Project
    from accord.reconciler.errors import ProjectInvalid
    from accord.reconciler.project.config import discover_with_settings
    from accord.reconciler.project.discover import find_pyproject

    start = Path(request.project) if request.project is not None else Path(request.cwd)
    if find_pyproject(start) is None:
        raise ProjectNotFound(
            "No `pyproject.toml` found in current directory or any parent directory"
        )
    project = discover_with_settings(start, request.config)
    if not isinstance(project, Project):
        raise ProjectInvalid(f"No project to edit: {project.reason}")
    return _Target(
        path=Path(project.directory) / "pyproject.toml",
        lock_path=Path(project.lock_path),
        script=False,
        project=project,
    )


def _requirements(edit: EditRequest) -> list[tuple[Requirement, str]]:
    """Every requirement parsed before anything is touched; ``--extra`` merged in."""
    parsed: list[tuple[Requirement, str]] = []
    for text in edit.packages:
        try:
            requirement = Requirement(text)
        except InvalidRequirement as exc:
            raise UsageError(f"Failed to parse: `{text}`\n  cause: {exc}") from exc
        if requirement.url and not edit.raw:
            raise UsageError(
                f"`{text}` is a direct URL requirement: `accord add` does not write "
                "`tool.uv.sources` yet",
                hint="add it with `--raw` to write the PEP 508 requirement as given",
            )
        if edit.extras:
            requirement.extras |= set(edit.extras)
        parsed.append((requirement, text))
    return parsed


def _lock(request: RunRequest, *, write: bool, err: TextIO) -> Lock:
    """The project's (or script's) lock through accord's lock stage, written when it changes
    and ``write`` allows."""
    from accord.model.lock_action import WriteLock
    from accord.reconciler.lock.write import write_lock
    from accord.reconciler.run.lock import lock_target

    lock, action, path = lock_target(request)
    if isinstance(action, WriteLock) and write:
        write_lock(action.lock, path)
    return lock


def _resolved(started: float, lock: Lock, err: TextIO, request: RunRequest) -> None:
    if request.output.quiet:
        return
    from accord.model.elapsed import format_elapsed, resolved_line

    elapsed = format_elapsed(time.perf_counter() - started)
    err.write(resolved_line(len(lock.packages), elapsed) + "\n")


def _smallest_versions(lock: Lock) -> dict[NormalizedName, Version]:
    """uv's ``minimum_version``: the smallest version the lock holds of each package."""
    versions: dict[NormalizedName, Version] = {}
    for package in lock.packages:
        if package.version is None:
            continue
        known = versions.get(package.name)
        if known is None or package.version < known:
            versions[package.name] = package.version
    return versions


def _sync_request(request: RunRequest, place: DependencyPlace, *, adding: bool) -> RunRequest:
    """The selection uv syncs after the edit: for ``add``, the place's extra or group (and
    ``dev`` only when adding to it), inexact; for ``remove``, the defaults, exact."""
    if not adding:
        return request.evolve(exact=True, uv_summary=True, require_project=True)
    extras: tuple[NormalizedName, ...] = ()
    groups: tuple[NormalizedName, ...] = ()
    no_groups: tuple[NormalizedName, ...] = ()
    if place.kind is DependencyKind.OPTIONAL and place.name is not None:
        extras, no_groups = (place.name,), (_DEV,)
    elif place.kind is DependencyKind.GROUP and place.name is not None:
        groups = (place.name,)
    elif place.kind is DependencyKind.DEV:
        groups = (_DEV,)
    else:
        no_groups = (_DEV,)
    return request.evolve(
        exact=False,
        uv_summary=True,
        require_project=True,
        extras=extras,
        groups=groups,
        no_groups=no_groups,
    )


def _script_notes(request: RunRequest, edit: EditRequest, err: TextIO) -> None:
    """uv's warnings for project-only options given with ``--script``."""
    noop = "is a no-op for Python scripts with inline metadata, which always run in isolation"
    if request.locking.lock_mode is LockMode.LOCKED:
        err.write(f"warning: `--locked` {noop}\n")
    if request.locking.lock_mode is LockMode.FROZEN:
        err.write(f"warning: `--frozen` {noop}\n")
    if edit.no_sync:
        err.write(f"warning: `--no-sync` {noop}\n")


def add(request: RunRequest, edit: EditRequest, *, err: TextIO | None = None) -> None:
    """``accord add``: see the module docstring. Raises ``AccordError``; on a failure after
    the edit was written, the files are as they were before."""
    err = sys.stderr if err is None else err
    target = _target(request, edit)
    requirements = _requirements(edit)
    original = _read(target.path)
    toml, edits = add_dependencies(
        target.toml(original), requirements, edit.place, script=target.script, raw=edit.raw
    )
    if not edit.raw:
        toml = _with_indexes(target, edit, target.toml(original), toml, err)
    edited = target.with_toml(original, toml)
    if target.script:
        _script_notes(request, edit, err)
        request = request.evolve(lock_mode=LockMode.WRITE, script=target.path)
    elif request.locking.lock_mode is LockMode.FROZEN:
        # uv: `--frozen` only edits; no lock is read or written. It looks for the project's
        # interpreter all the same (reading `.python-version`, and warning about it), names
        # it when it is not the environment's, and refuses, the file unchanged, without one.
        from accord.reconciler.run.lock import find_and_name_interpreter

        assert target.project is not None
        find_and_name_interpreter(request, target.project, err)
        if edited != original:
            _write(target.path, edited)
        return
    snapshot = _Snapshot.take(target.path, target.lock_path)
    # A script without a lock is resolved for its bounds only: no lock file appears.
    write_lock = not target.script or target.lock_path.is_file()
    if edited != original:
        _write(target.path, edited)
    try:
        started = time.perf_counter()
        lock = _lock(request, write=write_lock, err=err)
        syncing = not (target.script or edit.no_sync)
        if not syncing:  # a sync says `Resolved` itself
            _resolved(started, lock, err, request)
        if not edit.raw:
            bounded = set_bounds(
                toml,
                edits,
                _smallest_versions(lock),
                edit.bounds or BoundKind.LOWER,
                script=target.script,
            )
            _notes(edits, edit, err)
            if bounded != toml:
                _write(target.path, target.with_toml(original, bounded))
                lock = _lock(request, write=write_lock, err=err)
        if target.script:
            if not request.output.quiet and not write_lock:
                err.write(f"Updated `{_shown(target.path)}`\n")
            return
        if not edit.no_sync:
            from accord.reconciler.run.pipeline import sync

            sync(_sync_request(request, edit.place, adding=True), err=err)
    except (NoSolution, PackageNotFound) as exc:
        snapshot.restore()
        raise _AddFailed(exc) from exc
    except AccordError:
        snapshot.restore()
        raise


def _given_indexes(edit: EditRequest, root: Path, err: TextIO) -> list[GivenIndex]:
    """The indexes given, as ``add`` writes them; a local one must be a directory (an empty
    one is skipped with a warning, as uv skips it)."""
    from accord.model.index_edit import GivenIndex, index_location, written_url

    given = [(text, False) for text in edit.indexes]
    if edit.default_index:
        given.append((edit.default_index, True))
    indexes: list[GivenIndex] = []
    for text, default in given:
        match = _NAMED_INDEX.match(text)
        name, url = (text[: match.end() - 1], text[match.end() :]) if match else (None, text)
        written = written_url(url, cwd=str(Path.cwd()), root=str(root))
        if "://" not in url or url.startswith("file:"):
            directory = root / written
            if not directory.is_dir():
                raise UsageError(f"Directory not found for index: {url}")
            if not any(directory.iterdir()):
                err.write(f"warning: Index directory `{url}` is empty, skipping\n")
                continue
        location = index_location(written, str(root))
        indexes.append(GivenIndex(name=name, url=written, location=location, default=default))
    return indexes


def _with_indexes(target: _Target, edit: EditRequest, before: str, after: str, err: TextIO) -> str:
    """``after`` with the indexes given written to ``[[tool.uv.index]]`` (and a single named
    one pinning the packages added), as uv writes them."""
    from accord.model.index_edit import MalformedSources, add_indexes
    from accord.reconciler.errors import ProjectInvalid

    root = target.path.parent
    indexes = _given_indexes(edit, root, err)
    if not indexes:
        return after
    pinned = [canonicalize_name(Requirement(text).name) for text in edit.packages]
    if target.script and len(indexes) == 1 and indexes[0].name is not None:
        # uv pins the packages to a single named index in the script's `tool.uv.sources`,
        # which accord's script runs refuse: refuse the edit rather than write that.
        raise UsageError(
            f"`accord add --script` with the named index `{indexes[0].name}` would pin the "
            "packages to it in the script's `[tool.uv.sources]`, which accord does not "
            "honour for scripts yet",
            hint="give the index without a name (`--index URL`), or add with uv",
        )
    try:
        return add_indexes(before, after, indexes, pinned, root=str(root))
    except MalformedSources as exc:
        raise ProjectInvalid(f"Sources in `{target.path.name}` are malformed: {exc}") from exc


def _notes(edits: list[EditedDependency], edit: EditRequest, err: TextIO) -> None:
    """uv's note for a requirement with its own specifier when ``--bounds`` was given."""
    if edit.bounds is None:
        return
    from accord.model.edit import requirement_text

    for edited in edits:
        if edited.edit.kind.value == "add" and len(edited.requirement.specifier):
            err.write(
                f"note: Using explicit requirement `{requirement_text(edited.requirement)}` "
                f"over bounds preference `{edit.bounds.value}`\n"
            )


def _shown(path: Path) -> str:
    return os.path.relpath(path) if path.is_relative_to(Path.cwd()) else str(path)


def remove(request: RunRequest, edit: EditRequest, *, err: TextIO | None = None) -> None:
    """``accord remove``: see the module docstring. Raises ``DependencyNotFound`` (nothing
    written) for a package the place does not list."""
    err = sys.stderr if err is None else err
    target = _target(request, edit)
    names = [canonicalize_name(name) for name in edit.packages]
    original = _read(target.path)
    toml = remove_dependencies(target.toml(original), names, edit.place, script=target.script)
    edited = target.with_toml(original, toml)
    if target.script:
        _script_notes(request, edit, err)
        request = request.evolve(lock_mode=LockMode.WRITE, script=target.path)
    snapshot = _Snapshot.take(target.path, target.lock_path)
    if edited != original:
        _write(target.path, edited)
    if request.locking.lock_mode is LockMode.FROZEN and not target.script:
        return
    if target.script and not target.lock_path.is_file():
        if not request.output.quiet:
            err.write(f"Updated `{_shown(target.path)}`\n")
        return
    try:
        started = time.perf_counter()
        lock = _lock(request, write=True, err=err)
        if target.script or edit.no_sync:
            _resolved(started, lock, err, request)
            return
        from accord.reconciler.run.pipeline import sync

        sync(_sync_request(request, edit.place, adding=False), err=err)
    except AccordError:
        snapshot.restore()  # uv 0.13.8 puts a removal back when the lock fails too
        raise
