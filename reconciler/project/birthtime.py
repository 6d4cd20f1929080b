"""A directory's birth time, as uv reads it for its freshness records (build stage helper).

uv 0.13 records a ``{dir = "src"}`` cache key by the directory's creation time
(``uv_fs::created_time``): on Linux the ``statx`` birth time, elsewhere the platform's own
creation time; where the filesystem has none it records the inode number instead
(``crates/uv-cache-info/src/cache_info.rs``). Python's ``os.stat`` has no birth time on
Linux before 3.15's ``os.statx``, so this asks the C library's ``statx`` through ctypes. Reads
the filesystem only; never raises for a missing or odd path.
"""

from __future__ import annotations

import os
import sys

__all__ = ["birth_time_ns"]

_AT_FDCWD = -100
_STATX_BASIC_STATS = 0x7FF
_STATX_BTIME = 0x800
_STATX_SIZE = 256  # sizeof(struct statx), reserved space included
_BTIME_OFFSET = 80  # struct statx: stx_btime {i64 tv_sec; u32 tv_nsec; i32 pad}


def _linux_birth_time_ns(path: str) -> int | None:
    statx_result = getattr(os, "statx", None)
    if statx_result is not None:  # Python 3.15+
        try:
            result = statx_result(path, _STATX_BASIC_STATS | _STATX_BTIME)
        except OSError:
            return None
        value = getattr(result, "stx_birthtime_ns", None)
        return value if isinstance(value, int) else None
    import ctypes  # slow path only
    import struct

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        statx = libc.statx  # glibc 2.28+, musl 1.2.5+
    except (OSError, AttributeError):
        return None
    statx.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_uint, ctypes.c_void_p]
    statx.restype = ctypes.c_int
    buffer = ctypes.create_string_buffer(_STATX_SIZE)
    if statx(_AT_FDCWD, os.fsencode(path), 0, _STATX_BASIC_STATS | _STATX_BTIME, buffer) != 0:
        return None
    (mask,) = struct.unpack_from("=I", buffer.raw, 0)
    if not mask & _STATX_BTIME:
        return None  # the filesystem keeps no birth time
    seconds, nanos = struct.unpack_from("=qI", buffer.raw, _BTIME_OFFSET)
    if nanos >= 1_000_000_000:
        return None
    return int(seconds) * 1_000_000_000 + int(nanos)


def birth_time_ns(path: str | os.PathLike[str]) -> int | None:
    """When ``path`` was created, in nanoseconds since the epoch; None where the platform or
    the filesystem does not say (uv then records the inode)."""
    if sys.platform == "linux":
        return _linux_birth_time_ns(os.fspath(path))
    try:
        status = os.stat(path)
    except OSError:
        return None
    nanos = getattr(status, "st_birthtime_ns", None)  # Windows (3.12+)
    if isinstance(nanos, int):
        return nanos
    seconds = getattr(status, "st_birthtime", None)  # macOS, the BSDs
    if isinstance(seconds, float):
        return int(seconds * 1_000_000_000)
    return None
