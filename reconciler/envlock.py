"""The environment's file lock: syncs of one environment are serialised (apply stage).

On POSIX this is ``fcntl.flock`` on a file in the cache (the kernel drops the lock when the
process dies, so a killed sync never leaves a stale lock); elsewhere ``filelock``. filelock
itself costs ~14 ms to import, measured on the slow path, which is why POSIX goes direct.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

__all__ = ["environment_lock"]


@contextlib.contextmanager
def environment_lock(venv: Path, locks_dir: Path) -> Iterator[None]:
    """Hold an exclusive lock for ``venv`` (blocking until it is free)."""
    locks_dir.mkdir(parents=True, exist_ok=True)
    path = locks_dir / f"{hashlib.sha256(str(venv).encode()).hexdigest()[:16]}.lock"
    if os.name != "posix":  # pragma: no cover - POSIX only for now
        from filelock import FileLock

        with FileLock(str(path)):
            yield
        return
    import fcntl

    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # closing releases the lock
