"""An install interrupted half-way (a full disk, a kill) leaves files behind; the next sync
replaces them, also when the cache is on another file system than the environment (files
are then copied, not hard-linked)."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from fixtures import MakeProject
from tests.cli.support import Cli, site_packages

PREFIX = ["python", "-c", "import pkg; print(pkg.__version__)"]


@pytest.fixture
def cache_elsewhere() -> Iterator[Path]:
    """A cache on /dev/shm (tmpfs), so installing from it crosses file systems."""
    base = Path("/dev/shm")
    if not base.is_dir() or base.stat().st_dev == Path(tempfile.gettempdir()).stat().st_dev:
        pytest.skip("needs /dev/shm on a file system of its own")
    path = Path(tempfile.mkdtemp(prefix="accord-cache-", dir=base))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.mark.parametrize("cross_device", [False, True], ids=["same-fs", "cross-fs"])
def test_sync_replaces_what_an_interrupted_install_left(
    cli: Cli, make_project: MakeProject, request: pytest.FixtureRequest, cross_device: bool
) -> None:
    env = {}
    if cross_device:
        env["ACCORD_CACHE_DIR"] = str(request.getfixturevalue("cache_elsewhere"))
    project = make_project("minimal")
    first = cli.run(project, "--frozen", *PREFIX, env=env)
    assert (first.returncode, first.stdout) == (0, "1.0\n"), first.stderr

    # What a kill or a full disk in the middle of installing pkg leaves: its files, no
    # dist-info (so the next run sees pkg as missing and installs it again).
    site = site_packages(project)
    (dist_info,) = site.glob("pkg-1.0.dist-info")
    shutil.rmtree(dist_info)
    leftover = site / "pkg" / "__init__.py"
    leftover.unlink()  # a new file (writing through the old one would write into the cache)
    leftover.write_text("__version__ = 'half-written'\n")

    again = cli.run(project, "--frozen", *PREFIX, env=env)
    assert (again.returncode, again.stdout) == (0, "1.0\n"), again.stderr
    assert "Traceback" not in again.stderr
    check = cli.run(project, "--frozen", "--dry-plan", "--check", *PREFIX, env=env)
    assert check.returncode == 0, check.stdout
