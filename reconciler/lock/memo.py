"""``uv.lock`` parsed once per text (lock stage; reads and writes accord's cache).

The parsed ``Lock`` is kept in the cache under the digest of the text and accord's version, so
a run that meets the same lock as the last one skips the parse.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from accord.model.lock import Lock
from accord.reconciler.lock.text import read_lock_text

__all__ = ["parse_lock_cached", "read_existing_lock"]


def read_existing_lock(path: Path) -> tuple[str | None, Lock | None]:
    """The lock at ``path`` as text and as a value; ``(None, None)`` when there is none.

    A lock that exists but cannot be read or parsed raises LockfileInvalid (exit 2): uv stops
    there and leaves the file alone, and so must every caller; such a lock is never replaced.
    """
    text = read_lock_text(path)
    if text is None:
        return None, None
    return text, parse_lock_cached(text, path)


_PARSED_FORMAT = 2
"""Bumped whenever parsing changes what it accepts (2: values are validated), so a lock a
laxer accord parsed and cached is parsed again."""


def parse_lock_cached(text: str, path: Path) -> Lock:
    """``parse_lock``, remembered in the cache by the text's digest and accord's version.

    A slow-path run usually meets the same lock as the last one; unpickling its parsed form
    skips importing cattrs and structuring every package (~35 ms on the bench set). Any
    problem with a cached entry just means parsing again.
    """
    import hashlib
    import pickle

    from accord.reconciler import __version__
    from accord.reconciler.cachedir import cache_root
    from accord.reconciler.fsutil import write_atomic

    digest = hashlib.sha256(f"{__version__}\0{_PARSED_FORMAT}\0{text}".encode()).hexdigest()
    entry = cache_root() / "parsed-locks" / f"{digest}.pickle"
    try:
        with entry.open("rb") as stream:
            cached = pickle.load(stream)
        if isinstance(cached, Lock):
            return cached
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, TypeError):
        pass
    from accord.reconciler.lock.read import parse_lock  # only when the cache has no entry

    lock = parse_lock(text, path)
    with contextlib.suppress(OSError):
        write_atomic(entry, pickle.dumps(lock, protocol=pickle.HIGHEST_PROTOCOL))
    return lock
