"""The fast path of ``accord lock``: a lock the project environment's stamp proves current is
not read or resolved again (``reconciler.entry``).

Standard library only, as ``fastpath``, whose stamp it reads.
"""

# No ``from __future__ import annotations``: see ``fastpath``.
import os

from accord.reconciler.fastpath import matching_stamp

__all__ = ["lock_proven_current"]


def _trees_in_stamp(lock: bytes, root: str, files: list[str]) -> bool:
    """Whether every source tree the lock names (the project, members, path dependencies) has
    its pyproject.toml among the stamp's files: the lock's freshness depends on what each
    declares, and a sync records only the trees it installed. A local archive (``path``)
    is never vouched for."""
    for line in lock.split(b"\n"):
        if not line.startswith(b"source = { "):
            continue
        kind, _, value = line[len(b"source = { ") :].partition(b" = ")
        if kind in (b"registry", b"git", b"url"):
            continue  # declared in the pyproject.toml files the key holds
        if kind not in (b"virtual", b"editable", b"directory"):
            return False
        tree = value.split(b'"')[1].decode("utf-8", "replace")
        pyproject = os.path.normpath(os.path.join(root, tree, "pyproject.toml"))
        if pyproject not in files:
            return False
    return True


def lock_proven_current() -> tuple[int, list[tuple[str, str]]] | None:
    """The number of packages in the project's lock, and the warnings its stamp keeps, when
    the stamp of its environment proves a plain ``accord lock`` has nothing to do; None
    otherwise (the slow path decides).

    A stamp whose key matches with no options was written by a sync in the default lock mode
    (``--frozen`` and ``--locked`` are part of the key, ``UV_FROZEN`` is refused by
    ``fastargs``): that sync found the lock current, or made it so, for the very inputs the
    key holds (every pyproject.toml of the workspace, ``uv.lock`` itself, uv's configuration
    files, the variables that move the lock), and none has changed since."""
    found = matching_stamp(os.getcwd(), [])
    if found is None:
        return None
    files = found[1]
    locks = [path for path in files if os.path.basename(path) == "uv.lock"]
    if len(locks) != 1:
        return None
    try:
        with open(locks[0], "rb") as stream:
            text = stream.read()
    except OSError:
        return None
    if not _trees_in_stamp(text, os.path.dirname(locks[0]), files):
        return None
    return text.count(b"\n[[package]]\n") + text.startswith(b"[[package]]\n"), found[6]
