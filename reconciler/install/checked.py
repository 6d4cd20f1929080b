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
    "with_facts",
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


def snapshot_dists(data: bytes, version: int) -> dict[str, object]:
    """The ``dists`` table of a JSON snapshot (this one's, or ``--verify``'s) when it is of
    ``version``; empty when it does not parse as one (nested too deep included)."""
    try:
        parsed = json.loads(data)
    except (ValueError, RecursionError, MemoryError):
        return {}
    if not isinstance(parsed, dict) or parsed.get("version") != version:
        return {}
    dists = parsed.get("dists")
    return dists if isinstance(dists, dict) else {}


def _joined(site: str, relative: str) -> str:
    """``site / relative`` as pathlib joins them (as observation always did: a trailing
    slash, ``.`` parts and doubled slashes dropped, an absolute path taken as it is),
    without making a ``Path`` for the usual path."""
    if (
        relative in ("", ".")
        or relative.startswith(("/", "./"))
        or "//" in relative
        or "/./" in relative
        or relative.endswith(("/", "/."))
    ):
        return os.fspath(Path(site, relative))
    return site + "/" + relative


def _dir_key(site: str, directory: str) -> str:
    """A directory as the snapshot names it: relative to site-packages when under it
    (``..`` parts kept, as RECORD has them), else absolute."""
    if directory == site:
        return ""
    return directory[len(site) + 1 :] if directory.startswith(site + "/") else directory


def _dir_stamp(site: str, key: str) -> _Stamp | None:
    try:
        status = os.stat(_joined(site, key) if key else site)
    except (OSError, ValueError):  # ValueError: a NUL in the path RECORD gives
        return None
    return [status.st_mtime_ns, status.st_ino]


def _size_problem(site: str, relative: str, size: int | None) -> str | None:
    try:
        status = os.stat(_joined(site, relative))
    except (OSError, ValueError):  # ValueError: a NUL in the path RECORD gives
        return f"{relative} is missing"
    if size is not None and status.st_size != size:
        return f"{relative} was modified"
    return None


def check_record(
    site: str,
    dist_info: str,
    rows: Iterable[tuple[str, str, str]],
    record: _Stamp,
    shared: Collection[str],
) -> tuple[str | None, Checked | None]:
    """Check every file ``rows`` (the RECORD of ``dist_info``, whose stamp is ``record``)
    lists: the problem (the first file missing, or of another size than RECORD's), and when
    there is none, what vouches for the dist from now on (None when a directory changed too
    lately to vouch), its facts still to be read (``with_facts``). ``shared`` are the
    directories (relative, normalised) every install writes to besides site-packages itself
    (the scripts directory): files directly in any of these are loose. The directories, the
    dist-info's always among them, are stamped before anything in them is looked at: a
    change made while checking, or reading the facts, shows in their time next time."""
    files: list[tuple[str, int | None]] = []
    loose: dict[str, int | None] = {}
    held = {dist_info}
    for relative, _, size_text in rows:
        known = int(size_text) if size_text.isdigit() else None
        files.append((relative, known))
        directory = _dir_key(site, os.path.dirname(_joined(site, relative)))
        if directory == "" or os.path.normpath(directory) in shared:
            loose[relative] = known
        else:
            held.add(directory)
    dirs: dict[str, _Stamp] = {}
    racy = time.time_ns() - int(RACY_SECONDS * 1e9)
    vouched = record[1] < racy
    for directory in sorted(held):
        stamp = _dir_stamp(site, directory)
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
    return None, Checked(record=record, dirs=dirs, loose=loose, facts={})


def with_facts(checked: Checked, facts: dict[str, str | None]) -> Checked:
    """``checked`` with the facts read from its dist-info after it was stamped."""
    return attrs.evolve(checked, facts=facts)


def still_clean(site: str, entry: Checked, record: _Stamp) -> bool:
    """Whether ``entry`` still vouches for its dist, whose RECORD's stamp is now ``record``:
    the same RECORD, every directory as it was, every loose file in place at its size."""
    if entry.record != record:
        return False
    for directory, stamp in entry.dirs.items():
        if _dir_stamp(site, directory) != stamp:  # a stamp of the wrong shape: never equal
            return False
    return all(_size_problem(site, path, size) is None for path, size in entry.loose.items())


def read_checked(venv: Path) -> dict[str, Checked]:
    """The snapshot's entries by dist-info name; none when it is missing, unreadable or of
    another version (every dist is then checked in full). An entry with a time no earlier
    than ``RACY_SECONDS`` before the snapshot's own (as the file system's clock gives both,
    whatever this machine's says) is left out: its dist is checked in full."""
    try:
        with (venv / SNAPSHOT_NAME).open("rb") as stream:
            written = os.fstat(stream.fileno()).st_mtime_ns
            data = stream.read()
    except OSError:
        return {}
    limit = written - int(RACY_SECONDS * 1e9)
    entries: dict[str, Checked] = {}
    for dist_info, entry in snapshot_dists(data, _VERSION).items():
        if not isinstance(entry, dict):
            continue  # that dist is checked in full
        try:
            # A stamp of the wrong shape is kept: it equals no stamp, so it vouches for nothing.
            record, dirs = entry["record"], entry["dirs"]
            if not isinstance(dirs, dict) or not all(isinstance(key, str) for key in dirs):
                raise TypeError("not a table")
            if record[1] >= limit or any(stamp[0] >= limit for stamp in dirs.values()):
                continue
            loose = {str(k): _size_of(v) for k, v in entry["loose"].items()}
            facts = {str(k): _text_of(v) for k, v in entry["facts"].items()}
            entries[dist_info] = Checked(record=record, dirs=dirs, loose=loose, facts=facts)
        except (KeyError, IndexError, TypeError, AttributeError, ValueError):
            continue  # that dist is checked in full
    return entries


def _text_of(value: object) -> str | None:
    if value is not None and not isinstance(value, str):
        raise ValueError("not a text")
    return value


def _size_of(value: object) -> int | None:
    if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
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
