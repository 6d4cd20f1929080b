"""The fast path's stamp: every input that decides a sync sends the next run down the slow
path when it changes (a command never runs in an environment the slow path would change)."""

from __future__ import annotations

from pathlib import Path

from fixtures import MakeProject
from tests.cli.support import Cli

PREFIX = "import sys; print(sys.prefix)"


def test_fastpath_project_environment_variable_moves_the_environment(
    cli: Cli, make_project: MakeProject
) -> None:
    project = make_project("minimal")
    cli.sync(project)
    cli.sync(project)  # the stamp for .venv is written and matches

    for variable in ("UV_PROJECT_ENVIRONMENT", "ACCORD_PROJECT_ENVIRONMENT"):
        elsewhere = project / f"env-{variable.lower()}"
        result = cli.run(
            project, "--frozen", "--", "python", "-c", PREFIX, env={variable: str(elsewhere)}
        )
        assert (result.returncode, result.stdout) == (0, f"{elsewhere}\n"), result.stderr


def test_fastpath_python_version_file_is_an_input(cli: Cli, make_project: MakeProject) -> None:
    project = make_project("minimal")
    assert cli.run(project, "--frozen", "--", "python", "-c", "pass", python="").returncode == 0
    (project / ".python-version").write_text("3.99\n")

    result = cli.run(project, "--frozen", "--", "python", "-c", "pass", python="")

    assert result.returncode != 0
    assert "3.99" in result.stderr


def test_fastpath_cache_dir_is_an_input(
    cli: Cli, make_project: MakeProject, tmp_path: Path
) -> None:
    # Another cache: the slow path runs (and fills that cache), it does not exec at once.
    project = make_project("minimal")
    cli.sync(project)
    cache = tmp_path / "other-cache"
    result = cli.run(
        project,
        "--frozen",
        "-v",
        "--",
        "python",
        "-c",
        "pass",
        env={"ACCORD_CACHE_DIR": str(cache)},
    )
    assert result.returncode == 0, result.stderr
    assert cache.is_dir() and any(cache.iterdir())
