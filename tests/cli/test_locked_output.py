"""What a stale lock under `--locked` (or `lock --check`) prints, side by side with uv 0.13.8:
uv resolves first and says so (`Resolved N packages in …`, except a plain `run`, which never
says it, and `-q`), then refuses. accord adds the `cause:` line naming what changed, and its
hint names `accord lock`; the rest is uv's, line for line. `sync --dry-run` tells the sync
from the new lock before it refuses. A PEP 723 script's lock (`s.py.lock`) goes the same way;
uv calls it `uv.lock` in the error, accord by its name.

Times differ from run to run, so `in 64ms` is replaced by `in <time>` before comparing, and
`Would download N packages` depends on what each tool's session cache already holds.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from fixtures import MakeProject
from tests.cli.support import Cli

_TIME = re.compile(r" in \d+(\.\d+)?(ms|s)$")

COMMANDS = {
    "lock": ("lock", "--locked"),
    "lock-check": ("lock", "--check"),
    "lock-quiet": ("lock", "-q", "--locked"),
    "sync": ("sync", "--locked"),
    "sync-quiet": ("sync", "-q", "--locked"),
    "run": ("run", "--locked", "python", "-c", "pass"),
    "run-verbose": ("run", "-v", "--locked", "python", "-c", "pass"),
    "sync-dry-run": ("sync", "--locked", "--dry-run"),
    "sync-dry-run-quiet": ("sync", "-q", "--locked", "--dry-run"),
}


def _lines(text: str, *, ours: bool) -> list[str]:
    """Lines with times masked and debug output (`-v`: `DEBUG …` and the indented lines that
    continue it) left out; ours without the `cause:` line and with uv's name in the hint."""
    lines: list[str] = []
    debugging = False
    for line in text.splitlines():
        debugging = line.startswith("DEBUG ") or (debugging and line.startswith(" "))
        if not debugging and not line.startswith("Would download "):
            lines.append(_TIME.sub(" in <time>", line))
    if ours:
        for command in ("lock", "sync"):
            lines = [line.replace(f"`accord {command}`", f"`uv {command}`") for line in lines]
        lines = [line.replace("`s.py.lock`", "`uv.lock`") for line in lines]
        lines = [line for line in lines if not line.startswith("  cause: ")]
    return lines


@pytest.fixture
def stale(cli: Cli, make_project: MakeProject, tmp_path: Path) -> tuple[Path, Path]:
    """One synced project per tool whose pyproject.toml then gained a dependency."""
    ours = make_project("minimal")
    theirs = tmp_path / "uv" / "minimal"
    shutil.copytree(ours, theirs)
    cli.sync(ours)
    synced = cli.uv(theirs, "sync", "--frozen")
    assert synced.returncode == 0, synced.stderr
    _add_dep_b(ours / "pyproject.toml", theirs / "pyproject.toml")
    return ours, theirs


def _add_dep_b(*files: Path) -> None:
    """Give the dependency list in each of ``files`` (a pyproject.toml, a script) `dep-b`."""
    for file in files:
        file.write_text(file.read_text().replace('"pkg==1.0"', '"pkg==1.0", "dep-b"'))


@pytest.mark.parametrize("command", list(COMMANDS))
def test_locked_stale_lock_says_resolved_first_as_uv(
    cli: Cli, stale: tuple[Path, Path], command: str
) -> None:
    ours, theirs = stale
    lock = (ours / "uv.lock").read_bytes()
    args = COMMANDS[command]
    uv = cli.uv(theirs, *args)
    accord: subprocess.CompletedProcess[str] = cli.invoke(
        ours, *args, env={"UV_PYTHON": str(cli.python)}
    )
    assert uv.returncode == accord.returncode == 1, accord.stderr + uv.stderr
    assert _lines(accord.stderr, ours=True) == _lines(uv.stderr, ours=False)
    assert "  cause: requirements changed (added dep-b)" in accord.stderr.splitlines()
    assert (ours / "uv.lock").read_bytes() == lock


def test_locked_dry_run_of_a_current_lock_says_nothing_of_the_lock(
    cli: Cli, make_project: MakeProject, tmp_path: Path
) -> None:
    """uv's `sync --dry-run` says `Found up-to-date lockfile at: uv.lock`, but not under
    `--locked` (nor `--check --locked`), where the lock may not change."""
    ours = make_project("minimal")
    theirs = tmp_path / "uv" / "minimal"
    shutil.copytree(ours, theirs)
    for args, status in (
        (("sync", "--locked", "--dry-run"), 0),
        (("sync", "--locked", "--check"), 1),  # the environment is missing
    ):
        uv = cli.uv(theirs, *args)
        accord = cli.invoke(ours, *args, env={"UV_PYTHON": str(cli.python)})
        assert uv.returncode == accord.returncode == status, accord.stderr + uv.stderr
        assert _lines(accord.stderr, ours=True) == _lines(uv.stderr, ours=False)
        assert "Found up-to-date lockfile at: uv.lock" not in accord.stderr
        assert not (ours / ".venv").exists()


SCRIPT = """\
# /// script
# requires-python = ">=3.10"
# dependencies = ["pkg==1.0"]
# ///
import pkg
print(pkg.__version__)
"""

SCRIPT_COMMANDS = {
    "run": ("run", "--locked", "s.py"),
    "run-verbose": ("run", "-v", "--locked", "s.py"),
    "run-script": ("run", "--locked", "--script", "s.py"),
    "sync": ("sync", "--locked", "--script", "s.py"),
    "sync-quiet": ("sync", "-q", "--locked", "--script", "s.py"),
    "lock": ("lock", "--locked", "--script", "s.py"),
    "lock-check": ("lock", "--check", "--script", "s.py"),
}


def _script_dirs(tmp_path: Path) -> tuple[Path, Path]:
    """`s.py` in a directory per tool."""
    ours, theirs = tmp_path / "accord", tmp_path / "uv"
    for directory in (ours, theirs):
        directory.mkdir()
        (directory / "s.py").write_text(SCRIPT)
    return ours, theirs


@pytest.fixture
def stale_script(cli: Cli, tmp_path: Path) -> tuple[Path, Path]:
    """`s.py` locked by `uv lock --script` in both tools' directories, then given another
    dependency."""
    ours, theirs = _script_dirs(tmp_path)
    locked = cli.uv(theirs, "lock", "--script", "s.py")
    assert locked.returncode == 0, locked.stderr
    shutil.copy(theirs / "s.py.lock", ours / "s.py.lock")
    _add_dep_b(ours / "s.py", theirs / "s.py")
    return ours, theirs


@pytest.mark.parametrize("command", list(SCRIPT_COMMANDS))
def test_locked_stale_script_lock_says_resolved_first_as_uv(
    cli: Cli, stale_script: tuple[Path, Path], command: str
) -> None:
    """As for a project; but uv's `sync --script` makes (or names) its script environment
    before it locks, where accord makes nothing: that first line is uv's alone."""
    ours, theirs = stale_script
    lock = (ours / "s.py.lock").read_bytes()
    args = SCRIPT_COMMANDS[command]
    uv = cli.uv(theirs, *args)
    accord = cli.invoke(ours, *args, env={"UV_PYTHON": str(cli.python)})
    assert uv.returncode == accord.returncode == 1, accord.stderr + uv.stderr
    expected = _lines(uv.stderr, ours=False)
    if expected[0].startswith(("Creating script environment", "Using script environment")):
        expected = expected[1:]
    assert _lines(accord.stderr, ours=True) == expected
    assert "  cause: requirements changed (added dep-b)" in accord.stderr.splitlines()
    assert (ours / "s.py.lock").read_bytes() == (theirs / "s.py.lock").read_bytes() == lock
    assert accord.stdout == uv.stdout == ""


def test_locked_script_runs_from_a_current_lock_and_refuses_a_missing_one(
    cli: Cli, tmp_path: Path
) -> None:
    ours, theirs = _script_dirs(tmp_path)
    env = {"UV_PYTHON": str(cli.python)}
    uv = cli.uv(theirs, "run", "--locked", "s.py")
    accord = cli.invoke(ours, "run", "--locked", "s.py", env=env)
    assert uv.returncode == accord.returncode == 2
    assert uv.stderr == accord.stderr.replace("`accord lock --script`", "`uv lock --script`")
    assert uv.stderr == (
        "error: Unable to find lockfile for Python script, but `--locked` was provided. "
        "To create a lockfile, run `uv lock --script`.\n"
    )
    assert not (ours / "s.py.lock").exists() and not (theirs / "s.py.lock").exists()

    locked = cli.uv(theirs, "lock", "--script", "s.py")
    assert locked.returncode == 0, locked.stderr
    shutil.copy(theirs / "s.py.lock", ours / "s.py.lock")
    lock = (ours / "s.py.lock").read_bytes()
    uv = cli.uv(theirs, "run", "--locked", "s.py")
    accord = cli.invoke(ours, "run", "--locked", "s.py", env=env)
    assert (accord.returncode, accord.stdout) == (uv.returncode, uv.stdout) == (0, "1.0\n")
    assert (ours / "s.py.lock").read_bytes() == lock
    # `sync --frozen` resolves nothing, and says nothing of it (only the environment's path,
    # in each tool's cache, differs).
    uv = cli.uv(theirs, "sync", "--frozen", "--script", "s.py")
    accord = cli.invoke(ours, "sync", "--frozen", "--script", "s.py", env=env)
    assert uv.returncode == accord.returncode == 0, accord.stderr + uv.stderr
    assert _lines(accord.stderr, ours=True)[1:] == _lines(uv.stderr, ours=False)[1:]
    assert not any(line.startswith("Resolved") for line in accord.stderr.splitlines())
