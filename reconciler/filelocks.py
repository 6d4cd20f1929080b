"""File locks shared with other processes (base: the environment's lock, the build cache's).

Three uses, as uv guards its cache shards (an exclusive ``.lock`` while a shard is looked up
and built): ``exclusive`` holds a lock for a ``with`` block (a build of one source tree or git
commit, so two processes building it take turns and the second finds the first's wheel);
``hold_shared`` keeps a shared lock until the process ends (a kept wheel this process was
handed: its caller reads it after the build returns); ``take_unshared`` takes an exclusive
lock only if no process holds a shared one (an entry that may be removed).

On POSIX this is ``fcntl.flock``: the kernel drops a lock when the process dies, so a sync
killed mid-build (``kill -9``) never leaves one behind, and an ``exec`` drops the shared ones
(descriptors are opened close-on-exec). Elsewhere ``filelock`` serialises, and nothing is
ever found unshared, so nothing is removed.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

__all__ = ["exclusive", "hold_shared", "take_unshared"]

_HELD: dict[str, int] = {}
"""The shared locks this process holds, by path: one descriptor each, never closed."""


@contextlib.contextmanager
def exclusive(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (created if missing), waiting until it is free."""
    if os.name != "posix":  # pragma: no cover - POSIX only for now
        from filelock import FileLock

        with FileLock(str(path)):
            yield
        return
    import fcntl

    try:
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    except PermissionError:
        # Another user's lock file in a shared temporary directory: flock(2) works on a
        # descriptor opened for reading too.
        descriptor = os.open(path, os.O_RDONLY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # closing releases the lock


def hold_shared(path: Path) -> None:
    """Hold a shared lock on ``path`` (created if missing) until this process ends: no other
    process takes it with ``take_unshared`` meanwhile."""
    if os.name != "posix" or str(path) in _HELD:  # pragma: no cover - POSIX only for now
        return
    import fcntl

    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_SH)
    except BaseException:
        os.close(descriptor)
        raise
    _HELD[str(path)] = descriptor


@contextlib.contextmanager
def take_unshared(path: Path) -> Iterator[bool]:
    """Whether ``path``'s lock was free (no process holds it shared, this one included): if
    so it is held exclusively for the block. Never waits."""
    if os.name != "posix":  # pragma: no cover - POSIX only for now
        yield False
        return
    import fcntl

    try:
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    except OSError:
        yield False  # unreadable: left alone
        return
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
        else:
            yield True
    finally:
        os.close(descriptor)
