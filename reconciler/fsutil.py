"""Writing files so that no reader ever sees half of one (shared by every stage that writes).

``write_atomic`` writes a uniquely named temporary file next to the target and renames it
into place: concurrent writers never share a temporary name, and a crash leaves at most a
stray ``.tmp-*`` file, never a truncated target. ``user_display`` is how a path is shown in a
message, as uv shows it.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import threading
from pathlib import Path

__all__ = ["user_display", "write_atomic"]


_TEMPORARY = itertools.count()


def write_atomic(path: Path, data: bytes | str, *, mode: int | None = None) -> None:
    """Replace ``path`` with ``data`` (text is written as UTF-8), creating its directory.

    The temporary file is made as ``mkstemp`` makes one (``O_EXCL``, mode 0o600), named by
    process, thread and a counter instead of random letters, and written with one ``write``
    (a cold lock writes hundreds of cache files: ``mkstemp``, ``fdopen`` and a ``mkdir``
    before each were a tenth of its time)."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    directory = os.path.dirname(path)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    while True:
        temporary = os.path.join(
            directory, f".tmp-{os.getpid()}-{threading.get_ident()}-{next(_TEMPORARY)}"
        )
        try:
            handle = os.open(temporary, flags, 0o600)
        except FileNotFoundError:
            os.makedirs(directory, exist_ok=True)
            continue
        except FileExistsError:  # left by a killed process that had this number
            continue
        break
    try:
        try:
            with memoryview(payload) as view:
                while view:
                    view = view[os.write(handle, view) :]
            if mode is not None:
                os.fchmod(handle, mode)
        finally:
            os.close(handle)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def user_display(path: Path) -> str:
    """``path`` as uv shows it to a user: relative to the working directory when it is under
    it (``pyproject.toml``, ``packages/a/pyproject.toml``), else absolute."""
    absolute = Path(os.path.abspath(path))
    try:
        return str(absolute.relative_to(os.getcwd()))
    except ValueError:
        return str(absolute)
