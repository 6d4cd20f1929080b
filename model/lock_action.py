"""What happens to the lock in a run (pure): kept as it is, or (re)written.

Kept apart from ``model.plan`` so that ``accord lock`` does not load the install plan's
classes (each attrs class costs some of a millisecond to create at import).
"""

from __future__ import annotations

import attrs

from accord.model.lock import Lock

__all__ = ["KeepLock", "LockAction", "WriteLock"]


@attrs.frozen
class KeepLock:
    reason: str
    """Why the lock is used as it is, e.g. ``--frozen``, ``up to date``."""
    kind = "keep"


@attrs.frozen
class WriteLock:
    reason: str
    """Why it must be (re)written: ``missing``, ``requirements changed (added httpx)``."""
    lock: Lock
    """The lock to write; the environment is planned from it."""
    kind = "write"


LockAction = KeepLock | WriteLock
