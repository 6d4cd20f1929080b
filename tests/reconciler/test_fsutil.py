"""``write_atomic``: the target replaced whole, its directory made, nothing left behind."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest

from accord.reconciler.fsutil import write_atomic


def test_a_file_is_written_whole_in_a_directory_made_for_it(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "file"
    write_atomic(target, "é" * 100_000)
    assert target.read_text(encoding="utf-8") == "é" * 100_000
    assert stat.S_IMODE(target.stat().st_mode) == 0o600  # as mkstemp makes it
    write_atomic(target, b"again", mode=0o644)
    assert target.read_bytes() == b"again"
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert os.listdir(target.parent) == ["file"]


def test_a_temporary_name_left_by_a_killed_process_is_stepped_over(tmp_path: Path) -> None:
    from accord.reconciler import fsutil

    taken = next(fsutil._TEMPORARY) + 1
    stale = tmp_path / f".tmp-{os.getpid()}-{threading.get_ident()}-{taken}"
    stale.write_bytes(b"left behind")
    write_atomic(tmp_path / "file", b"new")
    assert (tmp_path / "file").read_bytes() == b"new"
    assert stale.read_bytes() == b"left behind"


def test_a_failed_write_leaves_the_target_and_no_temporary(tmp_path: Path) -> None:
    # The rename fails (a directory is in the way): what was there stays, and the
    # temporary file written for it is removed.
    target = tmp_path / "target"
    target.mkdir()
    (target / "inside").write_bytes(b"kept")
    with pytest.raises(OSError):
        write_atomic(target, b"cannot replace a directory")
    assert (target / "inside").read_bytes() == b"kept"
    assert os.listdir(tmp_path) == ["target"]


def test_writers_in_threads_never_share_a_temporary(tmp_path: Path) -> None:
    def write(n: int) -> None:
        for i in range(50):
            write_atomic(tmp_path / f"f{n}-{i % 3}", f"{n} {i}")

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(os.listdir(tmp_path)) == sorted(f"f{n}-{i}" for n in range(8) for i in range(3))
    assert (tmp_path / "f5-1").read_text() == "5 49"
