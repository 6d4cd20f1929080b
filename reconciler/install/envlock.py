"""The environment's file lock: syncs of one environment are serialised (apply stage).

The lock lives with the environment, not in accord's cache, so two runs with different
``ACCORD_CACHE_DIR`` still take turns. As uv does (``uv-<digest>.lock`` in the temporary
directory while an environment is made, ``<venv>/.lock`` while one is changed), two files are
locked in turn:

1. ``accord-env-<digest>.lock`` in the system's temporary directory, keyed by the
   environment's real path: it exists before the environment does, so it also serialises the
   first creation (an empty directory cannot hold it: ``create_venv`` needs ``path`` empty);
2. ``<venv>/.lock`` once the environment is a virtual environment (has ``pyvenv.cfg``), the
   file uv locks, so accord and a concurrent ``uv sync`` also take turns.

Both are ``reconciler.filelocks.exclusive``: ``fcntl.flock`` on POSIX (the kernel drops the
lock when the process dies, so a killed sync never leaves a stale lock); elsewhere
``filelock``, which costs ~14 ms to import, measured on the slow path.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from accord.reconciler.filelocks import exclusive

__all__ = ["environment_lock", "environment_lock_path"]


def environment_lock_path(venv: Path) -> Path:
    """The lock file outside the environment that serialises syncs of ``venv`` (the one the
    replay takes, ``reconciler.replay``)."""
    from accord.reconciler.replay import environment_lock_path as lock_path

    return Path(lock_path(str(venv)))


@contextlib.contextmanager
def environment_lock(venv: Path) -> Iterator[None]:
    """Hold an exclusive lock for ``venv`` (blocking until it is free)."""
    with contextlib.ExitStack() as held:
        held.enter_context(exclusive(environment_lock_path(venv)))
        if (venv / "pyvenv.cfg").is_file():
            # A read-only environment: the first lock still serialises accord.
            with contextlib.suppress(OSError):
                held.enter_context(exclusive(venv / ".lock"))
        yield
