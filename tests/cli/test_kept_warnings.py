"""Warnings about the project's own files, said on every run as uv says them.

uv reads the project's files on every run and warns about them every time: a `[tool.uv]` it
cannot read (`Failed to parse pyproject.toml during settings discovery`), a workspace without
`requires-python`. accord's no-op run (the fast path), its `lock` with a current lock, and a
replayed sync read none of those files: the sync that wrote the stamp keeps the warnings and
they say them again, in uv's place among the other lines. Each case runs the same commands with
uv 0.13.8 in a copy of the project and compares what the two print.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from tests.cli.support import Cli, write_project

_TIME = re.compile(r" in \d+(\.\d+)?(ms|s)$", re.MULTILINE)

PYPROJECT = """\
[project]
name = "proj"
version = "0.1.0"
dependencies = ["pkg==1.0"]

[tool.uv]
not-a-setting = 1
"""


def _said(result: subprocess.CompletedProcess[str], project: Path) -> str:
    assert result.returncode == 0, result.stderr
    text = _TIME.sub(" in <time>", result.stderr)
    # `Prepared …` says what each tool's cache lacked (tests/cli/test_output.py compares it).
    text = "".join(
        line for line in text.splitlines(keepends=True) if not line.startswith("Prepared ")
    )
    return text.replace(str(project), "<project>")


def _both(
    cli: Cli, tmp_path: Path, *args: str, cwd: str = ".", env: dict[str, str] | None = None
) -> tuple[str, str]:
    """What accord and uv print for ``ARGS`` in their copies of the project (``cwd`` within it)."""
    variables = {"UV_PYTHON": str(cli.python), **(env or {})}
    ours, theirs = tmp_path / "accord" / "proj", tmp_path / "uv" / "proj"
    said = cli.invoke(ours / cwd, *args, env=variables)
    uv_said = cli.uv(theirs / cwd, *args, settings=True, env=variables)
    return _said(said, ours), _said(uv_said, theirs)


def _projects(tmp_path: Path, text: str = PYPROJECT) -> None:
    for who in ("accord", "uv"):
        write_project(tmp_path, who, text)


def test_a_no_op_run_repeats_the_warnings_about_the_project_files(cli: Cli, tmp_path: Path) -> None:
    _projects(tmp_path)
    ours, theirs = _both(cli, tmp_path, "run", "python", "-c", "pass")
    # The first run: uv's lines in uv's order (the settings' warning first, the lock's after
    # the environment's lines); accord adds its news that it wrote the lock.
    assert ours.replace("Created uv.lock\n", "") == theirs
    assert theirs.index("settings discovery") < theirs.index("Creating virtual environment")
    assert theirs.index("Creating virtual environment") < theirs.index("requires-python")

    for args in (
        ("run", "python", "-c", "pass"),  # the fast path
        ("lock",),  # the lock the stamp proves current
    ):
        ours, theirs = _both(cli, tmp_path, *args)
        assert ours == theirs, args
        assert "settings discovery" in ours and "requires-python" in ours
    assert _both(cli, tmp_path, "run", "-q", "python", "-c", "pass") == ("", "")


def test_a_no_op_run_puts_the_virtual_env_warning_between_them(cli: Cli, tmp_path: Path) -> None:
    _projects(tmp_path)
    _both(cli, tmp_path, "sync")
    ours, theirs = _both(
        cli, tmp_path, "run", "python", "-c", "pass", env={"VIRTUAL_ENV": str(tmp_path)}
    )
    assert ours == theirs
    lines = [line for line in theirs.splitlines() if line.startswith("warning:")]
    assert [line.split()[1] for line in lines] == ["Failed", f"`VIRTUAL_ENV={tmp_path}`", "No"]


def test_a_replayed_sync_says_the_warnings_where_the_sync_said_them(
    cli: Cli, tmp_path: Path
) -> None:
    _projects(tmp_path)
    first, theirs = _both(cli, tmp_path, "sync")
    assert first == theirs
    for who in ("accord", "uv"):
        shutil.rmtree(tmp_path / who / "proj" / ".venv")
    # accord makes the environment again from its recipe, without reading the project.
    ours, theirs = _both(cli, tmp_path, "sync")
    assert ours == theirs
    assert ours == first
    assert "Failed to parse `pyproject.toml`" in ours


def test_a_run_from_a_subdirectory_names_the_file_from_there(cli: Cli, tmp_path: Path) -> None:
    """The settings' warning names pyproject.toml relative to the working directory: a stamp
    written from the project's root does not answer for a run from below it."""
    _projects(tmp_path)
    _both(cli, tmp_path, "sync")
    for who in ("accord", "uv"):
        (tmp_path / who / "proj" / "src").mkdir()
    ours, theirs = _both(cli, tmp_path, "run", "python", "-c", "pass", cwd="src")
    assert ours == theirs
    assert "Failed to parse `<project>/pyproject.toml`" in theirs


def test_warnings_stay_in_place_when_the_lock_is_written(cli: Cli, tmp_path: Path) -> None:
    """A sync that creates the environment and writes the lock: uv's order."""
    _projects(tmp_path, PYPROJECT.replace("[tool.uv]\nnot-a-setting = 1\n", ""))
    ours, theirs = _both(cli, tmp_path, "sync")
    assert ours == theirs
    lines = theirs.splitlines()
    assert lines[1] == "Creating virtual environment at: .venv"
    assert re.fullmatch(
        r"warning: No `requires-python` value found in the workspace\. "
        r"Defaulting to `>=3\.\d+`\.",
        lines[2],
    )
    assert lines[3] == "Resolved 2 packages in <time>"


def test_a_dry_run_says_them_where_uv_does(cli: Cli, tmp_path: Path) -> None:
    _projects(tmp_path)
    ours, theirs = _both(cli, tmp_path, "sync", "--dry-run")
    assert ours == theirs
    lines = theirs.splitlines()
    assert lines.index("Would create project environment at: .venv") + 1 == next(
        number for number, line in enumerate(lines) if "requires-python" in line
    )


def test_a_run_without_sync_says_no_warning_of_the_lock(cli: Cli, tmp_path: Path) -> None:
    """``--no-sync`` (``UV_NO_SYNC``) checks no lock: uv says the settings' warning only, and so
    does the fast path, from a stamp that keeps the lock's too."""
    _projects(tmp_path)
    _both(cli, tmp_path, "sync")
    for args, env in (
        (("run", "--no-sync", "python", "-c", "pass"), {}),
        (("run", "python", "-c", "pass"), {"UV_NO_SYNC": "1"}),
    ):
        ours, theirs = _both(cli, tmp_path, *args, env=env)
        assert ours == theirs, args
        assert "settings discovery" in ours and "requires-python" not in ours


def test_a_with_layer_says_the_settings_warning_once(cli: Cli, tmp_path: Path) -> None:
    _projects(tmp_path)
    _both(cli, tmp_path, "sync")
    ours, theirs = _both(cli, tmp_path, "run", "--with", "pkg==1.1", "python", "-c", "pass")
    assert ours.count("settings discovery") == theirs.count("settings discovery") == 1
