"""Observe stage, its memory: which installed dists last checked clean against their RECORD,
and the directories that vouch for them since (``.accord-checked`` in the environment).

Observation checks that every file a dist's RECORD lists exists at the size RECORD names:
one ``stat`` per file, ~62,000 of them for a project of 334 packages, most of the time of a
sync after an edit. A file cannot be added, removed or renamed without changing its
directory's modification time, so a dist that checked clean stays clean while its RECORD is
the same file and every directory holding its files has the same modification time and
inode: a few thousand ``stat`` calls instead. The directories every install writes to
(site-packages itself, the scripts directory) vouch for nothing: files directly in them are
checked one by one, as before.

The snapshot is written after a sync (never for ``--dry-plan``), for the dists the sync kept
that checked clean; a dist installed, replaced or removed has no entry and is checked in
full next time. A directory changed within the last ``RACY_SECONDS`` of the check does not
vouch either (a file system's clock ticks coarsely: a change in the same tick would leave
its time as it was), so such a dist is checked in full again. The trade-off, as with git's
index: a file rewritten in place, without any change to its directory, is not seen while
the snapshot vouches for its dist (``--verify`` reads every file); delete the snapshot to
check everything.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Collection, Iterable, Mapping
from pathlib import Path

import attrs

from accord.reconciler.fsutil import write_atomic

__all__ = [
    "RACY_SECONDS",
    "SNAPSHOT_NAME",
    "Checked",
    "check_record",
    "file_stamp",
    "read_checked",
    "record_stamp",
    "snapshot_dists",
    "still_clean",
    "write_checked",
]

SNAPSHOT_NAME = ".accord-checked"
_VERSION = 2
RACY_SECONDS = 2.0
"""A directory modified this recently does not vouch (covers a 2-second FAT clock too)."""

_Stamp = list[int]
"""A list, as JSON gives it back, so stamps compare directly."""


@attrs.frozen(kw_only=True)
class Checked:
    """One dist that checked clean: what vouches for it since."""

    record: _Stamp
    """Its RECORD's ``[size, mtime_ns, inode]``."""
    dirs: dict[str, _Stamp]
    """Each directory holding its files (relative to site-packages) → ``[mtime_ns, inode]``."""
    loose: dict[str, int | None]
    """Its files in the directories every install writes to → the size RECORD names."""
    facts: dict[str, str | None]
    """What observing read from its dist-info (``observe``'s: name, version, installer...),
    vouched for as its files are: the dist-info directory is one of ``dirs``."""


def file_stamp(path: str | os.PathLike[str]) -> _Stamp | None:
    """``[size, mtime_ns, inode]`` of a file; None when it cannot be read."""
    try:
        status = os.stat(path)
    except OSError:
        return None
    return [status.st_size, status.st_mtime_ns, status.st_ino]


def record_stamp(dist_info: str) -> _Stamp | None:
    """``file_stamp`` of the dist-info's RECORD."""
    return file_stamp(os.path.join(dist_info, "RECORD"))


def snapshot_dists(path: Path, version: int) -> dict[str, object]:
    """The ``dists`` table of the JSON snapshot at ``path`` (this one's, or ``--verify``'s)
    when it is of ``version``; empty when it is missing, unreadable or of another version."""
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("version") != version:
        return {}
    dists = data.get("dists")
    return dists if isinstance(dists, dict) else {}


def _dir_stamp(path: str) -> _Stamp | None:
    try:
        status = os.stat(path)
    except OSError:
        return None
    return [status.st_mtime_ns, status.st_ino]


def _size_problem(site: str, relative: str, size: int | None) -> str | None:
    try:
        status = os.stat(os.path.join(site, relative))
    except OSError:
        return f"{relative} is missing"
    if size is not None and status.st_size != size:
        return f"{relative} was modified"
    return None


def check_record(
    site: str,
    rows: Iterable[tuple[str, str, str]],
    record: _Stamp,
    shared: Collection[str],
    facts: dict[str, str | None],
) -> tuple[str | None, Checked | None]:
    """Check every file ``rows`` (a dist's RECORD, whose stamp is ``record``) lists: the
    problem (the first file missing, or of another size than RECORD's), and when there is
    none, what vouches for the dist from now on (None when a directory changed too lately
    to vouch), with the ``facts`` read from its dist-info. ``shared`` are the directories
    (relative, normalised) every install writes to. The directories are stamped before
    their files are looked at: a change made while checking shows in their time next time
    (and one made since the facts were read, within the window that keeps them from
    vouching)."""
    files: list[tuple[str, int | None]] = []
    loose: dict[str, int | None] = {}
    held: set[str] = set()
    for relative, _, size_text in rows:
        known = int(size_text) if size_text.isdigit() else None
        files.append((relative, known))
        directory = os.path.dirname(os.path.normpath(relative))
        if directory in shared:
            loose[relative] = known
        else:
            held.add(directory)
    dirs: dict[str, _Stamp] = {}
    racy = time.time_ns() - int(RACY_SECONDS * 1e9)
    vouched = record[1] < racy
    for directory in sorted(held):
        stamp = _dir_stamp(os.path.join(site, directory))
        if stamp is None or stamp[0] >= racy:
            vouched = False
        elif vouched:
            dirs[directory] = stamp
    for relative, size in files:  # in RECORD's order: the first one wrong is named
        problem = _size_problem(site, relative, size)
        if problem is not None:
            return problem, None
    if not vouched:
        return None, None
    return None, Checked(record=record, dirs=dirs, loose=loose, facts=facts)


def still_clean(site: str, entry: Checked, record: _Stamp) -> bool:
    """Whether ``entry`` still vouches for its dist, whose RECORD's stamp is now ``record``:
    the same RECORD, every directory as it was, every loose file in place at its size."""
    if entry.record != record:
        return False
    prefix = site + os.sep
    for directory, stamp in entry.dirs.items():
        if _dir_stamp(prefix + directory) != stamp:  # a stamp of the wrong shape: never equal
            return False
    return all(_size_problem(site, path, size) is None for path, size in entry.loose.items())


def read_checked(venv: Path) -> dict[str, Checked]:
    """The snapshot's entries by dist-info name; none when it is missing, unreadable or of
    another version (every dist is then checked in full)."""
    entries: dict[str, Checked] = {}
    for dist_info, entry in snapshot_dists(venv / SNAPSHOT_NAME, _VERSION).items():
        if not isinstance(entry, dict):
            continue  # that dist is checked in full
        try:
            # A stamp of the wrong shape is kept: it equals no stamp, so it vouches for nothing.
            record, dirs = entry["record"], entry["dirs"]
            if not isinstance(dirs, dict):
                raise TypeError("not a table")
            loose = {str(k): _size_of(v) for k, v in entry["loose"].items()}
            facts = {str(k): _text_of(v) for k, v in entry["facts"].items()}
            entries[dist_info] = Checked(record=record, dirs=dirs, loose=loose, facts=facts)
        except (KeyError, TypeError, AttributeError, ValueError):
            continue  # that dist is checked in full
    return entries


def _text_of(value: object) -> str | None:
    if value is not None and not isinstance(value, str):
        raise ValueError("not a text")
    return value


def _size_of(value: object) -> int | None:
    if value is not None and not isinstance(value, int):
        raise ValueError("not a size")
    return value


def write_checked(venv: Path, entries: Mapping[str, Checked], changed: Collection[str]) -> None:
    """Keep ``entries`` but those of the dists in ``changed`` (installed, replaced or removed
    since they were checked); nothing is written when the snapshot already says that, and
    there is none when none is left. A snapshot that cannot be written is only a slower next
    sync: the one there is removed."""
    dists = {
        dist_info: {
            "record": entry.record,
            "dirs": entry.dirs,
            "loose": entry.loose,
            "facts": entry.facts,
        }
        for dist_info, entry in sorted(entries.items())
        if dist_info not in changed
    }
    path = venv / SNAPSHOT_NAME
    if not dists:  # nothing vouched for: no file
        with contextlib.suppress(OSError):
            path.unlink()
        return
    text = json.dumps({"version": _VERSION, "dists": dists}, separators=(",", ":")).encode()
    with contextlib.suppress(OSError):
        if path.read_bytes() == text:
            return
    try:
        write_atomic(path, text)
    except OSError:
        with contextlib.suppress(OSError):
            path.unlink()
