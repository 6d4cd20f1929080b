"""Beyond the project, with real processes: plain environments, --no-project, --with,
--isolated and PEP 723 scripts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from fixtures import MakeProject
from tests.cli.support import Cli, clean_environment, installed

PREFIX = "import sys; print(sys.prefix)"


def _accord(
    cli: Cli, cwd: Path, *args: str, env: dict[str, str] | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    environment = clean_environment({"ACCORD_INDEX_URL": cli.index_url, **(env or {})})
    return subprocess.run(
        [str(cli.accord), *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        input=stdin,
    )


def _venv(path: Path) -> Path:
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(path)], check=True)
    return path


def _mtimes(root: Path) -> dict[str, int]:
    return {
        str(Path(d, name)): os.lstat(Path(d, name)).st_mtime_ns
        for d, dirs, files in os.walk(root)
        for name in [*dirs, *files]
    }


def test_beyond_runs_in_the_venv_found_in_the_directory(cli: Cli, tmp_path: Path) -> None:
    venv = _venv(tmp_path / ".venv")
    result = _accord(cli, tmp_path, "run", "python", "-c", PREFIX)
    assert (result.returncode, result.stdout) == (0, f"{venv}\n"), result.stderr


def test_beyond_active_environment_wins(cli: Cli, tmp_path: Path) -> None:
    _venv(tmp_path / ".venv")
    other = _venv(tmp_path / "other")
    result = _accord(cli, tmp_path, "run", "python", "-c", PREFIX, env={"VIRTUAL_ENV": str(other)})
    assert result.stdout == f"{other}\n", result.stderr


def test_beyond_python_path_selects_an_environment(cli: Cli, tmp_path: Path) -> None:
    _venv(tmp_path / ".venv")
    other = _venv(tmp_path / "other")
    result = _accord(
        cli, tmp_path, "run", "--python", str(other / "bin" / "python"), "python", "-c", PREFIX
    )
    assert result.stdout == f"{other}\n", result.stderr


def test_beyond_dry_plan_says_nothing_is_synced(cli: Cli, tmp_path: Path) -> None:
    venv = _venv(tmp_path / ".venv")
    result = _accord(cli, tmp_path, "run", "--dry-plan")
    assert result.returncode == 0
    assert result.stdout == f"No project: running in {venv} as is (no pyproject.toml found)\n"


def test_beyond_no_project_ignores_the_project(
    cli: Cli, make_project: MakeProject, tmp_path: Path
) -> None:
    project = make_project("minimal")
    result = _accord(
        cli, project, "run", "--no-project", "--python", str(cli.python), "python", "-c", PREFIX
    )
    assert result.returncode == 0, result.stderr
    base_prefix = subprocess.run(
        [str(cli.python), "-c", PREFIX], capture_output=True, text=True, check=True
    ).stdout
    assert result.stdout == base_prefix  # the interpreter itself, not a project environment
    assert not (project / ".venv").exists()
    assert sorted(p.name for p in project.iterdir()) == ["pyproject.toml", "uv.lock"]


def test_beyond_unmanaged_project_runs_as_is(cli: Cli, tmp_path: Path) -> None:
    venv = _venv(tmp_path / ".venv")
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\nversion = "0"\ndependencies = ["pkg"]\n[tool.uv]\nmanaged = false\n'
    )
    result = _accord(cli, tmp_path, "run", "python", "-c", PREFIX)
    assert result.stdout == f"{venv}\n", result.stderr
    assert not (tmp_path / "uv.lock").exists()


def test_beyond_with_layers_a_requirement_without_touching_the_project(
    cli: Cli, make_project: MakeProject
) -> None:
    project = make_project("minimal")
    first = cli.run(
        project,
        "--with",
        "dep-b==1.0",
        "--",
        "python",
        "-c",
        "import dep_b, pkg; print(dep_b.__version__, pkg.__version__)",
        env={"ACCORD_INDEX_URL": cli.index_url},
    )
    assert (first.returncode, first.stdout) == (0, "1.0 1.0\n"), first.stderr
    assert "dep-b" not in installed(project)
    again = cli.run(
        project, "--with", "dep-b==1.0", "--dry-plan", env={"ACCORD_INDEX_URL": cli.index_url}
    )
    lines = again.stdout.splitlines()
    assert lines.count("# --with layer") == 1
    assert sum(line.startswith("Nothing to do:") for line in lines) == 2, again.stdout


def test_beyond_with_is_skipped_when_the_base_has_it(cli: Cli, make_project: MakeProject) -> None:
    project = make_project("minimal")
    result = cli.run(
        project,
        "--with",
        "pkg",
        "--",
        "python",
        "-c",
        PREFIX,
        env={"ACCORD_INDEX_URL": cli.index_url},
    )
    assert result.stdout == f"{project / '.venv'}\n", result.stderr


def test_beyond_with_requirements_file(cli: Cli, make_project: MakeProject) -> None:
    project = make_project("minimal")
    (project / "extra.txt").write_text("# comment\ncolorful==1.0\n")
    result = cli.run(
        project,
        "--with-requirements",
        "extra.txt",
        "--",
        "python",
        "-c",
        "import colorful; print('ok')",
        env={"ACCORD_INDEX_URL": cli.index_url},
    )
    assert (result.returncode, result.stdout) == (0, "ok\n"), result.stderr


def test_beyond_isolated_leaves_the_project_venv_untouched(
    cli: Cli, make_project: MakeProject
) -> None:
    project = make_project("minimal")
    cli.sync(project)
    before = _mtimes(project / ".venv")
    result = cli.run(
        project,
        "--isolated",
        "--frozen",
        "--",
        "python",
        "-c",
        "import pkg, sys; print(sys.prefix)",
    )
    assert result.returncode == 0, result.stderr
    assert Path(result.stdout.strip()) != project / ".venv"
    assert _mtimes(project / ".venv") == before


SCRIPT = """\
# /// script
# requires-python = ">=3.10"
# dependencies = [
#   "pkg==1.0",
#   "dep-b<2",
# ]
# ///
import sys, pkg, dep_b
print(pkg.__version__, dep_b.__version__, sys.prefix)
"""


def test_beyond_script_runs_in_its_own_environment(cli: Cli, tmp_path: Path) -> None:
    script = tmp_path / "hello.py"
    script.write_text(SCRIPT)
    result = _accord(cli, tmp_path, "run", "--python", str(cli.python), "hello.py")
    assert result.returncode == 0, result.stderr
    version, dep, prefix = result.stdout.split()
    assert (version, dep) == ("1.0", "1.0")
    again = _accord(cli, tmp_path, "run", "--python", str(cli.python), "hello.py")
    assert again.stdout.split()[2] == prefix  # the same cached environment
    script.write_text(SCRIPT.replace('"dep-b<2",', '"dep-b",'))
    edited = _accord(cli, tmp_path, "run", "--python", str(cli.python), "hello.py")
    assert edited.returncode == 0, edited.stderr
    assert edited.stdout.split()[1] == "2.0"
    assert edited.stdout.split()[2] != prefix  # a different environment


def test_beyond_script_lock_is_used_and_checked(cli: Cli, tmp_path: Path) -> None:
    script = tmp_path / "hello.py"
    script.write_text(SCRIPT)
    locked = _accord(cli, tmp_path, "lock", "--script", "hello.py", "--python", str(cli.python))
    assert locked.returncode == 0, locked.stderr
    lock = (tmp_path / "hello.py.lock").read_text()
    assert "[manifest]\nrequirements = [\n" in lock
    assert (
        _accord(
            cli, tmp_path, "run", "--locked", "--python", str(cli.python), "hello.py"
        ).returncode
        == 0
    )
    script.write_text(SCRIPT.replace('"dep-b<2",', '"dep-b<2",\n#   "colorful",'))
    stale = _accord(cli, tmp_path, "run", "--locked", "--python", str(cli.python), "hello.py")
    assert stale.returncode == 1
    assert "cause: requirements changed (added colorful)" in stale.stderr
    assert (tmp_path / "hello.py.lock").read_text() == lock


def test_beyond_script_lock_matches_uv(cli: Cli, tmp_path: Path) -> None:
    ours = tmp_path / "ours"
    theirs = tmp_path / "theirs"
    for directory in (ours, theirs):
        directory.mkdir()
        (directory / "hello.py").write_text(SCRIPT)
    assert _accord(cli, ours, "lock", "--script", "hello.py").returncode == 0
    uv = cli.uv(theirs, "lock", "--script", "hello.py")
    assert uv.returncode == 0, uv.stderr
    assert (ours / "hello.py.lock").read_text() == (theirs / "hello.py.lock").read_text()


def test_beyond_locked_without_script_lock_is_an_error(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "hello.py").write_text(SCRIPT)
    result = _accord(cli, tmp_path, "run", "--locked", "hello.py")
    assert result.returncode == 2
    assert result.stderr == (
        "error: Unable to find lockfile for Python script, but `--locked` was provided. "
        "To create a lockfile, run `accord lock --script`.\n"
    )


def test_beyond_shebang_script_runs_directly(cli: Cli, tmp_path: Path) -> None:
    script = tmp_path / "tool"
    script.write_text(
        f"#!/usr/bin/env -S {cli.accord} run --python {cli.python} --script\n" + SCRIPT
    )
    script.chmod(0o755)
    result = subprocess.run(
        [str(script)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=clean_environment({"ACCORD_INDEX_URL": cli.index_url}),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[:2] == ["1.0", "1.0"]


def test_beyond_malformed_script_block_names_the_line(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "bad.py").write_text("print(1)\n# /// script\n# dependencies = [\n")
    result = _accord(cli, tmp_path, "run", "bad.py")
    assert result.returncode == 2
    # The file and the line first, then uv 0.13.8's own words as the cause.
    first, cause = result.stderr.splitlines()[:2]
    assert first == "error: Failed to parse the `script` metadata block of `bad.py` at line 2"
    assert cause.startswith("  cause: An opening tag (`# /// script`) was found without a closing")
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("value", ["a>=1,<2,b", "a[x,y]>=1,c"])
def test_beyond_split_with_keeps_specifiers_and_extras(value: str) -> None:
    from accord.reconciler.run.cached import split_with

    expected = {"a>=1,<2,b": ["a>=1,<2", "b"], "a[x,y]>=1,c": ["a[x,y]>=1", "c"]}[value]
    assert split_with([value]) == expected


def test_beyond_with_over_a_bare_interpreter(cli: Cli, tmp_path: Path) -> None:
    # No project and no environment: the layer sits on the interpreter found, which is
    # never modified.
    result = _accord(
        cli,
        tmp_path,
        "run",
        "--python",
        str(cli.python),
        "--with",
        "pkg==1.0",
        "--",
        "python",
        "-c",
        "import pkg, sys; print(pkg.__version__, sys.prefix != sys.base_prefix)",
    )
    assert (result.returncode, result.stdout) == (0, "1.0 True\n"), result.stderr
    bare = subprocess.run([str(cli.python), "-c", "import pkg"], capture_output=True, check=False)
    assert bare.returncode != 0  # the interpreter itself did not get pkg
