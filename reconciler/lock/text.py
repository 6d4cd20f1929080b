"""The text of ``uv.lock`` (lock stage; reads one file).

Apart from ``reconciler.lock.read`` because a run whose lock was parsed before (the parsed
form is cached, ``reconciler.lock.memo``), or that has no lock yet, needs only the text, not
the parser's classes and converter.
"""

from __future__ import annotations

from pathlib import Path

from accord.reconciler.errors import LockfileInvalid

__all__ = ["read_lock_text"]


def read_lock_text(path: Path) -> str | None:
    """The text of the lock at ``path``; None when there is no file.

    Anything else that stops it being read (a directory, a permission error, bytes that are
    not UTF-8) is a LockfileInvalid naming the file, so no caller mistakes an unreadable lock
    for a missing one and writes over it.
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except IsADirectoryError as exc:
        raise LockfileInvalid(
            f"Failed to read `{path}`: it is a directory, not a lockfile",
            hint="move the directory away; accord will not replace it",
            path=path,
        ) from exc
    except OSError as exc:
        raise LockfileInvalid(f"Failed to read `{path}`: {exc.strerror or exc}", path=path) from exc
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise LockfileInvalid(
            f"The lockfile at `{path}` is not UTF-8 text: byte 0x{data[exc.start]:02x} at "
            f"line {line}, column {column} is not valid UTF-8",
            hint="fix the file, or delete it to have it written anew",
            path=path,
            line=line,
            column=column,
        ) from exc
