"""The wheels kept for source trees (apply stage, build side), shared with other processes.

A wheel built from a source tree is kept, as uv keeps it, until the tree's build inputs
change, so a new environment does not build it again. Each tree has a *place*,
``<cache>/built-trees/<sha256 of its path>/``, holding:

- ``.lock``: locked exclusively while a process looks a wheel up, builds, keeps or removes one
  (``tree_locked``), as uv locks a source tree's cache shard: two processes building one tree
  take turns, and the second finds the first's wheel;
- ``<editable|wheel>-<build digest>[-<settings shard>].<n>/``: an *entry*, one wheel each,
  ``<n>`` counting the builds of those inputs (``--reinstall`` builds again). Its ``.lock`` is
  held shared by every process that was handed its wheel, until that process ends (the caller
  unpacks the wheel after the build returns); an entry is removed (the wheels of older
  inputs, once a newer one is kept) only when its lock can be taken exclusively, so no
  process loses a wheel it was handed;
- ``.tmp-*``: a build under way, or an entry being removed. Both happen under the place's
  lock only, so one found by a process holding it is what a killed process left: removed.

An entry appears whole (a finished directory renamed into place) or not at all; a removed one
is renamed aside first, so a half-removed entry is never taken for a kept wheel.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path

import attrs

from accord.reconciler.filelocks import exclusive, hold_shared, take_unshared

__all__ = ["find_kept", "keep_wheel", "kept_wheel", "tree_key", "tree_locked", "tree_place"]

_KINDS = ("editable", "wheel")


def tree_place(tree: Path, cache: Path) -> Path:
    """Where the wheels built from the source tree at ``tree`` are kept (by its path)."""
    return cache / "built-trees" / hashlib.sha256(os.fsencode(tree)).hexdigest()[:32]


def tree_key(*, editable: bool, digest: str | None, shard: str | None) -> str:
    """The name of the entries for one kind of build of one set of build inputs (``digest``;
    None: inputs that are never looked up again) with one set of build settings."""
    digest = digest if digest is not None else secrets.token_hex(16)
    return f"{_KINDS[0] if editable else _KINDS[1]}-{digest}" + (
        "" if shard is None else f"-{shard}"
    )


@attrs.frozen
class _Entry:
    path: Path
    key: str
    kind: str
    shard: str | None
    number: int
    """Which build of these inputs (0: an entry from before entries were numbered)."""


def _entry(path: Path) -> _Entry | None:
    key, dot, number = path.name.rpartition(".")
    if not (dot and number.isdigit()):
        key, number = path.name, "0"
    kind, _, rest = key.partition("-")
    if kind not in _KINDS or not rest or key.startswith("."):
        return None
    shard = rest.partition("-")[2] or None
    return _Entry(path, key, kind, shard, int(number))


def _entries(place: Path) -> list[_Entry]:
    try:
        names = os.listdir(place)
    except FileNotFoundError:
        return []
    return [e for e in (_entry(place / name) for name in names) if e is not None]


def _wheel(entry: Path) -> Path | None:
    try:
        names = sorted(os.listdir(entry))
    except (FileNotFoundError, NotADirectoryError):
        return None
    return next((entry / n for n in names if n.endswith(".whl") and not n.startswith(".")), None)


@contextlib.contextmanager
def tree_locked(place: Path) -> Iterator[None]:
    """Hold ``place``'s lock (waiting for another process's build to end); what killed
    processes left there is removed first."""
    place.mkdir(parents=True, exist_ok=True)
    with exclusive(place / ".lock"):
        for name in os.listdir(place):
            if name.startswith(".tmp-"):
                shutil.rmtree(place / name, ignore_errors=True)
        yield


def kept_wheel(place: Path, key: str) -> Path | None:
    """The wheel of ``key``'s newest entry, if one is kept; held for this process (call it
    under ``tree_locked``)."""
    entries = sorted((e for e in _entries(place) if e.key == key), key=lambda e: e.number)
    for entry in reversed(entries):
        wheel = _wheel(entry.path)
        if wheel is not None:
            hold_shared(entry.path / ".lock")
            return wheel
    return None


def keep_wheel(place: Path, key: str, output: Path, wheel: Path) -> Path:
    """Keep ``output`` (a finished ``.tmp-`` directory in ``place`` holding ``wheel``) as
    ``key``'s newest entry and return its wheel, held for this process; then remove the
    entries it replaces (older builds of the same kind and settings) that no process holds
    (call it under ``tree_locked``)."""
    entries = _entries(place)
    number = 1 + max((e.number for e in entries if e.key == key), default=0)
    entry = place / f"{key}.{number}"
    (output / ".lock").touch()  # before it is kept: a full disk fails the build, not the entry
    os.rename(output, entry)  # a new name: nobody's wheel is replaced
    hold_shared(entry / ".lock")
    kept = _entry(entry)
    assert kept is not None
    for old in entries:
        if old.kind == kept.kind and old.shard == kept.shard:
            _remove_unheld(place, old.path)
    return entry / wheel.name


def _remove_unheld(place: Path, entry: Path) -> None:
    """Remove ``entry`` unless a process holds it (this one included)."""
    aside = place / f".tmp-{secrets.token_hex(8)}"
    with take_unshared(entry / ".lock") as free:
        if not free:
            return
        try:
            os.rename(entry, aside)  # at once: no half-removed entry is ever looked up
        except OSError:
            return
    shutil.rmtree(aside, ignore_errors=True)


def find_kept(place: Path, key: str) -> Path | None:
    """The wheel kept for ``key`` with any build settings (its newest entry, those without
    settings first), if one is; a look only: nothing is locked or written."""
    matching = [e for e in _entries(place) if e.key == key or e.key.startswith(f"{key}-")]
    for entry in sorted(matching, key=lambda e: (e.key == key, e.number), reverse=True):
        wheel = _wheel(entry.path)
        if wheel is not None:
            return wheel
    return None
