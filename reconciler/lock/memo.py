"""``uv.lock`` parsed once per text (lock stage; reads and writes accord's cache).

The parsed ``Lock`` is kept in the cache under the digest of the text and accord's version, so
a run that meets the same lock as the last one skips the parse.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from accord.model.lock import Lock, SourceKind
from accord.reconciler.lock.text import read_lock_text

__all__ = ["fresh_locks", "learned_lock", "parse_lock_cached", "read_existing_lock"]

_SEEN: list[tuple[str, str, Lock]] = []
"""The locks this process parsed (cache directory, digest, lock), for ``fresh_locks``."""
_KNOWN: dict[tuple[str, str], Lock] = {}
"""The locks this process parsed or read from the cache, by cache directory and digest: one
run asks for the same lock up to three times (to plan, to say what changed, before writing)."""
_KNOWN_MOST = 8
_LEARNED: set[str] = set()
"""The digests of the locks whose packages this process read ahead (a warm server's)."""


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
    cache = cache_root()
    known = _KNOWN.get((str(cache), digest))
    if known is not None:
        return known
    entry = cache / "parsed-locks" / f"{digest}.pickle"
    try:
        with entry.open("rb") as stream:
            cached = pickle.load(stream)
        if isinstance(cached, Lock):
            _SEEN.append((str(cache), digest, cached))
            return _known(str(cache), digest, cached)
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, TypeError):
        pass
    from accord.reconciler.lock.read import parse_lock  # only when the cache has no entry

    lock = parse_lock(text, path)
    with contextlib.suppress(OSError):
        write_atomic(entry, pickle.dumps(lock, protocol=pickle.HIGHEST_PROTOCOL))
    _SEEN.append((str(cache), digest, lock))
    return _known(str(cache), digest, lock)


def _known(cache: str, digest: str, lock: Lock) -> Lock:
    if len(_KNOWN) >= _KNOWN_MOST:
        _KNOWN.clear()
    _KNOWN[(cache, digest)] = lock
    return lock


Locked = tuple[str, str, list[tuple[str, str, str]], list[tuple[str, str]], list[str]]
"""What ``fresh_locks`` says of a lock: cache directory, digest, its registry packages (index,
name, version), the extras its edges ask for (package, extra), its edges' markers."""


def fresh_locks() -> list[Locked]:
    """The locks this process parsed since the last call that the warm server it was forked
    from has not read ahead (``learned_lock``): a worker tells them, so that the server reads
    and parses their packages' pages and metadata before the project is next locked."""
    told: list[Locked] = []
    for cache, digest, lock in _SEEN:
        if digest in _LEARNED or any(digest == item[1] for item in told):
            continue
        packages: list[tuple[str, str, str]] = []
        extras: set[tuple[str, str]] = set()
        markers: set[str] = set()
        for package in lock.packages:
            source = package.source
            if (
                source.kind is SourceKind.REGISTRY
                and package.version is not None
                and source.location.startswith(("http://", "https://"))
            ):
                packages.append((source.location, package.name, str(package.version)))
            for edges in (
                package.dependencies,
                *(edges for _, edges in package.optional_dependencies),
                *(edges for _, edges in package.dev_dependencies),
            ):
                for edge in edges:
                    extras.update((edge.name, extra) for extra in edge.extras)
                    if edge.marker is not None:
                        markers.add(str(edge.marker))
        told.append((cache, digest, packages, sorted(extras), sorted(markers)))
    _SEEN.clear()
    return told


def learned_lock(digest: str) -> bool:
    """Note that this process read ahead the packages of the lock ``digest``; False when it
    had already."""
    if digest in _LEARNED:
        return False
    _LEARNED.add(digest)
    return True
