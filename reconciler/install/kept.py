"""An installed ``.dist-info`` kept in the cache, for the next fresh environment (apply stage).

Into a fresh environment a wheel's package files go by one ``cp -al`` (``links``), but its
dist-info was written per package in Python: a directory, the wheel's files linked one by
one, ``INSTALLER``, ``RECORD`` (a temporary file renamed). For a *plain* install (no scripts,
no ``.data``, no ``direct_url.json``, nothing written for this environment alone) all of it is
the same in every environment: ``RECORD`` lists paths relative to site-packages. So the first
such install keeps a copy, ``<cache>/installed/<sha256>/<name>.dist-info`` beside
``unpacked/<sha256>``, and later fresh environments take it in the same ``cp -al`` as the
package files. ``RECORD`` and ``INSTALLER`` are copied into the cache, not linked from the
environment the copy was made from (they were written there; the rest are the wheel's own
files, linked from the unpacked tree already). A copy appears whole or not at all (made in a
scratch directory and renamed into place); one that cannot be made is simply not there.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path

__all__ = ["keep_dist_info", "kept_dist_info"]

_WRITTEN = frozenset({"RECORD", "INSTALLER"})
"""The files an install writes itself; the others are links to the unpacked wheel."""


def _kept_root(tree: Path) -> Path:
    return tree.parent.with_name("installed") / tree.name


def kept_dist_info(tree: Path) -> Path | None:
    """The ``.dist-info`` kept for the unpacked wheel at ``tree``, if one was kept."""
    root = _kept_root(tree)
    try:
        names = [name for name in os.listdir(root) if name.endswith(".dist-info")]
    except OSError:
        return None
    return root / names[0] if len(names) == 1 else None


def keep_dist_info(installed: Path, tree: Path) -> None:
    """Keep the ``.dist-info`` a plain install of ``tree`` just wrote at ``installed``."""

    def copy(source: str, destination: str) -> None:
        if os.path.basename(source) in _WRITTEN:
            shutil.copyfile(source, destination)
        else:
            os.link(source, destination)

    from accord.reconciler.filelocks import scratch_directory

    root = _kept_root(tree)
    # Held while it is made: one a killed process left is removed by the next keep.
    with contextlib.suppress(OSError), scratch_directory(root.parent, ".tmp-") as aside:
        shutil.copytree(installed, aside / installed.name, copy_function=copy)
        os.chmod(aside, 0o755)
        os.rename(aside, root)  # fails when another process kept it first
