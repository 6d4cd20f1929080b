"""Verify stage (``--verify``): every installed file hashed against its dist's RECORD.

Observation proper (``reconciler.install.observe``) checks that each file RECORD lists exists at the
size it names; a verify also reads every file and compares its hash with RECORD's, in
threads. What it finds becomes a fact of the observed environment (``modified_files``),
which the diff turns into a repair.

Reads the files RECORD lists and the verified snapshot, ``.accord-verified`` in the
environment; writes only the snapshot (``write_snapshot``, after a sync, never for
``--dry-plan``). The snapshot says which files hashed clean, each with its size, mtime_ns
and inode then, under its dist-info with the identity of its RECORD then: a file whose
stat still matches is not read again. An entry counts only while its dist-info's RECORD is
the same file (size, mtime_ns, inode), and any install, reinstall or removal (by accord,
uv or pip) writes RECORD anew or removes it, so a changed package is hashed again. The
trade-off, as for git's index: a file rewritten in place with its size and mtime put back
is not seen while the snapshot vouches for it; delete the snapshot to hash everything.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
from collections.abc import Collection
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import attrs

from accord.model.observed import EnvironmentState, ObservedEnvironment
from accord.reconciler.fsutil import write_atomic
from accord.reconciler.install.checked import file_stamp, snapshot_dists
from accord.reconciler.install.observe import find_site_packages, read_record
from accord.reconciler.threads import quiet

__all__ = ["SNAPSHOT_NAME", "Verification", "verify_environment", "write_snapshot"]

SNAPSHOT_NAME = ".accord-verified"
_SNAPSHOT_VERSION = 1
_THREADS = 8
_INLINE = 64
"""Below this many files to hash, threads cost more than they save."""

_FileStat = list[int]
"""``[size, mtime_ns, inode]``: a list, as JSON gives it back, so entries compare directly."""


@attrs.frozen(kw_only=True)
class _Entry:
    """What the snapshot says about one dist: its RECORD's stat and its clean files'."""

    record: _FileStat
    files: dict[str, _FileStat]


@attrs.frozen(kw_only=True)
class Verification:
    """A verify's outcome: the environment with its modified files, and the snapshot to keep."""

    observed: ObservedEnvironment
    entries: dict[str, _Entry]
    """Dist-info name → its entry, for every dist whose files all hashed clean."""
    hashed: int
    """Files read and hashed."""
    skipped: int
    """Files the snapshot vouched for."""


@attrs.frozen
class _Job:
    dist_info: str
    relative: str
    path: Path
    algorithm: str
    expected: str


def _read_snapshot(venv: Path) -> dict[str, _Entry]:
    """The snapshot's entries; none when it is missing, unreadable or of another version."""
    entries = {}
    try:
        data = (venv / SNAPSHOT_NAME).read_bytes()
    except OSError:
        return {}
    for dist_info, entry in snapshot_dists(data, _SNAPSHOT_VERSION).items():
        if isinstance(entry, dict) and isinstance(entry.get("files"), dict):
            entries[dist_info] = _Entry(record=entry.get("record") or [], files=entry["files"])
    return entries


def _matches(job: _Job) -> bool:
    """Whether the file's content has RECORD's hash (an unreadable file does not)."""
    try:
        digest = hashlib.new(job.algorithm)
        with open(job.path, "rb") as stream:
            # hashlib and read release the GIL on large buffers: threads hash in parallel.
            while chunk := stream.read(1 << 20):
                digest.update(chunk)
    except OSError:
        return False
    found = base64.urlsafe_b64encode(digest.digest()).rstrip(b"=").decode("ascii")
    return found == job.expected


def _check_all(jobs: list[_Job]) -> list[bool]:
    """``_matches`` for every job, in order: in batches over threads when there are many."""
    if len(jobs) < _INLINE:
        return [_matches(job) for job in jobs]
    # One batch per thread, not one future per file: ~3,000 futures cost more than hashing.
    batches = [jobs[start::_THREADS] for start in range(_THREADS)]
    with ThreadPoolExecutor(max_workers=_THREADS, initializer=quiet) as pool:
        results = list(pool.map(lambda batch: [_matches(job) for job in batch], batches))
    merged = [False] * len(jobs)
    for start, batch_results in enumerate(results):
        merged[start::_THREADS] = batch_results
    return merged


def _algorithm(record_hash: str) -> tuple[str, str] | None:
    """``(algorithm, digest)`` from ``sha256=…``; None for an empty or unknown hash."""
    algorithm, sep, expected = record_hash.partition("=")
    if not sep or not expected or algorithm not in hashlib.algorithms_guaranteed:
        return None
    return algorithm, expected


def verify_environment(observed: ObservedEnvironment) -> Verification:
    """Hash every file each observed dist's RECORD lists, skipping what the snapshot vouches
    for; return the environment with each dist's ``modified_files`` filled in.

    Files RECORD lists without a hash (RECORD itself, bytecode) and files that are missing
    (``record_problem`` already says so) are not hashed. Never raises for what it finds.
    """
    venv = Path(observed.path)
    site = find_site_packages(venv) if observed.state is EnvironmentState.PRESENT else None
    if site is None:
        return Verification(observed=observed, entries={}, hashed=0, skipped=0)
    snapshot = _read_snapshot(venv)
    jobs: list[_Job] = []
    stats: dict[str, dict[str, _FileStat]] = {}
    records: dict[str, _FileStat] = {}
    skipped = 0
    for dist in observed.dists:
        rows = read_record(site / dist.dist_info)
        record = file_stamp(site / dist.dist_info / "RECORD")
        if rows is None or record is None:
            continue
        records[dist.dist_info] = record
        prior = snapshot.get(dist.dist_info)
        vouched = prior.files if prior is not None and prior.record == record else {}
        clean: dict[str, _FileStat] = {}
        for relative, record_hash, _ in rows:
            parsed = _algorithm(record_hash)
            if parsed is None:
                continue
            path = site / relative
            found = file_stamp(path)
            if found is None:
                continue  # missing: observe's record_problem reports it
            if vouched.get(relative) == found:
                clean[relative] = found
                skipped += 1
                continue
            clean[relative] = found  # until its hash says otherwise
            jobs.append(_Job(dist.dist_info, relative, path, *parsed))
        stats[dist.dist_info] = clean
    modified: dict[str, list[str]] = {}
    for job, ok in zip(jobs, _check_all(jobs), strict=True):
        if not ok:
            modified.setdefault(job.dist_info, []).append(job.relative)
            del stats[job.dist_info][job.relative]
    dists = tuple(
        attrs.evolve(dist, modified_files=tuple(sorted(modified[dist.dist_info])))
        if dist.dist_info in modified
        else dist
        for dist in observed.dists
    )
    entries = {
        dist.dist_info: _Entry(record=records[dist.dist_info], files=stats[dist.dist_info])
        for dist in dists
        if dist.dist_info in stats and dist.record_ok
    }
    return Verification(
        observed=attrs.evolve(observed, dists=dists),
        entries=entries,
        hashed=len(jobs),
        skipped=skipped,
    )


def write_snapshot(venv: Path, verification: Verification, changed: Collection[str]) -> None:
    """Keep what ``verification`` found clean, less the dist-infos in ``changed`` (those the
    sync replaced or removed), for the next verify. Written atomically; a failure to write
    only costs the next verify its shortcut."""
    if not verification.hashed and not changed and verification.skipped:
        return  # every file was vouched for and nothing changed: the snapshot stands as it is
    dists = {
        dist_info: {"record": entry.record, "files": entry.files}
        for dist_info, entry in sorted(verification.entries.items())
        if dist_info not in changed
    }
    text = json.dumps({"version": _SNAPSHOT_VERSION, "dists": dists}, separators=(",", ":"))
    with contextlib.suppress(OSError):
        write_atomic(venv / SNAPSHOT_NAME, text)
