"""Cached environments for requirements outside a project lock: ``--with`` layers, PEP 723
scripts, and ``--isolated`` runs (apply stage, with their own small pipeline).

Each lives in ``$ACCORD_CACHE_DIR/environments/<name>-<digest of its inputs>`` and is never
temporary: a second identical run finds it, plans nothing, and execs at once (DESIGN.md,
"Cache and installation"). The lock an environment was synced from is kept inside it
(``accord.lock``, uv's format), so later runs check the environment against it without
resolving again. A ``--with`` layer sees its base environment through a ``.pth`` file that
runs ``site.addsitedir`` on the base's site-packages (so the base's own ``.pth`` files, e.g.
editable installs, work too); the base is never modified. A script run with ``--active``
syncs the environment ``VIRTUAL_ENV`` names instead, as uv does: the user's, so nothing of
accord's is kept in it.
"""

from __future__ import annotations

import hashlib
import sys
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import attrs
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version

from accord.model.interpreter import Interpreter
from accord.model.lock import Lock, Source
from accord.model.lock_action import KeepLock, LockAction
from accord.model.plan import Plan
from accord.model.request import LockMode, OutputFormat, RunRequest
from accord.reconciler.cachedir import cache_root
from accord.reconciler.install.envlock import environment_lock

if TYPE_CHECKING:
    from accord.reconciler.lock.resolve.local import TreeMetadata

__all__ = [
    "STORED_LOCK",
    "Ephemeral",
    "environment_key",
    "environment_path",
    "satisfied_by",
    "split_with",
    "sync_requirements",
]

STORED_LOCK = "accord.lock"
BASE_PTH = "_accord_base.pth"


@attrs.frozen
class Ephemeral:
    venv: Path
    plan: Plan


def split_with(values: Iterable[str]) -> list[str]:
    """``--with`` values split on commas outside ``[...]``; a comma followed by a version
    operator stays in the specifier (``a>=1,<2,b`` → ``a>=1,<2`` and ``b``), as uv does."""
    parts: list[str] = []
    for value in values:
        depth, current = 0, ""
        for index, char in enumerate(value):
            if char == "[":
                depth += 1
            elif char == "]":
                depth -= 1
            if char == "," and depth == 0 and value[index + 1 : index + 2] not in "<>=!~":
                parts.append(current.strip())
                current = ""
                continue
            current += char
        parts.append(current.strip())
    return [part for part in parts if part]


def environment_key(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:16]


def environment_path(name: str, key: str) -> Path:
    """The cached environment ``sync_requirements`` keeps for ``name`` and ``key``."""
    return cache_root() / "environments" / f"{name}-{key}"


def satisfied_by(
    requirements: Iterable[Requirement], site_packages: Path | None, interpreter: Interpreter
) -> bool:
    """True when the base environment already has every requirement (uv then skips the
    overlay entirely)."""
    if site_packages is None:
        return False
    from accord.reconciler.install.observe import observe_environment

    observed = observe_environment(site_packages.parents[2])
    environment = interpreter.marker_environment()
    environment.setdefault("extra", "")
    for requirement in requirements:
        if requirement.marker is not None and not requirement.marker.evaluate(environment):
            continue
        if requirement.extras or requirement.url:
            return False
        installed = observed.dist(canonicalize_name(requirement.name))
        if installed is None or not requirement.specifier.contains(installed.version, True):
            return False
    return True


def _print(plan: Plan, request: RunRequest, stream: TextIO, label: str) -> None:
    from accord.model.render import render_json, render_text

    if request.output.output_format is OutputFormat.JSON:
        stream.write(render_json(plan))
    else:
        stream.write(f"# {label}\n" + render_text(plan))


def _write_base_pth(venv: Path, base_site: Path | None) -> None:
    from accord.reconciler.install.observe import find_site_packages

    site = find_site_packages(venv)
    if site is None:
        return
    path = site / BASE_PTH
    if base_site is None:
        if path.exists():
            path.unlink()
        return
    # One line, executed by site.py: the base's site-packages joins sys.path after ours,
    # with its own .pth files processed.
    content = f"import site; site.addsitedir({str(base_site)!r})\n"
    if not path.is_file() or path.read_text() != content:
        path.write_text(content)


def sync_requirements(
    *,
    name: str,
    requirements: tuple[Requirement, ...],
    interpreter: Interpreter,
    request: RunRequest,
    key: str,
    label: str,
    base_site: Path | None = None,
    lock: Lock | None = None,
    lock_action: LockAction | None = None,
    preferences: Mapping[NormalizedName, Version] | None = None,
    index_config: Mapping[str, Any] | None = None,
    lock_name: str = STORED_LOCK,
    sources: tuple[tuple[NormalizedName, Source], ...] = (),
    active: Path | None = None,
    exact: bool = False,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> Ephemeral:
    """Bring ``environments/<name>-<key>`` (or ``active``, the user's environment, made when
    missing: no stored lock is read from it or left in it) in line with ``requirements`` (or
    ``lock``); ``exact`` removes what they do not ask for."""
    err = sys.stderr if err is None else err
    out = sys.stdout if out is None else out
    from accord.reconciler.build.cached import PseudoProject, sync_cached_environment
    from accord.reconciler.fetch.index import IndexClient
    from accord.reconciler.fsutil import user_display
    from accord.reconciler.lock.read import parse_lock
    from accord.reconciler.project.config import build_settings
    from accord.reconciler.project.indexes import configured_indexes, configured_strategy
    from accord.reconciler.project.source_trees import locate_source_trees
    from accord.reconciler.run.builders import project_builder
    from accord.reconciler.run.report import timed

    venv = environment_path(name, key) if active is None else active
    stored = venv / STORED_LOCK
    damaged = False
    if lock is None and active is None and stored.is_file():
        try:
            lock = parse_lock(stored.read_text(encoding="utf-8"), stored)
        except Exception:  # a damaged stored lock is re-resolved (and rewritten), not fatal
            lock, damaged = None, True
    indexes, _ = (
        configured_indexes(request.index, index_config or {}) if lock is None else ([], None)
    )

    def client() -> IndexClient:
        return IndexClient(
            indexes,
            cache_dir=cache_root(),
            offline=request.index.offline,
            refresh=request.index.refresh,
            strategy=configured_strategy(request.index, index_config or {}),
        )

    # `accord sync --script` reports as `uv sync --script`: the environment, `Resolved N
    # packages`, then each change or `Checked N packages`; a run, only the counts.
    report = request.output.uv_summary and not (request.output.quiet or request.output.dry_plan)
    started = time.perf_counter()
    checked = [started]
    if report:
        verb = "Using" if (venv / "pyvenv.cfg").is_file() else "Creating"
        err.write(f"{verb} script environment at: {user_display(venv)}\n")

    def before_apply(plan: Plan) -> None:
        if report and request.locking.lock_mode is not LockMode.FROZEN:  # nothing resolved
            err.write(timed("Resolved", len(plan.desired.dists), started))
            checked[0] = time.perf_counter()
        if not plan.is_empty and request.output.verbose and not request.output.quiet:
            _print(plan, request, err, label)  # the full plan under -v, as for the project

    def after_apply(plan: Plan, seconds: float) -> None:
        from accord.model.render import uv_summary

        if not request.output.quiet:
            # As `uv run --with`: the counts only, not the cached environment's path.
            err.write(uv_summary(plan, seconds, changes=report))

    def finish(synced: Lock, plan: Plan) -> None:
        if report and plan.is_empty:
            err.write(timed("Checked", len(plan.desired.dists), checked[0]))
        if active is not None:
            return
        if not plan.is_empty or not stored.is_file() or damaged:
            from accord.reconciler.fsutil import write_atomic
            from accord.reconciler.lock.write import format_lock

            venv.mkdir(parents=True, exist_ok=True)
            text = format_lock(synced)
            if not stored.is_file() or stored.read_text(encoding="utf-8") != text:
                write_atomic(stored, text)
        _write_base_pth(venv, base_site)

    plan = sync_cached_environment(
        venv,
        # This environment serves exactly one interpreter.
        PseudoProject(
            name=name,
            requirements=requirements,
            requires_python=SpecifierSet(f"=={interpreter.version}"),
            sources=sources,
            is_script=True,
        ),
        interpreter,
        cache_root(),
        client_factory=client,
        index_url=indexes[-1] if indexes else "",
        preferences=preferences,
        lock=lock,
        # Local trees (--with-editable) are named by absolute paths.
        admit=lambda desired: locate_source_trees(
            desired,
            Path("/"),
            build_settings(None, request.config, request.locking.config_settings),
        ),
        guard=lambda: environment_lock(venv),
        lock_action=lock_action or KeepLock("kept in the cached environment"),
        lock_name=lock_name,
        show=(lambda plan: _print(plan, request, out, label)) if request.output.dry_plan else None,
        before_apply=before_apply,
        after_apply=after_apply,
        builder=lambda: project_builder(interpreter, request, None),
        tree_metadata=_tree_metadata(interpreter, request),
        offline=request.index.offline,
        finish=finish,
        exact=exact,
    )
    return Ephemeral(venv, plan)


def _tree_metadata(interpreter: Interpreter, request: RunRequest) -> TreeMetadata:
    """Prepares a local tree's metadata (a ``--with-editable`` tree whose version is dynamic)
    with the builder apply gets, made only when a tree needs it."""

    def prepare(
        tree: Path, name: str, *, editable: bool = False, commit: str | None = None
    ) -> bytes:
        from accord.reconciler.run.builders import project_builder

        builder = project_builder(interpreter, request, None)
        return builder.tree_metadata(tree, name, editable=editable, commit=commit)

    return prepare
