"""FilesystemError: a real OSError from a full disk, a read-only file system or a missing
permission, in words, naming the file (for the CLI's catch boundary; no traceback)."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from accord.reconciler.errors import ExitCode, FilesystemError


def test_filesystem_error_full_disk_names_the_file() -> None:
    # /dev/full answers every write with ENOSPC: a real full disk, no mount needed.
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full on this system")
    with pytest.raises(OSError) as raised, open("/dev/full", "wb", buffering=0) as stream:
        stream.write(b"x")
    raised.value.filename = "/dev/full"

    error = FilesystemError.from_os_error(raised.value)

    assert error.message == "File system error at `/dev/full`: No space left on device"
    assert error.hint == "free some space on that disk and run again: the next run finishes the job"
    assert error.exit_code == ExitCode.ERROR


def test_filesystem_error_names_the_destination_of_a_link(tmp_path: Path) -> None:
    source = tmp_path / "missing"
    with pytest.raises(OSError) as raised:
        os.link(source, tmp_path / "destination")

    error = FilesystemError.from_os_error(raised.value)

    assert raised.value.errno == errno.ENOENT
    assert error.message == (
        f"File system error at `{tmp_path / 'destination'}`: No such file or directory"
    )
    assert error.path == tmp_path / "destination"
