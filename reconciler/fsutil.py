"""Writing files so that no reader ever sees half of one (shared by every stage that writes).

``write_atomic`` writes a uniquely named temporary file next to the target and renames it
into place: concurrent writers never share a temporary name, and a crash leaves at most a
stray ``.tmp-*`` file, never a truncated target. ``user_display`` is how a path is shown in a
message, as uv shows it.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = ["user_display", "write_atomic"]


def write_atomic(path: Path, data: bytes | str, *, mode: int | None = None) -> None:
    """Replace ``path`` with ``data`` (text is written as UTF-8), creating its directory."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data.encode("utf-8") if isinstance(data, str) else data)
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def user_display(path: Path) -> str:
    """``path`` as uv shows it to a user: relative to the working directory when it is under
    it (``pyproject.toml``, ``packages/a/pyproject.toml``), else absolute."""
    absolute = Path(os.path.abspath(path))
    try:
        return str(absolute.relative_to(os.getcwd()))
    except ValueError:
        return str(absolute)
