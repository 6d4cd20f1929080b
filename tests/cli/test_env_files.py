"""`--env-file` faults: every one named with the file, no traceback, nothing synced first.

uv 0.13.8 on the same files, for comparison:

    error: Failed to read environment file `envdir`: Is a directory (os error 21)
    error: Failed to read environment file `latin.env`: stream did not contain valid UTF-8
    warning: Failed to parse environment file `t.env` at position 20: B="unterminated

(exit 2, 2, and 0 with the variables before the bad line loaded). accord says the same, with
the line instead of a byte position.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from fixtures import MakeProject
from tests.cli.support import Cli

SHOW = "import os; print([os.environ.get(k) for k in ('A', 'B', 'C')])"


@pytest.fixture
def project(make_project: MakeProject) -> Path:
    return make_project("minimal")


@pytest.mark.parametrize(
    ("make", "message"),
    [
        pytest.param(
            lambda path: path.mkdir(),
            "error: Failed to read environment file `bad.env`: Is a directory\n",
            id="directory",
        ),
        pytest.param(
            lambda path: path.write_bytes(b"A=1\n\nB=caf\xe9\n"),
            "error: Failed to read environment file `bad.env`: line 3 is not UTF-8 text\n",
            id="not-utf8",
        ),
        pytest.param(
            lambda path: path.symlink_to("nowhere.env"),
            "error: Failed to read environment file `bad.env`: No such file or directory\n",
            id="dangling-link",
        ),
    ],
)
def test_env_file_unreadable_is_refused_before_the_environment_is_made(
    cli: Cli, project: Path, make: Callable[[Path], object], message: str
) -> None:
    make(project / "bad.env")

    result = cli.run(project, "--frozen", "--env-file", "bad.env", "--", "python", "-c", SHOW)

    assert (result.returncode, result.stdout, result.stderr) == (2, "", message)
    assert not (project / ".venv").exists()


def test_env_file_bad_line_is_named_and_the_rest_of_the_file_skipped(
    cli: Cli, project: Path
) -> None:
    (project / "t.env").write_text('A=1\nB="unterminated\nC=3\n')

    result = cli.run(project, "--frozen", "--env-file", "t.env", "--", "python", "-c", SHOW)

    assert (result.returncode, result.stdout) == (0, "['1', None, None]\n"), result.stderr
    assert result.stderr.splitlines()[0] == (
        'warning: Failed to parse environment file `t.env` at line 2: B="unterminated'
    )


def test_env_file_values_expand_earlier_ones(cli: Cli, project: Path) -> None:
    (project / "t.env").write_text("A=1\nB=${A}-two\nC=\n")

    result = cli.run(project, "--frozen", "--env-file", "t.env", "--", "python", "-c", SHOW)

    assert (result.returncode, result.stdout) == (0, "['1', '1-two', '']\n"), result.stderr
