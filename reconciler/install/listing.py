"""An unpacked wheel's listing, kept in the cache (apply stage).

An unpacked tree (``<cache>/unpacked/<sha256>/``) never changes once made, so the directories
and file names under it are read once and kept in ``<cache>/listings/<sha256>``; the checks
before an install (``guard``) read that instead of walking every directory of every wheel
again on each sync (a fresh environment of the bench set's 54 wheels: 444 directories).
"""

from __future__ import annotations

import contextlib
import marshal
import os
from pathlib import Path

__all__ = ["tree_listing"]

_VERSION = 1


def tree_listing(tree: Path) -> list[tuple[str, list[str]]]:
    """``(directory, file names)`` for every directory under ``tree``, in ``os.walk``'s
    order; the directory relative to ``tree`` with ``/`` separators (``""`` for the top)."""
    kept = tree.parent.with_name("listings") / tree.name
    with contextlib.suppress(OSError, EOFError, ValueError, TypeError):
        with open(kept, "rb") as stream:
            version, listing = marshal.load(stream)
        if version == _VERSION and isinstance(listing, list):
            return listing
    top = str(tree)
    listing = [
        (directory[len(top) + 1 :].replace(os.sep, "/"), files)
        for directory, _, files in os.walk(top)
    ]
    with contextlib.suppress(OSError):  # a read-only cache: walked again next time
        kept.parent.mkdir(exist_ok=True)
        temporary = kept.with_name(f"{kept.name}.tmp-{os.getpid()}")
        temporary.write_bytes(marshal.dumps((_VERSION, listing)))
        os.replace(temporary, kept)
    return listing
