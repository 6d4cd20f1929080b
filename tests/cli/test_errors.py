"""Bad input to `accord run`: named clearly, no traceback, and nothing changed on disk."""

from __future__ import annotations

import hashlib
import os
import platform
from pathlib import Path

from fixtures import MakeProject
from tests.cli.support import Cli, tree

ZERO_HASH = "0" * 64


def _replace_line(path: Path, number: int, text: str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[number - 1] = text + "\n"
    path.write_text("".join(lines), encoding="utf-8")


def _corrupt_wheel_hash(lock: Path, wheel: str) -> None:
    """Replace the sha256 of `wheel` (and only that artifact) in `lock` with zeros."""
    out = []
    for line in lock.read_text(encoding="utf-8").splitlines(keepends=True):
        if f'/{wheel}"' in line:
            start = line.index('hash = "sha256:') + len('hash = "sha256:')
            line = line[:start] + ZERO_HASH + line[start + 64 :]
        out.append(line)
    text = "".join(out)
    assert ZERO_HASH in text, f"{wheel} is not in {lock}"
    lock.write_text(text, encoding="utf-8")


def test_run_malformed_lock_names_file_and_line(cli: Cli, make_project: MakeProject) -> None:
    project = make_project("minimal")
    _replace_line(project / "uv.lock", 7, 'version = = "1"')

    result = cli.run(project, "--frozen", "--", "python", "-c", "pass")

    assert result.returncode == 2
    assert result.stderr == (  # as uv 0.13.8 says it
        "error: Failed to parse `uv.lock`\n"
        "  cause: TOML parse error at line 7, column 11\n"
        "           |\n"
        '         7 | version = = "1"\n'
        "           |           ^\n"
        "         extra `=`, expected nothing\n"
    )
    assert result.stdout == ""
    assert not (project / ".venv").exists()


def test_run_malformed_pyproject_names_file_and_line(cli: Cli, make_project: MakeProject) -> None:
    project = make_project("minimal")
    _replace_line(project / "pyproject.toml", 3, 'version = = "0.1.0"')

    result = cli.run(project, "--frozen", "--", "python", "-c", "pass")

    assert result.returncode == 2
    report = (
        "TOML parse error at line 3, column 11\n"
        "  |\n"
        '3 | version = = "0.1.0"\n'
        "  |           ^\n"
        "extra `=`, expected nothing"
    )
    # As uv 0.13.8: its settings discovery warns first, then the project's error.
    assert result.stderr == (
        "warning: Failed to parse `pyproject.toml` during settings discovery:\n"
        + "".join(f"  {line}\n" for line in report.split("\n"))
        + "\nerror: Failed to parse: pyproject.toml\n  cause: "
        + "\n         ".join(report.split("\n"))
        + "\n"
    )
    assert not (project / ".venv").exists()


def test_run_hash_mismatch_leaves_the_environment_unchanged(
    cli: Cli, make_project: MakeProject, dists_dir: Path
) -> None:
    project = make_project("minimal")
    cli.sync(project)
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace("pkg==1.0", "pkg==1.1"))
    cli.relock(project)
    _corrupt_wheel_hash(project / "uv.lock", "pkg-1.1-py3-none-any.whl")
    actual = hashlib.sha256((dists_dir / "pkg-1.1-py3-none-any.whl").read_bytes()).hexdigest()
    before = tree(project / ".venv")

    result = cli.run(project, "--frozen", "--", "python", "-c", "pass")

    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith(("error:", "hint:"))]
    assert errors[0] == (
        f"error: Hash mismatch for `pkg-1.1-py3-none-any.whl`: the lock says sha256:{ZERO_HASH}, "
        f"the download is sha256:{actual}"
    )
    assert errors[1].startswith("hint: ")
    assert "Traceback" not in result.stderr
    # Byte for byte as it was, the fast-path stamp included: nothing is touched before every
    # artifact is verified.
    assert tree(project / ".venv") == before


def test_run_hash_mismatch_creates_no_environment(cli: Cli, make_project: MakeProject) -> None:
    project = make_project("minimal")
    _corrupt_wheel_hash(project / "uv.lock", "pkg-1.0-py3-none-any.whl")

    result = cli.run(project, "--frozen", "--", "python", "-c", "pass")

    assert result.returncode == 1
    assert "error: Hash mismatch for `pkg-1.0-py3-none-any.whl`" in result.stderr
    assert not (project / ".venv").exists()


def test_run_missing_interpreter_lists_what_was_found(cli: Cli, make_project: MakeProject) -> None:
    project = make_project("minimal")
    path = os.pathsep.join([str(cli.python.parent), os.environ.get("PATH", "")])

    result = cli.run(
        project, "--frozen", "--", "python", "-c", "pass", python="3.7.99", env={"PATH": path}
    )

    assert result.returncode == 2
    first, blank, hint = result.stderr.splitlines()
    assert blank == ""  # as uv writes a hint
    assert first == "error: No interpreter found for Python 3.7.99 in PATH or pyenv versions"
    assert hint.startswith("hint: found: ")
    assert f"{platform.python_version()} (" in hint
    assert not (project / ".venv").exists()


def test_run_frozen_without_lock_fails_like_uv(cli: Cli, make_project: MakeProject) -> None:
    project = make_project("minimal", lock=False)

    result = cli.run(project, "--frozen", "--", "python", "-c", "pass")

    assert result.returncode == 1
    assert result.stderr == (
        "error: Unable to find lockfile at `uv.lock`, but `--frozen` was provided. "
        "To create a lockfile, run `accord lock` or `accord sync` without the flag.\n"
    )
    assert not (project / ".venv").exists()
    assert not (project / "uv.lock").exists()
