"""A plan told as ``uv sync --dry-run`` and ``uv sync --check`` tell it (pure).

uv 0.13.8 prints, on stderr (observed side by side)::

    Would create project environment at: .venv      (or: Would use …)
    Resolved 4 packages in 11ms
    Would create lockfile at: uv.lock               (or: Would update …, Found up-to-date …;
                                                     none under --frozen or --locked)
    Would download 2 packages                       (not in the cache: fetched or built)
    Would uninstall 1 package
    Would install 3 packages
     - pkg==1.0
     + pkg==1.1

and, when no package changes, ``Checked N packages in …`` and ``Would make no changes``.
``--check`` fails only when the environment would change: a lock that would be rewritten
while the environment stays as it is passes. Under ``--locked``, a stale lock is reported
from the new one, and refused after. accord's own plan (``--dry-plan``) is
``model.render``'s business.
"""

from __future__ import annotations

from collections.abc import Mapping

from accord.model.elapsed import checked_line
from accord.model.plan import (
    Create,
    Install,
    Keep,
    KeepLock,
    Plan,
    Recreate,
    Remove,
    Replace,
    WriteLock,
)
from accord.model.render import change_lines

__all__ = ["environment_outdated", "render_uv_dry_run"]


def _packages(count: int) -> str:
    return f"{count} package" if count == 1 else f"{count} packages"


def environment_outdated(plan: Plan) -> bool:
    """What ``uv sync --check`` fails on: the environment, or a package in it, would change."""
    return bool(plan.actions) or not isinstance(plan.environment, Keep)


def render_uv_dry_run(
    plan: Plan,
    *,
    venv: str,
    lock_path: str,
    lock_exists: bool,
    lock_fixed: bool,
    resolved: str | None,
    checked: str,
    remote: frozenset[str] = frozenset(),
    built: Mapping[str, str] | None = None,
    warnings: str = "",
) -> str:
    """The lines uv prints for ``plan`` under ``--dry-run``; ``lock_fixed`` that the lock may
    not change (``--frozen``, ``--locked``: uv says nothing of it); ``warnings`` what the lock said
    (after the environment's line, as uv says it), ``resolved`` the
    ``Resolved N packages in …`` line (None when there is none), ``checked`` the elapsed
    time of the check (``0.05ms``), ``remote`` the names of the packages a sync would
    download or build (uv's ``Would download N packages``), ``built`` the versions of dynamic
    ones already built (kept in the cache)."""
    lines = []
    if isinstance(plan.environment, Create | Recreate):
        lines.append(plan.desired.interpreter.using_line)  # found outside an environment
    if isinstance(plan.environment, Create):
        lines.append(f"Would create project environment at: {venv}")
    elif isinstance(plan.environment, Recreate):
        lines.append(f"Would replace project environment at: {venv}")
    else:
        lines.append(f"Would use project environment at: {venv}")
    lines += warnings.splitlines()
    if resolved is not None:
        lines.append(resolved.rstrip("\n"))
    if isinstance(plan.lock, WriteLock) and not lock_fixed:
        verb = "update" if lock_exists else "create"
        lines.append(f"Would {verb} lockfile at: {lock_path}")
    elif isinstance(plan.lock, KeepLock) and not lock_fixed:
        lines.append(f"Found up-to-date lockfile at: {lock_path}")
    removed = [a for a in plan.actions if isinstance(a, (Remove, Replace))]
    added = [a for a in plan.actions if isinstance(a, (Install, Replace))]
    if not removed and not added:
        lines.append(checked_line(len(plan.desired.dists), checked))
        lines.append("Would make no changes")
        return "".join(line + "\n" for line in lines)
    if remote:
        lines.append(f"Would download {_packages(len(remote))}")
    if removed:
        lines.append(f"Would uninstall {_packages(len(removed))}")
    if added:
        lines.append(f"Would install {_packages(len(added))}")
    lines += change_lines(plan, reinstalls=False, unbuilt=remote, built=built or {})
    return "".join(line + "\n" for line in lines)
