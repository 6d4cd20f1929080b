"""Lock stage for a PEP 723 script: is ``<script>.lock`` current for the script's inline
metadata? If not, resolve it (reads files and the index; never writes).

uv's script-lock format: ``[manifest] requirements``, no package for the script. The decision
is the project's (``settle_lock`` in ``ensure.py``) with the script's inputs: its requirements
and ``requires-python`` (the interpreter's ``>=X.Y`` when it declares none), its
``[tool.uv]`` laid over the configuration files' index settings. Under ``--locked`` a stale
script lock is resolved first and then refused, as uv does (``Resolved N packages``, then
the error).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from packaging.specifiers import SpecifierSet

from accord.model.interpreter import Interpreter
from accord.model.lock import Lock
from accord.model.lock_action import LockAction
from accord.model.request import ConfigOptions, IndexOptions, LockPolicy

if TYPE_CHECKING:
    from accord.model.script import ScriptMetadata

__all__ = ["ensure_script_lock", "script_lock_path"]


def script_lock_path(script: Path) -> Path:
    return script.with_name(script.name + ".lock")


def ensure_script_lock(
    script: Path,
    metadata: ScriptMetadata,
    interpreter: Interpreter,
    policy: LockPolicy,
    index: IndexOptions,
    config_files: ConfigOptions,
) -> tuple[Lock, LockAction]:
    """The script lock to use and what happens to ``<script>.lock`` (never written here).

    A missing lock is resolved, whatever the mode: callers that must refuse one under
    ``--locked``/``--frozen`` do so first. Raises ``LockfileInvalid`` (an unreadable lock),
    ``LockStale`` and the resolver's errors.
    """
    from accord.model.staleness import why_script_stale
    from accord.reconciler.lock.ensure import settle_lock
    from accord.reconciler.lock.read import parse_lock
    from accord.reconciler.lock.settings import default_requires_python
    from accord.reconciler.lock.text import read_lock_text

    path = script_lock_path(script)
    text = read_lock_text(path) if path.is_file() else None
    existing = parse_lock(text, path) if text is not None else None
    # uv's default and words for a script too (``uv lock --script``, a run with its lock).
    requires_python = metadata.requires_python
    if requires_python is None:
        requires_python = default_requires_python(interpreter, sys.stderr)

    def relock(existing: Lock | None) -> Lock:
        return _resolve(script, metadata, requires_python, existing, policy, index, config_files)

    return settle_lock(
        existing,
        policy,
        display=path.name,
        flag=policy.locked_flag,
        why_stale=lambda lock: why_script_stale(lock, metadata.dependencies, requires_python),
        relock=relock,
        text=text,
    )


def _resolve(
    script: Path,
    metadata: ScriptMetadata,
    requires_python: SpecifierSet,
    existing: Lock | None,
    policy: LockPolicy,
    index: IndexOptions,
    config_files: ConfigOptions,
) -> Lock:
    from packaging.utils import canonicalize_name

    from accord.model.manifest import ProjectManifest
    from accord.reconciler.cachedir import cache_root
    from accord.reconciler.fetch.index import IndexClient
    from accord.reconciler.lock.resolve import resolve_lock
    from accord.reconciler.project.config import script_index_config
    from accord.reconciler.project.indexes import configured_indexes, configured_strategy

    manifest = ProjectManifest(
        name=canonicalize_name(script.stem),
        version=None,
        requires_python=requires_python,
        dependencies=metadata.dependencies,
    )
    config = script_index_config(script, dict(metadata.tool_uv), config_files)
    indexes, _ = configured_indexes(index, config)
    strategy = configured_strategy(index, config)
    client = IndexClient(indexes, cache_dir=cache_root(), offline=index.offline, strategy=strategy)
    try:
        return resolve_lock(
            manifest,
            client,
            index_url=indexes[-1] if indexes else "",
            existing=existing,
            upgrade=policy.upgrade,
            upgrade_packages=frozenset(policy.upgrade_packages),
            script=True,
        )
    finally:
        client.close()
