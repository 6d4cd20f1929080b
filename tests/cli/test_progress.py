"""Progress on a terminal: a spinner while resolving, a bar for a large download, a counter
while installing; none of it through a pipe, with `--no-progress` or `-q`.

The index is served slowly (a quarter second before each answer, a 3 MiB wheel at 4 MiB/s) so
that the steps outlast the display's delay, as over a real network; accord runs on a
pseudo-terminal (`pty`) and everything it draws is read back raw.
"""

from __future__ import annotations

import os
import pty
import random
import select
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from fixtures.index import IndexServer, build_index
from fixtures.wheels import WheelSpec, build_wheel
from tests.cli.support import Cli, clean_environment

RATE = 4 << 20


@pytest.fixture(scope="module")
def slow_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IndexServer]:
    dists = tmp_path_factory.mktemp("progress-dists")
    blob = random.Random(7).randbytes(3 << 20)  # incompressible: the wheel stays ~3 MiB
    build_wheel(
        WheelSpec(
            name="bigpkg",
            version="1.0",
            requires_dist=("smallpkg",),
            files={"bigpkg/__init__.py": "", "bigpkg/blob.bin": blob},
        ),
        dists,
    )
    build_wheel(WheelSpec(name="smallpkg", version="1.0"), dists)
    index = build_index(sorted(dists.iterdir()), tmp_path_factory.mktemp("progress-index"))
    with IndexServer(index, rate=RATE, latency=0.25) as server:
        yield server


def _project(root: Path) -> Path:
    project = root / "proj"
    project.mkdir()
    (project / "pyproject.toml").write_text(
        '[project]\nname = "proj"\nversion = "0.1.0"\nrequires-python = ">=3.10"\n'
        'dependencies = ["bigpkg"]\n\n[tool.uv]\npackage = false\n'
    )
    return project


def _environment(index: IndexServer, cache: Path, **extra: str) -> dict[str, str]:
    return clean_environment(
        {"ACCORD_INDEX_URL": index.url, "ACCORD_CACHE_DIR": str(cache), "TERM": "xterm", **extra}
    )


def _on_terminal(argv: list[str], cwd: Path, env: dict[str, str]) -> tuple[int, bytes]:
    """Run `argv` with stdin, stdout and stderr on a pseudo-terminal; everything it wrote."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(argv, cwd=cwd, env=env, stdin=slave, stdout=slave, stderr=slave)
    os.close(slave)
    output = b""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(master, 1 << 16)
            except OSError:  # the child closed its side
                break
            if not chunk:
                break
            output += chunk
        elif proc.poll() is not None:
            break
    os.close(master)
    return proc.wait(timeout=60), output


def _sync(cli: Cli) -> list[str]:
    return [str(cli.accord), "sync", "--python", str(cli.python)]


def test_a_cold_sync_on_a_terminal_shows_progress_and_colour(
    cli: Cli, slow_index: IndexServer, tmp_path: Path
) -> None:
    project = _project(tmp_path)
    code, output = _on_terminal(_sync(cli), project, _environment(slow_index, tmp_path / "c"))
    text = output.decode("utf-8", "replace")
    assert code == 0, text
    assert "Resolving dependencies..." in text
    assert "bigpkg-1.0-py3-none-any.whl" in text  # the download's own bar
    assert "MB" in text  # with its bytes
    assert "\x1b[" in text  # drawn, and coloured
    assert "\x1b[?25l" in text  # the cursor hidden while drawing (and shown again)
    assert "Installed 2 packages" in text


@pytest.mark.parametrize("quiet", [["--no-progress"], ["-q"]], ids=["no-progress", "quiet"])
def test_no_progress_when_asked_not_to(
    cli: Cli, slow_index: IndexServer, tmp_path: Path, quiet: list[str]
) -> None:
    project = _project(tmp_path)
    argv = [*_sync(cli), *quiet]
    code, output = _on_terminal(argv, project, _environment(slow_index, tmp_path / "c"))
    text = output.decode("utf-8", "replace")
    assert code == 0, text
    assert "Resolving dependencies..." not in text
    assert "bigpkg-1.0-py3-none-any.whl" not in text


def test_no_progress_through_a_pipe(cli: Cli, slow_index: IndexServer, tmp_path: Path) -> None:
    project = _project(tmp_path)
    result = subprocess.run(
        _sync(cli),
        cwd=project,
        env=_environment(slow_index, tmp_path / "c"),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert b"\x1b" not in result.stderr + result.stdout
    assert b"Resolving dependencies..." not in result.stderr
    assert b"Installed 2 packages" in result.stderr


def test_a_warm_sync_draws_nothing(cli: Cli, slow_index: IndexServer, tmp_path: Path) -> None:
    # Everything cached and the lock current: over before the display's delay, so nothing is
    # drawn (and rich is never imported).
    project = _project(tmp_path)
    env = _environment(slow_index, tmp_path / "c")
    code, _ = _on_terminal(_sync(cli), project, env)
    assert code == 0
    (project / ".venv").rename(tmp_path / "old-venv")
    code, output = _on_terminal(_sync(cli), project, env)
    assert code == 0, output
    assert b"Resolving dependencies..." not in output
    assert b"\x1b[?25l" not in output
    assert b"Installed 2 packages" in output
