"""Compiled attrs methods kept beside accord's bytecode, so a slow-path command does not compile
them again on every start.

attrs writes each class's methods (``__init__``, ``__eq__``, ``__repr__``, ...) as Python
source and compiles it when the class is defined: about seventy classes on the way to a lock,
a third of a millisecond each, a tenth of the whole ``accord lock`` on a warm cache. Python keeps
the bytecode of modules in ``__pycache__``; this keeps the bytecode of those generated methods
the same way, in one file next to this module's own (``importlib.util.cache_from_source``, so
``PYTHONPYCACHEPREFIX`` moves it and ``PYTHONDONTWRITEBYTECODE`` stops it being written).

The key is the whole generated source and its file name, so a cached code object is only ever
the one ``compile`` would return for that text: a changed class is a new key, never a stale
answer. One number in that text changes from process to process: the salt attrs puts first in
each ``__hash__`` (the hash of a name, so it follows ``PYTHONHASHSEED``). The key writes it as
``0``, the entry remembers the salt it was compiled with, and a hit under another salt has that
constant replaced in its ``__hash__`` code, so hashes are what attrs would have made.

The file is read once (one ``marshal`` load) and written, by rename, only when a class was
compiled afresh; a missing, foreign or damaged file is compiled around, never an error.

``install`` gives attrs's generating module a ``compile`` of its own (the module looks the
name up in its globals before the builtins); with an attrs that no longer calls ``compile``
there, nothing is cached and nothing changes. It must run before the first attrs class of
accord is defined: the slow path's entry calls it before importing the CLI.

``roomy_collector``, the slow path's other first step, spaces Python's cycle collections out.
"""

from __future__ import annotations

import atexit
import builtins
import contextlib
import importlib.util
import marshal
import os
import re
import sys
from types import CodeType
from typing import Any

__all__ = ["install", "roomy_collector", "save"]

# What the file starts with: the interpreter's bytecode magic (marshal's format and the code
# objects are the interpreter's own) and this file's own version.
_HEADER = importlib.util.MAGIC_NUMBER + b"accord-methods-1\n"
# Past this many entries the file starts again from what this process compiled (classes
# edited over time leave their old methods behind).
_MOST_ENTRIES = 2000

# The salt in ``return hash((<salt>, self.a, ...))`` (also under ``cache_hash``'s wrapper).
_SALT = re.compile(r"(hash\(\(\n *)(-?[0-9]+)(,\n)")

_real_compile = builtins.compile

_Key = tuple[str, str]
_Entry = tuple[tuple[int, ...], CodeType]


class _Cache:
    def __init__(self, path: str | None) -> None:
        self.path = path
        self.entries: dict[_Key, _Entry] = {}
        self.fresh: dict[_Key, _Entry] = {}
        if path is not None:
            self.entries = _read(path)

    def compile(self, source: Any, filename: Any, mode: Any, *args: Any, **kwargs: Any) -> Any:
        if args or kwargs or mode != "exec" or not isinstance(source, str):
            return _real_compile(source, filename, mode, *args, **kwargs)
        salts = tuple(int(match.group(2)) for match in _SALT.finditer(source))
        key = (_SALT.sub(r"\g<1>0\g<3>", source) if salts else source, str(filename))
        entry = self.entries.get(key)
        if entry is None:
            code = _real_compile(source, filename, mode)
            self.entries[key] = self.fresh[key] = (salts, code)
            return code
        cached_salts, code = entry
        if cached_salts != salts:
            code = _salted(code, dict(zip(cached_salts, salts, strict=True)))
        return code


def _salted(code: CodeType, salts: dict[int, int]) -> CodeType:
    """``code`` with the salts in its ``__hash__`` functions replaced (old -> new)."""
    constants = tuple(
        _salted(constant, salts)
        if isinstance(constant, CodeType)
        else salts.get(constant, constant)
        if code.co_name == "__hash__" and type(constant) is int
        else constant
        for constant in code.co_consts
    )
    return code.replace(co_consts=constants)


_cache: _Cache | None = None


def _path() -> str | None:
    """Where the file goes: beside this module's bytecode, as Python places it."""
    if sys.flags.optimize:  # pragma: no cover - the bytecode of -O differs
        return None
    try:
        pyc = importlib.util.cache_from_source(__file__)
    except NotImplementedError:  # pragma: no cover - no cache tag (sys.implementation)
        return None
    return pyc[: -len(".pyc")] + ".attrs-methods"


def _read(path: str) -> dict[_Key, _Entry]:
    try:
        with open(path, "rb") as stream:
            data = stream.read()
    except OSError:
        return {}
    if not data.startswith(_HEADER):
        return {}
    try:
        entries = marshal.loads(data[len(_HEADER) :])
    except (EOFError, ValueError, TypeError):
        return {}
    if not isinstance(entries, dict):
        return {}
    return {
        key: entry
        for key, entry in entries.items()
        if isinstance(key, tuple)
        and isinstance(entry, tuple)
        and len(entry) == 2
        and isinstance(entry[1], CodeType)
    }


def install() -> None:
    """Give attrs the cached ``compile`` (once per process) and save what was new at exit."""
    global _cache
    if _cache is not None:
        return
    import attr._make

    _cache = _Cache(_path())
    attr._make.compile = _cache.compile  # type: ignore[attr-defined]
    atexit.register(save)


def save() -> None:
    """Write the file when a class was compiled afresh: a temporary file renamed over it, so a
    reader sees the old file or the new one; two writers lose only each other's additions."""
    cache = _cache
    if cache is None or not cache.fresh or cache.path is None or sys.dont_write_bytecode:
        return
    entries = cache.entries if len(cache.entries) <= _MOST_ENTRIES else dict(cache.fresh)
    cache.fresh = {}
    temporary = f"{cache.path}.{os.getpid()}.tmp"
    try:
        os.makedirs(os.path.dirname(cache.path), exist_ok=True)
        with open(temporary, "wb") as stream:
            stream.write(_HEADER + marshal.dumps(entries))
        os.replace(temporary, cache.path)
    except (OSError, ValueError):
        # A read-only installation, a full disk: the classes are compiled next time instead.
        with contextlib.suppress(OSError):
            os.unlink(temporary)


def roomy_collector() -> None:
    """Collect cycles every 200,000 allocations, not every 700 (CPython's default) for the slow
    path: its imports and a resolution make hundreds of thousands of objects that live to
    the end of the run, and a young collection looks at every object made since the last.
    At 700, they took ~7 ms (8%) of a served lock of 334 packages; at 50,000, two of them
    still took ~7 ms of the same lock in a process of its own, to free ~3,000 objects each
    (~1 MiB). Garbage without cycles is freed at once as ever."""
    import gc

    gc.set_threshold(200_000, 10, 10)
