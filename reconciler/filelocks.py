"""File locks shared with other processes (base: the environment's lock, the build cache's).

Three uses, as uv guards its cache shards (an exclusive ``.lock`` while a shard is looked up
and built): ``exclusive`` holds a lock for a ``with`` block (a build of one source tree or git
commit, so two processes building it take turns and the second finds the first's wheel);
``hold_shared`` keeps a shared lock until the process ends (a kept wheel this process was
handed: its caller reads it after the build returns); ``take_unshared`` takes an exclusive
lock only if no process holds a shared one (an entry that may be removed).

And one for scratch directories (a wheel being built, an environment being assembled):
``scratch_directory`` makes one that its process holds (a shared lock on the directory
itself) while it exists, and first removes the unheld ones of its kind: what a process
killed before it could remove its own left there. A sweeper removes a directory only while
it holds its lock exclusively, and a maker that finds its new directory gone once it holds
the lock (swept between being made and being locked) makes another.

On POSIX this is ``fcntl.flock``: the kernel drops a lock when the process dies, so a sync
killed mid-build (``kill -9``) never leaves one behind, and an ``exec`` drops the shared ones
(descriptors are opened close-on-exec). Elsewhere ``filelock`` serialises, and nothing is
ever found unshared, so nothing is removed.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

__all__ = ["exclusive", "hold_shared", "scratch_directory", "sweep_scratch", "take_unshared"]

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


@contextlib.contextmanager
def scratch_directory(parent: Path, prefix: str) -> Iterator[Path]:
    """A new directory ``parent/<prefix><random>``, held by this process for the block and
    removed after it. The directories named ``prefix…`` in ``parent`` that no process holds
    are removed first (``prefix`` names one kind: nothing else may start with it)."""
    parent.mkdir(parents=True, exist_ok=True)
    if os.name != "posix":  # pragma: no cover - POSIX only for now
        with tempfile.TemporaryDirectory(prefix=prefix, dir=parent) as made:
            yield Path(made)
        return
    sweep_scratch(parent, prefix)
    path, descriptor = _held_directory(parent, prefix)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
        os.close(descriptor)  # after: a sweeper never meets it half-removed


def _held_directory(parent: Path, prefix: str) -> tuple[Path, int]:
    import fcntl

    while True:
        path = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
        try:
            descriptor = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
        except FileNotFoundError:
            continue  # swept before it was locked
        fcntl.flock(descriptor, fcntl.LOCK_SH)  # waits while a sweeper holds it
        try:
            if os.path.samestat(os.fstat(descriptor), os.stat(path)):
                return path, descriptor
        except FileNotFoundError:
            pass
        os.close(descriptor)


def sweep_scratch(parent: Path, prefix: str) -> None:
    """Remove the scratch directories named ``prefix…`` in ``parent`` that no process holds
    (``scratch_directory`` does it for its own kind first)."""
    if os.name != "posix":  # pragma: no cover - POSIX only for now
        return
    import fcntl

    try:
        names = [name for name in os.listdir(parent) if name.startswith(prefix)]
    except OSError:
        return
    for name in names:
        try:
            descriptor = os.open(parent / name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
        except OSError:
            continue  # gone, not a directory, or another user's
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(descriptor)  # held: its process is alive
            continue
        try:
            shutil.rmtree(parent / name, ignore_errors=True)
        finally:
            os.close(descriptor)
