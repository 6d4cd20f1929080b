"""What a stale lock under `--locked` (or `lock --check`) prints, side by side with uv 0.13.8:
uv resolves first and says so (`Resolved N packages in …`, except a plain `run`, which never
says it, and `-q`), then refuses. accord adds the `cause:` line naming what changed, and its
hint names `accord lock`; the rest is uv's, line for line.

Times differ from run to run, so `in 64ms` is replaced by `in <time>` before comparing.
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
}


def _lines(text: str, *, ours: bool) -> list[str]:
    """Lines with times masked and debug output (`-v`: `DEBUG …` and the indented lines that
    continue it) left out; ours without the `cause:` line and with uv's name in the hint."""
    lines: list[str] = []
    debugging = False
    for line in text.splitlines():
        debugging = line.startswith("DEBUG ") or (debugging and line.startswith(" "))
        if not debugging:
            lines.append(_TIME.sub(" in <time>", line))
    if ours:
        lines = [line.replace("`accord lock`", "`uv lock`") for line in lines]
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
    for project in (ours, theirs):
        pyproject = project / "pyproject.toml"
        pyproject.write_text(pyproject.read_text().replace('"pkg==1.0"', '"pkg==1.0", "dep-b"'))
    return ours, theirs


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
